"""ETS forecasts: shape of the mean, prediction intervals, dates, refusals and clipping."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from dashboard.errors import DashboardError
from dashboard.metrics import forecast as fc

MONDAYS = pd.date_range("2023-01-02", periods=100, freq="W-MON")
MONTHS = pd.date_range("2020-01-01", periods=48, freq="MS")


def weekly(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=MONDAYS[: len(values)])


def noisy_flat(n: int = 100, seed: int = 7) -> pd.Series:
    return weekly(50 + np.random.default_rng(seed).normal(0, 2, n))


def noisy_trend(n: int = 40, seed: int = 3) -> pd.Series:
    return weekly(10 + 2.0 * np.arange(n) + np.random.default_rng(seed).normal(0, 1, n))


def seasonal(n: int = 48, seed: int = 5) -> pd.Series:
    pattern = 10 * np.sin(2 * np.pi * np.arange(n) / 12)
    return pd.Series(100 + pattern + np.random.default_rng(seed).normal(0, 1, n), index=MONTHS[:n])


# --- The mean ----------------------------------------------------------------------------


def test_a_straight_line_is_continued_with_the_damped_trend() -> None:
    # y = 10 + 2t for 30 weeks; the line would continue 70, 72, ..., 80. The damped trend (the
    # only trend offered) continues it with the largest damping allowed, φ = 0.98 (fpp3 §8.2):
    # ŷ(h) = 68 + 2 Σ_{i=1..h} 0.98^i, which undershoots the line by at most 2 Σ (1 - 0.98^i).
    result = fc.forecast(weekly(10 + 2.0 * np.arange(30)), 6)
    assert result.model.startswith("ETS(A,Ad,N)")
    h = np.arange(1, 7)
    line = 68 + 2.0 * h
    damped = 68 + 2 * np.cumsum(0.98**h)
    np.testing.assert_allclose(result.mean, damped, atol=0.01)
    assert np.all(np.diff(result.mean) > 0)
    assert np.all(np.abs(result.mean - line) <= 2 * np.cumsum(1 - 0.98**h) + 0.01)
    np.testing.assert_allclose(result.mean, line, rtol=0.015)
    assert result.fitted_on == 30


def _aicc(series: pd.Series, damped: bool) -> float:
    """AICc of one candidate fitted directly with statsmodels, as an independent check."""
    model = ETSModel(
        pd.Series(series.to_numpy(), index=pd.RangeIndex(len(series))),
        error="add",
        trend="add" if damped else None,
        damped_trend=damped,
    )
    return float(model.fit(disp=False).aicc)


@pytest.mark.parametrize(
    ("series", "model"),
    [(noisy_trend(), "ETS(A,Ad,N)"), (noisy_flat(), "ETS(A,N,N)")],
    ids=["trend", "flat"],
)
def test_the_model_with_the_lower_aicc_is_chosen(series: pd.Series, model: str) -> None:
    result = fc.forecast(series, 2)
    assert result.model.startswith(model)
    assert result.aicc == pytest.approx(min(_aicc(series, damped=False), _aicc(series, damped=True)))


def test_a_noisy_trend_is_followed() -> None:
    result = fc.forecast(noisy_trend(), 4)
    assert result.model == "ETS(A,Ad,N): exponential smoothing with damped trend"
    line = 10 + 2.0 * np.arange(40, 44)
    assert np.all(np.abs(result.mean - line) < 3)
    assert np.all((result.lower < line) & (line < result.upper))


def test_a_flat_noisy_series_gives_a_flat_mean_and_an_interval_around_the_true_level() -> None:
    result = fc.forecast(noisy_flat(), 12)
    assert result.model == "ETS(A,N,N): simple exponential smoothing (level, no trend)"
    assert np.ptp(result.mean) < 1e-9
    assert result.mean[0] == pytest.approx(50, abs=1)
    assert np.all((result.lower < 50) & (result.upper > 50))
    width = result.upper - result.lower
    assert np.all(np.diff(width) >= 0) and width[-1] > width[0]
    # ETS(A,N,N) interval: ŷ ± z σ sqrt(1 + (h-1) α²) (fpp3 §8.7); the noise has σ = 2.
    assert width[0] / 2 == pytest.approx(norm.ppf(0.975) * 2, rel=0.25)


def test_the_interval_widens_with_the_horizon_when_the_level_moves() -> None:
    walk = weekly(100 + np.cumsum(np.random.default_rng(11).normal(0, 1, 60)))
    result = fc.forecast(walk, 8)
    width = result.upper - result.lower
    assert np.all(np.diff(width) > 0)
    assert width[-1] > 2 * width[0]


@pytest.mark.parametrize(
    ("series", "seasonal_periods"),
    [(noisy_flat(), None), (noisy_trend(), None), (seasonal(), 12)],
    ids=["flat", "trend", "seasonal"],
)
def test_intervals_are_ordered(series: pd.Series, seasonal_periods: int | None) -> None:
    result = fc.forecast(series, 12, seasonal_periods=seasonal_periods)
    assert np.all(result.lower <= result.mean) and np.all(result.mean <= result.upper)
    assert np.all(result.lower < result.upper)
    assert result.has_interval


def test_a_lower_level_gives_a_narrower_analytical_interval() -> None:
    wide = fc.forecast(noisy_trend(), 6, level=0.95)
    narrow = fc.forecast(noisy_trend(), 6, level=0.80)
    np.testing.assert_allclose(narrow.mean, wide.mean)
    assert np.all(narrow.upper - narrow.lower < wide.upper - wide.lower)
    # Analytical normal intervals: the widths scale as z(0.90) / z(0.975).
    ratio = (narrow.upper - narrow.lower) / (wide.upper - wide.lower)
    np.testing.assert_allclose(ratio, norm.ppf(0.90) / norm.ppf(0.975), rtol=1e-6)
    assert (narrow.level, wide.level) == (0.80, 0.95)


def test_seasonality_is_used_with_two_full_seasons() -> None:
    result = fc.forecast(seasonal(), 12, seasonal_periods=12)
    assert "seasonality over 12 buckets" in result.model
    pattern = 100 + 10 * np.sin(2 * np.pi * np.arange(48, 60) / 12)
    assert np.corrcoef(result.mean, pattern)[0, 1] > 0.95
    assert np.all(np.abs(result.mean - pattern) < 3)


def test_seasonality_is_left_out_with_a_note_below_two_seasons() -> None:
    result = fc.forecast(seasonal(18), 3, seasonal_periods=12)
    assert "seasonality" not in result.model
    assert result.notes == (
        "Seasonality over 12 buckets was left out: it needs at least two full seasons (24 points) "
        "and more points than parameters; there are 18.",
    )


def test_a_constant_series_gives_a_flat_forecast_without_an_interval() -> None:
    result = fc.forecast(weekly(np.full(10, 3.0)), 4)
    assert result.mean.tolist() == [3.0] * 4
    assert np.isnan(result.lower).all() and np.isnan(result.upper).all()
    assert not result.has_interval
    assert result.model.startswith("No variation: all 10 points are 3")
    assert result.aicc is None


def test_an_exact_fit_claims_no_interval() -> None:
    pattern = pd.Series(100 + 10 * np.sin(2 * np.pi * np.arange(48) / 12), index=MONTHS)
    result = fc.forecast(pattern, 3, seasonal_periods=12)
    np.testing.assert_allclose(result.mean, 100 + 10 * np.sin(2 * np.pi * np.arange(48, 51) / 12), atol=1e-6)
    assert not result.has_interval
    assert "reproduces the history exactly" in " ".join(result.notes)


# --- Dates -------------------------------------------------------------------------------


def test_weekly_dates_continue_on_mondays() -> None:
    result = fc.forecast(noisy_flat(20), 3)
    assert list(result.dates) == list(pd.to_datetime(["2023-05-22", "2023-05-29", "2023-06-05"]))
    assert all(d.weekday() == 0 for d in result.dates)


def test_monthly_dates_continue_on_month_starts_across_the_year() -> None:
    series = pd.Series(np.random.default_rng(1).normal(20, 2, 10), index=[dt.date(2023, m, 1) for m in range(3, 13)])
    result = fc.forecast(series, 3)
    assert list(result.dates) == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))


def test_quarterly_and_daily_dates_and_iso_strings() -> None:
    quarters = pd.date_range("2021-01-01", periods=12, freq="QS")
    result = fc.forecast(pd.Series(np.random.default_rng(2).normal(5, 1, 12), index=quarters), 2)
    assert list(result.dates) == list(pd.to_datetime(["2024-01-01", "2024-04-01"]))
    days = [f"2024-02-{d:02d}" for d in range(20, 30)]  # 2024 is a leap year
    result = fc.forecast(pd.Series(np.random.default_rng(3).normal(5, 1, 10), index=days), 2)
    assert list(result.dates) == list(pd.to_datetime(["2024-03-01", "2024-03-02"]))


def test_freq_can_be_given_as_a_grain() -> None:
    result = fc.forecast(noisy_flat(20), 2, freq="week")
    assert list(result.dates) == list(pd.to_datetime(["2023-05-22", "2023-05-29"]))
    frame = result.to_frame()
    assert list(frame.columns) == ["bucket_date", "mean", "lower", "upper"] and len(frame) == 2


def test_leading_and_trailing_gaps_are_dropped() -> None:
    values = np.r_[np.nan, np.nan, 50 + np.random.default_rng(4).normal(0, 2, 12), np.nan]
    result = fc.forecast(weekly(values), 2)
    assert result.fitted_on == 12
    assert result.dates[0] == MONDAYS[14]  # right after the last reported week, MONDAYS[13]


# --- Refusals ----------------------------------------------------------------------------


def test_too_few_points_are_refused_with_a_sentence() -> None:
    with pytest.raises(fc.ForecastRefused) as caught:
        fc.forecast(weekly(np.r_[np.arange(7.0), np.nan]), 3)
    assert str(caught.value) == "A forecast needs at least 8 buckets of history; there are only 7."
    assert caught.value.reason == "too_few_points"
    assert isinstance(caught.value, DashboardError)


def test_an_interior_gap_is_refused_with_a_sentence() -> None:
    values = np.arange(12.0)
    values[5] = np.nan
    with pytest.raises(fc.ForecastRefused) as caught:
        fc.forecast(weekly(values), 3)
    assert str(caught.value) == (
        "1 bucket inside the history has no value (first: 2023-02-06); a forecast needs an unbroken series, so none is drawn."
    )
    assert caught.value.reason == "missing_values"


def test_a_missing_bucket_row_is_refused_like_a_gap() -> None:
    series = weekly(np.arange(12.0)).drop(MONDAYS[[4, 5]])
    with pytest.raises(fc.ForecastRefused, match="2 buckets inside the history have no value") as caught:
        fc.forecast(series, 3)
    assert caught.value.reason == "missing_values"


def test_uneven_dates_are_refused() -> None:
    # Timestamps at varying times of day fit no day / week / month / quarter grid.
    dates = pd.date_range("2024-01-01", periods=9, freq="D") + pd.to_timedelta(np.arange(9), unit="h")
    with pytest.raises(fc.ForecastRefused, match="not evenly spaced") as caught:
        fc.forecast(pd.Series(np.arange(9.0), index=dates), 2)
    assert caught.value.reason == "uneven_dates"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"horizon": 0}, "horizon"), ({"level": 1.0}, "level"), ({"seasonal_periods": 1}, "seasonal_periods")],
)
def test_invalid_arguments(kwargs: dict, message: str) -> None:
    arguments = {"horizon": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        fc.forecast(noisy_flat(20), **arguments)


# --- Clipping, warnings, result ----------------------------------------------------------


def test_a_falling_quantity_is_clipped_at_zero() -> None:
    series = weekly(100 - 8.0 * np.arange(12))
    result = fc.forecast(series, 6)
    assert result.clipped_at_zero
    assert np.all(result.lower >= 0) and np.all(result.mean >= 0)
    assert result.mean[-1] == 0
    signed = fc.forecast(series, 6, non_negative=False)
    assert not signed.clipped_at_zero and signed.mean[-1] < 0
    unclipped = fc.forecast(noisy_flat(), 3)
    assert not unclipped.clipped_at_zero


def test_convergence_warnings_become_notes() -> None:
    # Noise of 1e-9 defeats the optimiser's tolerances: statsmodels warns, the result says so.
    tiny = weekly(np.random.default_rng(0).normal(0, 1e-9, 12))
    result = fc.forecast(tiny, 2, non_negative=False)
    assert "did not fully converge" in " ".join(result.notes)


def test_the_result_is_immutable() -> None:
    result = fc.forecast(noisy_flat(20), 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.level = 0.5  # type: ignore[misc]
    with pytest.raises(ValueError):
        result.mean[0] = 1.0
