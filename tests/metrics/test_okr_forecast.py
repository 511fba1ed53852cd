"""Key-result forecasts (OLS trend, prediction intervals, probability), status words and owner confidence."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from dashboard.metrics.okr_forecast import (
    FAN_COLUMNS,
    STATUS_THRESHOLDS,
    KeyResultForecast,
    confidence_label,
    disagreement,
    forecast_key_result,
    ideal_line,
    status_from_probability,
)

START = dt.date(2024, 1, 1)
DUE = dt.date(2024, 3, 31)  # day 90 (2024 is a leap year)
WEEKS = np.arange(0, 57, 7)  # nine weekly check-ins, days 0..56


def days(xs: np.ndarray) -> list[dt.date]:
    return [START + dt.timedelta(days=int(x)) for x in xs]


def run(values, *, xs=WEEKS, kind="increase", start=0.0, target=100.0, low=None, high=None, as_of=None, due=DUE):
    dates = days(xs)
    return forecast_key_result(
        dates,
        values,
        kind=kind,
        start_value=start,
        target_value=target,
        band_low=low,
        band_high=high,
        start_date=START,
        due_date=due,
        as_of=as_of or dates[-1],
    )


def noisy(seed: int = 11, slope: float = 1.0, sd: float = 4.0, xs: np.ndarray = WEEKS) -> np.ndarray:
    return 2.0 + slope * xs + np.random.default_rng(seed).normal(0, sd, len(xs))


def statsmodels_prediction(xs: np.ndarray, values: np.ndarray, alpha: float):
    """Independent check: statsmodels OLS on days since start, prediction at the due date (day 90)."""
    fit = sm.OLS(values, sm.add_constant(xs.astype(float))).fit()
    frame = fit.get_prediction(np.array([[1.0, 90.0]])).summary_frame(alpha=alpha)
    return frame.iloc[0], fit


# --- Exact lines -----------------------------------------------------------------------------


def test_perfect_line_hitting_the_target_exactly_is_certain() -> None:
    # 100/90 per day is not exact in binary, so the residuals are rounding noise, not uncertainty.
    result = run(100.0 * WEEKS / 90)
    assert result.expected == pytest.approx(100.0, rel=1e-9, abs=1e-9)
    assert result.probability == 1.0
    assert result.status == "on track"
    assert result.refused is None
    assert result.low95 == pytest.approx(result.high95, abs=1e-9)
    assert result.model == "Linear trend of 9 check-ins (OLS) with an 80 %/95 % prediction interval"


def test_flat_series_short_of_target_is_off_track() -> None:
    result = run(np.full(len(WEEKS), 40.0))
    assert result.expected == pytest.approx(40.0)
    assert result.probability == 0.0
    assert result.status == "off track"


def test_flat_series_with_noise_has_a_low_probability() -> None:
    result = run(40.0 + np.random.default_rng(3).normal(0, 2, len(WEEKS)))
    assert 0.0 <= result.probability < 0.01
    assert result.status == "off track"


def test_line_reaching_half_way_matches_hand_calculation() -> None:
    # y = 50/90 · x: at day 90 the line is at 50, half of the 0 -> 100 target.
    result = run(50.0 * WEEKS / 90)
    assert result.expected == pytest.approx(50.0, abs=1e-9)
    assert result.probability == 0.0
    assert result.status == "off track"


def test_decrease_mirror_of_a_perfect_line() -> None:
    # 100 -> 60 bugs over 90 days, dropping 40/90 a day: exactly 60 at the due date.
    result = run(100.0 - 40.0 * WEEKS / 90, kind="decrease", start=100.0, target=60.0)
    assert result.expected == pytest.approx(60.0, abs=1e-9)
    assert result.probability == 1.0
    short = run(100.0 - 20.0 * WEEKS / 90, kind="decrease", start=100.0, target=60.0)
    assert short.expected == pytest.approx(80.0, abs=1e-9)
    assert short.probability == 0.0


def test_perfect_line_to_zero_and_to_a_band_edge_meet_their_targets() -> None:
    # Rounding leaves ~1e-15 where 0 is meant: the tolerance is relative to the data's scale, not to 0.
    to_zero = run(10.0 - 10.0 * WEEKS / 90, kind="decrease", start=10.0, target=0.0)
    assert to_zero.expected == pytest.approx(0.0, abs=1e-9)
    assert to_zero.probability == 1.0
    # A band key result has no target (NaN here, as a database NULL arrives); its edge counts as inside.
    edge = run(14.0 * WEEKS / 90, kind="band", start=None, target=float("nan"), low=8.0, high=14.0)
    assert edge.expected == pytest.approx(14.0, abs=1e-9)
    assert edge.probability == 1.0
    beyond = run(15.0 * WEEKS / 90, kind="band", start=None, target=None, low=8.0, high=14.0)
    assert beyond.probability == 0.0


# --- Noisy series against statsmodels and scipy ---------------------------------------------------


def test_noisy_series_matches_statsmodels_prediction_interval() -> None:
    values = noisy()
    result = run(values)
    for alpha, low, high in ((0.05, result.low95, result.high95), (0.20, result.low80, result.high80)):
        row, _ = statsmodels_prediction(WEEKS, values, alpha)
        assert result.expected == pytest.approx(row["mean"], rel=1e-9)
        assert low == pytest.approx(row["obs_ci_lower"], rel=1e-9)
        assert high == pytest.approx(row["obs_ci_upper"], rel=1e-9)
    assert result.fan.iloc[-1]["expected"] == pytest.approx(result.expected, rel=1e-12)


def test_noisy_increase_probability_is_the_predictive_t_tail() -> None:
    values = noisy()
    result = run(values)
    row, fit = statsmodels_prediction(WEEKS, values, 0.05)
    se_pred = np.sqrt(row["mean_se"] ** 2 + fit.scale)  # s² (1 + 1/n + (x0 - x̄)²/Sxx)
    expected = stats.t.sf((100.0 - row["mean"]) / se_pred, fit.df_resid)
    assert result.probability == pytest.approx(expected, rel=1e-9)
    assert 0.05 < result.probability < 0.95  # noisy enough that neither 0 nor 1


def test_noisy_decrease_probability_is_the_lower_tail() -> None:
    values = 100.0 - noisy(seed=5, slope=0.45, sd=3.0)
    result = run(values, kind="decrease", start=100.0, target=60.0)
    row, fit = statsmodels_prediction(WEEKS, values, 0.05)
    se_pred = np.sqrt(row["mean_se"] ** 2 + fit.scale)
    assert result.probability == pytest.approx(stats.t.cdf((60.0 - row["mean"]) / se_pred, fit.df_resid), rel=1e-9)


def test_band_probability_is_the_difference_of_two_t_cdfs() -> None:
    values = noisy(seed=8, slope=0.1, sd=2.0)  # drifts up slowly around 2 + 9 = 11 at day 90
    result = run(values, kind="band", start=None, target=None, low=8.0, high=14.0)
    row, fit = statsmodels_prediction(WEEKS, values, 0.05)
    se_pred = np.sqrt(row["mean_se"] ** 2 + fit.scale)
    t = stats.t(fit.df_resid)
    expected = t.cdf((14.0 - row["mean"]) / se_pred) - t.cdf((8.0 - row["mean"]) / se_pred)
    assert result.probability == pytest.approx(expected, rel=1e-9)
    assert 0 < result.probability < 1


def test_prediction_interval_covers_the_due_date_value_95_percent_of_the_time() -> None:
    # 400 seeded series y = 5 + 0.8x + N(0, 3²); the true value at day 90 is a new draw from the
    # same line and noise. A correct 95 % prediction interval covers it about 95 % of the time
    # (binomial sd 1.1 %), so 92–98 % is a fail-safe band at about ±2.7 sd.
    rng = np.random.default_rng(20240101)
    covered = 0
    for _ in range(400):
        values = 5 + 0.8 * WEEKS + rng.normal(0, 3, len(WEEKS))
        truth = 5 + 0.8 * 90 + rng.normal(0, 3)
        result = run(values)
        covered += result.low95 <= truth <= result.high95
    assert 0.92 <= covered / 400 <= 0.98


# --- The fan -------------------------------------------------------------------------------------


def test_fan_runs_weekly_from_last_checkin_to_due_date() -> None:
    result = run(noisy())
    fan = result.fan
    assert tuple(fan.columns) == FAN_COLUMNS
    assert fan["date"].iloc[0] == pd.Timestamp(START) + pd.Timedelta(days=56)
    assert fan["date"].iloc[-1] == pd.Timestamp(DUE)
    assert (fan["low95"] <= fan["low80"]).all() and (fan["low80"] <= fan["expected"]).all()
    assert (fan["expected"] <= fan["high80"]).all() and (fan["high80"] <= fan["high95"]).all()
    # The band widens with distance from the data.
    assert np.all(np.diff(fan["high95"] - fan["low95"]) > 0)


# --- Refusals and the passed due date ----------------------------------------------------------------


def test_refuses_with_two_checkins() -> None:
    result = run([10.0, 20.0], xs=np.array([0, 7]))
    assert result.refused == "Needs at least 3 check-ins to forecast; has 2."
    assert result.probability is None and result.expected is None
    assert result.status == "no forecast"
    assert result.fan.empty and tuple(result.fan.columns) == FAN_COLUMNS


def test_checkins_after_as_of_are_not_used() -> None:
    result = run(100.0 * WEEKS / 90, as_of=START + dt.timedelta(days=10))
    assert result.refused == "Needs at least 3 check-ins to forecast; has 2."


def test_refuses_milestones() -> None:
    result = run([0.0, 0.0, 1.0], xs=np.array([0, 7, 14]), kind="milestone", start=0.0, target=1.0)
    assert result.refused == "Milestones are done or not; no trend to forecast."
    assert result.probability is None


def test_refuses_checkins_all_on_one_day() -> None:
    result = run([10.0, 12.0, 11.0], xs=np.array([14, 14, 14]))
    assert result.refused is not None and "same day" in result.refused
    assert result.probability is None


@pytest.mark.parametrize(("last", "probability"), [(104.0, 1.0), (97.0, 0.0)])
def test_due_date_passed_gives_the_final_value(last: float, probability: float) -> None:
    xs = np.array([0, 30, 60, 95])  # the final number reported five days after the due date
    result = run([0.0, 30.0, 70.0, last], xs=xs, as_of=START + dt.timedelta(days=100))
    assert result.model == "Due date passed: final value"
    assert result.expected == last
    assert result.probability == probability
    assert result.refused is None
    assert result.fan.empty


def test_band_due_date_passed_checks_the_band() -> None:
    xs = np.array([0, 30, 60, 88])
    inside = run([3.0, 5.0, 6.0, 5.5], xs=xs, kind="band", low=4.0, high=6.0, as_of=START + dt.timedelta(days=95))
    outside = run([3.0, 5.0, 6.0, 6.5], xs=xs, kind="band", low=4.0, high=6.0, as_of=START + dt.timedelta(days=95))
    assert (inside.probability, outside.probability) == (1.0, 0.0)


def test_invalid_definitions_raise() -> None:
    with pytest.raises(ValueError, match="unknown key-result kind"):
        run(noisy(), kind="double")
    with pytest.raises(ValueError, match="needs a target value"):
        run(noisy(), target=None)
    with pytest.raises(ValueError, match="band_low <= band_high"):
        run(noisy(), kind="band", low=6.0, high=4.0)
    with pytest.raises(ValueError, match="differ in length"):
        run([1.0, 2.0])


# --- Inputs ----------------------------------------------------------------------------------------


def test_inputs_are_not_mutated_and_types_agree() -> None:
    values = noisy()
    dates = pd.Series(pd.to_datetime(days(WEEKS))[::-1])  # Timestamps, newest first
    series = pd.Series(values[::-1], index=range(100, 100 + len(WEEKS)))
    dates_before, series_before = dates.copy(), series.copy()
    kwargs = dict(
        kind="increase", start_value=0.0, target_value=100.0, band_low=None, band_high=None, start_date=START, due_date=DUE
    )
    from_series = forecast_key_result(dates, series, as_of=DUE, **kwargs)
    pd.testing.assert_series_equal(dates, dates_before)
    pd.testing.assert_series_equal(series, series_before)

    as_list = list(values)
    array = values.copy()
    from_list = forecast_key_result(days(WEEKS), as_list, as_of=DUE, **kwargs)
    from_array = forecast_key_result(np.array(days(WEEKS), dtype=object), array, as_of=DUE, **kwargs)
    assert as_list == list(values)
    np.testing.assert_array_equal(array, values)
    for other in (from_list, from_array):
        assert other.expected == pytest.approx(from_series.expected, rel=1e-12)
        assert other.high95 == pytest.approx(from_series.high95, rel=1e-12)
        assert other.probability == pytest.approx(from_series.probability, rel=1e-12)


def test_missing_values_are_ignored() -> None:
    values = list(100.0 * WEEKS / 90)
    values[3] = None
    result = run(values)
    assert result.model.startswith("Linear trend of 8 check-ins")
    assert result.probability == 1.0


def test_result_is_frozen() -> None:
    result = run(noisy())
    assert isinstance(result, KeyResultForecast)
    with pytest.raises(AttributeError):
        result.probability = 0.5  # type: ignore[misc]


# --- Status, confidence, disagreement -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "status"),
    [
        (1.0, "on track"),
        (0.7, "on track"),
        (0.6999999, "at risk"),
        (0.3, "at risk"),
        (0.2999999, "off track"),
        (0.0, "off track"),
        (None, "no forecast"),
        (float("nan"), "no forecast"),
    ],
)
def test_status_thresholds_at_the_edges(probability, status) -> None:
    assert status_from_probability(probability) == status


def test_status_thresholds_are_published_and_validated() -> None:
    assert dict(STATUS_THRESHOLDS) == {"on track": 0.7, "at risk": 0.3, "off track": 0.0}
    with pytest.raises(ValueError, match="between 0 and 1"):
        status_from_probability(1.5)


@pytest.mark.parametrize(
    ("confidence", "label"),
    [
        (0, "low"),
        (3, "low"),
        (3.5, "low"),
        (4, "medium"),
        (6, "medium"),
        (7, "high"),
        (10, "high"),
        (np.int64(5), "medium"),
        ("low", "low"),
        ("Medium", "medium"),
        (" HIGH ", "high"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_confidence_label(confidence, label) -> None:
    assert confidence_label(confidence) == label


@pytest.mark.parametrize(
    ("confidence", "message"),
    [(11, "between 0 and 10"), (-1, "between 0 and 10"), ("sure", "low, medium, high"), (True, "low, medium, high")],
)
def test_confidence_label_errors(confidence, message) -> None:
    with pytest.raises(ValueError, match=message):
        confidence_label(confidence)


@pytest.mark.parametrize(
    ("confidence", "probability", "note"),
    [
        ("high", 0.18, "owner: high; data: 18 %"),
        (9, 0.1234, "owner: high; data: 12 %"),
        ("low", 0.82, "owner: low; data: 82 %"),
        (2, 0.7, "owner: low; data: 70 %"),
        ("high", 0.3, None),
        ("low", 0.69, None),
        ("medium", 0.05, None),
        ("high", 0.9, None),
        (None, 0.1, None),
        ("high", None, None),
    ],
)
def test_disagreement(confidence, probability, note) -> None:
    assert disagreement(confidence, probability) == note


# --- Ideal line -------------------------------------------------------------------------------------------


def test_ideal_line_joins_start_and_target() -> None:
    frame = ideal_line(START, DUE, 100.0, 60.0)
    assert list(frame.columns) == ["date", "ideal"]
    assert list(frame["date"]) == [pd.Timestamp(START), pd.Timestamp(DUE)]
    assert list(frame["ideal"]) == [100.0, 60.0]


@pytest.mark.parametrize(("kind", "start", "target"), [("band", None, None), ("milestone", 0.0, 1.0), (None, None, 5.0)])
def test_ideal_line_is_empty_without_a_from_to_target(kind, start, target) -> None:
    frame = ideal_line(START, DUE, start, target, kind=kind)
    assert frame.empty and list(frame.columns) == ["date", "ideal"]
