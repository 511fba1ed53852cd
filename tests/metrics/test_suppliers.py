"""Supplier PPM intervals, funnel limits, shrinkage, scores and the scorecard: published and hand-made cases."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import DashboardError
from dashboard.metrics import suppliers

# --- Exact (Clopper-Pearson) interval -----------------------------------------------------------


def test_r_binom_test_example_to_every_printed_digit() -> None:
    # R, ?binom.test, example after Conover (1971), p. 97f: 682 "giant" of 925 progeny,
    # binom.test(c(682, 243), p = 3/4) prints "95 percent confidence interval: 0.7076683 0.7654066".
    low, high = suppliers.ppm_interval(682, 925)
    assert low / 1e6 == pytest.approx(0.7076683, abs=5e-8)
    assert high / 1e6 == pytest.approx(0.7654066, abs=5e-8)


# R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
# methods", Statistics in Medicine 17 (1998) 857-872, Table I: the exact (Clopper-Pearson) and the
# Wilson score 95 % intervals of four illustrative proportions, printed to 4 decimals.
NEWCOMBE = [
    # k, n, exact low, exact high, Wilson low, Wilson high
    (81, 263, 0.2527, 0.3676, 0.2553, 0.3662),
    (15, 148, 0.0578, 0.1617, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1684, 0.0, 0.1611),
    (1, 29, 0.0009, 0.1776, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high", "_wl", "_wh"), NEWCOMBE)
def test_exact_interval_matches_newcombe_table_1(k: int, n: int, low: float, high: float, _wl: float, _wh: float) -> None:
    got_low, got_high = suppliers.ppm_interval(k, n)
    assert got_low / 1e6 == pytest.approx(low, abs=5e-5)
    assert got_high / 1e6 == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("k", "n", "_el", "_eh", "low", "high"), NEWCOMBE)
def test_wilson_interval_matches_newcombe_table_1(k: int, n: int, _el: float, _eh: float, low: float, high: float) -> None:
    got_low, got_high = suppliers.wilson_interval(k, n)
    assert got_low / 1e6 == pytest.approx(low, abs=5e-5)
    assert got_high / 1e6 == pytest.approx(high, abs=5e-5)


def test_conover_table_example() -> None:
    # 5 of 25 seedlings survive: the exact 95 % limits from Conover's tables (Practical
    # Nonparametric Statistics, 3rd ed., 1999) are 0.068 to 0.407, as quoted by InfluentialPoints,
    # "Confidence intervals of proportions" (influentialpoints.com).
    low, high = suppliers.ppm_interval(5, 25)
    assert low / 1e6 == pytest.approx(0.068, abs=5e-4)
    assert high / 1e6 == pytest.approx(0.407, abs=5e-4)


def test_zero_of_n_and_the_rule_of_three() -> None:
    # For 0 of n the exact two-sided 95 % upper limit solves (1 - p)^n = 0.025: p = 1 - 0.025^(1/n);
    # n = 30: 0.1157 (Clopper & Pearson, 1934). The rule of three, 3/n, is the one-sided 95 % bound
    # 1 - 0.05^(1/n) ~ -ln(0.05)/n = 2.996/n, i.e. the upper limit of the two-sided 90 % interval
    # (Hanley & Lippman-Hand, "If nothing goes wrong, is everything all right?", JAMA 249 (1983) 1743-1745).
    low, high = suppliers.ppm_interval([0, 0, 0], [30, 300, 3000])
    assert low.tolist() == [0.0, 0.0, 0.0]
    assert high / 1e6 == pytest.approx([1 - 0.025 ** (1 / n) for n in (30, 300, 3000)])
    assert high[0] / 1e6 == pytest.approx(0.1157, abs=5e-5)
    _, one_sided = suppliers.ppm_interval([0, 0], [30, 3000], level=0.90)
    assert one_sided[0] / 1e6 == pytest.approx(1 - 0.05 ** (1 / 30))  # 0.0950 vs 3/30 = 0.100
    assert one_sided[1] == pytest.approx(3 / 3000 * 1e6, rel=0.01)  # the rule of three for large n


def test_one_of_ten_by_hand() -> None:
    # Lower limit solves P(X >= 1) = 1 - (1 - p)^10 = 0.025: p = 1 - 0.975^(1/10) = 0.0025286.
    # Upper limit solves P(X <= 1) = (1 - p)^10 + 10 p (1 - p)^9 = 0.025: p = 0.4450.
    low, high = suppliers.ppm_interval(1, 10)
    assert low / 1e6 == pytest.approx(1 - 0.975**0.1, rel=1e-9)
    p = high / 1e6
    assert (1 - p) ** 10 + 10 * p * (1 - p) ** 9 == pytest.approx(0.025, rel=1e-9)
    assert p == pytest.approx(0.4450, abs=5e-5)


def test_all_rejected_has_upper_limit_one_million() -> None:
    # 10 of 10: upper 10^6; lower solves p^10 = 0.025, p = 0.025^(1/10) = 0.6915.
    low, high = suppliers.ppm_interval(10, 10)
    assert high == 1e6
    assert low / 1e6 == pytest.approx(0.025**0.1, rel=1e-9)


def test_interval_is_vectorised_and_undefined_without_volume() -> None:
    low, high = suppliers.ppm_interval(np.array([0, 1, 0, np.nan]), np.array([0, 10, np.nan, 5]))
    assert np.isnan(low[[0, 2, 3]]).all() and np.isnan(high[[0, 2, 3]]).all()
    assert high[1] / 1e6 == pytest.approx(0.4450, abs=5e-5)
    w_low, w_high = suppliers.wilson_interval([0, 1], [0, 10])
    assert math.isnan(w_low[0]) and math.isnan(w_high[0])


def test_a_higher_level_gives_a_wider_interval() -> None:
    low95, high95 = suppliers.ppm_interval(3, 1000, level=0.95)
    low99, high99 = suppliers.ppm_interval(3, 1000, level=0.99)
    assert low99 < low95 < 3000 < high95 < high99
    with pytest.raises(ValueError, match="level"):
        suppliers.ppm_interval(3, 1000, level=95)


@pytest.mark.parametrize(("k", "n", "message"), [(-1, 10, "cannot be negative"), (11, 10, "only 10 received")])
def test_impossible_counts_raise_a_supplier_data_error(k: int, n: int, message: str) -> None:
    with pytest.raises(suppliers.SupplierDataError, match=message) as caught:
        suppliers.ppm_interval([0, k], [10, n])
    assert isinstance(caught.value, DashboardError)
    assert "row 2" in str(caught.value)


# --- Funnel limits ------------------------------------------------------------------------------


def test_funnel_limits_by_hand() -> None:
    # p = 0.001, n = 10,000: sd = sqrt(0.001 x 0.999 / 10,000) = 316.0696 PPM.
    # 95 %: 1,000 -/+ 1.959964 x 316.0696 = 1,000 -/+ 619.4849; 99.8 %: -/+ 3.090232 x 316.0696 = 976.7283.
    table = suppliers.funnel_limits(0.001, [10_000])
    assert list(table.columns) == [
        "units",
        "pooled_ppm",
        "lower95",
        "upper95",
        "lower998",
        "upper998",
    ]
    row = table.iloc[0]
    assert row["pooled_ppm"] == pytest.approx(1_000)
    assert row["lower95"] == pytest.approx(380.5151, abs=1e-3)
    assert row["upper95"] == pytest.approx(1_619.4849, abs=1e-3)
    assert row["lower998"] == pytest.approx(23.2717, abs=1e-3)
    assert row["upper998"] == pytest.approx(1_976.7283, abs=1e-3)


def test_funnel_lower_limit_is_clipped_at_zero_and_undefined_without_volume() -> None:
    # n = 1,000: 1,000 - 1.96 x 999.5 < 0, so the lower limit is 0; the upper is 1,000 + 1,958.96.
    table = suppliers.funnel_limits(0.001, [1_000, 0, np.nan])
    assert table["lower95"].iloc[0] == 0.0
    assert table["upper95"].iloc[0] == pytest.approx(1_000 + 1.959964 * math.sqrt(0.000999 / 1_000) * 1e6)
    assert table.iloc[1:, 1:].isna().all().all()


def test_funnel_narrows_with_volume_and_takes_other_z() -> None:
    table = suppliers.funnel_limits(0.002, [1e3, 1e4, 1e5, 1e6], z=(1.0,))
    assert list(table.columns) == ["units", "pooled_ppm", "lower6827", "upper6827"]
    assert table["upper6827"].is_monotonic_decreasing
    assert table["lower6827"].is_monotonic_increasing
    with pytest.raises(ValueError, match="fraction"):
        suppliers.funnel_limits(1_000, [10])  # PPM passed where a rate is expected


def test_funnel_curve_is_log_spaced() -> None:
    curve = suppliers.funnel_curve(0.001, 100, 1_000_000, points=5)
    assert curve["units"].tolist() == pytest.approx([1e2, 1e3, 1e4, 1e5, 1e6])
    assert len(suppliers.funnel_curve(0.001, 50, 5e5)) == 60
    expected = suppliers.funnel_limits(0.001, [1e4])
    assert curve.iloc[2, 1:].tolist() == pytest.approx(expected.iloc[0, 1:].tolist())
    for bad in ((0, 10, 5), (100, 10, 5), (10, 100, 1)):
        with pytest.raises(ValueError):
            suppliers.funnel_curve(0.001, *bad)


# --- Shrinkage ----------------------------------------------------------------------------------


def test_shrunk_ppm_by_hand() -> None:
    # Two suppliers, 3 and 7 rejects of 10 each: p = 0.5, p(1 - p) = 0.25, m = 2, N = 20, Σn²/N = 10.
    # Σn(k/n - p)² / p(1 - p) = 10 x (0.04 + 0.04) / 0.25 = 3.2;
    # rho = (3.2 - 1) / (20 - 10 - 1) = 2.2 / 9 = 11/45; α + β = 45/11 - 1 = 34/11; α = β = 17/11.
    # Posterior means: (3 + 17/11) / (10 + 34/11) = 50/144 = 25/72 and (7 + 17/11) / (144/11) = 47/72.
    ppm, alpha, beta = suppliers.shrunk_ppm([3, 7], [10, 10])
    assert alpha == pytest.approx(17 / 11)
    assert beta == pytest.approx(17 / 11)
    assert ppm.tolist() == pytest.approx([25 / 72 * 1e6, 47 / 72 * 1e6])


def test_no_extra_binomial_spread_shrinks_everyone_to_the_pooled_rate() -> None:
    # 5 of 10 and 50 of 100: identical rates, so all spread is noise: everyone gets 500,000 PPM.
    ppm, alpha, beta = suppliers.shrunk_ppm([5, 50, 0], [10, 100, 0])
    assert alpha == beta == math.inf
    assert ppm[:2].tolist() == pytest.approx([500_000, 500_000])
    assert math.isnan(ppm[2])  # no volume: no rate, and not part of the fit


def test_spread_beyond_any_binomial_mixture_keeps_the_raw_rates() -> None:
    # 0 of 10 and 10 of 10: rho = (20 - 1) / 9 > 1, so α = β = 0 and the raw rates stand.
    ppm, alpha, beta = suppliers.shrunk_ppm([0, 10], [10, 10])
    assert (alpha, beta) == (0.0, 0.0)
    assert ppm.tolist() == [0.0, 1e6]


def test_shrinkage_edge_cases() -> None:
    one, alpha, _ = suppliers.shrunk_ppm([3], [1_000])
    assert one.tolist() == pytest.approx([3_000]) and alpha == math.inf  # one supplier: its own rate
    none, alpha, beta = suppliers.shrunk_ppm([], [])
    assert none.shape == (0,) and alpha == beta == math.inf
    clean, *_ = suppliers.shrunk_ppm([0, 0], [100, 5_000])
    assert clean.tolist() == [0.0, 0.0]


def test_moment_estimator_recovers_the_prior_of_a_simulated_beta_binomial() -> None:
    # 3,000 suppliers whose rates are drawn from Beta(2, 1998) (mean 1,000 PPM, α + β = 2,000).
    rng = np.random.default_rng(7)
    n = rng.integers(5_000, 100_000, 3_000)
    k = rng.binomial(n, rng.beta(2.0, 1_998.0, n.size))
    _, alpha, beta = suppliers.shrunk_ppm(k, n)
    assert alpha / (alpha + beta) == pytest.approx(0.001, rel=0.05)
    assert alpha + beta == pytest.approx(2_000, rel=0.15)


# --- Enough data --------------------------------------------------------------------------------


def test_enough_data_needs_three_expected_rejects() -> None:
    # At 1,000 PPM: 3,000 units expect exactly 3 rejects (enough), 2,999 expect 2.999 (not).
    flags = suppliers.enough_data([3_000, 2_999, 100, 0, np.nan], 0.001)
    assert flags.dtype == bool
    assert flags.tolist() == [True, False, False, False, False]
    assert suppliers.enough_data([2_000], 0.001, min_expected=2.0).tolist() == [True]
    assert suppliers.enough_data([1e9], 0.0).tolist() == [False]
    assert suppliers.enough_data([1e9], math.nan).tolist() == [False]


# --- THE FAIRNESS CASE --------------------------------------------------------------------------


def fairness_population() -> pd.DataFrame:
    """60 steady suppliers at ~1,000 PPM, one degrading at 6,000 PPM, one tiny with 6 of 100."""
    rng = np.random.default_rng(20240601)
    received = np.round(rng.uniform(20_000, 200_000, 60))
    rejected = rng.binomial(received.astype(int), 0.001).astype(float)
    frame = pd.DataFrame(
        {
            "supplier_id": [f"S{i:03d}" for i in range(1, 61)] + ["DEGRADING", "TINY"],
            "units_received": np.append(received, [60_000, 100]),
            "units_rejected": np.append(rejected, [360, 6]),  # 6,000 PPM and 60,000 PPM
        }
    )
    frame["ppm"] = frame["units_rejected"] / frame["units_received"] * 1e6
    frame["shrunk_ppm"], _, _ = suppliers.shrunk_ppm(frame["units_rejected"], frame["units_received"])
    return frame


def test_raw_ppm_puts_the_tiny_supplier_first_but_shrunk_ppm_the_degrading_one() -> None:
    frame = fairness_population()
    raw_worst = frame.sort_values("ppm", ascending=False)["supplier_id"].tolist()
    assert raw_worst[0] == "TINY"  # the noisy ranking every other dashboard shows

    worst = suppliers.worst_by_ppm(frame, n=10)
    assert worst["supplier_id"].iloc[0] == "DEGRADING"
    assert worst["supplier_id"].iloc[0] != "TINY"
    degrading = frame.set_index("supplier_id").loc["DEGRADING"]
    tiny = frame.set_index("supplier_id").loc["TINY"]
    # The big supplier keeps most of its own evidence; the tiny one is pulled far toward the pool.
    assert degrading["shrunk_ppm"] > 5_000
    assert tiny["shrunk_ppm"] < 0.1 * tiny["ppm"]


def test_the_tiny_supplier_is_flagged_and_the_others_are_not() -> None:
    frame = fairness_population()
    pooled = frame["units_rejected"].sum() / frame["units_received"].sum()
    flags = pd.Series(suppliers.enough_data(frame["units_received"], pooled), index=frame["supplier_id"])
    assert not flags["TINY"]  # 100 units x ~0.0011 = 0.11 expected rejects
    assert flags.drop("TINY").all()


def test_the_degrading_supplier_is_outside_the_99_8_funnel_and_the_tiny_one_is_not_alarming() -> None:
    frame = fairness_population()
    pooled = frame["units_rejected"].sum() / frame["units_received"].sum()
    limits = suppliers.funnel_limits(pooled, frame["units_received"]).set_index(frame["supplier_id"])
    ppm = frame.set_index("supplier_id")["ppm"]
    assert ppm["DEGRADING"] > limits.loc["DEGRADING", "upper998"]
    low, _ = suppliers.ppm_interval(6, 100)
    assert low > pooled * 1e6  # 6 of 100 is real evidence, so TINY stays on the list, just not first


# --- Composite score ----------------------------------------------------------------------------


def score_input(**columns: list) -> pd.DataFrame:
    base = {
        "supplier_id": ["S1"],
        "shrunk_ppm": [2_500.0],
        "lots": [20],
        "lots_on_time": [18],
        "scars_open": [2],
        "scars_overdue": [1],
        "audit_score": [80.0],
    }
    size = max(len(v) for v in columns.values()) if columns else 1
    frame = {key: (columns.get(key) or value * size) for key, value in base.items()}
    if "supplier_id" not in columns:
        frame["supplier_id"] = [f"S{i}" for i in range(1, size + 1)]
    return pd.DataFrame(frame)


def test_composite_score_by_hand() -> None:
    # quality 100 x (1 - 2,500 / 10,000) = 75; delivery 18 / 20 = 90; responsiveness
    # 100 - 20 x 1 - 5 x 2 = 70; audit 80. Score 0.40 x 75 + 0.30 x 90 + 0.15 x 70 + 0.15 x 80 = 79.5: B.
    result = suppliers.composite_score(score_input())
    assert list(result.columns) == ["supplier_id", *suppliers.SCORE_COLUMNS]
    row = result.iloc[0]
    assert row["quality_score"] == pytest.approx(75.0)
    assert row["delivery_score"] == pytest.approx(90.0)
    assert row["responsiveness_score"] == pytest.approx(70.0)
    assert row["audit_score"] == pytest.approx(80.0)
    assert row["score"] == pytest.approx(79.5)
    assert row["grade"] == "B"


def test_a_missing_audit_redistributes_its_weight() -> None:
    # Without the audit: (0.40 x 75 + 0.30 x 90 + 0.15 x 70) / 0.85 = 67.5 / 0.85 = 79.41.
    result = suppliers.composite_score(score_input(audit_score=[np.nan]))
    assert math.isnan(result["audit_score"].iloc[0])
    assert result["score"].iloc[0] == pytest.approx(67.5 / 0.85)


def test_sub_score_floors_and_defaults() -> None:
    frame = score_input(
        shrunk_ppm=[12_000.0, 0.0, np.nan],
        scars_overdue=[6, np.nan, 0],
        scars_open=[6, np.nan, 0],
        lots=[10, 0, 4],
        lots_on_time=[10, 0, 1],
    )
    result = suppliers.composite_score(frame)
    assert result["quality_score"].tolist()[:2] == [0.0, 100.0]  # at or above the ceiling: 0
    assert math.isnan(result["quality_score"].iloc[2])  # no volume, no quality score
    assert result["responsiveness_score"].tolist() == [0.0, 100.0, 100.0]  # floored; no SCARs = 100
    assert math.isnan(result["delivery_score"].iloc[1])  # no lots, no delivery score
    assert result["delivery_score"].iloc[2] == pytest.approx(25.0)


@pytest.mark.parametrize(
    ("audit", "grade"), [(100.0, "A"), (85.0, "A"), (84.99, "B"), (70.0, "B"), (55.0, "C"), (54.99, "D"), (0.0, "D")]
)
def test_grade_boundaries_belong_to_the_better_grade(audit: float, grade: str) -> None:
    result = suppliers.composite_score(score_input(audit_score=[audit]), weights={"audit": 1.0})
    assert result["score"].iloc[0] == pytest.approx(audit)
    assert result["grade"].iloc[0] == grade


def test_no_weighted_sub_score_means_no_score_and_no_grade() -> None:
    result = suppliers.composite_score(score_input(audit_score=[np.nan]), weights={"audit": 1.0})
    assert math.isnan(result["score"].iloc[0])
    assert result["grade"].iloc[0] is None


def test_ceiling_is_a_parameter_and_empty_input_gives_an_empty_frame() -> None:
    result = suppliers.composite_score(score_input(), ppm_ceiling=5_000)
    assert result["quality_score"].iloc[0] == pytest.approx(50.0)
    empty = suppliers.composite_score(score_input().iloc[:0])
    assert empty.empty and list(empty.columns) == ["supplier_id", *suppliers.SCORE_COLUMNS]


@pytest.mark.parametrize(
    ("weights", "ceiling", "message"),
    [
        ({"quality": 0.5, "cost": 0.5}, 10_000, "Unknown score weight 'cost'"),
        ({"quality": -0.1, "delivery": 1.0}, 10_000, "quality weight must be a non-negative"),
        ({"quality": math.nan}, 10_000, "non-negative number"),
        ({"quality": 0, "delivery": 0}, 10_000, "At least one score weight"),
        ({}, 10_000, "At least one score weight"),
        (suppliers.DEFAULT_WEIGHTS, 0, "PPM ceiling must be a positive"),
    ],
)
def test_bad_configuration_raises_a_score_config_error(weights: dict, ceiling: float, message: str) -> None:
    with pytest.raises(suppliers.ScoreConfigError, match=message) as caught:
        suppliers.composite_score(score_input(), weights=weights, ppm_ceiling=ceiling)
    assert isinstance(caught.value, DashboardError)
    assert str(caught.value).endswith(".")  # a sentence a user can read


def test_default_weights_are_read_only_and_sum_to_one() -> None:
    assert sum(suppliers.DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    with pytest.raises(TypeError):
        suppliers.DEFAULT_WEIGHTS["quality"] = 1.0  # type: ignore[index]


def test_impossible_delivery_counts_raise() -> None:
    with pytest.raises(suppliers.SupplierDataError, match="supplier S1"):
        suppliers.composite_score(score_input(lots=[5], lots_on_time=[6]))


# --- Ranks, worst list and grade changes --------------------------------------------------------


def test_rank_ties_by_shrunk_ppm_then_supplier_id() -> None:
    frame = pd.DataFrame(
        {
            "supplier_id": ["S4", "S2", "S3", "S1", "S5"],
            "score": [90.0, 80.0, 80.0, 80.0, np.nan],
            "shrunk_ppm": [900.0, 1_200.0, 1_000.0, 1_200.0, 500.0],
        },
        index=[10, 11, 12, 13, 14],
    )
    ranks = suppliers.rank_suppliers(frame)
    assert ranks.name == "rank" and str(ranks.dtype) == "Int64"
    assert ranks.index.tolist() == [10, 11, 12, 13, 14]
    assert ranks.iloc[:4].tolist() == [1, 4, 2, 3]  # S4; then S3 (lower PPM); then S1 before S2
    assert ranks.iloc[4] is pd.NA


def test_worst_by_ppm_lists_highest_shrunk_ppm_first() -> None:
    frame = pd.DataFrame(
        {"supplier_id": ["A", "B", "C", "D", "E"], "shrunk_ppm": [500.0, 3_000.0, np.nan, 3_000.0, 800.0], "x": range(5)}
    )
    worst = suppliers.worst_by_ppm(frame, n=3)
    assert worst["supplier_id"].tolist() == ["B", "D", "E"]
    assert worst["x"].tolist() == [1, 3, 4]
    assert suppliers.worst_by_ppm(frame)["supplier_id"].tolist() == ["B", "D", "E", "A"]
    assert suppliers.worst_by_ppm(frame.iloc[:0]).empty


@pytest.mark.parametrize(
    ("current", "previous", "text"),
    [("C", "B", "B → C"), ("A", "B", "B → A"), ("B", "B", ""), ("B", None, ""), (None, "B", ""), ("A", math.nan, "")],
)
def test_grade_change(current: object, previous: object, text: str) -> None:
    assert suppliers.grade_change(current, previous) == text


# --- Scorecard ----------------------------------------------------------------------------------


def lot_rows() -> pd.DataFrame:
    columns = ["supplier_id", "period", "lots", "units_received", "units_rejected", "lots_rejected", "lots_on_time"]
    rows = [
        ("S1", "current", 10, 1_000, 1, 1, 9),
        ("S2", "current", 20, 3_000, 3, 0, 20),
        ("S3", "current", 2, 0, 0, 0, 1),  # lots booked without a unit count
        ("S1", "previous", 10, 2_000, 10, 2, 10),
        ("S2", "previous", 10, 2_000, 10, 1, 5),
        ("S4", "previous", 5, 1_000, 5, 0, 5),  # no lots this period: not on the scorecard
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["chargeback_eur"] = [50.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    return frame


SCARS = pd.DataFrame(
    {
        "supplier_id": ["S1", "S3"],
        "scars_opened": [2, 3],
        "scars_open": [1, 3],
        "scars_overdue": [1, 0],
        "scars_closed": [1, 0],
        "days_to_close_sum": [30, 0],
    }
)
AUDITS = pd.DataFrame(
    {
        "supplier_id": ["S1", "S1", "S3"],
        "audit_date": [dt.date(2024, 2, 1), dt.date(2023, 1, 10), dt.date(2024, 3, 1)],
        "score_pct": [90.0, 70.0, 60.0],
        "finding_count": [2, 7, 5],
    }
)
SUPPLIERS = pd.DataFrame(
    {
        "supplier_id": ["S1", "S2", "S3", "S4"],
        "supplier_name": ["Acme", "Bolt", "Cast", "Die"],
        "commodity": ["Castings", "Fasteners", "Castings", "Plastics"],
        "country": ["DE", "PL", "CZ", "IT"],
    }
)


def test_scorecard_by_hand() -> None:
    # Current period: S1 1 of 1,000, S2 3 of 3,000, both 1,000 PPM, so no spread beyond noise and
    # both shrink to the pooled 1,000 PPM: quality 100 x (1 - 0.1) = 90. S3 has no units: no quality.
    # S1: delivery 9/10 = 90, responsiveness 100 - 20 - 5 = 75, latest audit 90 (2024-02-01):
    #     0.40 x 90 + 0.30 x 90 + 0.15 x 75 + 0.15 x 90 = 87.75, A.
    # S2: delivery 100, responsiveness 100, no audit: (36 + 30 + 15) / 0.85 = 95.29, A.
    # S3: delivery 1/2 = 50, responsiveness 100 - 5 x 3 = 85, audit 60:
    #     (0.30 x 50 + 0.15 x 85 + 0.15 x 60) / 0.60 = 36.75 / 0.60 = 61.25, C.
    # Previous: S1, S2, S4 all at 5,000 PPM, shrunk to 5,000: quality 50.
    # S1: 20 + 30 + 11.25 + 13.5 = 74.75, B; S2: (20 + 15 + 15) / 0.85 = 58.82, C;
    # S4: (20 + 30 + 15) / 0.85 = 76.47, B (ranked 1st then).
    card = suppliers.scorecard(lot_rows(), SCARS, AUDITS, SUPPLIERS)
    assert list(card.columns) == list(suppliers.SCORECARD_COLUMNS)
    assert card["supplier_id"].tolist() == ["S2", "S1", "S3"]
    assert card["rank"].tolist() == [1, 2, 3]
    card = card.set_index("supplier_id")
    assert card["supplier_name"].tolist() == ["Bolt", "Acme", "Cast"]
    assert card.loc[["S1", "S2"], "ppm"].tolist() == pytest.approx([1_000, 1_000])
    assert math.isnan(card.loc["S3", "ppm"]) and math.isnan(card.loc["S3", "shrunk_ppm"])
    assert card.loc[["S1", "S2"], "shrunk_ppm"].tolist() == pytest.approx([1_000, 1_000])
    low, high = suppliers.ppm_interval(1, 1_000)
    assert (card.loc["S1", "ppm_low"], card.loc["S1", "ppm_high"]) == pytest.approx((low, high))
    assert card["enough_data"].tolist() == [True, False, False]  # 3, 1 and 0 expected rejects
    assert card["lot_acceptance_pct"].tolist() == pytest.approx([100.0, 90.0, 100.0])
    assert card["otd_pct"].tolist() == pytest.approx([100.0, 90.0, 50.0])
    assert card.loc["S1", "mean_days_to_close"] == pytest.approx(30.0)
    assert math.isnan(card.loc["S3", "mean_days_to_close"])  # nothing closed yet
    assert card.loc["S2", ["scars_opened", "scars_open", "scars_overdue"]].tolist() == [0, 0, 0]
    assert card.loc["S1", "audit_date"] == dt.date(2024, 2, 1)
    assert card.loc["S1", "finding_count"] == 2
    assert math.isnan(card.loc["S2", "audit_score"])
    assert card["quality_score"].tolist()[:2] == pytest.approx([90.0, 90.0])
    assert card["responsiveness_score"].tolist() == pytest.approx([100.0, 75.0, 85.0])
    assert card["score"].tolist() == pytest.approx([81 / 0.85, 87.75, 61.25])
    assert card["grade"].tolist() == ["A", "A", "C"]
    assert card["prev_score"].tolist()[:2] == pytest.approx([50 / 0.85, 74.75])
    assert card["prev_grade"].tolist() == ["C", "B", None]
    assert card["prev_rank"].tolist()[:2] == [3, 2] and card.loc["S3", "prev_rank"] is pd.NA
    assert card["prev_shrunk_ppm"].tolist()[:2] == pytest.approx([5_000, 5_000])
    assert card["grade_change"].tolist() == ["C → A", "B → A", ""]
    assert card["score_change"].tolist()[:2] == pytest.approx([81 / 0.85 - 50 / 0.85, 87.75 - 74.75])
    assert math.isnan(card.loc["S3", "score_change"])
    assert card.attrs["pooled_ppm"] == pytest.approx(1_000)
    assert card.attrs["prior_alpha"] == math.inf


def test_scorecard_weights_and_ceiling_are_passed_on() -> None:
    card = suppliers.scorecard(lot_rows(), SCARS, AUDITS, SUPPLIERS, weights={"quality": 1.0}, ppm_ceiling=2_000)
    card = card.set_index("supplier_id")
    assert card.loc["S1", "score"] == pytest.approx(50.0)  # 100 x (1 - 1,000 / 2,000)
    assert math.isnan(card.loc["S3", "score"]) and card.loc["S3", "rank"] is pd.NA
    with pytest.raises(suppliers.ScoreConfigError):
        suppliers.scorecard(lot_rows(), SCARS, AUDITS, SUPPLIERS, weights={"price": 1.0})


def test_scorecard_of_empty_inputs_is_an_empty_frame() -> None:
    card = suppliers.scorecard(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    assert card.empty
    assert list(card.columns) == list(suppliers.SCORECARD_COLUMNS)


def test_scorecard_without_scars_audits_or_previous_period() -> None:
    lots = lot_rows()
    lots = lots[lots["period"] == "current"]
    card = suppliers.scorecard(lots, pd.DataFrame(), pd.DataFrame(), SUPPLIERS).set_index("supplier_id")
    assert card["responsiveness_score"].tolist() == [100.0, 100.0, 100.0]
    assert card["audit_score"].isna().all()
    assert card["prev_score"].isna().all() and card["grade_change"].tolist() == ["", "", ""]


def test_scorecard_sums_split_rows_and_names_the_supplier_in_data_errors() -> None:
    lots = lot_rows()
    split = pd.concat([lots, lots.iloc[[0]]], ignore_index=True)  # S1 current booked in two rows
    card = suppliers.scorecard(split, SCARS, AUDITS, SUPPLIERS).set_index("supplier_id")
    assert card.loc["S1", "units_received"] == 2_000 and card.loc["S1", "lots"] == 20

    bad = lot_rows()
    bad.loc[1, "units_rejected"] = 4_000
    with pytest.raises(suppliers.SupplierDataError, match="supplier S2 has 4000 units rejected"):
        suppliers.scorecard(bad, SCARS, AUDITS, SUPPLIERS)
    negative = lot_rows()
    negative.loc[0, "lots_on_time"] = 11
    with pytest.raises(suppliers.SupplierDataError, match="supplier S1"):
        suppliers.scorecard(negative, SCARS, AUDITS, SUPPLIERS)
