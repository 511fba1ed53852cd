"""Surges: the exact conditional test for two Poisson counts, checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.metrics.surge import rise_p_value, surges


def test_p_value_is_the_binomial_tail_with_equal_periods() -> None:
    # 6 of 7 events in the current period: P(X >= 6 | n = 7, p = 1/2) = (7 + 1) / 128
    assert rise_p_value(6, 1) == pytest.approx(8 / 128)
    # all of 5 events now: (1/2)^5
    assert rise_p_value(5, 0) == pytest.approx(1 / 32)
    assert rise_p_value(0, 0) == 1.0
    assert rise_p_value(0, 4) == 1.0


def test_exposure_weights_the_periods() -> None:
    # a current period twice as long: p = 2/3 per event; all 3 now: (2/3)^3
    assert rise_p_value(3, 0, exposure=2.0) == pytest.approx((2 / 3) ** 3)


@pytest.mark.parametrize(("current", "previous"), [(-1, 0), (1.5, 0), (1, -2)])
def test_counts_must_be_whole_and_non_negative(current: float, previous: float) -> None:
    with pytest.raises(ValueError, match="whole, non-negative"):
        rise_p_value(current, previous)


def test_a_surge_needs_volume_ratio_and_significance() -> None:
    frame = pd.DataFrame(
        {
            "key": ["D12", "D04", "D01", "D02", "D03"],
            "complaints": [54, 6, 8, 4, 40],
            "prev_complaints": [1, 1, 8, 0, None],
        }
    )
    before = frame.copy()
    result = surges(frame, "complaints", "prev_complaints")
    assert result["surge"].tolist() == [True, False, False, False, True]
    # D04: p = 8/128 is not below 0.01; D02: 4 complaints are fewer than 5; D03: a missing count is 0
    assert result.loc[1, "p_value"] == pytest.approx(8 / 128)
    assert math.isclose(result.loc[4, "p_value"], 0.5**40)
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    # 54 is not 60 times 1; against none before, any ratio holds
    assert surges(frame, "complaints", "prev_complaints", ratio=60)["surge"].tolist() == [False, False, False, False, True]
