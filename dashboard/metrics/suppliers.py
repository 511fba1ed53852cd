"""Supplier quality: PPM intervals, funnel limits, shrunk PPM, scores, grades and ranks. Pure functions.

Supplier quality engineers rank suppliers every month. Ranked on raw PPM, the worst list is led
by noise: a supplier with two lots and one reject out-ranks a large supplier that is really
getting worse. This module ranks fairly and states its uncertainty:

- :func:`ppm_interval` (exact Clopper-Pearson) and :func:`wilson_interval` say how sure a PPM is;
- :func:`funnel_limits` / :func:`funnel_curve` draw the funnel plot of PPM against volume;
- :func:`shrunk_ppm` pulls every supplier's PPM toward the pooled rate, the more the less data it
  has (empirical-Bayes beta-binomial posterior mean); it is what scores and worst lists use;
- :func:`enough_data` flags volumes too small for a PPM to mean anything on its own;
- :func:`composite_score`, :func:`rank_suppliers`, :func:`worst_by_ppm`, :func:`grade_change`
  and :func:`scorecard` build the monthly scorecard from the per-supplier SQL aggregates.

Decisions (applied the same way everywhere in this module):

- Rates are fractions (0.001) in arguments such as ``pooled_rate`` and PPM (1,000) in results.
- A rate whose volume is zero or missing is undefined: NaN, never 0 (which would read as perfect).
- A missing (NaN) count in an aggregate means "none recorded" and counts as 0, as in
  :mod:`dashboard.metrics.defects`; a negative count, or more rejected than received, is a data
  error and raises :class:`SupplierDataError`, whose message names the supplier when it can.
- Every function is vectorised over the suppliers; orders are deterministic (ties by supplier id).

Sources: C. J. Clopper & E. S. Pearson, "The use of confidence or fiducial limits illustrated in
the case of the binomial", Biometrika 26 (1934) 404-413; L. D. Brown, T. T. Cai & A. DasGupta,
"Interval estimation for a binomial proportion", Statistical Science 16(2) (2001) 101-133 (they
recommend Wilson's interval; the exact interval is the conservative reference); E. B. Wilson,
"Probable inference, the law of succession, and statistical inference", JASA 22 (1927) 209-212;
D. J. Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in
Medicine 24 (2005) 1185-1202; B. Efron & C. Morris, "Data analysis using Stein's estimator and
its generalizations", JASA 70 (1975) 311-319; G. Casella, "An introduction to empirical Bayes
data analysis", The American Statistician 39(2) (1985) 83-87; J. C. Kleinman, "Proportions with
extraneous variance: single and independent samples", JASA 68 (1973) 46-54; J. A. Hanley &
A. Lippman-Hand, "If nothing goes wrong, is everything all right?", JAMA 249 (1983) 1743-1745
(the rule of three). The tests cite the published interval values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist
from scipy.stats import norm

from dashboard.errors import DashboardError

PPM = 1e6
SCORE_KEYS = ("quality", "delivery", "responsiveness", "audit")
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"quality": 0.40, "delivery": 0.30, "responsiveness": 0.15, "audit": 0.15}
)
DEFAULT_PPM_CEILING = 10_000.0
# Grade boundaries on the 0-100 score, best first: a score at a boundary gets the better grade.
GRADES = (("A", 85.0), ("B", 70.0), ("C", 55.0))
LOWEST_GRADE = "D"
# Responsiveness points lost per overdue and per open SCAR.
OVERDUE_SCAR_PENALTY = 20.0
OPEN_SCAR_PENALTY = 5.0
FUNNEL_Z = (1.959964, 3.090232)  # two-sided 95 % and 99.8 %, Spiegelhalter's "2 and 3 SD"

LOT_MEASURES = ("lots", "units_received", "units_rejected", "lots_rejected", "lots_on_time", "chargeback_eur")
SCAR_MEASURES = ("scars_opened", "scars_open", "scars_overdue", "scars_closed", "days_to_close_sum")
AUDIT_COLUMNS = ("audit_date", "score_pct", "finding_count")
SUPPLIER_COLUMNS = ("supplier_name", "commodity", "country")
SCORE_COLUMNS = ("quality_score", "delivery_score", "responsiveness_score", "audit_score", "score", "grade")
COMPOSITE_INPUT = ("supplier_id", "shrunk_ppm", "lots", "lots_on_time", "scars_open", "scars_overdue", "audit_score")
SCORECARD_COLUMNS = (
    "supplier_id",
    *SUPPLIER_COLUMNS,
    *LOT_MEASURES,
    "ppm",
    "ppm_low",
    "ppm_high",
    "shrunk_ppm",
    "enough_data",
    "lot_acceptance_pct",
    "otd_pct",
    *SCAR_MEASURES,
    "mean_days_to_close",
    "audit_date",
    "finding_count",
    *SCORE_COLUMNS,
    "rank",
    "prev_ppm",
    "prev_shrunk_ppm",
    "prev_score",
    "prev_grade",
    "prev_rank",
    "grade_change",
    "score_change",
)


class SupplierDataError(DashboardError, ValueError):
    """Supplier data that cannot be scored as given; the message says which supplier and why."""


class ScoreConfigError(DashboardError, ValueError):
    """Scorecard weights or PPM ceiling that make no sense; the message says which and why."""


# --- Helpers ------------------------------------------------------------------------------------


def _floats(values: object) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return values.astype("float64")  # already numbers: no pandas round trip (a copy, as that is)
    return np.asarray(pd.to_numeric(pd.Series(np.ravel(values))), dtype="float64").reshape(np.shape(values))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise numerator / denominator; NaN where either is missing or the denominator is 0."""
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, float), np.asarray(denominator, float))
    defined = np.isfinite(numerator) & np.isfinite(denominator) & (denominator != 0)
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=defined)
    return out


def _who(ids: object, position: int) -> str:
    if ids is None:
        return f"row {position + 1}"
    return f"supplier {np.asarray(ids, dtype=object).ravel()[position]}"


def _check_counts(rejected: np.ndarray, received: np.ndarray, ids: object = None) -> None:
    """Raise :class:`SupplierDataError` for negative counts or more rejected than received."""
    for name, values in (("Units rejected", rejected), ("Units received", received)):
        negative = np.flatnonzero(np.ravel(values < 0))
        if negative.size:
            first = int(negative[0])
            raise SupplierDataError(
                f"{name} cannot be negative, but {_who(ids, first)} has {np.ravel(values)[first]:g}. "
                "Check the source data for corrections booked as negative quantities."
            )
    too_many = np.flatnonzero(np.ravel(rejected > received))
    if too_many.size:
        first = int(too_many[0])
        raise SupplierDataError(
            f"{_who(ids, first)} has {np.ravel(rejected)[first]:g} units rejected but only "
            f"{np.ravel(received)[first]:g} received. Check that rejects are booked against the right receipts."
        )


def _counts_pair(rejected: object, received: object, ids: object = None) -> tuple[np.ndarray, np.ndarray]:
    k, n = np.broadcast_arrays(_floats(rejected), _floats(received))
    k, n = k.astype("float64"), n.astype("float64")
    with np.errstate(invalid="ignore"):
        _check_counts(k, n, ids)
    return k, n


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level is a confidence level in (0, 1), got {level}")


# --- Intervals ----------------------------------------------------------------------------------


def ppm_interval(rejected: object, received: object, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) two-sided confidence interval of the PPM, element-wise.

    For k rejected of n received the limits are the beta quantiles
    ``B(a/2; k, n - k + 1)`` and ``B(1 - a/2; k + 1, n - k)`` with ``a = 1 - level``
    (Clopper & Pearson, 1934), times 10^6. With 0 rejects the lower limit is 0 and with
    everything rejected the upper limit is 10^6; for 0 of n the upper limit is ``1 - (a/2)^(1/n)``
    (about 3.7/n at 95 %; at ``level=0.90`` it is the one-sided 95 % bound, about 3/n: the "rule of
    three"). The interval is conservative: its
    coverage is at least ``level`` for every true rate (Brown, Cai & DasGupta, 2001).

    Returns ``(low_ppm, high_ppm)`` as float arrays of the broadcast shape (NumPy scalars for
    scalar inputs); NaN where the received
    count is 0 or missing (or the reject count is missing). Negative counts and more rejected than
    received raise :class:`SupplierDataError`.
    """
    _check_level(level)
    k, n = _counts_pair(rejected, received)
    tail = (1.0 - level) / 2.0
    valid = np.isfinite(k) & np.isfinite(n) & (n > 0)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    some = valid & (k > 0)
    low[valid & (k == 0)] = 0.0
    low[some] = beta_dist.ppf(tail, k[some], n[some] - k[some] + 1.0)
    below_all = valid & (k < n)
    high[valid & (k == n)] = 1.0
    high[below_all] = beta_dist.ppf(1.0 - tail, k[below_all] + 1.0, n[below_all] - k[below_all])
    return low * PPM, high * PPM


def wilson_interval(rejected: object, received: object, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the PPM, element-wise (Wilson, 1927).

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = k/n`` and ``z`` the
    two-sided normal quantile of ``level``; Brown, Cai & DasGupta (2001) recommend it for small n.
    Narrower than :func:`ppm_interval` and not guaranteed to cover, so the scorecard shows the exact
    interval. Same shape, NaN and error rules as :func:`ppm_interval`; limits clipped to [0, 10^6].
    """
    _check_level(level)
    k, n = _counts_pair(rejected, received)
    z = float(norm.ppf(1.0 - (1.0 - level) / 2.0))
    p = _ratio(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    low = np.clip(centre - half, 0.0, 1.0)
    high = np.clip(centre + half, 0.0, 1.0)
    # At p = 0 (p = 1) the lower (upper) limit is 0 (1) exactly; do not leave float dust there.
    low = np.where(k == 0, 0.0, low)
    high = np.where(k == n, 1.0, high)
    undefined = ~np.isfinite(p)
    low[undefined] = np.nan
    high[undefined] = np.nan
    return low * PPM, high * PPM


# --- Funnel plot --------------------------------------------------------------------------------


def _coverage_label(z: float) -> str:
    """1.959964 -> '95', 3.090232 -> '998' (two-sided coverage in %, the decimal point dropped)."""
    return f"{100.0 * (2.0 * float(norm.cdf(z)) - 1.0):.4g}".replace(".", "")


def funnel_limits(pooled_rate: float, received: object, z: tuple[float, ...] = FUNNEL_Z) -> pd.DataFrame:
    """Funnel-plot control limits of the PPM at each volume (Spiegelhalter, 2005).

    ``pooled_rate`` is the target as a fraction (total rejected / total received over all
    suppliers, for example 0.001 for 1,000 PPM); ``received`` the volumes. For each ``z`` the
    limits are ``p ± z·sqrt(p(1-p)/n)`` in PPM, the normal approximation to the binomial that
    Spiegelhalter gives next to exact limits; by default two-sided 95 % (z = 1.96, "2 SD") and
    99.8 % (z = 3.09, "3 SD"). A supplier outside the 99.8 % funnel is very unlikely to sit at
    the pooled rate. The approximation is poor where ``n·p`` is small: there the lower limit falls
    below 0 and is clipped to 0 (and an upper limit above 10^6 to 10^6), so at small volumes only
    the upper limit means something; :func:`enough_data` marks those volumes.

    Returns a frame with one row per volume: ``units`` (the volume), ``pooled_ppm`` and, per z,
    ``lower<c>`` and ``upper<c>`` in PPM, where ``<c>`` is the coverage in % without its decimal
    point: ``lower95``, ``upper95``, ``lower998``, ``upper998`` by default (the columns
    :mod:`dashboard.figures.suppliers` draws). Limits are NaN where the volume is 0 or missing or
    the pooled rate is NaN.
    """
    if not (math.isnan(pooled_rate) or 0.0 <= pooled_rate <= 1.0):
        raise ValueError(f"pooled_rate is a fraction in [0, 1] (not PPM), got {pooled_rate}")
    labels = [_coverage_label(value) for value in z]
    if len(set(labels)) != len(labels) or any(value <= 0 for value in z):
        raise ValueError(f"z needs distinct positive values, got {z}")
    n = np.atleast_1d(_floats(received)).astype("float64")
    with np.errstate(invalid="ignore"):
        if (n < 0).any():
            raise SupplierDataError("Units received cannot be negative in a funnel plot.")
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(pooled_rate * (1.0 - pooled_rate) / n)
    sd = np.where(np.isfinite(n) & (n > 0), sd, np.nan)
    result = pd.DataFrame({"units": n, "pooled_ppm": np.where(np.isnan(sd), np.nan, pooled_rate * PPM)})
    for value, label in zip(z, labels, strict=True):
        result[f"lower{label}"] = np.clip(pooled_rate - value * sd, 0.0, 1.0) * PPM
        result[f"upper{label}"] = np.clip(pooled_rate + value * sd, 0.0, 1.0) * PPM
    return result


def funnel_curve(
    pooled_rate: float, n_min: float, n_max: float, points: int = 60, z: tuple[float, ...] = FUNNEL_Z
) -> pd.DataFrame:
    """:func:`funnel_limits` on ``points`` log-spaced volumes from ``n_min`` to ``n_max``, for drawing.

    Volumes on a plant's suppliers span orders of magnitude, so the grid is geometric (as the
    funnel is usually drawn on a log volume axis). ``ValueError`` unless 0 < n_min <= n_max and
    points >= 2.
    """
    if not (0 < n_min <= n_max) or not math.isfinite(n_max):
        raise ValueError(f"a funnel needs 0 < n_min <= n_max, got {n_min} and {n_max}")
    if points < 2:
        raise ValueError(f"a funnel curve needs at least 2 points, got {points}")
    return funnel_limits(pooled_rate, np.geomspace(n_min, n_max, points), z=z)


# --- Shrinkage and data sufficiency -------------------------------------------------------------


def shrunk_ppm(rejected: object, received: object) -> tuple[np.ndarray, float, float]:
    """Empirical-Bayes PPM: the beta-binomial posterior mean ``(k + α) / (n + α + β)`` per supplier.

    Each supplier's true reject rate is taken as drawn from a Beta(α, β) across suppliers, and its
    k rejects of n as binomial given that rate. The posterior mean is a weighted average of the
    supplier's own rate k/n and the pooled rate, with weight ``n / (n + α + β)`` on its own data:
    a supplier with little volume is pulled toward the pooled rate, one with much volume keeps its
    own (Efron & Morris, 1975; Casella, 1985). Suppliers are then compared on what the data say
    about them rather than on noise.

    α and β are fitted by the method of moments on the suppliers with volume (n > 0), weighting
    each rate by its volume (after Kleinman, 1973). With m such suppliers, N = Σn,
    p̄ = Σk / N (the pooled rate) and ρ = 1 / (α + β + 1) the intra-supplier correlation,

        E[Σ n·(k/n - p̄)²] = p̄(1 - p̄) · [(m - 1) + ρ·(N - Σn²/N - (m - 1))],

    which is solved for ρ; then α + β = 1/ρ - 1, α = p̄(α + β), β = (1 - p̄)(α + β).

    - When the spread between suppliers is not larger than binomial noise alone explains
      (ρ ≤ 0), or cannot be estimated (fewer than two suppliers with volume, or p̄ is 0 or 1),
      every difference is consistent with noise: the prior gets infinite weight, α = β = inf, and
      every supplier's shrunk PPM is the pooled PPM (the positive-part rule of Efron & Morris,
      which shrinks completely when the spread is below its expectation). A "tiny prior" (no
      shrinkage) would instead hand the ranking back to the noise this function exists to remove.
    - When ρ ≥ 1 (spread beyond any binomial mixture) α = β = 0 and the raw rate is kept.

    Returns ``(ppm, alpha, beta)``: ``ppm`` is a float array (NaN where the volume is 0 or missing
    — no data, no rate), ``alpha``/``beta`` the fitted prior as floats. Negative counts or more
    rejected than received raise :class:`SupplierDataError`.
    """
    k, n = _counts_pair(rejected, received)
    k, n = np.atleast_1d(k), np.atleast_1d(n)
    used = np.isfinite(k) & np.isfinite(n) & (n > 0)
    ks, ns = k[used], n[used]
    m = int(used.sum())
    total = float(ns.sum())
    pooled = float(ks.sum()) / total if total > 0 else math.nan
    alpha = beta = math.inf
    if m >= 2 and 0.0 < pooled < 1.0:
        spread = float(np.sum(ns * (ks / ns - pooled) ** 2)) / (pooled * (1.0 - pooled))
        scale = total - float(np.sum(ns * ns)) / total - (m - 1)
        rho = (spread - (m - 1)) / scale if scale > 0 else 0.0
        if rho >= 1.0:
            alpha = beta = 0.0
        elif rho > 0.0:
            strength = 1.0 / rho - 1.0
            alpha, beta = pooled * strength, (1.0 - pooled) * strength
    out = np.full(k.shape, np.nan)
    if math.isinf(alpha):
        out[used] = pooled
    else:
        out[used] = (ks + alpha) / (ns + alpha + beta)
    return out * PPM, alpha, beta


def enough_data(received: object, pooled_rate: float, min_expected: float = 3.0) -> np.ndarray:
    """True where the rejects expected at the pooled rate, ``n·p̄``, reach ``min_expected``.

    The rule of three (Hanley & Lippman-Hand, 1983): after 0 rejects in n, the one-sided 95 %
    upper limit of the rate is about 3/n. So below 3 expected rejects, 0 rejects is not evidence that a
    supplier is better than the pool (its upper limit is still above p̄), and 1 or 2 rejects are
    not evidence that it is worse (they are quite likely at the pooled rate). The flag does not
    change the score — :func:`shrunk_ppm` already discounts small volumes — it tells the reader
    that the PPM of that supplier is mostly the pool's. False where the volume or the pooled rate
    is missing, and everywhere when the pooled rate is 0 (nothing then separates suppliers).
    """
    n = _floats(received)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.isfinite(n) & (n * pooled_rate >= min_expected), dtype=bool)


# --- Scores, grades and ranks -------------------------------------------------------------------


def _validate(weights: Mapping[str, float], ppm_ceiling: float) -> dict[str, float]:
    unknown = sorted(set(weights) - set(SCORE_KEYS))
    if unknown:
        raise ScoreConfigError(f"Unknown score weight {', '.join(map(repr, unknown))}; the weights are {', '.join(SCORE_KEYS)}.")
    clean = {key: float(weights.get(key, 0.0)) for key in SCORE_KEYS}
    bad = [key for key, value in clean.items() if not math.isfinite(value) or value < 0]
    if bad:
        raise ScoreConfigError(f"The {bad[0]} weight must be a non-negative number, got {weights[bad[0]]!r}.")
    if sum(clean.values()) <= 0:
        raise ScoreConfigError("At least one score weight must be above 0; all are 0.")
    if not (isinstance(ppm_ceiling, int | float) and math.isfinite(ppm_ceiling) and ppm_ceiling > 0):
        raise ScoreConfigError(f"The PPM ceiling must be a positive number of PPM, got {ppm_ceiling!r}.")
    return clean


def _numeric(values: pd.Series) -> np.ndarray:
    """A column as float64 by ``pd.to_numeric``'s rules (a plain NumPy number column converts directly)."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf":
        return values.to_numpy(dtype="float64", copy=True)
    return pd.to_numeric(values).astype("float64").to_numpy()


def _column(frame: pd.DataFrame, column: str) -> np.ndarray:
    return _numeric(frame[column])


def _grades(score: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        conditions = [score >= bound for _, bound in GRADES]
    grades = np.select(conditions, [grade for grade, _ in GRADES], default=LOWEST_GRADE).astype(object)
    grades[np.isnan(score)] = None
    return grades


def composite_score(
    frame: pd.DataFrame,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    ppm_ceiling: float = DEFAULT_PPM_CEILING,
) -> pd.DataFrame:
    """Sub-scores (0-100), the weighted score and the grade per supplier.

    ``frame`` has the columns ``supplier_id``, ``shrunk_ppm``, ``lots``, ``lots_on_time``,
    ``scars_open``, ``scars_overdue`` and ``audit_score`` (NaN allowed). The result keeps
    ``frame``'s index and has ``supplier_id`` and:

    - ``quality_score`` = 100 × max(0, 1 - shrunk_ppm / ppm_ceiling): 100 at 0 PPM, 0 at or above
      the ceiling (10,000 PPM by default), linear between. The shrunk PPM is used so that a small
      supplier's score is not decided by one lot.
    - ``delivery_score`` = on-time delivery, lots on time / lots × 100 (NaN without lots).
    - ``responsiveness_score`` = max(0, 100 - 20 × overdue SCARs - 5 × open SCARs); 100 with no
      SCARs (missing counts are 0). The counts are used as given: an overdue SCAR is usually also
      open, so it costs 25 points in all — 5 for being open and 20 for being late.
    - ``audit_score`` = the latest audit score in %, NaN when the supplier was never audited.
    - ``score`` = the weighted mean of the sub-scores that exist. A missing sub-score does not
      count as 0 (an un-audited supplier is not a failed one): its weight is redistributed over
      the others in proportion to their weights, i.e. Σ wᵢ·sᵢ / Σ wᵢ over the available ones.
      NaN when no weighted sub-score exists.
    - ``grade`` = A (score ≥ 85), B (≥ 70), C (≥ 55) or D; None without a score.

    ``weights`` maps quality, delivery, responsiveness and audit to non-negative numbers (a key
    left out weighs 0; they need not sum to 1); an unknown key, a negative weight, all zeros or a
    non-positive ``ppm_ceiling`` raise :class:`ScoreConfigError`.
    """
    clean = _validate(weights, ppm_ceiling)
    missing = [c for c in COMPOSITE_INPUT if c not in frame.columns]
    if missing:
        raise ValueError(f"composite_score needs columns {missing}; got {list(frame.columns)}")
    columns = {column: _column(frame, column) for column in COMPOSITE_INPUT[1:]}
    parts = _composite(frame["supplier_id"], columns, clean, ppm_ceiling)
    result = pd.DataFrame({"supplier_id": frame["supplier_id"].to_numpy()}, index=frame.index)
    for key in SCORE_KEYS:
        result[f"{key}_score"] = parts[f"{key}_score"]
    result["score"] = parts["score"]
    result["grade"] = pd.Series(parts["grade"], index=frame.index, dtype=object)
    return result


def _composite(ids: object, columns: Mapping[str, np.ndarray], clean: Mapping[str, float], ppm_ceiling: float) -> dict:
    """:func:`composite_score` on float arrays (``columns``: its input columns but the ids, whose
    values name a supplier in errors): the sub-scores, ``score`` and ``grade`` (an object array)."""
    shrunk = columns["shrunk_ppm"]
    lots = np.nan_to_num(columns["lots"], nan=0.0)
    on_time = np.nan_to_num(columns["lots_on_time"], nan=0.0)
    open_scars = np.nan_to_num(columns["scars_open"], nan=0.0)
    overdue = np.nan_to_num(columns["scars_overdue"], nan=0.0)
    audit = columns["audit_score"]
    for name, values in (("Lots", lots), ("Lots on time", on_time), ("Open SCARs", open_scars), ("Overdue SCARs", overdue)):
        negative = np.flatnonzero(values < 0)
        if negative.size:
            raise SupplierDataError(
                f"{name} cannot be negative, but {_who(ids, int(negative[0]))} has "
                f"{values[negative[0]]:g}. Check the source data."
            )
    late = np.flatnonzero(on_time > lots)
    if late.size:
        raise SupplierDataError(
            f"{_who(ids, int(late[0]))} has {on_time[late[0]]:g} lots on time but only "
            f"{lots[late[0]]:g} lots. Check the delivery data."
        )
    subscores = {
        "quality": 100.0 * np.maximum(0.0, 1.0 - shrunk / ppm_ceiling),
        "delivery": 100.0 * _ratio(on_time, lots),
        "responsiveness": np.maximum(0.0, 100.0 - OVERDUE_SCAR_PENALTY * overdue - OPEN_SCAR_PENALTY * open_scars),
        "audit": audit,
    }
    rows = len(shrunk)
    values = np.column_stack([subscores[key] for key in SCORE_KEYS]) if rows else np.empty((0, len(SCORE_KEYS)))
    w = np.array([clean[key] for key in SCORE_KEYS])
    available = np.isfinite(values) & (w > 0)
    weight_sum = (available * w).sum(axis=1)
    weighted = np.where(available, values * w, 0.0).sum(axis=1)
    score = _ratio(weighted, weight_sum)
    parts = {f"{key}_score": subscores[key] for key in SCORE_KEYS}
    parts["score"] = score
    parts["grade"] = _grades(score)
    return parts


def rank_suppliers(frame: pd.DataFrame) -> pd.Series:
    """Rank per supplier, 1 = best: highest ``score``, ties by lower ``shrunk_ppm``, then ``supplier_id``.

    All suppliers are ranked the same way, including those without :func:`enough_data`: the
    score already rests on the shrunk PPM, which pulls small suppliers toward the pooled rate, so
    putting them in a separate tier would count the same uncertainty twice. The worst list of
    quality is :func:`worst_by_ppm`. A supplier without a score gets no rank (<NA>). Returns a
    nullable ``Int64`` Series named ``rank`` aligned with ``frame``'s index.
    """
    for column in ("supplier_id", "score", "shrunk_ppm"):
        if column not in frame.columns:
            raise ValueError(f"rank_suppliers needs a {column!r} column; got {list(frame.columns)}")
    positions = _rank_order(_column(frame, "score"), _column(frame, "shrunk_ppm"), frame["supplier_id"].tolist())
    ranks = pd.array([pd.NA] * len(frame), dtype="Int64")
    ranks[positions] = np.arange(1, len(positions) + 1)
    return pd.Series(ranks, index=frame.index, name="rank")


def _absent(value: object) -> bool:
    """None or a NaN/NaT/NA (a string, even empty, is a value)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _missing_last(value: object) -> tuple[bool, object]:
    """A sort key that puts a missing value (None, NaN) after every other, as pandas' ``na_position="last"``."""
    return (True, 0) if _absent(value) else (False, value)


def _rank_order(score: np.ndarray, shrunk: np.ndarray, ids: list) -> np.ndarray:
    """The positions of the rows with a score, best first: highest ``score``, then lowest
    ``shrunk`` (missing last), then ``ids``; ties keep their order (a stable sort)."""
    scored = np.flatnonzero(~np.isnan(score)).tolist()
    negative, shrunk_values = (-score).tolist(), shrunk.tolist()
    scored.sort(key=lambda i: (negative[i], _missing_last(shrunk_values[i]), _missing_last(ids[i])))
    return np.array(scored, dtype=np.intp)


def worst_by_ppm(frame: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` suppliers with the highest shrunk PPM, worst first (ties by ``supplier_id``).

    This is the "worst suppliers" list of quality. Ranked on the shrunk PPM it is led by suppliers
    that are bad on the evidence: a large supplier that is degrading rather than a tiny one with
    one unlucky lot (which still appears, lower down, if its rejects are real evidence). Rows
    without a shrunk PPM are left out; all columns of ``frame`` are kept, index reset.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    for column in ("supplier_id", "shrunk_ppm"):
        if column not in frame.columns:
            raise ValueError(f"worst_by_ppm needs a {column!r} column; got {list(frame.columns)}")
    values = _column(frame, "shrunk_ppm")
    negative, ids = (-values).tolist(), frame["supplier_id"].tolist()
    positions = sorted(np.flatnonzero(np.isfinite(values)).tolist(), key=lambda i: (negative[i], _missing_last(ids[i])))
    return frame.iloc[positions[:n]].reset_index(drop=True)


def _is_missing(value: object) -> bool:
    return _absent(value) or value == ""


def grade_change(current_grade: object, previous_grade: object) -> str:
    """'B → C' when the grade changed, '' when it did not or either grade is missing (None, NaN, '')."""
    if _is_missing(current_grade) or _is_missing(previous_grade) or current_grade == previous_grade:
        return ""
    return f"{previous_grade} → {current_grade}"


# --- Scorecard ----------------------------------------------------------------------------------


def _inputs(frame: pd.DataFrame, columns: tuple[str, ...], numeric: tuple[str, ...], name: str) -> dict[str, object]:
    """``frame``'s ``columns``, ``numeric`` ones as float arrays and the others as Series (index
    reset); an empty frame may lack them (then all missing)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing and not frame.empty:
        raise ValueError(f"{name} frame lacks columns {missing}; got {list(frame.columns)}")
    rows = len(frame)
    out: dict[str, object] = {}
    for column in columns:
        if column in numeric:
            out[column] = np.full(rows, np.nan) if column in missing else _numeric(frame[column])
        elif column in missing:
            out[column] = pd.Series(np.full(rows, np.nan, dtype=object), dtype=object)
        else:
            out[column] = frame[column].reset_index(drop=True)
    return out


def _take(values: pd.Series, positions: np.ndarray) -> pd.Series:
    """``values`` at ``positions``, missing where a position is -1 (as a merge fills: NaN, NaT…), same dtype."""
    source = values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
    taken = pd.api.extensions.take(source, positions, allow_fill=True)
    return pd.Series(taken, dtype=object) if values.dtype == object else pd.Series(taken)


def _floats_at(values: np.ndarray, positions: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """``values`` at ``positions``, ``fill`` where a position is -1."""
    out = values[positions] if len(values) else np.zeros(len(positions))
    return np.where(positions >= 0, out, fill)


def _groups(keys: list[tuple]) -> tuple[list[tuple], np.ndarray]:
    """The distinct ``keys`` sorted (pandas' ``groupby(sort=True)`` order) and each row's group,
    -1 where a key part is missing (groupby drops those rows)."""
    valid = [not any(_missing_last(part)[0] for part in key) for key in keys]
    distinct = sorted({key for key, ok in zip(keys, valid, strict=True) if ok})
    code = {key: i for i, key in enumerate(distinct)}
    return distinct, np.array([code[key] if ok else -1 for key, ok in zip(keys, valid, strict=True)], dtype=np.intp)


def _group_sums(codes: np.ndarray, groups: int, columns: list[np.ndarray]) -> list[np.ndarray]:
    """Per group, the sum of each column's non-missing values (0 without any); rows whose
    group is -1 are left out."""
    valid = codes >= 0
    out = []
    for values in columns:
        keep = valid & ~np.isnan(values)
        out.append(np.bincount(codes[keep], weights=values[keep], minlength=groups).astype("float64"))
    return out


def _latest_audits(audits: dict[str, object]) -> dict[object, int]:
    """Per audited supplier, the row of its latest audit with a score (ties: the last row given;
    an audit without a date counts as the latest, as a sort puts missing dates last)."""
    latest: dict[object, tuple[tuple[bool, object], int]] = {}
    scored = ~np.isnan(audits["score_pct"])
    dates = audits["audit_date"].tolist()
    for row, supplier in enumerate(audits["supplier_id"].tolist()):
        if not scored[row] or _missing_last(supplier)[0]:
            continue
        key = _missing_last(dates[row])
        best = latest.get(supplier)
        if best is None or not key < best[0]:
            latest[supplier] = (key, row)
    return {supplier: row for supplier, (_, row) in latest.items()}


def _period(
    columns: Mapping[str, np.ndarray],
    ids: list,
    clean: dict[str, float],
    ppm_ceiling: float,
    level: float,
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Metrics, scores and ranks of one period's suppliers: ``columns`` holds their lot and SCAR
    sums and latest audit score, one row per supplier (``ids``)."""
    k, n, lots_n = columns["units_rejected"], columns["units_received"], columns["lots"]
    table: dict[str, np.ndarray] = {"ppm": PPM * _ratio(k, n)}
    table["ppm_low"], table["ppm_high"] = ppm_interval(k, n, level)
    table["shrunk_ppm"], alpha, beta = shrunk_ppm(k, n)
    total = float(n.sum())
    pooled = float(k.sum()) / total if total > 0 else math.nan
    table["enough_data"] = enough_data(n, pooled)
    table["lot_acceptance_pct"] = 100.0 * _ratio(lots_n - columns["lots_rejected"], lots_n)
    table["otd_pct"] = 100.0 * _ratio(columns["lots_on_time"], lots_n)
    table["mean_days_to_close"] = _ratio(columns["days_to_close_sum"], columns["scars_closed"])
    inputs = {**columns, "shrunk_ppm": table["shrunk_ppm"]}
    table.update(_composite(ids, inputs, clean, ppm_ceiling))
    table["rank"] = np.full(len(ids), -1, dtype=np.intp)
    order = _rank_order(table["score"], table["shrunk_ppm"], ids)
    table["rank"][order] = np.arange(1, len(order) + 1)
    return table, {"pooled_ppm": pooled * PPM, "prior_alpha": alpha, "prior_beta": beta}


def _ints(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Ranks as a nullable ``Int64`` array, <NA> where -1."""
    return pd.arrays.IntegerArray(np.where(values < 0, 0, values).astype("int64"), values < 0)


def scorecard(
    lots: pd.DataFrame,
    scars: pd.DataFrame,
    audits: pd.DataFrame,
    suppliers: pd.DataFrame,
    *,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    ppm_ceiling: float = DEFAULT_PPM_CEILING,
    level: float = 0.95,
) -> pd.DataFrame:
    """The monthly supplier scorecard: one row per supplier with lots in the current period, best first.

    Inputs are the per-supplier SQL aggregates (an empty frame may lack columns):

    - ``lots``: ``supplier_id``, ``period`` ('current' or 'previous'), ``lots``,
      ``units_received``, ``units_rejected``, ``lots_rejected``, ``lots_on_time``,
      ``chargeback_eur`` (several rows of one supplier and period are summed);
    - ``scars``: ``supplier_id``, ``scars_opened``, ``scars_open``, ``scars_overdue``,
      ``scars_closed``, ``days_to_close_sum`` (a supplier without a row had no SCARs: 0);
    - ``audits``: ``supplier_id``, ``audit_date``, ``score_pct``, ``finding_count`` (one row per
      audit; the latest scored audit counts; a supplier without one has no audit score);
    - ``suppliers``: ``supplier_id``, ``supplier_name``, ``commodity``, ``country``.

    Each period is scored on its own population: the pooled rate and the shrinkage prior are
    fitted on the suppliers with lots in that period. The columns are :data:`SCORECARD_COLUMNS`:
    the lot measures; ``ppm`` (raw), ``ppm_low``/``ppm_high`` (exact interval at ``level``),
    ``shrunk_ppm``, ``enough_data``; ``lot_acceptance_pct`` (lots accepted / lots × 100),
    ``otd_pct`` (lots on time / lots × 100); the SCAR measures and ``mean_days_to_close``
    (days_to_close_sum / scars_closed); the latest ``audit_date`` and ``finding_count``; the
    sub-scores, ``score`` and ``grade`` of :func:`composite_score`; ``rank`` of
    :func:`rank_suppliers`; then ``prev_ppm``, ``prev_shrunk_ppm``, ``prev_score``,
    ``prev_grade``, ``prev_rank`` computed the same way on the previous period's lots (with the
    same SCAR and audit inputs, so a change in score comes from the lots), ``grade_change``
    ('B → C' or '') and ``score_change`` (score - prev_score, NaN without a previous score).

    Rows are sorted by rank (unranked last, by supplier id). ``attrs`` holds the current
    period's ``pooled_ppm``, ``prior_alpha`` and ``prior_beta`` (for a funnel plot). Negative
    counts or more rejected than received raise :class:`SupplierDataError`; bad weights raise
    :class:`ScoreConfigError`.
    """
    clean = _validate(weights, ppm_ceiling)
    _check_level(level)
    # Plain arrays and dictionaries rather than frame operations: the frames are a few hundred
    # rows at most, where each pandas call costs more than the arithmetic.
    lots = _inputs(lots, ("supplier_id", "period", *LOT_MEASURES), LOT_MEASURES, "lots")
    scars = _inputs(scars, ("supplier_id", *SCAR_MEASURES), SCAR_MEASURES, "scars")
    audits = _inputs(audits, ("supplier_id", *AUDIT_COLUMNS), ("score_pct", "finding_count"), "audits")
    suppliers = _inputs(suppliers, ("supplier_id", *SUPPLIER_COLUMNS), (), "suppliers")
    if suppliers["supplier_id"].duplicated().any():
        raise ValueError("scorecard needs one row per supplier_id in suppliers")

    # Lot sums per (supplier, period), sorted by both (missing measures count as 0).
    keys, codes = _groups(list(zip(lots["supplier_id"].tolist(), lots["period"].tolist(), strict=True)))
    measures = [np.where(np.isnan(lots[c]), 0.0, lots[c]) for c in LOT_MEASURES]
    sums = dict(zip(LOT_MEASURES, _group_sums(codes, len(keys), measures), strict=True))
    ids = [supplier for supplier, _ in keys]
    _check_counts(sums["units_rejected"], sums["units_received"], ids)
    for column in ("lots", "lots_rejected", "lots_on_time"):
        values = sums[column]
        bad = np.flatnonzero((values < 0) | ((values > sums["lots"]) & (column != "lots")))
        if bad.size:
            raise SupplierDataError(
                f"{_who(ids, int(bad[0]))} has {values[bad[0]]:g} {column.replace('_', ' ')} of "
                f"{sums['lots'][bad[0]]:g} lots. Check the source data."
            )
    first_row = np.zeros(len(keys), dtype=np.intp)  # a row of each group, whose supplier_id is the group's
    for row, code in enumerate(codes.tolist()):
        if code >= 0:
            first_row[code] = row

    # SCAR sums per supplier, the latest audit, the supplier's name: rows of each per supplier.
    scar_keys, scar_codes = _groups([(s,) for s in scars["supplier_id"].tolist()])
    scar_sums = dict(zip(SCAR_MEASURES, _group_sums(scar_codes, len(scar_keys), [scars[c] for c in SCAR_MEASURES]), strict=True))
    scar_of = {key[0]: i for i, key in enumerate(scar_keys)}
    audit_of = _latest_audits(audits)
    supplier_of = {s: i for i, s in enumerate(suppliers["supplier_id"].tolist()) if not _missing_last(s)[0]}

    def period(label: str) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, float]]:
        rows = np.array([i for i, (_, p) in enumerate(keys) if p == label and sums["lots"][i] > 0], dtype=np.intp)
        members = [ids[i] for i in rows.tolist()]
        scar_rows = np.array([scar_of.get(s, -1) for s in members], dtype=np.intp)
        columns = {c: sums[c][rows] for c in LOT_MEASURES}
        columns.update({c: _floats_at(scar_sums[c], scar_rows, 0.0) for c in SCAR_MEASURES})
        columns["audit_score"] = _floats_at(audits["score_pct"], np.array([audit_of.get(s, -1) for s in members], dtype=np.intp))
        table, info = _period(columns, members, clean, ppm_ceiling, level)
        return rows, {**columns, **table}, info

    rows, current, info = period("current")
    previous_rows, previous, _ = period("previous")
    members = [ids[i] for i in rows.tolist()]
    # Best first: by rank, the unranked last by supplier id (the rows are in supplier id order).
    order = np.array(sorted(range(len(members)), key=lambda i: (current["rank"][i] < 0, current["rank"][i])), dtype=np.intp)
    members = [members[i] for i in order.tolist()]
    previous_of = {ids[r]: i for i, r in enumerate(previous_rows.tolist())}
    before = np.array([previous_of.get(s, -1) for s in members], dtype=np.intp)
    audit_rows = np.array([audit_of.get(s, -1) for s in members], dtype=np.intp)
    supplier_rows = np.array([supplier_of.get(s, -1) for s in members], dtype=np.intp)

    data: dict[str, object] = {"supplier_id": _take(lots["supplier_id"], first_row[rows[order]])}
    data.update({c: _take(suppliers[c], supplier_rows) for c in SUPPLIER_COLUMNS})
    data.update({c: current[c][order] for c in (*LOT_MEASURES, "ppm", "ppm_low", "ppm_high", "shrunk_ppm", "enough_data")})
    data.update({c: current[c][order] for c in ("lot_acceptance_pct", "otd_pct", *SCAR_MEASURES, "mean_days_to_close")})
    data["audit_date"] = _take(audits["audit_date"], audit_rows)
    data["finding_count"] = _floats_at(audits["finding_count"], audit_rows)
    data.update({c: current[c][order] for c in SCORE_COLUMNS if c != "grade"})
    data["grade"] = pd.Series(current["grade"][order], dtype=object)
    data["rank"] = _ints(current["rank"][order])
    for column in ("ppm", "shrunk_ppm", "score"):
        data[f"prev_{column}"] = _floats_at(previous[column], before)
    prev_grade = [previous["grade"][i] if i >= 0 else None for i in before.tolist()]
    data["prev_grade"] = pd.Series(prev_grade, dtype=object)
    data["prev_rank"] = _ints(np.array([previous["rank"][i] if i >= 0 else -1 for i in before.tolist()], dtype=np.intp))
    data["grade_change"] = [grade_change(c, p) for c, p in zip(data["grade"], prev_grade, strict=True)]
    data["score_change"] = data["score"] - data["prev_score"]
    table = pd.DataFrame({c: data[c] for c in SCORECARD_COLUMNS})
    table.attrs = info
    return table
