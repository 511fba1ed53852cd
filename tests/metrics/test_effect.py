"""The before/after comparison of two defect rates, on cases worked out by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.stats import binom
from statsmodels.stats import rates

from dashboard.metrics.effect import dispersion, rate_change, rate_changes


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
    # P(X = 0) = 1/32 one-sided; two-sided 1/16 > 5 %: five to none is not yet a clear fall, and
    # the 95 % interval of the ratio (0 to about 1.2) holds "no change" too.
    change = rate_change(5, 500, 0, 500)
    assert change.p_fell == pytest.approx(1 / 32) and change.p_value == pytest.approx(1 / 16)
    assert change.ratio == 0.0 and change.ratio_low == 0.0 and change.ratio_high > 1
    assert change.verdict == "no clear change"
    assert rate_change(6, 500, 0, 500).verdict == "fell"  # 2 / 64 < 5 %, and the interval stays below 1
    assert rate_change(6, 500, 0, 500).ratio_high < 1


def test_the_verdict_agrees_with_the_interval() -> None:
    """Called fell or rose only when the 95 % interval of the ratio leaves out 1 (exact and quasi-Poisson)."""
    rng = np.random.default_rng(11)
    for _ in range(300):
        kb, ka = int(rng.integers(0, 60)), int(rng.integers(0, 60))
        ub, ua = float(rng.integers(500, 5000)), float(rng.integers(500, 5000))
        spread = (float(rng.choice([0.5, 1.0, 2.5])), 40)
        (change,) = rate_changes([kb], [ub], [ka], [ua], [spread])
        if change is None:
            continue
        if change.verdict == "fell":
            assert change.ratio_high < 1, (kb, ub, ka, ua, spread)
        if change.verdict == "rose":
            assert change.ratio_low > 1, (kb, ub, ka, ua, spread)


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


# --- days that vary more than a Poisson count ---------------------------------------------------

# 27 days before (25 of 10 defects in 1,000 units, one of 50 and one of 30) and 30 after (4 in 1,000).
BEFORE_DAYS = [(10, 1000.0)] * 25 + [(50, 1000.0), (30, 1000.0)]
AFTER_DAYS = [(4, 1000.0)] * 30


def _window(days: list[tuple[int, float]]) -> tuple[float, int, float, int]:
    """sum(y² / u), defects, units and days with units, as the SQL sums them."""
    return sum(y * y / u for y, u in days), sum(y for y, _ in days), sum(u for _, u in days), len(days)


def test_the_dispersion_is_pearsons_chi_square_over_its_degrees_of_freedom_by_hand() -> None:
    # Before, the rate is 330 / 27,000: each day of 10 is (10 - 12.22)² / 12.22 = 0.404 off, the
    # day of 50 116.8 and the day of 30 25.9: 152.73 in all. After, every day is exactly the rate.
    (sb, yb, ub, db), (sa, ya, ua, da) = _window(BEFORE_DAYS), _window(AFTER_DAYS)
    phi, df = dispersion((sb, sa), (yb, ya), (ub, ua), (db, da))
    rate = 330 / 27_000
    by_hand = 25 * (10 - 1000 * rate) ** 2 / (1000 * rate) + sum((y - 1000 * rate) ** 2 / (1000 * rate) for y in (50, 30))
    assert df == 55 and phi == pytest.approx(by_hand / 55, rel=1e-12) and phi == pytest.approx(2.7769, abs=1e-4)
    assert dispersion((0.48, 0.48), (120, 120), (30_000, 30_000), (30, 30)) == (0.0, 58)  # Poisson or calmer: 0 here


def test_quasi_poisson_matches_a_glm_with_the_pearson_scale() -> None:
    """What ``glm(defects ~ after + offset(log(units)), family = quasipoisson)`` says, fitted by statsmodels."""
    import statsmodels.api as sm

    days = BEFORE_DAYS + AFTER_DAYS
    y = np.array([d for d, _ in days], dtype=float)
    units = np.array([u for _, u in days])
    after = np.array([0.0] * len(BEFORE_DAYS) + [1.0] * len(AFTER_DAYS))
    fit = sm.GLM(y, sm.add_constant(after), family=sm.families.Poisson(), offset=np.log(units)).fit(scale="X2", use_t=True)
    (sb, yb, ub, db), (sa, ya, ua, da) = _window(BEFORE_DAYS), _window(AFTER_DAYS)
    scale = dispersion((sb, sa), (yb, ya), (ub, ua), (db, da))
    (change,) = rate_changes([330], [27_000], [120], [30_000], [scale])
    assert change.method == "quasi-Poisson" and change.dispersion == pytest.approx(fit.scale, rel=1e-9)
    assert math.log(change.ratio) == pytest.approx(fit.params[1], rel=1e-9)
    t = fit.tvalues[1]
    assert t < 0 and change.p_fell == pytest.approx(fit.pvalues[1] / 2, rel=1e-6)  # one-sided, falling
    assert change.p_rose == pytest.approx(1 - fit.pvalues[1] / 2, rel=1e-6)
    low, high = np.exp(fit.conf_int(alpha=0.05)[1])
    assert (change.ratio_low, change.ratio_high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    # Wider than the Poisson-only interval, as the days vary 2.8 times more than Poisson.
    poisson = rate_change(330, 27_000, 120, 30_000)
    assert change.ratio_low < poisson.ratio_low and change.ratio_high > poisson.ratio_high
    assert change.p_fell > poisson.p_fell


def test_calm_days_keep_the_exact_test_and_a_zero_side_tests_scaled_counts() -> None:
    calm = rate_changes([330], [27_000], [120], [30_000], [(0.6, 55)])[0]
    assert calm.method == "exact" and calm == dataclasses.replace(rate_change(330, 27_000, 120, 30_000), dispersion=1.0, df=55)
    # No defect after: no log ratio; the exact test runs on 12 / 3 = 4 against 0.
    (zero,) = rate_changes([12], [1000], [0], [1000], [(3.0, 40)])
    assert zero.method == "exact, scaled counts"
    assert zero.p_fell == pytest.approx(binom.cdf(0, 4, 0.5), rel=1e-12) and zero.ratio == 0.0
    (nothing,) = rate_changes([1], [1000], [0], [1000], [(3.0, 40)])  # 1 / 3 rounds to 0: nothing left to test
    assert (nothing.p_fell, nothing.p_rose, nothing.verdict) == (1.0, 1.0, "no clear change")
