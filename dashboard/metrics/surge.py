"""Surges: a count that rose between two periods by more than chance explains. Pure functions.

Complaints (or any events) in two periods of the same length are compared with the conditional
(exact) test for two Poisson counts: given the total ``n = current + previous``, the current
count is binomial with probability ``exposure / (exposure + 1)`` when the underlying rate did
not change (``exposure`` = current period length / previous period length, 1 for the equal
periods the dashboard compares). The one-sided p-value is ``P(X >= current)``.

A surge needs all three: at least ``minimum`` events now (a rise from 1 to 3 is not a story),
at least ``ratio`` times the previous count, and a p-value below ``alpha``.

Source: J. Przyborowski & H. Wilenski, "Homogeneity of results in testing samples from Poisson
series", Biometrika 31 (1940) 313-323; K. Krishnamoorthy & J. Thomson, "A more powerful test
for comparing two Poisson means", J. Statistical Planning and Inference 119 (2004) 23-35
(which states the conditional test used here as the classical reference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

SURGE_COLUMNS = ("p_value", "surge")


def rise_p_value(current: float, previous: float, exposure: float = 1.0) -> float:
    """One-sided p-value that ``current`` events are no more frequent than ``previous``.

    ``exposure`` is the current period's length over the previous one's. Counts are whole,
    non-negative numbers; with no events at all the p-value is 1. ``ValueError`` for a negative
    or fractional count or a non-positive exposure.
    """
    for name, value in (("current", current), ("previous", previous)):
        if value < 0 or value != int(value):
            raise ValueError(f"{name} must be a whole, non-negative count, got {value}")
    if not exposure > 0:
        raise ValueError(f"exposure must be positive, got {exposure}")
    total = int(current) + int(previous)
    if total == 0:
        return 1.0
    return float(binom.sf(int(current) - 1, total, exposure / (exposure + 1.0)))


def surges(
    frame: pd.DataFrame,
    current: str = "current",
    previous: str = "previous",
    *,
    minimum: int = 5,
    ratio: float = 1.5,
    alpha: float = 0.01,
    exposure: float = 1.0,
) -> pd.DataFrame:
    """``frame`` with ``p_value`` (of :func:`rise_p_value`) and ``surge`` (bool) per row.

    Missing counts are 0. The input is not changed; rows keep their order.
    """
    result = frame.copy()
    now = pd.to_numeric(frame[current]).fillna(0).to_numpy(dtype=float)
    before = pd.to_numeric(frame[previous]).fillna(0).to_numpy(dtype=float)
    p_values = np.array([rise_p_value(c, p, exposure) for c, p in zip(now, before, strict=True)], dtype=float)
    result["p_value"] = p_values
    result["surge"] = (now >= minimum) & (now >= ratio * before) & (p_values < alpha)
    return result
