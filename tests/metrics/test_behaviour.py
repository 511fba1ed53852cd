"""KPI process behaviour (XmR): signals versus routine variation."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.metrics.behaviour import MIN_POINTS, kpi_behaviour

WEEKS = [dt.date(2026, 1, 5) + dt.timedelta(days=7 * i) for i in range(13)]
STEADY = [97.1, 97.3, 97.0, 97.2, 97.4, 97.1, 97.2, 97.3, 97.0, 97.2, 97.1, 97.3, 97.2]


def test_routine_variation_has_limits_and_no_signal() -> None:
    behaviour = kpi_behaviour(pd.Series(STEADY, index=WEEKS), "higher")
    assert behaviour.signal is None and behaviour.improving is None
    assert behaviour.lower < min(STEADY) and behaviour.upper > max(STEADY)
    # XmR by hand: mean of the values ± 2.66 x mean moving range (Wheeler's constant 3/1.128)
    moving = pd.Series(STEADY).diff().abs().dropna().mean()
    assert behaviour.upper == pytest.approx(sum(STEADY) / len(STEADY) + 3 / 1.128 * moving, rel=1e-3)


def test_a_late_drop_is_a_worsening_signal_for_higher_is_better() -> None:
    values = [*STEADY[:10], 96.1, 96.0, 95.9]
    behaviour = kpi_behaviour(pd.Series(values, index=WEEKS), "higher")
    assert behaviour.signal is not None and "below the centre line" in behaviour.signal
    assert behaviour.improving is False
    assert kpi_behaviour(pd.Series(values, index=WEEKS), "lower").improving is True


def test_an_old_signal_does_not_light_the_tile() -> None:
    values = [95.0, *STEADY[1:]]
    assert kpi_behaviour(pd.Series(values, index=WEEKS), "higher").signal is None


def test_too_short_or_flat_series_say_nothing() -> None:
    assert kpi_behaviour(pd.Series(STEADY[: MIN_POINTS - 1], index=WEEKS[: MIN_POINTS - 1]), "higher") is None
    assert kpi_behaviour(pd.Series([5.0] * 13, index=WEEKS), "higher") is None
