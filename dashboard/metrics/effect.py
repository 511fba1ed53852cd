"""Did a corrective action work? A defect rate before the action against the rate after it.

The rates are defects per unit inspected, compared as two Poisson rates:

- the exact conditional test (Przyborowski & Wilenski, 1940): given the total count, the count
  after the action is binomial with p = units after / all units when the rate did not change;
  one-sided, once for a fall and once for a rise;
- the 95 % interval of the rate ratio (after / before) from the same binomial: the exact
  (Clopper-Pearson) interval of p, turned into a ratio as p / (1 - p) x units before / units after.

Both come from ``scipy.stats.binomtest``. Defects cluster (a record often holds several, and
the mix moves from day to day) more than a Poisson count, so a p-value near the 5 % line
overstates the certainty; the page says so.
"""

from __future__ import annotations

import dataclasses
import math

from scipy.stats import binomtest

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
    if before_units <= 0 or after_units <= 0 or before_defects < 0 or after_defects < 0:
        return None
    if before_defects == 0 and after_defects == 0:
        return None
    total, share = int(before_defects) + int(after_defects), after_units / (before_units + after_units)
    fell = binomtest(int(after_defects), total, share, alternative="less").pvalue
    rose = binomtest(int(after_defects), total, share, alternative="greater").pvalue
    interval = binomtest(int(after_defects), total).proportion_ci(1 - ALPHA, method="exact")
    low, high = (_odds(p) * before_units / after_units for p in (interval.low, interval.high))
    before_rate, after_rate = before_defects / before_units, after_defects / after_units
    return RateChange(
        before_defects=int(before_defects),
        before_units=float(before_units),
        after_defects=int(after_defects),
        after_units=float(after_units),
        before_per_thousand=1000.0 * before_rate,
        after_per_thousand=1000.0 * after_rate,
        ratio=after_rate / before_rate if before_rate > 0 else math.inf,
        ratio_low=float(low),
        ratio_high=float(high),
        p_fell=float(fell),
        p_rose=float(rose),
    )


def _odds(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)
