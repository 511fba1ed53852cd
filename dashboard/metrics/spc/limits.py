"""Control-limit formulas: the plotted statistic, σ estimators and per-point centre lines.

Formulas (Montgomery, *Introduction to Statistical Quality Control*, 7th ed.):
- X̄ chart (ch. 6): centre x̿ = Σ nᵢx̄ᵢ / Σ nᵢ, limits x̿ ± k σ̂/√nᵢ.
- R chart (ch. 6): centre d2(n) σ̂, limits d2 σ̂ ± k d3 σ̂ (= D3 R̄, D4 R̄ when σ̂ = R̄/d2).
- S chart (ch. 6): centre c4 σ̂, limits c4 σ̂ ± k σ̂ √(1 − c4²) (= B3 s̄, B4 s̄ when σ̂ = s̄/c4).
- Individuals and moving range (ch. 6): σ̂ = MR̄/d2 with d2 = 1.128; x̄ ± k σ̂; MR centre d2 σ̂.
- p and np (ch. 7): p̄ = Σ Dᵢ / Σ nᵢ; p̄ ± k √(p̄(1 − p̄)/nᵢ); nᵢp̄ ± k √(nᵢp̄(1 − p̄)).
- c and u (ch. 7): c̄ ± k √c̄; ū = Σ cᵢ / Σ nᵢ, ū ± k √(ū/nᵢ).
Limits outside the statistic's range are clipped (LCL 0 for counts, ranges and deviations;
UCL 1 for p and n for np). σ within subgroups is R̄/d2 or s̄/c4; with unequal subgroup sizes
the unweighted mean of Rᵢ/d2(nᵢ) or sᵢ/c4(nᵢ) (SAS/QC "UWAVE"; the default of R's qcc).
Never the standard deviation of all values pooled: that inflates limits when the process shifts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dashboard.metrics.spc.constants import c4, d2, d3
from dashboard.metrics.spc.results import ChartName, SpcDataError
from dashboard.metrics.spc.subgroups import SubgroupTable

Estimator = Callable[[SubgroupTable], tuple[float, float]]


@dataclass(frozen=True)
class Family:
    """Charts that share one (centre, σ) estimate, and which of them drive phase I exclusion."""

    name: str
    charts: tuple[ChartName, ...]
    sigma_method: str
    estimate: Estimator
    exclusion_charts: tuple[ChartName, ...]


def _per_size(constant: Callable[[int], float], sizes: np.ndarray) -> np.ndarray:
    """constant(n) for each size, NaN where n < 2 (a single value has no range)."""
    sizes = np.asarray(sizes)
    if not len(sizes):
        return np.zeros(0)
    first = sizes.flat[0]
    if (sizes == first).all():
        return np.full(len(sizes), constant(int(first)) if first >= 2 else np.nan)
    unique, where = np.unique(sizes, return_inverse=True)
    table = np.array([constant(int(n)) if n >= 2 else np.nan for n in unique], dtype=float)
    return table[where]


def _positive(sigma: float, why: str) -> float:
    if not np.isfinite(sigma) or sigma <= 0:
        raise SpcDataError(f"σ of the baseline is {sigma:g}: {why}")
    return float(sigma)


def estimate_range(table: SubgroupTable) -> tuple[float, float]:
    """(x̿, σ̂ = mean of Rᵢ/d2(nᵢ)) from baseline subgroups with nᵢ ≥ 2."""
    n = table["n"]
    usable = n >= 2
    if not usable.any():
        raise SpcDataError("every baseline subgroup has one value; use the individuals (I-MR) chart")
    sigma = float(np.mean(table["range"][usable] / _per_size(d2, n[usable])))
    centre = float(np.average(table["mean"], weights=n))
    return centre, _positive(sigma, "every range is zero; check the gauge resolution")


def estimate_std(table: SubgroupTable) -> tuple[float, float]:
    """(x̿, σ̂ = mean of sᵢ/c4(nᵢ)) from baseline subgroups with nᵢ ≥ 2."""
    n = table["n"]
    usable = n >= 2
    if not usable.any():
        raise SpcDataError("every baseline subgroup has one value; use the individuals (I-MR) chart")
    sigma = float(np.mean(table["std"][usable] / _per_size(c4, n[usable])))
    centre = float(np.average(table["mean"], weights=n))
    return centre, _positive(sigma, "every standard deviation is zero; check the gauge resolution")


def estimate_moving_range(table: SubgroupTable) -> tuple[float, float]:
    """(x̄, σ̂ = MR̄/d2(2)) with moving ranges between consecutive baseline values."""
    values = table["mean"]
    sigma = float(np.mean(np.abs(np.diff(values))) / d2(2))
    return float(values.mean()), _positive(sigma, "consecutive values are all equal; check the gauge resolution")


def estimate_proportion(table: SubgroupTable) -> tuple[float, float]:
    """(p̄ = Σ D / Σ n, √(p̄(1 − p̄)))."""
    rate = float(table["count"].sum() / table["n"].sum())
    if rate > 1:
        raise SpcDataError("nonconforming exceeds the units inspected")
    return rate, _positive(np.sqrt(rate * (1 - rate)), "p̄ is 0 or 1, so a p chart cannot signal; chart the time between events")


def estimate_count(table: SubgroupTable) -> tuple[float, float]:
    """(c̄, √c̄)."""
    mean = float(table["count"].mean())
    return mean, _positive(np.sqrt(mean), "no defects in the baseline; a c chart cannot signal")


def estimate_rate(table: SubgroupTable) -> tuple[float, float]:
    """(ū = Σ c / Σ units, √ū)."""
    rate = float(table["count"].sum() / table["n"].sum())
    return rate, _positive(np.sqrt(rate), "no defects in the baseline; a u chart cannot signal")


def _laney_sigma_z(table: SubgroupTable, centre: float, sigma: float) -> float:
    """σz = MR̄(z)/d2(2) of the standardised values zᵢ = (xᵢ − centre)/(σ/√nᵢ), in time order."""
    if len(table) < 2:
        raise SpcDataError("a Laney chart needs at least 2 baseline subgroups to estimate σz")
    z = (table["count"] / table["n"] - centre) / (sigma / np.sqrt(table["n"].astype(float)))
    return _positive(float(np.mean(np.abs(np.diff(z))) / d2(2)), "every standardised value is equal")


def estimate_proportion_laney(table: SubgroupTable) -> tuple[float, float]:
    """(p̄, √(p̄(1 − p̄)) · σz): Laney's p′ chart widens (σz > 1) or narrows (σz < 1) the p chart's
    limits by the variation between subgroups that the binomial model does not explain."""
    centre, sigma = estimate_proportion(table)
    return centre, sigma * _laney_sigma_z(table, centre, sigma)


def estimate_rate_laney(table: SubgroupTable) -> tuple[float, float]:
    """(ū, √ū · σz): Laney's u′ chart, the u chart corrected for over- or under-dispersion."""
    centre, sigma = estimate_rate(table)
    return centre, sigma * _laney_sigma_z(table, centre, sigma)


def statistic(chart: ChartName, table: SubgroupTable, segment: np.ndarray) -> np.ndarray:
    """The plotted value per subgroup; moving ranges restart at each new segment."""
    n = table["n"].astype(float)
    if chart in ("xbar", "I"):
        return table["mean"].astype(float)
    if chart in ("R", "S"):
        return np.where(n >= 2, table["range" if chart == "R" else "std"].astype(float), np.nan)
    if chart == "MR":
        values = table["mean"].astype(float)
        moving = np.abs(np.diff(values, prepend=np.nan))
        return np.where(np.diff(segment, prepend=-1) == 0, moving, np.nan)
    counts = table["count"].astype(float)
    return counts / n if chart in ("p", "u") else counts


def centre_and_se(chart: ChartName, centre: float, sigma: float, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre line and σ of the plotted statistic for subgroups of sizes ``n``."""
    n = np.asarray(n, dtype=float)
    ones = np.ones_like(n)
    if chart == "xbar":
        return centre * ones, sigma / np.sqrt(n)
    if chart == "R":
        return _per_size(d2, n) * sigma, _per_size(d3, n) * sigma
    if chart == "S":
        mean_s = _per_size(c4, n)
        return mean_s * sigma, sigma * np.sqrt(1 - mean_s**2)
    if chart == "I":
        return centre * ones, sigma * ones
    if chart == "MR":
        return d2(2) * sigma * ones, d3(2) * sigma * ones
    if chart in ("p", "u"):
        return centre * ones, sigma / np.sqrt(n)
    if chart == "np":
        return centre * n, sigma * np.sqrt(n)
    return centre * ones, sigma * ones


def bounds(chart: ChartName, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The range the statistic can take, used to clip limits."""
    n = np.asarray(n, dtype=float)
    lower = np.full_like(n, -np.inf if chart in ("xbar", "I") else 0.0)
    upper = np.ones_like(n) if chart == "p" else n.copy() if chart == "np" else np.full_like(n, np.inf)
    return lower, upper
