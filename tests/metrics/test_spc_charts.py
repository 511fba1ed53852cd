"""Chart engine on hand-computed cases: per-point limits, phases, baselines, exclusion, inputs."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from dashboard.metrics.spc import (
    Baseline,
    SpcDataError,
    c_chart,
    d2,
    imr_chart,
    new_baseline,
    np_chart,
    p_chart,
    u_chart,
    xbar_chart,
    xbar_s_chart,
)


def subgroups_of_two(pairs: list[tuple[float, float]], **columns: list) -> pd.DataFrame:
    """One row per measurement; subgroup i + 1 holds the pair pairs[i]."""
    rows = [{"subgroup_id": i + 1, "value": v} for i, pair in enumerate(pairs) for v in pair]
    frame = pd.DataFrame(rows)
    for name, per_subgroup in columns.items():
        frame[name] = [per_subgroup[i] for i, pair in enumerate(pairs) for _ in pair]
    return frame


def test_p_chart_limits_per_subgroup_by_hand() -> None:
    # p̄ = (5 + 15)/(50 + 150) = 0.1, so p̄(1 − p̄) = 0.09.
    # n = 50:  σ = √(0.09/50) = 0.0424264; UCL = 0.1 + 3σ = 0.2272792; LCL = 0.1 − 0.1272792 < 0 → 0.
    # n = 150: σ = √(0.09/150) = 0.0244949; UCL = 0.1734847; LCL = 0.0265153.
    frame = pd.DataFrame({"subgroup_id": ["A", "B"], "nonconforming": [5, 15], "n": [50, 150]})
    chart = p_chart(frame)
    assert chart.limits[0].centre == pytest.approx(0.1)
    assert chart.points["se"].tolist() == pytest.approx([0.0424264, 0.0244949], abs=1e-7)
    assert chart.points["ucl"].tolist() == pytest.approx([0.2272792, 0.1734847], abs=1e-7)
    assert chart.points["lcl"].tolist() == pytest.approx([0.0, 0.0265153], abs=1e-7)


def test_same_fraction_is_judged_against_each_subgroups_own_limits() -> None:
    # Phase II p = 0.16 twice: n = 400 gives σ = √(0.09/400) = 0.015, z = 0.06/0.015 = 4 (beyond);
    # n = 25 gives σ = 0.06, z = 1 (inside).
    frame = pd.DataFrame(
        {
            "subgroup_id": ["A", "B", "C", "D"],
            "nonconforming": [5, 15, 64, 4],
            "n": [50, 150, 400, 25],
            "phase": ["I", "I", "II", "II"],
        }
    )
    points = p_chart(frame).points
    assert points["z"].tolist() == pytest.approx([0.0, 0.0, 4.0, 1.0])
    assert points["beyond_limits"].tolist() == [False, False, True, False]
    assert points["rules"].tolist() == ["", "", "Nelson 1", ""]


def test_np_chart_centre_moves_with_n() -> None:
    # p̄ = 0.1: n = 50 → centre 5, σ = √(50·0.09) = 2.1213203; n = 150 → centre 15, σ = 3.6742346.
    frame = pd.DataFrame({"subgroup_id": [1, 2], "nonconforming": [5, 15], "n": [50, 150]})
    points = np_chart(frame).points
    assert points["centre"].tolist() == pytest.approx([5.0, 15.0])
    assert points["ucl"].tolist() == pytest.approx([5 + 3 * 2.1213203, 15 + 3 * 3.6742346], abs=1e-6)


def test_u_chart_limits_per_inspection_units_by_hand() -> None:
    # ū = (6 + 12)/(2 + 4) = 3. units 2: σ = √(3/2) = 1.2247449, UCL 6.6742346, LCL < 0 → 0;
    # units 4: σ = √(3/4) = 0.8660254, UCL 5.5980762, LCL 0.4019238.
    points = u_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [6, 12], "units": [2, 4]})).points
    assert points["ucl"].tolist() == pytest.approx([6.6742346, 5.5980762], abs=1e-7)
    assert points["lcl"].tolist() == pytest.approx([0.0, 0.4019238], abs=1e-7)


def test_c_chart_refuses_varying_inspection_units() -> None:
    with pytest.raises(SpcDataError, match="u_chart"):
        c_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [6, 12], "units": [2, 4]}))


def test_sigma_comes_from_within_subgroups_not_from_all_values() -> None:
    # Ten subgroups of two with range 2 each, but the means step from 10 to 20 halfway: the
    # within σ is R̄/d2 = 2/1.1284 = 1.772, while the standard deviation of all values is ≈ 5.2.
    pairs = [(9.0, 11.0)] * 5 + [(19.0, 21.0)] * 5
    charts = xbar_chart(subgroups_of_two(pairs))
    assert charts.sigma == pytest.approx(2 / d2(2))
    assert charts.sigma_method == "R̄/d2"
    assert xbar_s_chart(subgroups_of_two(pairs)).sigma_method == "s̄/c4"
    assert charts.sigma < np.std([v for pair in pairs for v in pair], ddof=1) / 2
    assert charts.location.points["beyond_limits"].all()


def test_phase_two_points_never_move_the_frozen_limits() -> None:
    pairs = [(9.0, 11.0), (9.5, 10.5), (10.0, 11.0), (9.0, 10.0)]
    phases = ["I"] * 4
    base = xbar_chart(subgroups_of_two(pairs, phase=phases))
    wild = xbar_chart(subgroups_of_two([*pairs, (50.0, 90.0)], phase=[*phases, "II"]))
    assert wild.limits == base.limits
    assert wild.location.points["phase"].tolist() == ["I"] * 4 + ["II"]
    assert wild.dispersion.points["beyond_limits"].tolist() == [False] * 4 + [True]
    (boundary,) = wild.location.boundaries
    assert (boundary.index, boundary.subgroup_id, boundary.kind) == (4, 5, "phase II")


def test_a_new_baseline_after_a_documented_change() -> None:
    # Subgroups 1–10: (9, 11), mean 10, R 2. Subgroups 11–20: (19, 23), mean 21, R 4. The
    # change at 11 is documented; its limits come from 11–15 and are frozen for 16–20.
    pairs = [(9.0, 11.0)] * 10 + [(19.0, 23.0)] * 10
    baselines = new_baseline((), start=11, end=15, reason="new die installed (ECN-1234)")
    charts = xbar_chart(subgroups_of_two(pairs), baselines=baselines)
    first, second = charts.limits
    assert (first.centre, first.sigma) == pytest.approx((10.0, 2 / d2(2)))
    assert (second.centre, second.sigma) == pytest.approx((21.0, 4 / d2(2)))
    assert second.baseline_ids == (11, 12, 13, 14, 15)
    assert second.reason == "new die installed (ECN-1234)"
    points = charts.location.points
    assert points["segment"].tolist() == [0] * 10 + [1] * 10
    assert points["phase"].tolist() == ["I"] * 15 + ["II"] * 5
    assert points["centre"].tolist() == [10.0] * 10 + [21.0] * 10
    kinds = [(b.index, b.kind, b.reason) for b in charts.location.boundaries]
    assert kinds[0] == (10, "new baseline", "new die installed (ECN-1234)")
    assert kinds[1][:2] == (15, "phase II")
    assert charts.location.violations == ()


def test_limits_frozen_earlier_judge_new_data_unchanged() -> None:
    history = xbar_chart(subgroups_of_two([(9.0, 11.0), (9.5, 10.5), (10.0, 11.0), (9.0, 10.0)]))
    frozen = history.limits[0]
    today = subgroups_of_two([(10.0, 10.5), (30.0, 31.0)])
    charts = xbar_chart(today, baselines=(Baseline(start=1, reason="limits of last quarter", limits=frozen),))
    assert charts.limits == (frozen,)
    assert charts.location.points["phase"].tolist() == ["II", "II"]
    assert charts.location.points["beyond_limits"].tolist() == [False, True]
    assert [(b.index, b.kind) for b in charts.location.boundaries] == [(0, "phase II")]
    with pytest.raises(SpcDataError, match="cannot judge"):
        imr_chart(pd.DataFrame({"value": [1.0, 2.0]}), baselines=(Baseline(start=1, reason="x", limits=frozen),))


def test_a_new_baseline_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="documented change"):
        new_baseline((), start=11, reason="  ")


def test_moving_ranges_restart_at_a_new_baseline() -> None:
    frame = pd.DataFrame({"value": [1.0, 2.0, 1.0, 2.0, 11.0, 12.0, 11.0, 12.0]})
    charts = imr_chart(frame, baselines=(Baseline(start=1, reason="start"), Baseline(start=5, reason="new sensor")))
    moving = charts.dispersion.points["value"].tolist()
    assert math.isnan(moving[0]) and math.isnan(moving[4])
    assert moving[1:4] == [1.0, 1.0, 1.0] and moving[5:] == [1.0, 1.0, 1.0]
    assert [limit.centre for limit in charts.limits] == [1.5, 11.5]
    assert charts.sigma_method == "MR̄/d2 (d2 = 1.128)"


def test_explicit_exclusion_and_iterative_exclusion_report_what_they_dropped() -> None:
    # 19 subgroups of 2 defects, one of 40: c̄ = 3.9 with it, so 40 lies beyond 3.9 + 3√3.9.
    frame = pd.DataFrame({"subgroup_id": range(1, 21), "defects": [2] * 9 + [40] + [2] * 10})
    kept = c_chart(frame)
    assert kept.limits[0].excluded_ids == () and kept.limits[0].centre == pytest.approx(3.9)
    for chart in (c_chart(frame, exclude=[10]), c_chart(frame, exclusion_rounds=3)):
        assert chart.limits[0].excluded_ids == (10,)
        assert chart.limits[0].centre == pytest.approx(2.0)
        assert 10 not in chart.limits[0].baseline_ids
        assert chart.points["excluded"].tolist() == [False] * 9 + [True] + [False] * 10
        assert chart.points["beyond_limits"].iloc[9]


def test_subgroups_follow_measured_at_and_are_labelled_by_date() -> None:
    frame = pd.DataFrame(
        {
            "subgroup_id": [2, 2, 1, 1],
            "value": [5.0, 6.0, 1.0, 2.0],
            "measured_at": pd.to_datetime(["2026-03-15 00:00", "2026-03-15 00:05", "2026-03-14 06:30", "2026-03-14 06:31"]),
        }
    )
    points = xbar_chart(frame).location.points
    assert points["subgroup_id"].tolist() == [1, 2]
    assert points["label"].tolist() == ["14 Mar 2026 06:30", "15 Mar 2026"]


def test_inputs_are_not_mutated() -> None:
    measurements = subgroups_of_two([(9.0, 11.0), (9.5, 10.5), (10.0, 11.0)], phase=["I", "I", "II"])
    individuals = pd.DataFrame({"value": [1.0, 2.0, 1.5, 2.5]})
    counts = pd.DataFrame({"subgroup_id": [1, 2, 3], "nonconforming": [1, 2, 3], "defects": [1, 2, 3], "n": [20, 20, 30]})
    rates = counts.rename(columns={"n": "units"})
    before = [frame.copy(deep=True) for frame in (measurements, individuals, counts, rates)]
    xbar_chart(measurements)
    xbar_s_chart(measurements)
    imr_chart(individuals)
    p_chart(counts)
    np_chart(counts)
    c_chart(counts.drop(columns="n"))
    u_chart(rates)
    for original, frame in zip(before, (measurements, individuals, counts, rates), strict=True):
        pd.testing.assert_frame_equal(frame, original)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: xbar_chart(pd.DataFrame({"value": [1.0]})), "subgroup_id"),
        (lambda: xbar_chart(pd.DataFrame({"subgroup_id": [1, 2], "value": [1.0, 2.0]})), "imr_chart"),
        (lambda: imr_chart(pd.DataFrame({"subgroup_id": [1, 1], "value": [1.0, 2.0]})), "xbar_chart"),
        (lambda: p_chart(pd.DataFrame({"subgroup_id": [1], "nonconforming": [3], "n": [2]})), "exceed"),
        (lambda: c_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [-1, 2]})), "negative"),
        (lambda: u_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [1, 2], "units": [0, 1]})), "positive"),
        (lambda: c_chart(pd.DataFrame({"subgroup_id": [1, 1], "defects": [1, 2]})), "one row per subgroup"),
        (lambda: c_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [1, 2], "phase": ["I", "3"]})), "phase"),
        (lambda: c_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [1, 2], "phase": ["II", "II"]})), "phase 'I'"),
        (lambda: c_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [0, 0]})), "cannot signal"),
        (lambda: c_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [1, 2]}), exclude=[1]), "at least 2"),
        (
            lambda: c_chart(pd.DataFrame({"subgroup_id": [1, 2], "defects": [1, 2]}), baselines=[Baseline(9, "x")]),
            "not a subgroup",
        ),
        (
            lambda: c_chart(
                pd.DataFrame({"subgroup_id": [1, 2, 3, 4], "defects": [1, 2, 1, 2]}),
                baselines=[Baseline(3, "b"), Baseline(1, "a")],
            ),
            "time order",
        ),
        (
            lambda: c_chart(
                pd.DataFrame({"subgroup_id": [1, 2, 3, 4], "defects": [1, 2, 1, 2]}),
                baselines=[Baseline(1, "a", end=4), Baseline(3, "b")],
            ),
            "between its start",
        ),
    ],
)
def test_unusable_inputs_raise_a_message_that_says_what_to_do(call: Callable[[], object], message: str) -> None:
    with pytest.raises(SpcDataError, match=message):
        call()


def test_chart_options_are_validated() -> None:
    frame = pd.DataFrame({"subgroup_id": [1, 2], "defects": [1, 2]})
    with pytest.raises(ValueError, match="nsigmas"):
        c_chart(frame, nsigmas=0)
    with pytest.raises(ValueError, match="exclusion_rounds"):
        c_chart(frame, exclusion_rounds=-1)
