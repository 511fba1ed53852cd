"""Did a corrective action work? A defect rate before the action against the rate after it.

The rates are defects per unit inspected, compared as two Poisson rates:

- the exact conditional test (Przyborowski & Wilenski, 1940): given the total count, the count
  after the action is binomial with p = units after / all units when the rate did not change;
  one-sided, once for a fall and once for a rise;
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

    @property
    def change_pct(self) -> float:
        """The change of the rate, % of the rate before (negative: it fell)."""
        return 100.0 * (self.ratio - 1.0)

    @property
    def verdict(self) -> str:
        """ "fell" or "rose" when the one-sided test says so at the 5 % level, else "no clear change"."""
        if self.p_fell < ALPHA:
            return "fell"
        if self.p_rose < ALPHA:
            return "rose"
        return "no clear change"


def rate_change(before_defects: int, before_units: float, after_defects: int, after_units: float) -> RateChange | None:
    """Compare the two rates; None when either side inspected no units or both counts are 0
    (no rate to compare)."""
    return rate_changes([before_defects], [before_units], [after_defects], [after_units])[0]


def rate_changes(
    before_defects: Sequence[int],
    before_units: Sequence[float],
    after_defects: Sequence[int],
    after_units: Sequence[float],
) -> list[RateChange | None]:
    """:func:`rate_change` for many pairs of rates at once (one vectorised pass: a period's CAPAs)."""
    k_before, k_after = (np.asarray(v, dtype=np.int64).ravel() for v in (before_defects, after_defects))
    u_before, u_after = (np.asarray(v, dtype=float).ravel() for v in (before_units, after_units))
    usable = (u_before > 0) & (u_after > 0) & (k_before >= 0) & (k_after >= 0) & (k_before + k_after > 0)
    n = np.where(usable, k_before + k_after, 1)
    k = np.where(usable, k_after, 0)
    share = np.where(usable, u_after / np.where(usable, u_before + u_after, 1), 0.5)
    fell = binom.cdf(k, n, share)  # binomtest(k, n, share, alternative="less")
    rose = binom.sf(k - 1, n, share)  # alternative="greater"
    # Clopper-Pearson, as binomtest(k, n).proportion_ci(method="exact"): beta quantiles, 0 and 1 at the ends.
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k == 0, 0.0, beta.ppf(ALPHA / 2, k, n - k + 1))
        high = np.where(k == n, 1.0, beta.ppf(1 - ALPHA / 2, k + 1, n - k))
    result: list[RateChange | None] = []
    for i in range(len(k)):
        if not usable[i]:
            result.append(None)
            continue
        before_rate, after_rate = k_before[i] / u_before[i], k_after[i] / u_after[i]
        scale = u_before[i] / u_after[i]
        result.append(
            RateChange(
                before_defects=int(k_before[i]),
                before_units=float(u_before[i]),
                after_defects=int(k_after[i]),
                after_units=float(u_after[i]),
                before_per_thousand=1000.0 * before_rate,
                after_per_thousand=1000.0 * after_rate,
                ratio=after_rate / before_rate if before_rate > 0 else math.inf,
                ratio_low=float(_odds(float(low[i])) * scale),
                ratio_high=float(_odds(float(high[i])) * scale),
                p_fell=float(min(1.0, fell[i])),
                p_rose=float(min(1.0, rose[i])),
            )
        )
    return result


def _odds(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)
