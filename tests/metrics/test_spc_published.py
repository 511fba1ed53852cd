"""SPC engine against published worked examples (Montgomery's tables as shipped with R's qcc).

Sources of the expected values, quoted to the digits printed there:
- QUICK_TOUR: L. Scrucca, "A quick tour of qcc" (qcc 3.0 vignette, 19 Feb 2018), the output
  printed in github.com/luca-scr/qcc docs/articles/qcc_a_quick_tour.html.
- QCC_2020: the same vignette re-run for qcc 3.0 on 28 Apr 2020 (docs/articles/qcc.html), whose
  process-capability output also prints "Number of obs = 125".
qcc's Shewhart output was produced with the 3-decimal table constants (d2(5) = 2.326,
d2(2) = 1.128): its σ = R̄/d2 = 0.02276/2.326 = 0.009785039. The engine computes d2(5) =
2.325929 exactly, so every figure that divides by d2 agrees with qcc to the 4 significant
digits of the tabulated constant (relative 5e-5 for n = 5, 3.4e-4 for n = 2), and figures
that do not involve d2 (centres, s̄/c4 charts, attribute charts) agree to every printed digit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.metrics.spc import (
    SpecLimits,
    c_chart,
    capability,
    imr_chart,
    np_chart,
    p_chart,
    u_chart,
    western_electric_rules,
    xbar_chart,
)

MONTGOMERY = Path(__file__).resolve().parents[3] / "shared" / "reference-data" / "montgomery"
D2_TABLE_ROUNDING = 5e-5  # relative: |2.326 − 2.3259289| / 2.326
D2_TABLE_ROUNDING_N2 = 3.5e-4  # relative: |1.128 − 1.1283792| / 1.128


def read(name: str, **renames: str) -> pd.DataFrame:
    return pd.read_csv(MONTGOMERY / f"{name}.csv").rename(columns=renames)


@pytest.fixture
def pistonrings() -> pd.DataFrame:
    return read("pistonrings", sample="subgroup_id", diameter="value")


def first_point(frame: pd.DataFrame) -> pd.Series:
    return frame.iloc[0]


def test_xbar_chart_of_the_first_25_piston_ring_samples(pistonrings: pd.DataFrame) -> None:
    charts = xbar_chart(pistonrings)
    point = first_point(charts.location.points)
    assert charts.limits[0].centre == pytest.approx(74.00118, abs=5e-6)  # QUICK_TOUR, x-bar chart
    assert charts.sigma == pytest.approx(0.009785039, rel=D2_TABLE_ROUNDING)  # QUICK_TOUR
    assert charts.sigma_method == "R̄/d2"
    assert point.lcl == pytest.approx(73.98805, abs=5e-6)  # QUICK_TOUR: LCL 73.98805
    assert point.ucl == pytest.approx(74.0143, abs=5e-5)  # QUICK_TOUR: UCL 74.0143
    assert charts.limits[0].baseline_ids == tuple(range(1, 26))  # phase I = samples 1–25


def test_r_chart_of_the_piston_rings(pistonrings: pd.DataFrame) -> None:
    point = first_point(xbar_chart(pistonrings).dispersion.points)
    assert point.centre == pytest.approx(0.02276, abs=5e-9)  # QUICK_TOUR, R chart centre
    assert point.lcl == 0  # QUICK_TOUR: LCL 0
    assert point.ucl == pytest.approx(0.04812533, rel=D2_TABLE_ROUNDING)  # QUICK_TOUR


def test_s_chart_of_the_piston_rings_to_every_printed_digit(pistonrings: pd.DataFrame) -> None:
    charts = xbar_chart(pistonrings, sigma_method="std")
    point = first_point(charts.dispersion.points)
    assert charts.sigma_method == "s̄/c4"
    assert point.centre == pytest.approx(0.009240037, abs=5e-10)  # QUICK_TOUR, S chart centre
    assert charts.sigma == pytest.approx(0.009829977, abs=5e-10)  # QUICK_TOUR: std. deviation
    assert point.lcl == 0  # QUICK_TOUR
    assert point.ucl == pytest.approx(0.01930242, abs=5e-9)  # QUICK_TOUR: UCL 0.01930242


def test_two_sigma_warning_limits(pistonrings: pd.DataFrame) -> None:
    point = first_point(xbar_chart(pistonrings, nsigmas=2).location.points)
    assert point.lcl == pytest.approx(73.99242, abs=5e-6)  # QUICK_TOUR: limits.xbar(..., 2)
    assert point.ucl == pytest.approx(74.00993, abs=5e-6)  # QUICK_TOUR


def test_xbar_chart_with_unequal_subgroup_sizes(pistonrings: pd.DataFrame) -> None:
    # QUICK_TOUR "Variable control limits": observations 9, 10, 30, 35, 45, 64, 65, 74, 75, 85,
    # 99, 100 (1-based, in sample order) removed, leaving sample sizes 3, 4 and 5.
    out = [9, 10, 30, 35, 45, 64, 65, 74, 75, 85, 99, 100]
    trimmed = pistonrings.drop(index=[i - 1 for i in out])
    charts = xbar_chart(trimmed[trimmed["phase"] == "I"])
    points = charts.location.points.set_index("subgroup_id")
    assert charts.limits[0].centre == pytest.approx(74.00075, abs=5e-6)  # QUICK_TOUR
    # σ averages Rᵢ/d2(nᵢ) for n = 3, 4, 5, whose table d2 are rounded by up to 2.5e-4 relative.
    assert charts.sigma == pytest.approx(0.009856701, rel=2.5e-4)  # QUICK_TOUR
    assert points.loc[1, "n"] == 5 and points.loc[2, "n"] == 3
    assert points.loc[1, ["lcl", "ucl"]].tolist() == pytest.approx([73.98753, 74.01398], abs=1e-5)  # QUICK_TOUR row 1
    assert points.loc[2, ["lcl", "ucl"]].tolist() == pytest.approx([73.98368, 74.01782], abs=1e-5)  # QUICK_TOUR row 2


def test_p_chart_of_the_orange_juice_trial_samples() -> None:
    chart = p_chart(read("orangejuice", sample="subgroup_id"))
    point = first_point(chart.points)
    assert chart.limits[0].centre == pytest.approx(0.2313333, abs=5e-8)  # QUICK_TOUR, p chart
    assert chart.sigma == pytest.approx(0.421685, abs=5e-7)  # QUICK_TOUR: std. deviation
    assert point.lcl == pytest.approx(0.05242755, abs=5e-9)  # QUICK_TOUR
    assert point.ucl == pytest.approx(0.4102391, abs=5e-8)  # QUICK_TOUR


def test_p_chart_after_excluding_samples_15_and_23() -> None:
    # QUICK_TOUR "Remove out-of-control points": Montgomery's worked example drops samples 15
    # and 23 (assignable causes found) from the 30 trial samples and recomputes.
    juice = read("orangejuice", sample="subgroup_id")
    for chart in (p_chart(juice, exclude=(15, 23)), p_chart(juice, exclusion_rounds=1)):
        point = first_point(chart.points)
        assert chart.limits[0].excluded_ids == (15, 23)
        assert chart.limits[0].centre == pytest.approx(0.215, abs=5e-7)  # QUICK_TOUR: 0.215
        assert chart.sigma == pytest.approx(0.4108223, abs=5e-8)  # QUICK_TOUR
        assert point.lcl == pytest.approx(0.04070284, abs=5e-9)  # QUICK_TOUR
        assert point.ucl == pytest.approx(0.3892972, abs=5e-8)  # QUICK_TOUR


def test_iterating_to_stability_also_drops_sample_21() -> None:
    # Sample 21 (20/50 = 0.40) lies above the revised UCL 0.3892972 published in QUICK_TOUR;
    # Montgomery keeps it because no cause was found, so automatic iteration goes further.
    chart = p_chart(read("orangejuice", sample="subgroup_id"), exclusion_rounds=10)
    assert chart.limits[0].excluded_ids == (15, 23, 21)


def test_np_chart_of_the_orange_juice_trial_samples() -> None:
    point = first_point(np_chart(read("orangejuice", sample="subgroup_id")).points)
    assert point.centre == pytest.approx(11.56667, abs=5e-6)  # QUICK_TOUR, np chart
    assert point.se == pytest.approx(2.981763, abs=5e-7)  # QUICK_TOUR: std. deviation
    assert point.lcl == pytest.approx(2.621377, abs=5e-7)  # QUICK_TOUR
    assert point.ucl == pytest.approx(20.51196, abs=5e-6)  # QUICK_TOUR


def test_c_chart_of_the_circuit_boards_before_and_after_samples_6_and_20() -> None:
    boards = read("circuit", sample="subgroup_id")
    trial, revised = c_chart(boards), c_chart(boards, exclusion_rounds=5)
    assert trial.limits[0].centre == pytest.approx(19.84615, abs=5e-6)  # QUICK_TOUR, c chart
    assert trial.sigma == pytest.approx(4.454902, abs=5e-7)  # QUICK_TOUR
    assert first_point(trial.points)[["lcl", "ucl"]].tolist() == pytest.approx([6.481447, 33.21086], abs=5e-6)
    assert revised.limits[0].excluded_ids == (6, 20)  # QUICK_TOUR: inc <- setdiff(..., c(6, 20))
    assert revised.limits[0].centre == pytest.approx(19.66667, abs=5e-6)  # QUICK_TOUR
    assert revised.sigma == pytest.approx(4.434712, abs=5e-7)  # QUICK_TOUR
    assert first_point(revised.points)[["lcl", "ucl"]].tolist() == pytest.approx([6.362532, 32.9708], abs=5e-6)


def test_u_chart_of_the_circuit_boards_per_board() -> None:
    chart = u_chart(read("circuit", sample="subgroup_id", n="units"), exclude=(6, 20))
    assert chart.limits[0].centre == pytest.approx(0.1966667, abs=5e-8)  # QUICK_TOUR, u chart
    assert chart.sigma == pytest.approx(0.4434712, abs=5e-8)  # QUICK_TOUR
    assert first_point(chart.points)[["lcl", "ucl"]].tolist() == pytest.approx([0.06362532, 0.329708], abs=5e-8)


def test_u_chart_of_the_circuit_boards_signals_once_in_phase_two() -> None:
    # qcc's test suite (tests/testthat/test-qcc.R, "u charts with newdata detect expected
    # violations"): circuit without samples 6 and 20, default rules (Western Electric 1 and 4)
    # gives exactly one violation over phase I and phase II.
    boards = read("circuit", sample="subgroup_id", n="units")
    chart = u_chart(boards[~boards["subgroup_id"].isin([6, 20])], rules=western_electric_rules(enabled=(1, 4)))
    assert len(chart.violations) == 1
    assert chart.violations[0].rule == "Western Electric 4"


def test_u_chart_of_the_personal_computers() -> None:
    chart = u_chart(read("pcmanufact", sample="subgroup_id", n_units="units"))
    assert chart.limits[0].centre == pytest.approx(1.93, abs=5e-9)  # QUICK_TOUR, u chart
    assert chart.sigma == pytest.approx(1.389244, abs=5e-7)  # QUICK_TOUR
    assert first_point(chart.points)[["lcl", "ucl"]].tolist() == pytest.approx([0.06613305, 3.793867], abs=5e-7)


def test_individuals_chart_of_the_vignette_viscosity_data() -> None:
    # QUICK_TOUR "Continuous one-at-time data" (Montgomery's viscosity example, typed in there).
    values = [33.75, 33.05, 34, 33.81, 33.46, 34.02, 33.68, 33.27, 33.49, 33.20, 33.62, 33.00, 33.54, 33.12, 33.84]
    charts = imr_chart(pd.DataFrame({"value": values}))
    point = first_point(charts.location.points)
    assert charts.limits[0].centre == pytest.approx(33.52333, abs=5e-6)  # QUICK_TOUR
    assert charts.sigma == pytest.approx(0.4261651, rel=D2_TABLE_ROUNDING_N2)  # QUICK_TOUR (MR̄/1.128)
    # qcc's σ = MR̄/1.128, so the published MR̄ is 0.4261651 × 1.128; it needs no d2 of ours.
    assert charts.dispersion.points["centre"].iloc[1] == pytest.approx(0.4261651 * 1.128, abs=1e-7)
    # QUICK_TOUR limits 32.24484 and 34.80183: same centre, half-width 3σ off by the d2 rounding.
    assert (point.lcl + point.ucl) / 2 == pytest.approx((32.24484 + 34.80183) / 2, abs=1e-5)
    assert (point.ucl - point.lcl) / 2 == pytest.approx((34.80183 - 32.24484) / 2, rel=D2_TABLE_ROUNDING_N2)


def test_viscosity_batch_4_is_the_only_phase_one_signal() -> None:
    # qcc's help page for qcc() ("batch 4 is out-of-control because of a process temperature
    # controller failure") and its test "xbar.one charts produce the correct number of
    # violations": one violation under the default Western Electric rules 1 and 4.
    batches = read("viscosity", batch="subgroup_id", viscosity="value")
    charts = imr_chart(batches[batches["phase"] == "I"], rules=western_electric_rules(enabled=(1, 4)))
    assert [(v.subgroup_id, v.rule) for v in charts.location.violations] == [(4, "Western Electric 1")]


def test_capability_of_the_piston_rings(pistonrings: pd.DataFrame) -> None:
    study = pistonrings[pistonrings["phase"] == "I"]
    result = capability(study, SpecLimits(lsl=73.95, usl=74.05, target=74.0))
    assert result.refused is None
    assert result.n == 125  # QCC_2020: Number of obs = 125
    assert result.mean == pytest.approx(74.00118, abs=5e-6)  # QCC_2020: Center
    # QCC_2020, Value / 2.5% / 97.5% to three decimals.
    assert [result.cp.value, result.cp.low, result.cp.high] == pytest.approx([1.703, 1.491, 1.915], abs=5e-4)
    assert result.cpl == pytest.approx(1.743, abs=5e-4)
    assert result.cpu == pytest.approx(1.663, abs=5e-4)
    assert [result.cpk.value, result.cpk.low, result.cpk.high] == pytest.approx([1.663, 1.448, 1.878], abs=5e-4)
    assert result.cpm.value == pytest.approx(1.691, abs=5e-4)
    assert result.expected_within.total_ppm < 1 and result.observed.total_ppm == 0  # QCC_2020: 0 %


def test_cpm_off_target(pistonrings: pd.DataFrame) -> None:
    study = pistonrings[pistonrings["phase"] == "I"]
    result = capability(study, SpecLimits(lsl=73.95, usl=74.05, target=74.02))
    assert result.cpm.value == pytest.approx(0.786, abs=5e-4)  # QCC_2020, target = 74.02
    # Not compared: qcc's Cpm interval (0.656, 0.915) uses ν = n(1 + a²)/(1 + 2a²); Boyles'
    # (Patnaik) approximation, used here, has (1 + a²)², so off target our interval is narrower.
    assert result.cpk.value == pytest.approx(1.663, abs=5e-4)  # QCC_2020 (unchanged by the target)


def test_capability_of_the_piston_rings_against_a_tight_spec(pistonrings: pd.DataFrame) -> None:
    result = capability(pistonrings[pistonrings["phase"] == "I"], SpecLimits(lsl=73.99, usl=74.01))
    # QCC_2020, spec.limits = c(73.99, 74.01).
    assert [result.cp.value, result.cp.low, result.cp.high] == pytest.approx([0.341, 0.298, 0.383], abs=5e-4)
    assert result.cpl == pytest.approx(0.381, abs=5e-4)
    assert result.cpu == pytest.approx(0.301, abs=5e-4)
    assert [result.cpk.value, result.cpk.low, result.cpk.high] == pytest.approx([0.301, 0.231, 0.370], abs=5e-4)
    # QCC_2020 prints the fractions 0.13 and 0.18 expected, 0.12 and 0.16 observed (with a "%"
    # sign; 0.12 = 15/125 shows they are fractions): normal model with σ within.
    assert result.expected_within.below_ppm / 1e6 == pytest.approx(0.13, abs=5e-3)
    assert result.expected_within.above_ppm / 1e6 == pytest.approx(0.18, abs=5e-3)
    assert result.observed.below_ppm == pytest.approx(0.12e6)
    assert result.observed.above_ppm == pytest.approx(0.16e6)


def test_capability_of_the_piston_rings_against_an_off_centre_spec(pistonrings: pd.DataFrame) -> None:
    result = capability(pistonrings[pistonrings["phase"] == "I"], SpecLimits(lsl=73.99, usl=74.1))
    # QUICK_TOUR, spec.limits = c(73.99, 74.1), four decimals.
    assert [result.cpk.value, result.cpk.low, result.cpk.high] == pytest.approx([0.3807, 0.3055, 0.4559], abs=5e-5)
    assert [result.cp.low, result.cp.high] == pytest.approx([1.6406, 2.1063], rel=D2_TABLE_ROUNDING * 2)
    assert result.cpu == pytest.approx(3.3665, rel=D2_TABLE_ROUNDING)
