"""Date buckets of a period: which lie wholly inside it, and where each one ends."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.filters import Filters


def bucket_end(start: dt.date, grain: str) -> dt.date:
    """The last day of the ``grain`` bucket that starts on ``start``."""
    if grain == "day":
        return start
    if grain == "week":
        return start + dt.timedelta(days=6)
    following = (pd.Timestamp(start) + pd.offsets.MonthBegin(3 if grain == "quarter" else 1)).date()
    return following - dt.timedelta(days=1)


def complete_buckets(series: pd.Series, grain: str, filters: Filters) -> pd.Series:
    """Only the buckets that lie wholly inside the period (a partial week is not comparable)."""
    keep = [start >= filters.start_date and bucket_end(start, grain) <= filters.end_date for start in series.index]
    return series[pd.Series(keep, index=series.index, dtype=bool)]
