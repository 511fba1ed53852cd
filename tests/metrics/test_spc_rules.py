"""Run rules on hand-built series: each fires alone where it should, and only there."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pytest

from dashboard.metrics.spc import (
    Baseline,
    ControlLimits,
    RunRule,
    evaluate_rules,
    imr_chart,
    nelson_rules,
    western_electric_rules,
)

NELSON = nelson_rules()
WE = western_electric_rules()

# One series per Nelson rule, built so that with all eight tests on, only that rule fires,
# at the listed points. z is (value − centre)/σ.
FIRES_ALONE = {
    1: ([0.5, -0.5, 3.5, -0.5, -3.2], [2, 4]),
    2: ([0.5, 0.3, 0.6, 0.4, 0.7, 0.2, 0.5, 0.6, 0.3], [8]),
    3: ([-0.9, -0.6, -0.3, 0.1, 0.4, 0.8], [5]),
    4: ([0.5, -0.5] * 7, [13]),
    5: ([0.0, 2.5, 0.5, 2.4], [3]),
    6: ([1.5, 1.2, 0.2, 1.4, 1.3], [4]),
    7: ([0.3, -0.2, 0.4, 0.5, -0.1, -0.3, 0.2, 0.1, -0.4, 0.3, 0.6, -0.2, -0.5, 0.1, 0.2], [14]),
    8: ([1.5, -1.5, 1.6, -1.4, 1.2, -1.3, 1.7, -1.1], [7]),
}

# The same patterns one step short (or broken), so the rule must stay silent.
STAYS_SILENT = {
    1: [2.9, 3.0, -3.0, 0.0],  # on the 3σ line is not beyond it
    2: [0.5, 0.3, 0.6, 0.4, 0.7, 0.2, 0.5, 0.6, -0.3],  # the ninth point crosses
    3: [-0.9, -0.6, -0.3, -0.3, 0.4, 0.8],  # a tie breaks the trend
    4: [0.5, -0.5] * 6 + [0.5],  # 13 alternating points
    5: [2.5, 0.5, 0.5, 2.4],  # 2 beyond 2σ, but not within 3 points
    6: [1.5, 1.2, 0.2, 0.3, 1.3],  # 3 of 5 beyond 1σ
    7: [0.3, -0.2, 0.4, 0.5, -0.1, -0.3, 0.2, 0.1, -0.4, 0.3, 0.6, -0.2, -0.5, 1.1],  # 13 within
    8: [1.5, -1.5, 1.6, -1.4, 1.2, -1.3, 1.7],  # 7 beyond 1σ
}


def fired(z: list[float], rules: tuple[RunRule, ...] = NELSON) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for violation in evaluate_rules(z, rules):
        found.setdefault(violation.rule, []).append(violation.index)
    return found


@pytest.mark.parametrize("number", sorted(FIRES_ALONE))
def test_each_nelson_rule_fires_alone_on_its_pattern(number: int) -> None:
    z, points = FIRES_ALONE[number]
    assert fired(z) == {f"Nelson {number}": points}


@pytest.mark.parametrize("number", sorted(STAYS_SILENT))
def test_each_nelson_rule_stays_silent_one_step_short(number: int) -> None:
    assert f"Nelson {number}" not in fired(STAYS_SILENT[number])


@pytest.mark.parametrize("number", sorted(FIRES_ALONE))
def test_each_nelson_rule_can_be_switched_off(number: int) -> None:
    z, _ = FIRES_ALONE[number]
    others = [n for n in range(1, 9) if n != number]
    assert fired(z, nelson_rules(enabled=others)) == {}


def test_nelson_8_needs_points_on_both_sides() -> None:
    assert "Nelson 8" not in fired([1.5] * 8)


def test_trend_counts_decreasing_runs_too() -> None:
    assert fired([0.8, 0.4, 0.1, -0.3, -0.6, -0.9]) == {"Nelson 3": [5]}


def test_zone_tests_count_one_side_at_a_time() -> None:
    assert fired([2.5, 0.5, -2.4]) == {}
    assert fired([-1.5, -1.2, 0.2, -1.4, -1.3]) == {"Nelson 6": [4]}


def test_a_continuing_run_flags_every_further_point_and_says_since_when() -> None:
    violations = evaluate_rules([0.5] * 11, nelson_rules(enabled=(2,)), labels=[f"day {i}" for i in range(11)])
    assert [v.index for v in violations] == [8, 9, 10]
    assert violations[-1].message == "Nelson 2: 11 points in a row above the centre line since day 0"
    assert {v.start_index for v in violations} == {0}


WE_FIRES_ALONE = {
    1: ([0.5, -3.5, 0.5], [1]),
    2: ([0.0, -2.5, -0.5, -2.4], [3]),
    3: ([1.5, 1.2, 0.2, 1.4, 1.3], [4]),
    4: ([0.5, 0.3, 0.6, 0.4, 0.7, 0.2, 0.5, 0.6], [7]),
}


@pytest.mark.parametrize("number", sorted(WE_FIRES_ALONE))
def test_each_western_electric_rule_fires_alone_and_can_be_switched_off(number: int) -> None:
    z, points = WE_FIRES_ALONE[number]
    assert fired(z, WE) == {f"Western Electric {number}": points}
    others = [n for n in range(1, 5) if n != number]
    assert fired(z, western_electric_rules(enabled=others)) == {}


def test_western_electric_4_needs_eight_points() -> None:
    assert fired([0.5] * 7, WE) == {}


def test_counts_are_configurable() -> None:
    seven_above = [0.5, 0.3, 0.6, 0.4, 0.7, 0.2, 0.5]
    assert fired(seven_above) == {}
    assert fired(seven_above, nelson_rules(same_side=7)) == {"Nelson 2": [6]}
    assert fired(seven_above, western_electric_rules(same_side=7)) == {"Western Electric 4": [6]}
    assert fired([0.1, 0.2, 0.3, 0.4, 0.5], nelson_rules(trend=5)) == {"Nelson 3": [4]}
    assert fired([0.5, -0.5] * 5, nelson_rules(alternating=10)) == {"Nelson 4": [9]}
    assert fired([2.5, 0.1, 0.1, 2.5], nelson_rules(zone_a=(2, 4))) == {"Nelson 5": [3]}
    assert fired([0.1] * 10, nelson_rules(same_side=12, within_c=10)) == {"Nelson 7": [9]}
    assert fired([1.5, -1.5] * 3, nelson_rules(outside_c=6)) == {"Nelson 8": [5]}


def test_segments_restart_every_run() -> None:
    z = [0.5] * 10
    assert fired(z) == {"Nelson 2": [8, 9]}
    assert evaluate_rules(z, NELSON, segments=[0] * 5 + [1] * 5) == ()


def test_missing_points_break_runs() -> None:
    assert fired([0.5] * 4 + [math.nan] + [0.5] * 5) == {}


def test_messages_name_the_rule_and_the_date_the_pattern_started() -> None:
    # Individuals judged against frozen limits (centre 10, σ 1), so z = value − 10.
    days = pd.date_range("2026-03-14", periods=9, freq="D")
    frame = pd.DataFrame({"measured_at": days, "value": [10.5, 10.3, 10.6, 10.4, 10.7, 10.2, 10.5, 10.6, 10.3]})
    frozen = ControlLimits("I-MR", centre=10.0, sigma=1.0, sigma_method="given", nsigmas=3.0, baseline_ids=())
    charts = imr_chart(frame, baselines=(Baseline(start=1, reason="limits from 2025", limits=frozen),))
    (violation,) = charts.location.violations
    assert violation.message == "Nelson 2: 9 points in a row above the centre line since 14 Mar 2026"
    assert (violation.subgroup_id, violation.index, violation.start_index) == (9, 8, 0)
    assert charts.location.points["rules"].tolist() == [""] * 8 + ["Nelson 2"]


def test_single_point_messages_say_on_which_day() -> None:
    (violation,) = evaluate_rules([0.0, -3.4], NELSON, labels=["1 Mar 2026", "2 Mar 2026"])
    assert violation.message == "Nelson 1: 1 point more than 3σ below the centre line on 2 Mar 2026"


@pytest.mark.parametrize(
    "make",
    [
        lambda: nelson_rules(enabled=(9,)),
        lambda: western_electric_rules(enabled=(5,)),
        lambda: nelson_rules(same_side=1),
        lambda: nelson_rules(trend=2.5),
        lambda: nelson_rules(zone_a=(4, 3)),
        lambda: western_electric_rules(zone_b=(0, 5)),
    ],
)
def test_impossible_rule_settings_are_rejected(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()


def test_labels_must_match_the_points() -> None:
    with pytest.raises(ValueError, match="one entry per point"):
        evaluate_rules([0.0, 1.0], NELSON, labels=["only one"])
