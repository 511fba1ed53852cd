"""SPC engine against the worked examples of the NIST/SEMATECH e-Handbook of Statistical Methods.

Sections reproduced (https://www.itl.nist.gov/div898/handbook/, chapter 6):
- 6.3.2.2 "Individuals Control Charts", pmc/section3/pmc322.htm: flow rate of the first 10
  batches of a new process; x̄ = 50.81, MR̄ = 1.8778, UCL = 55.8041, LCL = 45.8159, and "On both
  charts the process is in control, since none of the plotted points fall outside eithe[r] the
  UCL or LCL" (numbered 6.3.1.2, pmc312.htm, in older editions).
- 6.3.3.1 "Counts Control Charts", pmc/section3/pmc331.htm: 25 successive wafers of 100 chips,
  400 defects in all; c̄ = 16, UCL = 28, LCL = 4.
- 6.3.3.2 "Proportions Control Charts", pmc/section3/pmc332.htm: 30 wafers of 50 chips,
  misregistrations per wafer; p̄ = .2313, UCL = .4103, LCL = .0524.
- 6.1.6 "What is Process Capability?", pmc/section1/pmc16.htm: USL = 20, LSL = 8, x̄ = 16,
  s = 2; Cp = 1.0, k = 0.3333, Cpk = 0.6667, Cpu = 0.6667, Cpl = 1.3333.

Provenance. The stored copies of these pages that could be read here show the example text
(quoted above) but not the data tables, which the handbook renders as images or which were cut
off. The data and published digits are therefore as transcribed, each with the section and URL
above, by independent public test suites: cjbrant/mfgQC (tests/correctness/
test_control_charts_nist.py and test_capability_nist.py), the Cassini project's "NIST and
Textbook Reference Datasets for SPC Validation" module (data of all three charts), and several
other suites that type in the flow-rate data and its limits with the same digits. Each data set is
checked against the handbook's own summary where the handbook gives one (Σ = 400 defects, x̄ =
50.81, p̄ = .2313), so a mistyped value would fail here.

Table constants. NIST divides by d2(2) = 1.128; the engine uses the exact d2(2) = 1.1283792, so
the individuals limits' half-width agrees to the 4 significant digits of the tabulated constant
(relative 3.4e-4, as D2_TABLE_ROUNDING_N2 in test_spc_published.py); every figure that does not
divide by d2 (centres, MR̄, the attribute charts, the capability indices) is compared to the
printed digits (±5e-5 on four decimals).

Not reproduced: 6.3.2.1 (X̄ and R/S charts) gives formulas and a table of constants but no data
set with computed limits; the confidence-interval examples of 6.1.6 could not be found in any
readable copy, so no NIST interval is asserted (the engine's Cp/Cpk interval formulas are
checked against Montgomery/qcc in test_spc_published.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.metrics.spc import LIMITS_ONLY, SpecLimits, c_chart, capability, imr_chart, p_chart

MONTGOMERY = Path(__file__).resolve().parents[3] / "shared" / "reference-data" / "montgomery"
PRINTED_4DP = 5e-5  # half a unit in the fourth decimal the handbook prints
D2_TABLE_ROUNDING_N2 = 3.5e-4  # relative: |1.128 − 1.1283792| / 1.128

# 6.3.2.2 Individuals Control Charts, https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc322.htm
FLOWRATE = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
# 6.3.3.1 Counts Control Charts, https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc331.htm
WAFER_DEFECTS = [16, 14, 28, 16, 12, 20, 10, 12, 10, 17, 19, 17, 14, 16, 15, 13, 14, 16, 11, 20, 11, 19, 16, 31, 13]
# 6.3.3.2 Proportions Control Charts, https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc332.htm
MISREGISTRATIONS = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]
CHIPS_PER_WAFER = 50


def beyond_limits(points: pd.DataFrame) -> list[int]:
    """Subgroup ids plotted strictly outside their limits."""
    return points.loc[(points["value"] > points["ucl"]) | (points["value"] < points["lcl"]), "subgroup_id"].tolist()


# --- 6.3.2.2 Individuals Control Charts -----------------------------------------------------------


@pytest.fixture
def flowrate_charts():
    return imr_chart(pd.DataFrame({"value": FLOWRATE}), rules=LIMITS_ONLY)


def test_individuals_chart_centre_and_average_moving_range(flowrate_charts) -> None:
    # NIST 6.3.2.2 (pmc322.htm): x̄ = 50.81, MR̄ = 1.8778; neither divides by d2.
    individuals, moving_ranges = flowrate_charts.location.points, flowrate_charts.dispersion.points
    assert flowrate_charts.limits[0].centre == pytest.approx(50.81, abs=PRINTED_4DP)
    assert individuals["centre"].unique().tolist() == pytest.approx([50.81], abs=PRINTED_4DP)
    assert moving_ranges["value"].iloc[1:].mean() == pytest.approx(1.8778, abs=PRINTED_4DP)
    assert moving_ranges["centre"].unique().tolist() == pytest.approx([1.8778], abs=PRINTED_4DP)
    assert np.isnan(moving_ranges["value"].iloc[0])  # the first batch has no moving range
    assert moving_ranges["lcl"].unique().tolist() == [0]  # D3 = 0 for ranges of 2


def test_individuals_chart_limits(flowrate_charts) -> None:
    # NIST 6.3.2.2 (pmc322.htm): UCL = 55.8041, LCL = 45.8159, i.e. x̄ ± 3 MR̄/1.128.
    point = flowrate_charts.location.points.iloc[0]
    assert (point.lcl + point.ucl) / 2 == pytest.approx((55.8041 + 45.8159) / 2, abs=PRINTED_4DP)
    # Half-width 4.9941 with d2 = 1.128; the engine's exact d2 (1.1283792) gives 4.9925.
    assert (point.ucl - point.lcl) / 2 == pytest.approx((55.8041 - 45.8159) / 2, rel=D2_TABLE_ROUNDING_N2)
    assert flowrate_charts.sigma_method == "MR̄/d2 (d2 = 1.128)"
    # With NIST's rounded constant the engine's own MR̄ reproduces both limits to every printed digit.
    mr_bar = flowrate_charts.dispersion.points["centre"].iloc[0]
    centre = flowrate_charts.limits[0].centre
    assert [centre - 3 * mr_bar / 1.128, centre + 3 * mr_bar / 1.128] == pytest.approx([45.8159, 55.8041], abs=PRINTED_4DP)


def test_flowrate_process_is_in_control_on_both_charts(flowrate_charts) -> None:
    # NIST 6.3.2.2 (pmc322.htm; quoted from the pmc312.htm edition): "On both charts the process
    # is in control, since none of the plotted points fall outside eithe[r] the UCL or LCL."
    assert flowrate_charts.violations == ()
    assert beyond_limits(flowrate_charts.location.points) == []
    assert beyond_limits(flowrate_charts.dispersion.points) == []


# --- 6.3.3.1 Counts Control Charts ----------------------------------------------------------------


def test_c_chart_of_the_wafer_defects() -> None:
    # NIST 6.3.3.1 (pmc331.htm): 25 wafers, 400 defects; c̄ = 16, UCL = 16 + 3·4 = 28, LCL = 4.
    assert len(WAFER_DEFECTS) == 25 and sum(WAFER_DEFECTS) == 400
    chart = c_chart(pd.DataFrame({"subgroup_id": range(1, 26), "defects": WAFER_DEFECTS}), rules=LIMITS_ONLY)
    assert chart.limits[0].centre == pytest.approx(16.0, abs=1e-12)
    assert chart.sigma == pytest.approx(4.0, abs=1e-12)  # √c̄
    assert chart.points[["lcl", "ucl"]].drop_duplicates().values.tolist() == [pytest.approx([4.0, 28.0], abs=1e-12)]


def test_c_chart_flags_only_the_wafer_beyond_28() -> None:
    # From the published counts and limits: wafer 24 (31 defects) is the only point above UCL = 28;
    # wafer 3 (28 defects) lies on the limit, which is not beyond it.
    chart = c_chart(pd.DataFrame({"subgroup_id": range(1, 26), "defects": WAFER_DEFECTS}), rules=LIMITS_ONLY)
    assert [(v.subgroup_id, v.rule) for v in chart.violations] == [(24, "Nelson 1")]
    assert chart.points.set_index("subgroup_id").loc[3, ["value", "ucl", "beyond_limits"]].tolist() == [28, 28, False]


# --- 6.3.3.2 Proportions Control Charts -----------------------------------------------------------


@pytest.fixture
def wafer_p_chart():
    frame = pd.DataFrame({"subgroup_id": range(1, 31), "nonconforming": MISREGISTRATIONS, "n": CHIPS_PER_WAFER})
    return p_chart(frame, rules=LIMITS_ONLY)


def test_p_chart_of_the_misregistrations(wafer_p_chart) -> None:
    # NIST 6.3.3.2 (pmc332.htm): 30 wafers of 50 chips, p̄ = .2313, UCL = .4103, LCL = .0524.
    assert sum(MISREGISTRATIONS) / (30 * CHIPS_PER_WAFER) == pytest.approx(0.2313, abs=PRINTED_4DP)
    limits = wafer_p_chart.points[["centre", "lcl", "ucl"]].drop_duplicates()
    assert len(limits) == 1  # n = 50 on every wafer
    centre, lcl, ucl = limits.iloc[0]
    assert wafer_p_chart.limits[0].centre == centre == pytest.approx(0.2313, abs=PRINTED_4DP)
    assert lcl == pytest.approx(0.0524, abs=PRINTED_4DP)
    # p̄ + 3√(p̄(1 − p̄)/50) = 0.41024 whether p̄ is taken as 347/1500 or as the printed .2313, and
    # the printed LCL .0524 puts the midpoint of the limits at p̄ only with a UCL of .4102; the
    # .4103 as transcribed is one unit off in the last digit, so it is held to ±1e-4.
    assert ucl == pytest.approx(0.4103, abs=1e-4)
    assert (lcl + ucl) / 2 == pytest.approx(centre, abs=1e-12)


def test_p_chart_points_beyond_the_published_limits(wafer_p_chart) -> None:
    # From the published proportions and UCL .4103: wafer 15 (22/50 = .44) and wafer 23
    # (24/50 = .48) lie above it, nothing lies below LCL .0524 (the smallest is 4/50 = .08).
    assert [(v.subgroup_id, v.rule) for v in wafer_p_chart.violations] == [(15, "Nelson 1"), (23, "Nelson 1")]
    assert beyond_limits(wafer_p_chart.points) == [15, 23]


def test_nist_wafer_counts_are_montgomerys_orange_juice_trial_samples() -> None:
    # The handbook's 30 wafers carry the counts of Montgomery's 30 trial samples of 50 cans (the
    # data of test_spc_published.py), which is why its p̄ = .2313 equals qcc's 0.2313333.
    juice = pd.read_csv(MONTGOMERY / "orangejuice.csv")
    trial = juice[juice["phase"] == "I"]
    assert trial["nonconforming"].tolist() == MISREGISTRATIONS
    assert set(trial["n"]) == {CHIPS_PER_WAFER}


# --- 6.1.6 What is Process Capability? ------------------------------------------------------------


@pytest.fixture
def nist_capability_study():
    """50 values with mean exactly 16 and standard deviation (n − 1) exactly 2.

    NIST 6.1.6 gives only x̄ = 16 and s = 2, not data. Normal scores Φ⁻¹((i − ½)/50), spread out
    in time (i·19 mod 50) so the study's I-MR chart is stable, are rescaled to those two moments;
    nothing else about the values enters the asserted figures.
    """
    n = 50
    scores = stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n)[(np.arange(n) * 19) % n]
    values = 16 + 2 * (scores - scores.mean()) / scores.std(ddof=1)
    return capability(pd.DataFrame({"subgroup_id": range(1, n + 1), "value": values}), SpecLimits(lsl=8, usl=20))


def test_capability_example_indices(nist_capability_study) -> None:
    # NIST 6.1.6 (pmc16.htm): USL = 20, LSL = 8, x̄ = 16, s = 2 → Cp = (20 − 8)/(6·2) = 1.0,
    # Cpu = (20 − 16)/(3·2) = 0.6667, Cpl = (16 − 8)/(3·2) = 1.3333, Cpk = min = 0.6667.
    # NIST's indices use the sample standard deviation s of all values, which is the engine's
    # σ overall, so they are the engine's Pp, Ppu, Ppl and Ppk (its Cp uses σ within, MR̄/d2).
    result = nist_capability_study
    assert result.refused is None
    assert result.mean == pytest.approx(16.0, abs=1e-12)
    assert result.sigma_overall == pytest.approx(2.0, abs=1e-12)
    assert result.pp.value == pytest.approx(1.0, abs=PRINTED_4DP)
    assert result.ppu == pytest.approx(0.6667, abs=PRINTED_4DP)
    assert result.ppl == pytest.approx(1.3333, abs=PRINTED_4DP)
    assert result.ppk.value == pytest.approx(0.6667, abs=PRINTED_4DP)


def test_capability_example_k_factor(nist_capability_study) -> None:
    # NIST 6.1.6 (pmc16.htm): m = (USL + LSL)/2 = 14, k = |m − x̄|/((USL − LSL)/2) = 2/6 = 0.3333
    # and Cpk = Cp(1 − k) = 0.6667, the same number as min(Cpu, Cpl).
    result = nist_capability_study
    k = abs((20 + 8) / 2 - result.mean) / ((20 - 8) / 2)
    assert k == pytest.approx(0.3333, abs=PRINTED_4DP)
    assert result.ppk.value == pytest.approx(result.pp.value * (1 - k), abs=1e-12)
