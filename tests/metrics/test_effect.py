"""The before/after comparison of two defect rates, on cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom
from statsmodels.stats import rates

from dashboard.metrics.effect import rate_change, rate_changes


def test_a_fall_from_ten_to_two_in_equal_units() -> None:
    # Given 12 defects in all and equal units, the count after is Binomial(12, 1/2) when nothing
    # changed: P(X <= 2) = (1 + 12 + 66) / 4096 = 79 / 4096.
    change = rate_change(10, 1000, 2, 1000)
    assert change is not None
    assert change.p_fell == pytest.approx(79 / 4096, rel=1e-12)
    assert change.p_rose == pytest.approx(1 - 13 / 4096, rel=1e-12)  # P(X >= 2) = 1 - P(X <= 1)
    assert change.before_per_thousand == 10.0 and change.after_per_thousand == 2.0
    assert change.ratio == pytest.approx(0.2) and change.change_pct == pytest.approx(-80.0)
    assert change.verdict == "fell"


def test_the_interval_is_the_exact_binomial_one_turned_into_a_rate_ratio() -> None:
    # Clopper-Pearson bounds of p for 2 of 12: P(X >= 2 | p_low) = 0.025 and P(X <= 2 | p_high) = 0.025;
    # with equal units the rate ratio is p / (1 - p).
    change = rate_change(10, 1000, 2, 1000)
    p_low, p_high = change.ratio_low / (1 + change.ratio_low), change.ratio_high / (1 + change.ratio_high)
    assert binom.sf(1, 12, p_low) == pytest.approx(0.025, rel=1e-6)
    assert binom.cdf(2, 12, p_high) == pytest.approx(0.025, rel=1e-6)
    assert change.ratio_low < change.ratio < change.ratio_high


def test_units_weight_the_comparison() -> None:
    # The same counts over twice the units after: p under no change is 2000 / 3000.
    change = rate_change(10, 1000, 10, 2000)
    assert change.ratio == pytest.approx(0.5)
    assert change.p_fell == pytest.approx(binom.cdf(10, 20, 2 / 3), rel=1e-12)


def test_no_defects_after_five_before() -> None:
    change = rate_change(5, 500, 0, 500)
    assert change.p_fell == pytest.approx(1 / 32) and change.ratio == 0.0 and change.ratio_low == 0.0
    assert change.verdict == "fell"


@pytest.mark.parametrize(
    ("counts", "verdict"),
    [((2, 1000, 10, 1000), "rose"), ((47, 7632, 674, 105_325), "no clear change"), ((100, 50_000, 35, 50_000), "fell")],
)
def test_verdicts_and_a_second_implementation(counts, verdict: str) -> None:
    change = rate_change(*counts)
    assert change.verdict == verdict
    before, before_units, after, after_units = counts
    for alternative, p in (("smaller", change.p_fell), ("larger", change.p_rose)):
        other = rates.test_poisson_2indep(after, after_units, before, before_units, method="exact-cond", alternative=alternative)
        assert p == pytest.approx(other.pvalue, rel=1e-9)


def test_a_rise_from_none_has_no_finite_ratio() -> None:
    change = rate_change(0, 500, 3, 500)
    assert change.ratio == math.inf and change.ratio_high == math.inf and change.verdict == "no clear change"


@pytest.mark.parametrize("counts", [(0, 1000, 0, 1000), (3, 0, 1, 1000), (3, 1000, 1, 0), (-1, 1000, 1, 1000)])
def test_nothing_to_compare(counts) -> None:
    assert rate_change(*counts) is None


def test_many_at_once_equal_scipys_binomtest_one_by_one() -> None:
    """The vectorised pass gives what ``scipy.stats.binomtest`` gives for each pair, ends included
    (no defect after, none before, one side only) and the pairs with nothing to compare."""
    from scipy.stats import binomtest

    rng = np.random.default_rng(7)
    cases = [(0, 1000.0, 5, 900.0), (5, 1000.0, 0, 900.0), (1, 10.0, 1, 10.0), (330, 27_000.0, 120, 30_000.0)]
    for _ in range(60):
        cases.append(
            (
                int(rng.integers(0, 400)),
                float(rng.integers(50, 50_000)),
                int(rng.integers(0, 400)),
                float(rng.integers(50, 50_000)),
            )
        )
    cases += [(0, 1000.0, 0, 1000.0), (3, 0.0, 1, 10.0), (3, 10.0, 1, 0.0)]
    many = rate_changes(*zip(*cases, strict=True))
    assert many[-3:] == [None, None, None]
    for (kb, ub, ka, ua), got in zip(cases[:-3], many[:-3], strict=True):
        n, share = kb + ka, ua / (ub + ua)
        interval = binomtest(ka, n).proportion_ci(0.95, method="exact")
        odds = [(p / (1 - p) if p < 1 else math.inf) * ub / ua for p in (interval.low, interval.high)]
        assert got.p_fell == pytest.approx(binomtest(ka, n, share, alternative="less").pvalue, rel=1e-9, abs=1e-300)
        assert got.p_rose == pytest.approx(binomtest(ka, n, share, alternative="greater").pvalue, rel=1e-9, abs=1e-300)
        assert got.ratio_low == pytest.approx(odds[0], rel=1e-9)
        assert got.ratio_high == pytest.approx(odds[1], rel=1e-9)
        assert got == rate_change(kb, ub, ka, ua)
