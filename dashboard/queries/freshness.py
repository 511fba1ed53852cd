"""How fresh a fed source is: its newest record, with the cadence it is expected to arrive at."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, String, func, literal, select
from sqlalchemy.sql import FromClause

from dashboard.sources.schema import DEFAULT_FEED_CADENCE, FEED_DATE_COLUMNS


def select_feed_latest(tables: Mapping[str, FromClause], feed: str) -> Select:
    """One row: ``latest`` (the newest record's date or time in ``feed``, NULL when empty) and
    ``cadence`` (as declared for the feed in the sources file, else daily)."""
    cadence = tables.cadence(feed) if hasattr(tables, "cadence") else DEFAULT_FEED_CADENCE
    column = tables[feed].c[FEED_DATE_COLUMNS[feed]]
    return select(func.max(column).label("latest"), literal(cadence, String).label("cadence"))
