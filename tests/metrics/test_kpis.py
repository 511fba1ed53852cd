"""Built-in KPIs from summary frames: ratios of sums, never averages of ratios."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.kpis import BUILTIN_KPIS, combine, kpi_series, summarise

W1, W2, W0 = dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 2, 23)
PRODUCTION = pd.DataFrame(
    {
        "period": ["previous", "current", "current"],
        "bucket_date": [W0, W1, W2],
        "units_inspected": [1000, 100, 900],
        "units_passed_first_time": [950, 50, 891],
        "units_shipped": [940, 50, 890],
        "opportunities": [10_000, 1_000, 9_000],
        "production_cost_eur": [5_000.0, 500.0, 4_500.0],
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
    before = PRODUCTION.copy()
    fpy = BUILTIN_KPIS["first_pass_yield"].compute(summarise(PRODUCTION).current)
    assert fpy == pytest.approx(100 * 941 / 1000)  # the mean of 50 % and 99 % would be 74.5 %
    pd.testing.assert_frame_equal(PRODUCTION, before)  # inputs are not mutated


def test_dpmo_and_copq_join_two_summaries() -> None:
    sums = combine([summarise(DEFECTS), summarise(PRODUCTION)])
    assert BUILTIN_KPIS["dpmo"].compute(sums.previous) == pytest.approx(40 / 10_000 * 1e6)
    assert "σ" in BUILTIN_KPIS["dpmo"].explain(sums.previous)
    assert BUILTIN_KPIS["cost_of_poor_quality"].compute(sums.current) == pytest.approx(690 / 5_000 * 100)


def test_series_has_one_value_per_current_bucket() -> None:
    series = kpi_series(BUILTIN_KPIS["dpmo"], combine([summarise(DEFECTS), summarise(PRODUCTION)]))
    assert list(series.index) == [W1, W2]
    assert series[W1] == pytest.approx(60_000)
    assert series[W2] == pytest.approx(1_000)


def test_a_period_without_rows_has_no_value() -> None:
    sums = summarise(PRODUCTION[PRODUCTION["period"] == "current"])
    assert sums.has_current and not sums.has_previous
    assert sums.previous["units_inspected"] == 0.0
    empty = summarise(PRODUCTION.iloc[0:0])
    assert not empty.has_current and empty.buckets == {}
    assert BUILTIN_KPIS["first_pass_yield"].compute(empty.current) is None


def test_combine_needs_every_part_for_a_period() -> None:
    only_current = summarise(DEFECTS[DEFECTS["period"] == "current"])
    assert not combine([only_current, summarise(PRODUCTION)]).has_previous
