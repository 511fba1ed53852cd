"""Quality ratios from summed counts. Pure functions; None when the denominator is zero.

Sources: AIAG/ASQ definitions of first-pass yield and DPMO; the sigma level uses the
conventional 1.5 sigma long-term shift (Harry & Schroeder, *Six Sigma*, 2000), so
3.4 DPMO is 6.0 sigma and 66,807 DPMO is 3.0 sigma.
"""

from __future__ import annotations

import math

from scipy.stats import norm

SIGMA_SHIFT = 1.5


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    if isinstance(numerator, float) and math.isnan(numerator):
        return None
    return float(numerator) / float(denominator)


def first_pass_yield_pct(units_passed_first_time: float, units_inspected: float) -> float | None:
    """First-pass yield, % = units passed without rework / units inspected x 100."""
    value = ratio(units_passed_first_time, units_inspected)
    return None if value is None else 100.0 * value


def dpmo(defect_count: float, opportunities: float) -> float | None:
    """Defects per million opportunities = defects / (units x opportunities per unit) x 10^6."""
    value = ratio(defect_count, opportunities)
    return None if value is None else 1e6 * value


def sigma_level(dpmo_value: float | None, shift: float = SIGMA_SHIFT) -> float | None:
    """Short-term sigma level = z(1 - DPMO/10^6) + shift (the 1.5 sigma shift by default)."""
    if dpmo_value is None or not 0 < dpmo_value < 1e6:
        return None
    return float(norm.ppf(1.0 - dpmo_value / 1e6)) + shift


def ppm(rejected: float, total: float) -> float | None:
    """Parts per million = rejected / total x 10^6."""
    value = ratio(rejected, total)
    return None if value is None else 1e6 * value


def net_promoter_score(promoters: float, detractors: float, responses: float) -> float | None:
    """NPS = % promoters (9-10) - % detractors (0-6), from -100 to 100 (Reichheld, 2003)."""
    value = ratio(promoters - detractors, responses)
    return None if value is None else 100.0 * value


def percentage(part: float, whole: float) -> float | None:
    """part / whole x 100."""
    value = ratio(part, whole)
    return None if value is None else 100.0 * value
