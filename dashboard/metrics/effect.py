"""Did a corrective action work? A defect rate before the action against the rate after it.

The rates are defects per unit inspected, compared as two Poisson rates:

- the exact conditional test (Przyborowski & Wilenski, 1940): given the total count, the count
  after the action is binomial with p = units after / all units when the rate did not change;
  one-sided, once for a fall and once for a rise, and two-sided (twice the smaller, at most 1),
  which gives the verdict, so that it agrees with the 95 % interval;
- the 95 % interval of the rate ratio (after / before) from the same binomial: the exact
  (Clopper-Pearson) interval of p, turned into a ratio as p / (1 - p) x units before / units after.

Both come from ``scipy.stats`` (the binomial's tails and the beta quantiles of the
Clopper-Pearson interval, as ``binomtest`` computes them), for many CAPAs at once in
:func:`rate_changes`. Defects cluster (a record often holds several, and the mix moves from day
to day) more than a Poisson count, so a p-value near the 5 % line overstates the certainty; the
page says so.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import beta, binom
from scipy.stats import t as student_t

ALPHA = 0.05


@dataclasses.dataclass(frozen=True)
class RateChange:
    """Defects per 1,000 units before and after, and what the data can say about the change."""

    before_defects: int
    before_units: float
    after_defects: int
    after_units: float
    before_per_thousand: float
    after_per_thousand: float
    ratio: float  # after / before
    ratio_low: float
    ratio_high: float
    p_fell: float  # one-sided: the rate after is lower
    p_rose: float  # one-sided: the rate after is higher
    dispersion: float = 1.0  # the quasi-Poisson scale the test allowed for (1: the counts are Poisson)
    df: int = 0  # its degrees of freedom (days with units, less the two rates)

    @property
    def method(self) -> str:
        """How the rates were compared: "exact" (Poisson) or "quasi-Poisson" (the days vary more)."""
        if self.dispersion <= 1.0:
            return "exact"
        return "quasi-Poisson" if self.before_defects > 0 and self.after_defects > 0 else "exact, scaled counts"

    @property
    def change_pct(self) -> float:
        """The change of the rate, % of the rate before (negative: it fell)."""
        return 100.0 * (self.ratio - 1.0)

    @property
    def p_value(self) -> float:
        """Two-sided: twice the smaller one-sided p-value (at most 1)."""
        return min(1.0, 2.0 * min(self.p_fell, self.p_rose))

    @property
    def verdict(self) -> str:
        """ "fell" or "rose" when the two-sided test says so at the 5 % level (so a rate whose 95 %
        interval holds "no change" is never called fell or rose), else "no clear change"."""
        if self.p_value >= ALPHA:
            return "no clear change"
        return "fell" if self.p_fell < self.p_rose else "rose"


def rate_change(before_defects: int, before_units: float, after_defects: int, after_units: float) -> RateChange | None:
    """Compare the two rates; None when either side inspected no units or both counts are 0
    (no rate to compare)."""
    return rate_changes([before_defects], [before_units], [after_defects], [after_units])[0]


def dispersion(
    sums_of_squares: tuple[float, float],
    defects: tuple[float, float],
    units: tuple[float, float],
    days: tuple[int, int],
) -> tuple[float, int]:
    """How much more the day counts vary than a Poisson count would: Pearson's chi-square of
    the days around each window's own rate over its degrees of freedom (the quasi-Poisson scale),
    and those degrees of freedom. Per window (before, after): the sum over days with units of
    defects² / units, the defects, the units and the days with units. With the window's rate
    r = defects / units, sum (y - u r)² / (u r) = sum(y² / u) / r - defects."""
    chi2 = sum(sq * u / y - y for sq, y, u in zip(sums_of_squares, defects, units, strict=True) if y > 0 and u > 0)
    df = int(days[0]) + int(days[1]) - 2
    return (max(0.0, chi2) / df if df > 0 else 1.0), max(df, 0)


def rate_changes(
    before_defects: Sequence[int],
    before_units: Sequence[float],
    after_defects: Sequence[int],
    after_units: Sequence[float],
    dispersions: Sequence[tuple[float, int]] | None = None,
) -> list[RateChange | None]:
    """:func:`rate_change` for many pairs of rates at once (one vectorised pass: a period's CAPAs).

    With ``dispersions`` ((scale, degrees of freedom) per pair, see :func:`dispersion`), a pair
    whose days vary more than a Poisson count (scale > 1) is compared as quasi-Poisson rates, as
    ``glm(family = quasipoisson)`` does with one rate per window: the log rate ratio's standard
    error is sqrt(scale x (1 / defects before + 1 / defects after)), tested with
    Student's t on those degrees of freedom, with the matching 95 % interval. When a window has
    no defect (no log ratio), the exact test runs on the counts divided by the scale instead."""
    k_before, k_after = (np.asarray(v, dtype=np.int64).ravel() for v in (before_defects, after_defects))
    u_before, u_after = (np.asarray(v, dtype=float).ravel() for v in (before_units, after_units))
    scale_df = np.asarray(dispersions if dispersions is not None else [(1.0, 0)] * len(k_before), dtype=float).reshape(-1, 2)
    phi, df = np.maximum(scale_df[:, 0], 1.0), scale_df[:, 1]
    usable = (u_before > 0) & (u_after > 0) & (k_before >= 0) & (k_after >= 0) & (k_before + k_after > 0)
    quasi = usable & (phi > 1.0) & (df > 0) & (k_before > 0) & (k_after > 0)
    # The exact test, on counts divided by the scale where the days vary more than Poisson.
    kb = np.where(phi > 1.0, np.rint(k_before / phi), k_before).astype(np.int64)
    ka = np.where(phi > 1.0, np.rint(k_after / phi), k_after).astype(np.int64)
    n = np.where(usable & (kb + ka > 0), kb + ka, 1)
    k = np.where(usable & (kb + ka > 0), ka, 0)
    share = np.where(usable, u_after / np.where(usable, u_before + u_after, 1), 0.5)
    fell = binom.cdf(k, n, share)  # binomtest(k, n, share, alternative="less")
    rose = binom.sf(k - 1, n, share)  # alternative="greater"
    # Clopper-Pearson, as binomtest(k, n).proportion_ci(method="exact"): beta quantiles, 0 and 1 at the ends.
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k == 0, 0.0, beta.ppf(ALPHA / 2, k, n - k + 1))
        high = np.where(k == n, 1.0, beta.ppf(1 - ALPHA / 2, k + 1, n - k))
        scale = u_before / u_after
        low, high = low / (1 - low) * scale, np.where(high >= 1, np.inf, high / (1 - high) * scale)
        # Quasi-Poisson: Wald on the log rate ratio with the scaled variance, Student's t.
        log_ratio = np.log(k_after / u_after) - np.log(k_before / u_before)
        se = np.sqrt(phi * (1 / k_after + 1 / k_before))
        t = log_ratio / se
        dof = np.maximum(df, 1)
        quantile = student_t.ppf(1 - ALPHA / 2, dof)
        fell = np.where(quasi, student_t.cdf(t, dof), fell)
        rose = np.where(quasi, student_t.sf(t, dof), rose)
        low = np.where(quasi, np.exp(log_ratio - quantile * se), low)
        high = np.where(quasi, np.exp(log_ratio + quantile * se), high)
    empty = usable & ~quasi & (kb + ka == 0)  # the scaled counts are both 0: nothing the data can say
    fell, rose = np.where(empty, 1.0, fell), np.where(empty, 1.0, rose)
    low, high = np.where(empty, 0.0, low), np.where(empty, np.inf, high)
    result: list[RateChange | None] = []
    for i in range(len(k_before)):
        if not usable[i]:
            result.append(None)
            continue
        before_rate, after_rate = k_before[i] / u_before[i], k_after[i] / u_after[i]
        result.append(
            RateChange(
                before_defects=int(k_before[i]),
                before_units=float(u_before[i]),
                after_defects=int(k_after[i]),
                after_units=float(u_after[i]),
                before_per_thousand=1000.0 * before_rate,
                after_per_thousand=1000.0 * after_rate,
                ratio=after_rate / before_rate if before_rate > 0 else math.inf,
                ratio_low=float(low[i]),
                ratio_high=float(high[i]),
                p_fell=float(min(1.0, fell[i])),
                p_rose=float(min(1.0, rose[i])),
                dispersion=float(phi[i]),
                df=int(df[i]),
            )
        )
    return result
