"""Control-chart constants d2, d3, c4 and the factors A2, A3, B3, B4, D3, D4, computed, not typed in.

Definitions (Montgomery, *Introduction to Statistical Quality Control*, 7th ed., ch. 6 and
Appendix VI, which tabulates them for n = 2..25):

- d2(n) = E[W] and d3(n) = SD[W], where W is the range of n independent standard normal
  values. Both come from numerical integration: d2 = ∫ [1 − Φ(x)^n − (1 − Φ(x))^n] dx, and
  E[W²] = 2 ∫₀^∞ ∫ [1 − Φ(x + w)^n − (1 − Φ(x))^n + (Φ(x + w) − Φ(x))^n] dx dw (Tippett, 1925,
  the double integral over x < y written with y = x + w so the integrand is smooth).
- c4(n) = E[s]/σ = √(2/(n − 1)) · Γ(n/2) / Γ((n − 1)/2), in closed form.
- A2 = 3/(d2 √n), A3 = 3/(c4 √n), D3 = max(0, 1 − 3 d3/d2), D4 = 1 + 3 d3/d2,
  B3 = max(0, 1 − 3 √(1 − c4²)/c4), B4 = 1 + 3 √(1 − c4²)/c4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import integrate, special

MIN_N = 2
MAX_N = 25

# Integration grid for the range distribution. ±8σ holds all but 1e-15 of each value and a
# range of 10σ is beyond the 1e-12 tail for n ≤ 25, so the truncation error is far below the
# four decimals published; Simpson's rule on a 0.025σ grid is exact to ~1e-9 on these smooth
# integrands.
_X = np.linspace(-8.0, 8.0, 641)
_W = np.linspace(0.0, 10.0, 401)


def _check(n: int) -> int:
    if int(n) != n or n < MIN_N:
        raise ValueError(f"subgroup size must be an integer of at least {MIN_N}, got {n!r}")
    return int(n)


@cache
def _range_moments(n: int) -> tuple[float, float]:
    cdf_x = special.ndtr(_X)
    mean = float(integrate.simpson(1.0 - cdf_x**n - (1.0 - cdf_x) ** n, x=_X))
    cdf_lo = cdf_x[np.newaxis, :]
    cdf_hi = special.ndtr(_X[np.newaxis, :] + _W[:, np.newaxis])
    integrand = 1.0 - cdf_hi**n - (1.0 - cdf_lo) ** n + (cdf_hi - cdf_lo) ** n
    second = 2.0 * float(integrate.simpson(integrate.simpson(integrand, x=_X, axis=1), x=_W))
    return mean, math.sqrt(second - mean**2)


def d2(n: int) -> float:
    """Mean of the range of n standard normal values (relative range, R̄/σ); n ≥ 2.

    Formula: d2 = ∫ [1 − Φ(x)^n − (1 − Φ(x))^n] dx by numerical integration.
    Source: Montgomery, *Introduction to SQC*, Appendix VI (d2(2) = 1.128, d2(5) = 2.326).
    """
    return _range_moments(_check(n))[0]


def d3(n: int) -> float:
    """Standard deviation of the range of n standard normal values; n ≥ 2.

    Formula: d3 = √(E[W²] − d2²) with E[W²] from Tippett's double integral.
    Source: Montgomery, *Introduction to SQC*, Appendix VI (d3(2) = 0.853, d3(5) = 0.864).
    """
    return _range_moments(_check(n))[1]


def c4(n: int) -> float:
    """Mean of the sample standard deviation of n normal values, in units of σ; n ≥ 2.

    Formula: c4 = √(2/(n − 1)) · Γ(n/2)/Γ((n − 1)/2), through log-gamma so large n stays finite.
    Source: Montgomery, *Introduction to SQC*, Appendix VI (c4(2) = 0.7979, c4(5) = 0.9400).
    """
    n = _check(n)
    return math.sqrt(2.0 / (n - 1)) * math.exp(special.gammaln(n / 2) - special.gammaln((n - 1) / 2))


@dataclass(frozen=True)
class ChartFactors:
    """The factors of Montgomery's Appendix VI for one subgroup size n (symbols as published)."""

    n: int
    d2: float
    d3: float
    c4: float
    A2: float
    A3: float
    B3: float
    B4: float
    D3: float
    D4: float


@cache
def factors(n: int) -> ChartFactors:
    """All control-chart factors for subgroup size n (2 ≤ n; the book tabulates 2..25).

    A2 = 3/(d2√n), A3 = 3/(c4√n), D3/D4 = 1 ∓ 3 d3/d2 (D3 floored at 0),
    B3/B4 = 1 ∓ 3√(1 − c4²)/c4 (B3 floored at 0).
    Source: Montgomery, *Introduction to SQC*, 7th ed., ch. 6 and Appendix VI.
    """
    n = _check(n)
    mean_range, sd_range, mean_s = d2(n), d3(n), c4(n)
    spread_s = 3.0 * math.sqrt(1.0 - mean_s**2) / mean_s
    return ChartFactors(
        n=n,
        d2=mean_range,
        d3=sd_range,
        c4=mean_s,
        A2=3.0 / (mean_range * math.sqrt(n)),
        A3=3.0 / (mean_s * math.sqrt(n)),
        B3=max(0.0, 1.0 - spread_s),
        B4=1.0 + spread_s,
        D3=max(0.0, 1.0 - 3.0 * sd_range / mean_range),
        D4=1.0 + 3.0 * sd_range / mean_range,
    )
