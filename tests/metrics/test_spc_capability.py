"""Capability on hand-built studies: formulas, one-sided specs, refusals, normality, inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.metrics.spc import MIN_OBSERVATIONS, SpecLimits, capability, d2, nelson_rules

# 100 values at the normal quantiles (i − 0.5)/100 around 10 with σ ≈ 1, in a fixed shuffled
# order, as 20 subgroups of 5: an in-control, normal study. The skewed study uses exponential
# quantiles the same way.
NORMAL_QUANTILES = stats.norm.ppf((np.arange(1, 101) - 0.5) / 100)
EXPONENTIAL_QUANTILES = stats.expon.ppf((np.arange(1, 101) - 0.5) / 100)


def study(values: np.ndarray, size: int = 5) -> pd.DataFrame:
    return pd.DataFrame({"subgroup_id": np.arange(len(values)) // size + 1, "value": values})


@pytest.fixture
def stable() -> pd.DataFrame:
    return study(10 + np.random.default_rng(0).permutation(NORMAL_QUANTILES))


def test_indices_follow_their_definitions(stable: pd.DataFrame) -> None:
    result = capability(stable, SpecLimits(lsl=6.0, usl=15.0))
    values = stable["value"].to_numpy()
    mean, within, overall = values.mean(), result.sigma_within, values.std(ddof=1)
    assert result.refused is None and result.n == 100
    assert result.mean == pytest.approx(mean)
    assert result.sigma_overall == pytest.approx(overall)
    assert result.sigma_within_method == "R̄/d2"
    ranges = stable.groupby("subgroup_id")["value"].agg(lambda v: v.max() - v.min())
    assert within == pytest.approx(ranges.mean() / d2(5))
    assert result.cp.value == pytest.approx(9 / (6 * within))
    assert result.cpl == pytest.approx((mean - 6) / (3 * within))
    assert result.cpu == pytest.approx((15 - mean) / (3 * within))
    assert result.cpk.value == pytest.approx(min(result.cpl, result.cpu))
    assert result.pp.value == pytest.approx(9 / (6 * overall))
    assert result.ppk.value == pytest.approx(min((mean - 6) / (3 * overall), (15 - mean) / (3 * overall)))
    assert result.cpm is None  # no target given


def test_confidence_intervals_by_their_published_formulas(stable: pd.DataFrame) -> None:
    result = capability(stable, SpecLimits(lsl=6.0, usl=15.0))
    n, cp, cpk = 100, result.cp.value, result.cpk.value
    # Chi-square (Chou, Owen & Borrego 1990): Cp·√(χ²_{α/2, n−1}/(n − 1)), α = 0.05.
    assert result.cp.low == pytest.approx(cp * math.sqrt(stats.chi2.ppf(0.025, n - 1) / (n - 1)))
    assert result.cp.high == pytest.approx(cp * math.sqrt(stats.chi2.ppf(0.975, n - 1) / (n - 1)))
    # Bissell (1990): Cpk ± 1.959964·√(1/(9n) + Cpk²/(2(n − 1))).
    half = 1.959964 * math.sqrt(1 / (9 * n) + cpk**2 / (2 * (n - 1)))
    assert (result.cpk.low, result.cpk.high) == pytest.approx((cpk - half, cpk + half), abs=1e-6)
    assert "Bissell" in result.cpk.method and "chi-square" in result.cp.method
    wider = capability(stable, SpecLimits(lsl=6.0, usl=15.0), confidence=0.99)
    assert wider.cp.low < result.cp.low and wider.cpk.high > result.cpk.high


def test_cpm_on_target_uses_n_degrees_of_freedom(stable: pd.DataFrame) -> None:
    # With μ = T, a = 0: Cpm = Cp and Boyles' ν = n(1 + 0)²/(1 + 0) = n.
    mean = stable["value"].mean()
    result = capability(stable, SpecLimits(lsl=mean - 4.5, usl=mean + 4.5, target=mean))
    assert result.cpm.value == pytest.approx(result.cp.value)
    assert result.cpm.low == pytest.approx(result.cpm.value * math.sqrt(stats.chi2.ppf(0.025, 100) / 100))


def test_cpm_off_target_by_boyles_formula(stable: pd.DataFrame) -> None:
    on = capability(stable, SpecLimits(lsl=6.0, usl=14.0, target=10.0)).cpm.value
    result = capability(stable, SpecLimits(lsl=6.0, usl=14.0, target=11.0))
    off = result.cpm.value
    assert off < on
    # Cpm = Cp/√(1 + a²), a = (μ − T)/σ; Boyles (1991): ν = n(1 + a²)²/(1 + 2a²).
    a = (result.mean - 11.0) / result.sigma_within
    assert off == pytest.approx(result.cp.value / math.sqrt(1 + a**2))
    dof = 100 * (1 + a**2) ** 2 / (1 + 2 * a**2)
    assert result.cpm.low == pytest.approx(off * math.sqrt(stats.chi2.ppf(0.025, dof) / dof))
    assert result.cpm.high == pytest.approx(off * math.sqrt(stats.chi2.ppf(0.975, dof) / dof))


def test_one_sided_specs(stable: pd.DataFrame) -> None:
    upper = capability(stable, SpecLimits(usl=15.0, target=10.0))
    assert upper.cp is None and upper.pp is None and upper.cpm is None and upper.cpl is None
    assert upper.cpk.value == pytest.approx(upper.cpu)
    assert upper.expected_within.below_ppm is None and upper.expected_within.above_ppm is not None
    lower = capability(stable, SpecLimits(lsl=6.0))
    assert lower.cpk.value == pytest.approx(lower.cpl) and lower.cpu is None


def test_expected_and_observed_parts_per_million(stable: pd.DataFrame) -> None:
    result = capability(stable, SpecLimits(lsl=8.5, usl=12.0))
    values = stable["value"].to_numpy()
    mean, within, overall = result.mean, result.sigma_within, result.sigma_overall
    assert result.expected_within.below_ppm == pytest.approx(1e6 * stats.norm.cdf((8.5 - mean) / within))
    assert result.expected_within.above_ppm == pytest.approx(1e6 * stats.norm.sf((12.0 - mean) / within))
    assert result.expected_overall.below_ppm == pytest.approx(1e6 * stats.norm.cdf((8.5 - mean) / overall))
    assert result.observed.below_ppm == pytest.approx(1e6 * (values < 8.5).sum() / 100)
    assert result.observed.total_ppm == pytest.approx(1e6 * ((values < 8.5) | (values > 12.0)).sum() / 100)


def test_normal_data_passes_the_anderson_darling_check(stable: pd.DataFrame) -> None:
    result = capability(stable, SpecLimits(lsl=6.0, usl=15.0))
    assert not result.normality.rejected
    assert result.normality.p_value >= 0.15  # at the top of Stephens' table
    assert result.notes == ()


def test_skewed_data_is_flagged_but_not_refused() -> None:
    skewed = study(10 + np.random.default_rng(4).permutation(EXPONENTIAL_QUANTILES))
    result = capability(skewed, SpecLimits(lsl=5.0, usl=20.0))
    assert result.refused is None
    assert result.normality.rejected and result.normality.p_value <= 0.01
    assert "normal distribution" in result.notes[0]


def test_single_values_use_the_moving_range(stable: pd.DataFrame) -> None:
    result = capability(stable.assign(subgroup_id=range(1, 101)), SpecLimits(lsl=6.0, usl=15.0))
    assert result.sigma_within_method == "MR̄/d2 (d2 = 1.128)"
    assert capability(stable, SpecLimits(6.0, 15.0), sigma_method="std").sigma_within_method == "s̄/c4"


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        (SpecLimits(), "No specification limits"),
        (SpecLimits(target=10.0), "No specification limits"),
        (SpecLimits(lsl=12.0, usl=8.0), "must be below USL"),
        (SpecLimits(lsl=10.0, usl=10.0), "must be below USL"),
    ],
)
def test_refuses_without_usable_spec_limits(stable: pd.DataFrame, spec: SpecLimits, reason: str) -> None:
    result = capability(stable, spec)
    assert reason in result.refused
    assert result.cp is None and result.cpk is None and result.normality is None


def test_refuses_too_few_measurements(stable: pd.DataFrame) -> None:
    few = stable.head(MIN_OBSERVATIONS - 5)
    result = capability(few, SpecLimits(lsl=6.0, usl=15.0))
    assert result.refused == "Only 45 measurements: capability needs at least 50 to give a usable confidence interval."
    assert capability(few, SpecLimits(lsl=6.0, usl=15.0), min_observations=40).refused is None
    assert capability(few.head(0), SpecLimits(lsl=6.0, usl=15.0)).refused.startswith("Only 0 measurements")


def test_refuses_an_unstable_process(stable: pd.DataFrame) -> None:
    shifted = stable.assign(value=stable["value"].where(stable["subgroup_id"] != 7, stable["value"] + 5))
    result = capability(shifted, SpecLimits(lsl=0.0, usl=30.0))
    assert result.refused.startswith("The process is not in statistical control")
    assert "Nelson 1" in result.refused and "subgroup 7" in result.refused
    assert result.cpk is None


def test_stability_rules_are_configurable() -> None:
    # The first ten subgroups lifted by 0.9σ: nothing beyond the limits, but a zone test sees it.
    values = 10 + np.random.default_rng(0).permutation(NORMAL_QUANTILES)
    values[:50] += 0.9
    lifted = study(values)
    assert capability(lifted, SpecLimits(lsl=0.0, usl=20.0)).refused is None
    strict = capability(lifted, SpecLimits(lsl=0.0, usl=20.0), stability_rules=nelson_rules())
    assert "first: Nelson" in strict.refused and "Nelson 1:" not in strict.refused


def test_refuses_when_there_is_no_variation() -> None:
    result = capability(study(np.full(60, 5.0)), SpecLimits(lsl=4.0, usl=6.0))
    assert "gauge resolution" in result.refused


def test_bad_settings_raise(stable: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="confidence"):
        capability(stable, SpecLimits(6.0, 15.0), confidence=95)
    with pytest.raises(ValueError, match="normality_alpha"):
        capability(stable, SpecLimits(6.0, 15.0), normality_alpha=0.5)


def test_input_is_not_mutated(stable: pd.DataFrame) -> None:
    before = stable.copy(deep=True)
    capability(stable, SpecLimits(lsl=6.0, usl=15.0, target=10.0))
    pd.testing.assert_frame_equal(stable, before)
