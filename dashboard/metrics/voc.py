"""Voice of the customer: NPS with its interval, CSAT, complaints per million and lead/lag. Pure functions.

- :func:`nps` / :func:`nps_frame`: the Net Promoter Score with a confidence interval from the
  multinomial variance of the score;
- :func:`csat_pct` and :func:`complaints_per_million`: ratios from summed counts;
- :func:`lead_lag`: does a leading series (internal defect rate) move ahead of a following one
  (complaints) and by how many buckets?

Decisions (applied the same way everywhere in this module):

- A ratio whose denominator is zero or missing is undefined: NaN, never 0 — zero NPS responses
  are "no responses", not an NPS of 0.
- A missing (NaN) count means "none recorded" and counts as 0, as in
  :mod:`dashboard.metrics.defects`; a negative count, or more satisfied answers than answers, is a
  data error and raises :class:`VocDataError`.
- Scalar inputs give Python floats; array-likes give NumPy arrays, and a pandas Series keeps its
  index.

NPS interval. Every answer is a draw of +1 (promoter, 9-10), 0 (passive, 7-8) or -1 (detractor,
0-6), so the sample NPS is a mean of n multinomial draws. With p_P and p_D the observed shares,
Var(p_P - p_D) = [p_P(1 - p_P) + p_D(1 - p_D) + 2 p_P p_D]/n = [p_P + p_D - (p_P - p_D)²]/n, and
Var(NPS) = that x 100². The interval is the normal (Wald) one, NPS ± z·SE, clipped to
[-100, 100]. It has the known weaknesses of Wald intervals: with few responses it is too narrow,
and when every answer falls in one group the variance estimate is 0 and the interval has zero width
(100 promoters of 100 gives [100, 100]); the UI should show the response count next to it.
Sources: A. Engelhardt, "Net Promoter Score confidence intervals 2: maths and stats", CYBAEA
(cybaea.net, 14 January 2016; also on R-bloggers) derives this closed form from the categorical
covariance Cov(p, d) = -pd/n; W. Huber's answer to "How can I calculate margin of error in a NPS
(Net Promoter Score) result?" on Cross Validated (stats.stackexchange.com/q/18603) derives it as
the variance of a ±1/0 ticket and works the example the tests check. NPS itself: F. F. Reichheld,
"The one number you need to grow", Harvard Business Review 81(12) (2003) 46-54.

Lead/lag. :func:`lead_lag` correlates the first differences (week-to-week changes) of both series,
not their levels: two series that both drift upwards correlate strongly at every lag without being
related at all (a spurious correlation of trends; G. U. Yule, "Why do we sometimes get nonsense
correlations between time-series?", JRSS 89 (1926) 1-63; C. W. J. Granger & P. Newbold, "Spurious
regressions in econometrics", J. Econometrics 2 (1974) 111-120). Differencing removes a linear
trend and most of the autocorrelation of trending series; full prewhitening (fitting an ARIMA
model to the leading series and filtering both with it, G. E. P. Box, G. M. Jenkins & G. C.
Reinsel, *Time Series Analysis*, ch. 11) would be stricter and is not attempted on a few dozen
weekly points. The per-lag band ±z/sqrt(pairs) is the usual approximate 95 % limit of a
cross-correlation of two independent white-noise series; it is not adjusted for picking the best of
``max_lag + 1`` lags, so a best r just above the band is weak evidence. A correlation, whatever its
lag, is not causation: it says the two series move together, not that one drives the other.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
from scipy.stats import norm

from dashboard.errors import DashboardError

PERCENT = 100.0
PER_MILLION = 1e6
NPS_COUNTS = ("promoters", "passives", "detractors")
NPS_COLUMNS = ("nps", "nps_low", "nps_high", "responses")
MIN_PAIRS = 8  # fewer overlapping pairs make a correlation too noisy to report
GRAIN_FREQ = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS-JAN"}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
LAG_COLUMNS = ("lag", "r", "pairs", "band")


class VocDataError(DashboardError, ValueError):
    """Feedback counts that cannot be used as given; the message says which and why."""


@dataclasses.dataclass(frozen=True)
class NpsResult:
    """The NPS (-100..100) with its ``level`` confidence interval [low, high] and standard error.

    All four are NaN when there are no responses (``responses == 0``): show "no responses".
    """

    nps: float
    low: float
    high: float
    standard_error: float
    responses: int
    level: float = 0.95

    @property
    def has_responses(self) -> bool:
        return self.responses > 0


@dataclasses.dataclass(frozen=True, eq=False)
class LagResult:
    """The cross-correlation of ``following(t)`` with ``leading(t - lag)`` for lag = 0..max_lag.

    ``table`` has one row per lag: ``lag``, ``r`` (Pearson correlation of the first differences,
    NaN with fewer than :data:`MIN_PAIRS` pairs or a constant stretch), ``pairs`` (overlapping
    non-missing pairs) and ``band`` (z/sqrt(pairs), the approximate 95 % limit under no
    correlation). ``best_lag`` is the lag with the largest r (the smallest lag on ties), None when
    no lag has an r; ``best_r`` its r (NaN when none). ``differenced`` is always True: see the
    module docstring for why levels are not correlated.
    """

    best_lag: int | None
    best_r: float
    table: pd.DataFrame
    differenced: bool = True

    @property
    def beyond_band(self) -> bool:
        """True when the best r lies above its own lag's band (see the module docstring's caveat)."""
        if self.best_lag is None:
            return False
        row = self.table.loc[self.table["lag"] == self.best_lag].iloc[0]
        return bool(row["r"] > row["band"])


# --- Helpers ------------------------------------------------------------------------------------


def _floats(values: object) -> np.ndarray:
    array = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=object)
    return np.asarray(pd.to_numeric(pd.Series(array.ravel())).astype("float64").to_numpy()).reshape(array.shape)


def _counts(values: object, name: str) -> np.ndarray:
    """``values`` as floats with NaN -> 0; a negative count raises :class:`VocDataError`."""
    counts = np.nan_to_num(_floats(values), nan=0.0)
    negative = np.flatnonzero(np.ravel(counts < 0))
    if negative.size:
        first = int(negative[0])
        where = "" if counts.ndim == 0 else f" in row {first + 1}"
        raise VocDataError(
            f"{name.capitalize()} cannot be negative, but there are {np.ravel(counts)[first]:g}{where}. "
            "Check the source data for corrections booked as negative counts."
        )
    return counts


def _shaped(result: np.ndarray, *inputs: object) -> object:
    """A Python float for scalar inputs, a Series (with the first Series' index) or an array."""
    if result.ndim == 0:
        return float(result)
    for value in inputs:
        if isinstance(value, pd.Series) and len(value) == len(result):
            return pd.Series(result, index=value.index)
    return result


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float) -> np.ndarray:
    numerator, denominator = np.broadcast_arrays(numerator, denominator)
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out * scale


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level is a confidence level in (0, 1), got {level}")
    return float(norm.ppf(1.0 - (1.0 - level) / 2.0))


# --- NPS ----------------------------------------------------------------------------------------


def _nps_arrays(promoters: object, passives: object, detractors: object, level: float) -> tuple[np.ndarray, ...]:
    """(nps, low, high, standard error, responses) element-wise; NaN where there are no responses."""
    z = _z(level)
    p, m, d = np.broadcast_arrays(
        _counts(promoters, "promoters"), _counts(passives, "passives"), _counts(detractors, "detractors")
    )
    n = p + m + d
    share_p = _ratio(p, n, 1.0)
    share_d = _ratio(d, n, 1.0)
    score = share_p - share_d
    with np.errstate(invalid="ignore"):
        # p_P + p_D - (p_P - p_D)^2 >= 0 in exact arithmetic; clip float dust below 0.
        variance = np.clip(share_p + share_d - score * score, 0.0, None)
        se = np.sqrt(_ratio(variance, n, 1.0)) * PERCENT
    nps_value = score * PERCENT
    low = np.clip(nps_value - z * se, -PERCENT, PERCENT)
    high = np.clip(nps_value + z * se, -PERCENT, PERCENT)
    return nps_value, low, high, se, n


def nps(promoters: float, passives: float, detractors: float, *, level: float = 0.95) -> NpsResult:
    """NPS = % promoters - % detractors of all responses, with a ``level`` confidence interval.

    The interval is NPS ± z·SE with SE = 100·sqrt([p_P + p_D - (p_P - p_D)²]/n), clipped to
    [-100, 100] (see the module docstring for the derivation, sources and caveats). Zero responses
    give NaN everywhere (never 0). NaN counts count as 0; negative counts raise
    :class:`VocDataError`.

    >>> round(nps(162, 108, 54).nps, 2), round(nps(162, 108, 54).standard_error, 2)
    (33.33, 4.14)
    """
    for value in (promoters, passives, detractors):
        if np.ndim(value) != 0:
            raise TypeError("nps takes scalar counts; use nps_frame for many rows")
    score, low, high, se, n = _nps_arrays(promoters, passives, detractors, level)
    return NpsResult(float(score), float(low), float(high), float(se), round(float(n)), level)


def nps_frame(frame: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """A copy of ``frame`` with ``nps``, ``nps_low``, ``nps_high`` and ``responses`` added, per row.

    ``frame`` needs the columns ``promoters``, ``passives`` and ``detractors`` (for example one row
    per bucket from the feedback trend query). ``responses`` is their sum (int); when the frame
    already has a ``responses`` column it must equal that sum, otherwise :class:`VocDataError`
    is raised (the counts and the total disagree). Rows without responses get NaN scores.
    """
    missing = [c for c in NPS_COUNTS if c not in frame.columns]
    if missing:
        raise ValueError(f"nps_frame needs the columns {list(NPS_COUNTS)}; missing {missing}")
    result = frame.copy()
    score, low, high, _, n = _nps_arrays(frame["promoters"], frame["passives"], frame["detractors"], level)
    if "responses" in frame.columns:
        given = np.nan_to_num(_floats(frame["responses"]), nan=0.0)
        differs = np.flatnonzero(given != n)
        if differs.size:
            first = int(differs[0])
            raise VocDataError(
                f"Row {first + 1} has {given[first]:g} responses but {n[first]:g} promoters, passives and "
                "detractors; every NPS response must fall in exactly one group."
            )
    result["nps"] = score
    result["nps_low"] = low
    result["nps_high"] = high
    result["responses"] = n.astype("int64")
    return result


# --- CSAT and complaints ------------------------------------------------------------------------


def csat_pct(satisfied: object, responses: object) -> object:
    """CSAT, % = answers of 4 or 5 (on 1-5) / all CSAT answers x 100; NaN for zero answers.

    Works on scalars (float) and on arrays or Series (element-wise). More satisfied answers than
    answers, or a negative count, raises :class:`VocDataError`.
    """
    k = _counts(satisfied, "satisfied answers")
    n = _counts(responses, "CSAT answers")
    k, n = np.broadcast_arrays(k, n)
    too_many = np.flatnonzero(np.ravel(k > n))
    if too_many.size:
        first = int(too_many[0])
        raise VocDataError(
            f"{np.ravel(k)[first]:g} satisfied answers but only {np.ravel(n)[first]:g} CSAT answers"
            f"{'' if k.ndim == 0 else f' in row {first + 1}'}; satisfied answers are a subset of all answers."
        )
    return _shaped(_ratio(k, n, PERCENT), satisfied, responses)


def complaints_per_million(complaints: object, units_shipped: object) -> object:
    """Complaints per million units shipped = complaints / units shipped x 10^6; NaN for no shipments.

    Element-wise like :func:`csat_pct`. A product can draw more than one complaint per unit, so
    complaints above units shipped are allowed; negative counts raise :class:`VocDataError`.
    """
    c = _counts(complaints, "complaints")
    u = _counts(units_shipped, "units shipped")
    return _shaped(_ratio(c, u, PER_MILLION), complaints, units_shipped)


# --- Lead / lag ---------------------------------------------------------------------------------


def _grid_step(index: pd.DatetimeIndex, freq: str | None) -> str:
    if freq is not None:
        return GRAIN_FREQ.get(freq, freq)
    first, last = index[0], index[-1]
    for candidate in ("QS-JAN", "MS", f"W-{_WEEKDAYS[first.weekday()]}", "D"):
        grid = pd.date_range(first, last, freq=candidate)
        if len(grid) and grid[0] == first and index.isin(grid).all():
            return candidate
    raise ValueError("the bucket dates are not evenly spaced (day, week, month or quarter); pass freq")


def _aligned(leading: pd.Series, following: pd.Series, freq: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Both series on one complete, regular bucket grid (missing buckets are NaN)."""
    for name, series in (("leading", leading), ("following", following)):
        if series.index.has_duplicates:
            raise ValueError(f"the {name} series has duplicate buckets; aggregate it to one value per bucket first")
    lead = pd.to_numeric(leading).astype("float64")
    follow = pd.to_numeric(following).astype("float64")
    union = lead.index.union(follow.index)
    if not len(union):
        return np.array([]), np.array([])
    if pd.api.types.is_integer_dtype(union.dtype) and freq is None:
        grid: pd.Index = pd.RangeIndex(int(union.min()), int(union.max()) + 1)
    else:
        lead.index = pd.DatetimeIndex(lead.index)
        follow.index = pd.DatetimeIndex(follow.index)
        dates = pd.DatetimeIndex(union).sort_values()
        step = _grid_step(dates, freq)
        grid = pd.date_range(dates[0], dates[-1], freq=step)
        if not len(grid) or grid[0] != dates[0] or not dates.isin(grid).all():
            raise ValueError(f"the bucket dates do not all fall on the {step} grid")
    return lead.reindex(grid).to_numpy(), follow.reindex(grid).to_numpy()


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r; NaN when either stretch is constant (no variation, no correlation)."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    x = x - x.mean()
    y = y - y.mean()
    return float(np.clip(np.dot(x, y) / np.sqrt(np.dot(x, x) * np.dot(y, y)), -1.0, 1.0))


def lead_lag(
    leading: pd.Series,
    following: pd.Series,
    max_lag: int = 8,
    *,
    freq: str | None = None,
    level: float = 0.95,
) -> LagResult:
    """Correlate ``following(t)`` with ``leading(t - k)`` for k = 0..``max_lag`` buckets.

    Both series are indexed by bucket (start dates of one regular grain — day, week, month or
    quarter, inferred from the dates unless ``freq`` is given — or consecutive integers). They are
    aligned on one complete grid; a bucket missing from a series is a missing value, not 0 (fill
    it with 0 first when a missing bucket means "none", e.g. complaint counts from SQL). Each
    series is then replaced by its first differences, and for every lag the Pearson r is computed
    on the pairs where both differences exist; with fewer than :data:`MIN_PAIRS` (8) pairs the r
    is NaN. A positive best lag k means changes in ``leading`` are followed k buckets later by
    changes in ``following`` in the same direction. See the module docstring for why differences,
    the band, and why this is not causation.
    """
    if isinstance(max_lag, bool) or not isinstance(max_lag, int | np.integer) or max_lag < 0:
        raise ValueError(f"max_lag must be a whole number >= 0, got {max_lag!r}")
    z = _z(level)
    lead, follow = _aligned(leading, following, freq)
    d_lead = np.diff(lead)
    d_follow = np.diff(follow)
    rows = []
    for lag in range(int(max_lag) + 1):
        x = d_lead[: max(len(d_lead) - lag, 0)]  # a lag longer than the series leaves no pairs
        y = d_follow[lag:]
        ok = np.isfinite(x) & np.isfinite(y)
        pairs = int(ok.sum())
        r = _pearson(x[ok], y[ok]) if pairs >= MIN_PAIRS else float("nan")
        band = z / np.sqrt(pairs) if pairs else float("nan")
        rows.append((lag, r, pairs, band))
    table = pd.DataFrame(rows, columns=list(LAG_COLUMNS)).astype(
        {"lag": "int64", "r": "float64", "pairs": "int64", "band": "float64"}
    )
    r_values = table["r"].to_numpy()
    if np.isfinite(r_values).any():
        best = int(np.nanargmax(r_values))
        return LagResult(int(table["lag"].iloc[best]), float(r_values[best]), table)
    return LagResult(None, float("nan"), table)


# --- Suggested defect codes --------------------------------------------------------------------

_WORD = re.compile(r"[a-z]+")
_GENERIC = frozenset({"out", "of", "on", "the", "and", "a", "an", "in", "wrong", "incorrect", "damage", "damaged", "test"})


def _keywords(text: object) -> set[str]:
    words = _WORD.findall(str(text).lower()) if isinstance(text, str) else []
    return {w for w in words if len(w) > 2 and w not in _GENERIC}


def suggest_codes(texts: pd.Series, codes: pd.DataFrame, *, min_share: float = 0.5) -> pd.DataFrame:
    """A suggested defect code for each complaint text without one: the code whose description's
    keywords (words of three letters or more, without generic words such as "wrong" or "damage")
    appear in the text, the most of them and at least ``min_share`` of them; ties go to the code
    with more matched words, then the lower code. Columns: ``suggested_code`` (None when nothing
    matches) and ``matched`` (the words that matched). A suggestion, for a person to confirm:
    it reads words, not meaning.

    ``codes`` has ``defect_code`` and ``defect_description``.
    """
    vocab = [(str(code), _keywords(text)) for code, text in zip(codes["defect_code"], codes["defect_description"], strict=True)]
    vocab = [(code, words) for code, words in vocab if words]
    suggested, matched = [], []
    for text in texts:
        words = _keywords(text)
        best: tuple[int, float, str] | None = None
        for code, keys in vocab:
            hits = keys & words
            share = len(hits) / len(keys)
            if hits and share >= min_share and (best is None or (len(hits), share) > best[:2]):
                best = (len(hits), share, code)
        suggested.append(None if best is None else best[2])
        matched.append("" if best is None else ", ".join(sorted(dict(vocab)[best[2]] & words)))
    return pd.DataFrame(
        {"suggested_code": pd.Series(suggested, index=texts.index, dtype=object), "matched": matched}, index=texts.index
    )
