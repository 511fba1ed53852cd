"""The scorecard's per-supplier pieces that need no database."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.views.suppliers import _sparks

W1, W2, W3, W4 = (dt.date(2026, 3, 2) + dt.timedelta(weeks=k) for k in range(4))


def test_every_sparkline_runs_on_the_same_weeks_with_gaps_where_a_supplier_delivered_nothing() -> None:
    trend = pd.DataFrame(
        [
            ("S001", W1, 1000, 1),  # 1,000 PPM
            ("S001", W2, 1000, 3),
            ("S001", W3, 1000, 2),
            ("S001", W4, 1000, 4),
            ("S002", W4, 500, 1),  # a first delivery in the last week: on the right, not the left
            ("S003", W1, 200, 0),
            ("S003", W3, 0, 0),  # a row without units: a gap as well
            ("S003", W4, 200, 2),
        ],
        columns=["supplier_id", "bucket_date", "units_received", "units_rejected"],
    )
    sparks = _sparks(trend.sample(frac=1, random_state=3))  # the order of the rows does not matter
    assert sparks == {"S001": "▁▆▃█", "S002": "   ▄", "S003": "▁  █"}
    assert _sparks(trend.iloc[0:0]) == {}
