"""Where a key result will be at its due date, how likely it is to meet its target, and the status words.

Model: an ordinary least-squares straight line of the check-in value on days since ``start_date``,
fitted to the check-ins dated on or before ``as_of``. At the due date x0 it predicts
ŷ0 = a + b·x0 with the prediction interval for a new observation (Kutner, Nachtsheim, Neter & Li,
*Applied Linear Statistical Models*, 5th ed., §2.5, prediction of a new observation):

    se_pred = s·sqrt(1 + 1/n + (x0 − x̄)² / Sxx),   ŷ0 ± t(1 − α/2; n − 2)·se_pred,

where s² = SSE / (n − 2) and Sxx = Σ(x − x̄)². The probability of meeting the target reads the
same predictive distribution, Y = ŷ0 + se_pred·T with T ~ t(n − 2): increase P(Y ≥ target),
decrease P(Y ≤ target), band P(band_low ≤ Y ≤ band_high). When the check-ins lie exactly on a line
(s = 0 up to rounding) the probability is 1 or 0 by comparing ŷ0 with the target, with a relative
tolerance of 1e-9 so that a line that hits the target exactly counts as meeting it.

No forecast (``refused`` says why) for milestones, fewer than :data:`MIN_CHECKINS` check-ins, or
check-ins all on one day. Once the due date has passed the result is the last check-in value
(dated on or before ``as_of``, so a late report of the final number counts) and the probability is
1 or 0 by whether it meets the target. Check-ins without a value are ignored.

Status from the probability (:data:`STATUS_THRESHOLDS`): "on track" when p ≥ 0.7, "at risk" when
0.3 ≤ p < 0.7, "off track" when p < 0.3, "no forecast" when there is none. Owner confidence
(0–10 or low/medium/high) maps to low 0–3, medium 4–6, high 7–10; :func:`disagreement` flags an
owner who says high while p < 0.3, or low while p ≥ 0.7.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

KINDS = ("increase", "decrease", "band", "milestone")
MIN_CHECKINS = 3
LEVELS = (0.80, 0.95)
# Lower bounds of the probability for each status, best first.
STATUS_THRESHOLDS: tuple[tuple[str, float], ...] = (("on track", 0.7), ("at risk", 0.3), ("off track", 0.0))
CONFIDENCE_LABELS = ("low", "medium", "high")
FAN_COLUMNS = ("date", "expected", "low80", "high80", "low95", "high95")
_REL_TOL = 1e-9

DateLike = dt.date | pd.Timestamp


@dataclasses.dataclass(frozen=True, eq=False)
class KeyResultForecast:
    """A key result's forecast at its due date.

    ``expected`` is the predicted value at the due date (the final value once it has passed),
    ``low80``–``high95`` the 80 % and 95 % prediction intervals in the key result's unit,
    ``probability`` (0–1) the chance of meeting the target. ``fan`` has columns
    :data:`FAN_COLUMNS` (``date`` as datetime64) in weekly steps from the last check-in to the due
    date, both included; it is empty when nothing is predicted. ``refused`` is None, or a
    sentence saying why there is no forecast (then every number is None).
    """

    model: str
    expected: float | None
    low80: float | None
    high80: float | None
    low95: float | None
    high95: float | None
    probability: float | None
    fan: pd.DataFrame
    refused: str | None = None

    @property
    def status(self) -> str:
        """The status words for :attr:`probability` (see :func:`status_from_probability`)."""
        return status_from_probability(self.probability)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, numbers.Real) and math.isnan(value))


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="datetime64[ns]" if name == "date" else float) for name in columns})


def _no_forecast(reason: str) -> KeyResultForecast:
    return KeyResultForecast("No forecast", None, None, None, None, None, None, _empty(FAN_COLUMNS), reason)


def _meets(value: float, kind: str, target: float | None, low: float | None, high: float | None, tol: float) -> bool:
    if kind == "increase":
        return value >= target - tol
    if kind == "decrease":
        return value <= target + tol
    return low - tol <= value <= high + tol


def _probability(
    mean: float, se: float, df: int, kind: str, target: float | None, low: float | None, high: float | None
) -> float:
    # scipy's unfrozen functions: freezing a distribution costs more than the whole fit here
    if kind == "increase":
        return float(stats.t.sf((target - mean) / se, df))
    if kind == "decrease":
        return float(stats.t.cdf((target - mean) / se, df))
    return float(stats.t.cdf((high - mean) / se, df) - stats.t.cdf((low - mean) / se, df))


def forecast_key_result(
    dates: Iterable[DateLike],
    values: Iterable[float | None],
    *,
    kind: str,
    start_value: float | None,
    target_value: float | None,
    band_low: float | None,
    band_high: float | None,
    start_date: DateLike,
    due_date: DateLike,
    as_of: DateLike,
) -> KeyResultForecast:
    """Forecast a key result at ``due_date`` from its check-ins (``dates``, ``values``) up to ``as_of``.

    ``dates`` are ``datetime.date`` or pandas Timestamps (times of day are ignored), ``values`` the
    checked-in values in the key result's unit; lists, numpy arrays and pandas Series are
    accepted and never modified. ``kind`` is one of :data:`KINDS`; increase and decrease need
    ``target_value``, band needs ``band_low`` <= ``band_high``. ``start_value`` belongs to the
    key result's definition but is not an observation, so the trend does not use it. The method,
    the probability and every refusal are described in the module docstring.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown key-result kind {kind!r}; expected one of {KINDS}")
    if kind in ("increase", "decrease") and _missing(target_value):
        raise ValueError(f"a {kind} key result needs a target value to forecast against")
    if kind == "band" and (_missing(band_low) or _missing(band_high) or band_low > band_high):
        raise ValueError(f"a band key result needs band_low <= band_high, got {band_low!r} and {band_high!r}")
    if kind == "milestone":
        return _no_forecast("Milestones are done or not; no trend to forecast.")

    day = pd.to_datetime(pd.Series(list(dates), dtype=object)).dt.normalize()
    y_all = np.asarray(list(values), dtype=float)
    if len(day) != len(y_all):
        raise ValueError(f"dates and values differ in length ({len(day)} and {len(y_all)})")
    start, due, today = (pd.Timestamp(d).normalize() for d in (start_date, due_date, as_of))
    keep = (day <= today).to_numpy() & ~np.isnan(y_all)
    order = np.argsort(day[keep].to_numpy(), kind="stable")
    day, y = day[keep].iloc[order].reset_index(drop=True), y_all[keep][order]
    n = len(y)
    references = [abs(v) for v in (target_value, band_low, band_high) if not _missing(v)]
    tol = _REL_TOL * max([1.0, *np.abs(y), *references])

    if due < today:
        if n == 0:
            return _no_forecast("The due date has passed without any check-in.")
        final = float(y[-1])
        met = _meets(final, kind, target_value, band_low, band_high, tol)
        return KeyResultForecast("Due date passed: final value", final, None, None, None, None, float(met), _empty(FAN_COLUMNS))
    if n < MIN_CHECKINS:
        return _no_forecast(f"Needs at least {MIN_CHECKINS} check-ins to forecast; has {n}.")
    x = (day - start).dt.days.to_numpy(dtype=float)
    x_mean = float(x.mean())
    sxx = float(np.sum((x - x_mean) ** 2))
    if sxx == 0:
        return _no_forecast("All check-ins are on the same day; a trend needs check-ins on at least two days.")

    slope = float(np.sum((x - x_mean) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * x_mean)
    df = n - 2
    s = math.sqrt(float(np.sum((y - intercept - slope * x) ** 2)) / df)
    exact = s <= tol  # a perfect line: rounding noise must not be read as uncertainty

    fan_days = pd.date_range(day.iloc[-1], due, freq="7D").union(pd.DatetimeIndex([due]))
    x_fan = (fan_days - start).days.to_numpy(dtype=float)
    mean = intercept + slope * x_fan
    se = s * np.sqrt(1 + 1 / n + (x_fan - x_mean) ** 2 / sxx)
    fan = pd.DataFrame({"date": fan_days.as_unit("ns"), "expected": mean})
    for level in LEVELS:
        half = 0.0 if exact else stats.t.ppf(0.5 + level / 2, df) * se
        pct = round(level * 100)
        fan[f"low{pct}"], fan[f"high{pct}"] = mean - half, mean + half

    at_due = {name: float(fan[name].iloc[-1]) for name in FAN_COLUMNS[1:]}
    if exact:
        probability = float(_meets(at_due["expected"], kind, target_value, band_low, band_high, tol))
    else:
        probability = _probability(at_due["expected"], float(se[-1]), df, kind, target_value, band_low, band_high)
    model = f"Linear trend of {n} check-ins (OLS) with an 80 %/95 % prediction interval"
    return KeyResultForecast(model=model, probability=probability, fan=fan, **at_due)


def status_from_probability(probability: float | None) -> str:
    """ "on track" (p ≥ 0.7), "at risk" (0.3 ≤ p < 0.7), "off track" (p < 0.3), "no forecast" (None or NaN)."""
    if _missing(probability):
        return "no forecast"
    if not 0 <= probability <= 1:
        raise ValueError(f"probability must be between 0 and 1, got {probability}")
    return next(status for status, floor in STATUS_THRESHOLDS if probability >= floor)


def confidence_label(confidence: float | str | None) -> str | None:
    """The owner's confidence as "low", "medium" or "high".

    A number on the 0–10 scale maps to low below 4 (0–3), medium from 4 to below 7 (4–6) and
    high from 7 to 10; the words low/medium/high are accepted in any case. None or NaN gives None;
    anything else raises ``ValueError``.
    """
    if _missing(confidence):
        return None
    if isinstance(confidence, str):
        word = confidence.strip().lower()
        if word not in CONFIDENCE_LABELS:
            raise ValueError(f"confidence must be a number from 0 to 10 or one of low, medium, high; got {confidence!r}")
        return word
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(f"confidence must be a number from 0 to 10 or one of low, medium, high; got {confidence!r}")
    if not 0 <= confidence <= 10:
        raise ValueError(f"confidence on the 0–10 scale must be between 0 and 10, got {confidence}")
    return "low" if confidence < 4 else "medium" if confidence < 7 else "high"


def disagreement(confidence: float | str | None, probability: float | None) -> str | None:
    """A note such as "owner: high; data: 18 %" when the owner and the forecast clearly disagree.

    They disagree when the owner says high and the probability is off track (< 0.3), or the owner
    says low and it is on track (≥ 0.7); otherwise, or without either input, None.
    """
    label = confidence_label(confidence)
    status = status_from_probability(probability)
    if (label, status) in (("high", "off track"), ("low", "on track")):
        return f"owner: {label}; data: {probability * 100:.0f} %"
    return None


def ideal_line(
    start_date: DateLike,
    due_date: DateLike,
    start_value: float | None,
    target_value: float | None,
    *,
    kind: str | None = None,
) -> pd.DataFrame:
    """The straight line from (start_date, start_value) to (due_date, target_value) for a burn-up chart.

    Columns ``date`` (datetime64) and ``ideal``; two rows. Empty, with those columns, for band and
    milestone key results (pass ``kind``) or when the start or target value is missing.
    """
    if kind in ("band", "milestone") or _missing(start_value) or _missing(target_value):
        return _empty(("date", "ideal"))
    dates = pd.DatetimeIndex([pd.Timestamp(start_date), pd.Timestamp(due_date)]).normalize().as_unit("ns")
    return pd.DataFrame({"date": dates, "ideal": [float(start_value), float(target_value)]})
