"""Short-term forecasts of a bucketed KPI with exponential smoothing (ETS) and prediction intervals.

Method (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., ch. 8,
https://otexts.com/fpp3/ets.html), with statsmodels' ``ETSModel``:

- additive errors only, so the prediction intervals are the analytical ("exact") ones of the
  linear ETS models (fpp3 §8.7), not simulated;
- two candidates, chosen by AICc (the small-sample corrected AIC, fpp3 §8.6): ETS(A,N,N), level
  only, and ETS(A,Ad,N), a trend damped with φ in [0.8, 0.98] (statsmodels' and fpp3's bounds).
  An undamped trend is deliberately not offered: it extrapolates the last slope forever, which
  over-forecasts at longer horizons (Gardner & McKenzie, 1985). The price is that even a perfect
  straight line is continued with a slowly flattening slope;
- an additive seasonal component on both candidates only when ``seasonal_periods`` is given
  and there are at least two full seasons (and more points than parameters);
- the initial states are estimated with the parameters by maximum likelihood.

Input handling, decided once: leading and trailing missing buckets are dropped (history not
started yet, latest bucket not reported); a missing bucket inside the series refuses the
forecast (:class:`ForecastRefused`) rather than inventing a value; fewer than :data:`MIN_POINTS`
points refuse it too. A series without any variation gets a flat forecast and no interval (NaN
bounds): no uncertainty can be estimated from it, and a zero-width band would claim certainty;
the same holds when the chosen model reproduces the history exactly. For quantities that
cannot be negative the mean and bounds are clipped at 0 and the result says so. statsmodels'
convergence and numerical warnings are caught per fit and reported in :attr:`Forecast.notes`;
a candidate that did not converge is only used if none did.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from dashboard.errors import DashboardError

MIN_POINTS = 8
# The dashboard's buckets (first day of the day / ISO week / month / quarter) as pandas frequencies.
GRAIN_FREQ = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS-JAN"}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_CAUGHT = (ConvergenceWarning, RuntimeWarning)


class ForecastRefused(DashboardError):
    """No forecast is drawn; ``str(error)`` is a sentence for the user, ``reason`` a short code.

    Reasons: ``too_few_points``, ``missing_values``, ``uneven_dates``, ``fit_failed``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclasses.dataclass(frozen=True, eq=False)
class Forecast:
    """Forecast for the next buckets: ``mean`` with a ``level`` prediction interval [lower, upper].

    ``dates`` continue the series' bucket step. ``model`` names the chosen model in plain
    language, ``fitted_on`` is the number of points it was fitted on, ``aicc`` its AICc (None
    when no model was fitted). ``clipped_at_zero`` is true when a negative mean or bound was
    raised to 0. ``notes`` holds sentences on anything the reader should know (convergence,
    seasonality left out). The arrays are read-only.
    """

    dates: pd.DatetimeIndex
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    model: str
    fitted_on: int
    clipped_at_zero: bool = False
    notes: tuple[str, ...] = ()
    aicc: float | None = None

    @property
    def has_interval(self) -> bool:
        """False when no uncertainty could be estimated (the bounds are NaN)."""
        return bool(np.isfinite(self.lower).all() and np.isfinite(self.upper).all())

    def to_frame(self) -> pd.DataFrame:
        """Columns ``bucket_date``, ``mean``, ``lower``, ``upper``; one row per forecast bucket."""
        return pd.DataFrame({"bucket_date": self.dates, "mean": self.mean, "lower": self.lower, "upper": self.upper})


@dataclasses.dataclass(frozen=True)
class _Spec:
    damped_trend: bool
    seasonal_periods: int | None

    @property
    def code(self) -> str:
        return f"ETS(A,{'Ad' if self.damped_trend else 'N'},{'A' if self.seasonal_periods else 'N'})"

    @property
    def n_params(self) -> int:
        """Free parameters incl. the error variance: α, l0 (+ β, φ, b0) (+ γ and m - 1 seasonal states)."""
        k = 2 + (3 if self.damped_trend else 0) + 1
        return k + self.seasonal_periods if self.seasonal_periods else k

    @property
    def description(self) -> str:
        if self.damped_trend:
            text = "exponential smoothing with damped trend"
        else:
            text = "simple exponential smoothing (level, no trend)"
        if self.seasonal_periods:
            text += f" and additive seasonality over {self.seasonal_periods} buckets"
        return f"{self.code}: {text}"


@dataclasses.dataclass(frozen=True)
class _Fit:
    spec: _Spec
    result: object
    aicc: float
    converged: bool
    notes: tuple[str, ...]


def _resolve_freq(freq: str | None, index: pd.DatetimeIndex) -> str | None:
    """The bucket step: ``freq`` (a grain name or pandas alias), else the coarsest bucket grid that holds every date."""
    if freq is not None:
        return GRAIN_FREQ.get(freq, freq)
    first, last = index[0], index[-1]
    candidates = ("QS-JAN", "MS", f"W-{_WEEKDAYS[first.weekday()]}", "D")
    for candidate in candidates:
        grid = pd.date_range(first, last, freq=candidate)
        if len(grid) and grid[0] == first and index.isin(grid).all():
            return candidate
    return None


def _prepare(series: pd.Series, freq: str | None) -> tuple[np.ndarray, pd.DatetimeIndex, str]:
    """Values and dates of the usable stretch, and the bucket step; or :class:`ForecastRefused`."""
    values = pd.Series(pd.to_numeric(series).astype("float64").to_numpy(), index=pd.DatetimeIndex(series.index))
    if values.index.has_duplicates:
        raise ValueError("the series has duplicate dates; aggregate it to one value per bucket first")
    values = values.sort_index()
    present = np.flatnonzero(values.notna().to_numpy())
    count = len(present)
    if count < MIN_POINTS:
        raise ForecastRefused(
            f"A forecast needs at least {MIN_POINTS} buckets of history; there {'is' if count == 1 else 'are'} only {count}.",
            "too_few_points",
        )
    values = values.iloc[present[0] : present[-1] + 1]
    step = _resolve_freq(freq, values.index)
    if step is None:
        raise ForecastRefused(
            "The buckets are not evenly spaced (day, week, month or quarter), so no forecast is drawn.",
            "uneven_dates",
        )
    grid = pd.date_range(values.index[0], values.index[-1], freq=step)
    if not len(grid) or grid[0] != values.index[0] or not values.index.isin(grid).all():
        raise ForecastRefused(
            "The bucket dates do not follow one step (day, week, month or quarter), so no forecast is drawn.",
            "uneven_dates",
        )
    values = values.reindex(grid)
    missing = values.index[values.isna().to_numpy()]
    if len(missing):
        raise ForecastRefused(
            f"{len(missing)} bucket{'s' if len(missing) > 1 else ''} inside the history "
            f"{'have' if len(missing) > 1 else 'has'} no value (first: {missing[0]:%Y-%m-%d}); "
            "a forecast needs an unbroken series, so none is drawn.",
            "missing_values",
        )
    return values.to_numpy(), grid, step


def _fit(y: pd.Series, spec: _Spec) -> _Fit:
    """Fit one candidate; its convergence and numerical warnings become notes (others propagate)."""
    model = ETSModel(
        y,
        error="add",
        trend="add" if spec.damped_trend else None,
        damped_trend=spec.damped_trend,
        seasonal="add" if spec.seasonal_periods else None,
        seasonal_periods=spec.seasonal_periods,
        initialization_method="estimated",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = model.fit(disp=False)
        aicc = float(result.aicc)
    notes = []
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            notes.append(f"The {spec.code} fit did not fully converge; its forecast is approximate.")
        elif issubclass(warning.category, RuntimeWarning):
            notes.append(f"The {spec.code} fit met a numerical problem ({warning.message}).")
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    converged = bool(result.mle_retvals.get("converged", True)) if result.mle_retvals else True
    return _Fit(spec, result, aicc, converged and not notes, tuple(dict.fromkeys(notes)))


def _flat(value: float, dates: pd.DatetimeIndex, level: float, fitted_on: int, non_negative: bool) -> Forecast:
    nan = np.full(len(dates), np.nan)
    clipped = non_negative and value < 0
    return Forecast(
        dates=dates,
        mean=_readonly(np.full(len(dates), 0.0 if clipped else value)),
        lower=_readonly(nan),
        upper=_readonly(nan),
        level=level,
        model=f"No variation: all {fitted_on} points are {value:g}, so the forecast repeats it and no interval can be estimated",
        fitted_on=fitted_on,
        clipped_at_zero=clipped,
    )


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array


def forecast(
    series: pd.Series,
    horizon: int,
    *,
    level: float = 0.95,
    seasonal_periods: int | None = None,
    freq: str | None = None,
    non_negative: bool = True,
) -> Forecast:
    """Forecast the next ``horizon`` buckets of ``series`` with a ``level`` prediction interval.

    ``series`` is indexed by bucket start dates (dates, timestamps or ISO strings), evenly spaced
    by day, ISO week, month or quarter; the step is inferred from the dates unless ``freq`` (a
    grain name "day"/"week"/"month"/"quarter" or a pandas alias such as "W-MON") is given.
    ``seasonal_periods`` (e.g. 12 for monthly data with a yearly pattern) adds seasonality when
    there are at least two full seasons. ``non_negative`` (the default; pass False for a quantity
    such as NPS) clips the mean and bounds at 0.

    Raises :class:`ForecastRefused` with a user sentence for fewer than :data:`MIN_POINTS`
    points, a missing bucket inside the series, uneven dates, or when no model can be fitted;
    ``ValueError`` for a horizon below 1, a level outside (0, 1) or seasonal_periods below 2.
    See the module docstring for the method and every decision. Two model fits: about 30 ms
    for 100 points.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a whole number >= 1, got {horizon!r}")
    if not 0 < level < 1:
        raise ValueError(f"level is a probability in (0, 1), got {level}")
    if seasonal_periods is not None and seasonal_periods < 2:
        raise ValueError(f"seasonal_periods must be >= 2, got {seasonal_periods}")
    values, index, step = _prepare(series, freq)
    n = len(values)
    dates = pd.date_range(index[-1], periods=horizon + 1, freq=step)[1:]
    scale = float(np.max(np.abs(values)))
    if float(np.ptp(values)) <= 1e-12 * scale:
        return _flat(float(values[-1]), dates, level, n, non_negative)

    notes: list[str] = []
    seasonal = None
    if seasonal_periods is not None:
        if n >= 2 * seasonal_periods and n > _Spec(False, seasonal_periods).n_params + 1:
            seasonal = seasonal_periods
        else:
            notes.append(
                f"Seasonality over {seasonal_periods} buckets was left out: it needs at least two full seasons "
                f"({2 * seasonal_periods} points) and more points than parameters; there are {n}."
            )
    # A plain RangeIndex: the dates are handled here, so statsmodels has no frequency to guess.
    y = pd.Series(values, index=pd.RangeIndex(n))
    specs = [s for s in (_Spec(False, seasonal), _Spec(True, seasonal)) if n > s.n_params + 1]
    fits = [_fit(y, spec) for spec in specs]
    usable = [f for f in fits if not math.isnan(f.aicc) and f.aicc != math.inf]
    if not usable:
        raise ForecastRefused("No forecasting model could be fitted to this series.", "fit_failed")
    best = min(usable, key=lambda f: (not f.converged, f.aicc, f.spec.n_params))
    notes.extend(best.notes)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = best.result.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=1 - level)
    for warning in caught:
        if not issubclass(warning.category, _CAUGHT):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        else:
            notes.append(f"The prediction interval met a numerical problem ({warning.message}).")
    mean = frame["mean"].to_numpy(dtype=float)
    lower = frame["pi_lower"].to_numpy(dtype=float)
    upper = frame["pi_upper"].to_numpy(dtype=float)
    if np.all(upper - lower <= 1e-6 * scale):  # optimiser round-off leaves ~1e-9 of the scale
        # An exact fit (e.g. a noise-free seasonal pattern) leaves no residual variance to estimate.
        lower = upper = np.full(horizon, np.nan)
        notes.append("The model reproduces the history exactly, so no uncertainty can be estimated.")
    clipped = False
    if non_negative:
        clipped = bool((mean < 0).any() or (lower < 0).any() or (upper < 0).any())
        mean, lower, upper = (np.maximum(a, 0.0) for a in (mean, lower, upper))
    return Forecast(
        dates=dates,
        mean=_readonly(mean),
        lower=_readonly(lower),
        upper=_readonly(upper),
        level=level,
        model=best.spec.description,
        fitted_on=n,
        clipped_at_zero=clipped,
        notes=tuple(dict.fromkeys(notes)),
        aicc=best.aicc,
    )
