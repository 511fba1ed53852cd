"""Built-in KPIs from summary frames: ratios of sums, never averages of ratios."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.kpis import BUILTIN_KPIS, bucket_sums, kpi_series, period_sums

W1, W2, W0 = dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 2, 23)
PRODUCTION = pd.DataFrame(
    {
        "period": ["previous", "current", "current"],
        "bucket_date": [W0, W1, W2],
        "units_inspected": [1000, 100, 900],
        "units_passed_first_time": [950, 50, 891],
        "units_shipped": [940, 50, 890],
        "opportunities": [10_000, 1_000, 9_000],
    }
)
DEFECTS = pd.DataFrame(
    {
        "period": ["previous", "current", "current"],
        "bucket_date": [W0, W1, W2],
        "defect_count": [40, 60, 9],
        "cost_eur": [400.0, 600.0, 90.0],
    }
)


def test_ratio_of_sums_not_mean_of_ratios() -> None:
    frames = [PRODUCTION]
    before = PRODUCTION.copy()
    fpy = BUILTIN_KPIS["first_pass_yield"].compute(period_sums(frames, "current"))
    assert fpy == pytest.approx(100 * 941 / 1000)  # the mean of 50 % and 99 % would be 74.5 %
    pd.testing.assert_frame_equal(PRODUCTION, before)  # inputs are not mutated


def test_dpmo_joins_two_summaries() -> None:
    sums = period_sums([DEFECTS, PRODUCTION], "previous")
    assert BUILTIN_KPIS["dpmo"].compute(sums) == pytest.approx(40 / 10_000 * 1e6)
    assert "σ" in BUILTIN_KPIS["dpmo"].explain(sums)


def test_series_has_one_value_per_current_bucket() -> None:
    series = kpi_series(BUILTIN_KPIS["dpmo"], [DEFECTS, PRODUCTION])
    assert list(series.index) == [W1, W2]
    assert series[W1] == pytest.approx(60_000)
    assert series[W2] == pytest.approx(1_000)


def test_empty_period_sums_to_zero() -> None:
    empty = PRODUCTION.iloc[0:0]
    assert period_sums([empty], "current")["units_inspected"] == 0.0
    assert bucket_sums([empty]).empty
    assert BUILTIN_KPIS["first_pass_yield"].compute(period_sums([empty], "current")) is None
