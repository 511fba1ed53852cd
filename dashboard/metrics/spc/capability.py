"""Process capability (Cp, Cpk, Cpm) and performance (Pp, Ppk) with confidence intervals.

Definitions (Montgomery, *Introduction to Statistical Quality Control*, 7th ed., ch. 8; AIAG
*SPC* manual, 2nd ed.): Cp = (USL − LSL)/6σ_within, Cpl = (μ − LSL)/3σ, Cpu = (USL − μ)/3σ,
Cpk = min of the sides given, Cpm = (USL − LSL)/(6√(σ² + (μ − T)²)); Pp and Ppk are the same
with σ_overall = s of all values (ddof = 1). Spec limits and target are inputs only, never
derived from the data. Expected out-of-spec parts assume a normal distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from dashboard.metrics.spc.results import Baseline, SpcDataError
from dashboard.metrics.spc.rules import RunRule
from dashboard.metrics.spc.subgroups import subgroup_table
from dashboard.metrics.spc.variables import LIMITS_ONLY, stability

# Below 50 values the 95 % interval on Cpk is wider than about ±0.28 at Cpk = 1.33 (Bissell's
# standard error), too wide to tell a capable process from an incapable one.
MIN_OBSERVATIONS = 50
CP_METHOD = "chi-square on n − 1 degrees of freedom (Chou, Owen & Borrego 1990; Montgomery ch. 8)"
CPK_METHOD = "normal approximation, SE = √(1/(9n) + Cpk²/(2(n − 1))) (Bissell 1990; Montgomery ch. 8)"
CPM_METHOD = "chi-square on ν = n(1 + a²)²/(1 + 2a²), a = (μ − T)/σ (Boyles 1991, Patnaik's approximation)"
NORMALITY_METHOD = "Anderson–Darling, p interpolated in Stephens' table (scipy.stats.anderson)"


@dataclass(frozen=True)
class SpecLimits:
    """Engineering specification: at least one limit; ``target`` enables Cpm."""

    lsl: float | None = None
    usl: float | None = None
    target: float | None = None


@dataclass(frozen=True)
class Estimate:
    """An index with its two-sided confidence interval and the method that produced it."""

    value: float
    low: float
    high: float
    method: str


@dataclass(frozen=True)
class OutOfSpec:
    """Parts per million below LSL and above USL (None where that limit is not given)."""

    below_ppm: float | None
    above_ppm: float | None

    @property
    def total_ppm(self) -> float:
        """Both sides together."""
        return (self.below_ppm or 0.0) + (self.above_ppm or 0.0)


@dataclass(frozen=True)
class Normality:
    """Anderson–Darling test of normality; p is bounded to [0.01, 0.15] by Stephens' table."""

    statistic: float
    p_value: float
    alpha: float
    rejected: bool
    method: str = NORMALITY_METHOD


@dataclass(frozen=True)
class Capability:
    """Capability study; when ``refused`` says why, every index is None."""

    refused: str | None
    n: int
    spec: SpecLimits
    confidence: float
    mean: float | None = None
    sigma_within: float | None = None
    sigma_within_method: str | None = None
    sigma_overall: float | None = None
    cp: Estimate | None = None
    cpl: float | None = None
    cpu: float | None = None
    cpk: Estimate | None = None
    cpm: Estimate | None = None
    pp: Estimate | None = None
    ppl: float | None = None
    ppu: float | None = None
    ppk: Estimate | None = None
    expected_within: OutOfSpec | None = None
    expected_overall: OutOfSpec | None = None
    observed: OutOfSpec | None = None
    normality: Normality | None = None
    notes: tuple[str, ...] = ()


# The distribution functions are called through scipy.special, the ufuncs scipy.stats.chi2 and
# scipy.stats.norm evaluate (same numbers, without their per-call argument handling).


def _chi2_ppf(q: float, dof: float) -> float:
    """scipy.stats.chi2.ppf(q, dof) for 0 < q < 1: 2·gammaincinv(dof/2, q); NaN unless dof > 0."""
    return float(2 * special.gammaincinv(dof / 2, q)) if dof > 0 else math.nan


def _chi2_interval(value: float, dof: float, alpha: float, method: str) -> Estimate:
    low, high = (value * math.sqrt(_chi2_ppf(q, dof) / dof) for q in (alpha / 2, 1 - alpha / 2))
    return Estimate(value, low, high, method)


def _bissell(value: float, n: int, alpha: float) -> Estimate:
    half = float(special.ndtri(1 - alpha / 2)) * math.sqrt(1 / (9 * n) + value**2 / (2 * (n - 1)))
    return Estimate(value, value - half, value + half, CPK_METHOD)


@dataclass(frozen=True)
class _Sides:
    spread: Estimate | None
    lower: float | None
    upper: float | None
    worst: Estimate


def _indices(mean: float, sigma: float, spec: SpecLimits, n: int, alpha: float) -> _Sides:
    lower = (mean - spec.lsl) / (3 * sigma) if spec.lsl is not None else None
    upper = (spec.usl - mean) / (3 * sigma) if spec.usl is not None else None
    spread = None
    if spec.lsl is not None and spec.usl is not None:
        spread = _chi2_interval((spec.usl - spec.lsl) / (6 * sigma), n - 1, alpha, CP_METHOD)
    worst = min(side for side in (lower, upper) if side is not None)
    return _Sides(spread, lower, upper, _bissell(worst, n, alpha))


def _expected(mean: float, sigma: float, spec: SpecLimits) -> OutOfSpec:
    below = 1e6 * float(special.ndtr((spec.lsl - mean) / sigma)) if spec.lsl is not None else None
    above = 1e6 * float(special.ndtr(-((spec.usl - mean) / sigma))) if spec.usl is not None else None
    return OutOfSpec(below, above)


def _values(column: pd.Series) -> np.ndarray:
    """The numbers in ``column`` (text that is not a number and missing values dropped)."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fiub":
        values = column.to_numpy(dtype=float)
        return values[~np.isnan(values)]
    return pd.to_numeric(column, errors="coerce").dropna().to_numpy(dtype=float)


def _refusal(spec: SpecLimits, n: int, minimum: int) -> str | None:
    if spec.lsl is None and spec.usl is None:
        return "No specification limits: give LSL and/or USL from the drawing or contract (they are never taken from the data)."
    if spec.lsl is not None and spec.usl is not None and spec.lsl >= spec.usl:
        return f"LSL ({spec.lsl:g}) must be below USL ({spec.usl:g})."
    if n < minimum:
        return f"Only {n} measurements: capability needs at least {minimum} to give a usable confidence interval."
    return None


def capability(
    measurements: pd.DataFrame,
    spec: SpecLimits,
    *,
    sigma_method: Literal["range", "std"] = "range",
    confidence: float = 0.95,
    min_observations: int = MIN_OBSERVATIONS,
    stability_rules: Sequence[RunRule] = LIMITS_ONLY,
    normality_alpha: float = 0.05,
) -> Capability:
    """Capability of a stable process against its specification, or a refusal that says why.

    Input: one row per measurement with ``subgroup_id`` and ``value`` (the unit of the spec
    limits), optional ``measured_at``; the rows passed are the study (pass a stable period).
    σ_within comes from the study's own control chart: R̄/d2 (``sigma_method="range"``) or
    s̄/c4 (``"std"``) for subgroups, MR̄/1.128 for single values; μ = mean of all values;
    σ_overall = their standard deviation (ddof = 1), used only for Pp/Ppk, never for limits.

    Refuses (``refused`` is a sentence, no exception) when no spec limit is given, LSL ≥ USL,
    fewer than ``min_observations`` values (default 50), or the study's chart shows any
    ``stability_rules`` signal (default: a point beyond the 3σ limits on either chart).
    Cp and Pp need both limits; Cpk and Ppk use the sides given; Cpm needs both limits and a
    target. Intervals at ``confidence``: Cp, Pp by chi-square (Chou, Owen & Borrego 1990);
    Cpk, Ppk by Bissell's (1990) normal approximation; Cpm by Boyles' (1991) chi-square with
    ν = n(1 + a²)²/(1 + 2a²). Expected PPM from the normal model with σ_within and σ_overall;
    observed PPM from the values. Normality by Anderson–Darling (scipy); a rejection adds a note.
    Sources: Montgomery, *Introduction to SQC*, 7th ed., ch. 8; AIAG *SPC* manual, 2nd ed.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    if not 0.01 <= normality_alpha <= 0.15:
        raise ValueError("normality_alpha must lie in [0.01, 0.15], the range of Stephens' table")
    if "value" not in measurements.columns:
        raise SpcDataError("capability needs one row per measurement with a value column")
    values = _values(measurements["value"])
    n = len(values)
    refused = _refusal(spec, n, min_observations)
    if refused:
        return Capability(refused, n, spec, confidence)
    table = subgroup_table(measurements)
    study = (Baseline(start=table.keys[0], reason="capability study"),)
    try:
        charts = stability(table, sigma_method, study, stability_rules)
    except SpcDataError as error:
        return Capability(str(error), n, spec, confidence)
    if charts.violations:
        return Capability(
            f"The process is not in statistical control ({len(charts.violations)} signal(s); first: "
            f"{charts.violations[0].message}). Remove the assignable causes and study a stable period.",
            n,
            spec,
            confidence,
        )
    alpha, mean = 1 - confidence, float(values.mean())
    within, overall = charts.limits[-1].sigma, float(values.std(ddof=1))
    cap, perf = _indices(mean, within, spec, n, alpha), _indices(mean, overall, spec, n, alpha)
    cpm = None
    if spec.target is not None and cap.spread is not None:
        offset = (mean - spec.target) / within
        dof = n * (1 + offset**2) ** 2 / (1 + 2 * offset**2)
        cpm = _chi2_interval(cap.spread.value / math.sqrt(1 + offset**2), dof, alpha, CPM_METHOD)
    test = stats.anderson(values, "norm", method="interpolate")
    normality = Normality(float(test.statistic), float(test.pvalue), normality_alpha, bool(test.pvalue < normality_alpha))
    notes: tuple[str, ...] = ()
    if normality.rejected:
        notes = (
            f"Anderson–Darling rejects normality (p = {normality.p_value:.2g}): "
            "the indices and expected PPM assume a normal distribution.",
        )
    return Capability(
        refused=None,
        n=n,
        spec=spec,
        confidence=confidence,
        mean=mean,
        sigma_within=within,
        sigma_within_method=charts.limits[-1].sigma_method,
        sigma_overall=overall,
        cp=cap.spread,
        cpl=cap.lower,
        cpu=cap.upper,
        cpk=cap.worst,
        cpm=cpm,
        pp=perf.spread,
        ppl=perf.lower,
        ppu=perf.upper,
        ppk=perf.worst,
        expected_within=_expected(mean, within, spec),
        expected_overall=_expected(mean, overall, spec),
        observed=OutOfSpec(
            1e6 * float((values < spec.lsl).mean()) if spec.lsl is not None else None,
            1e6 * float((values > spec.usl).mean()) if spec.usl is not None else None,
        ),
        normality=normality,
        notes=notes,
    )
