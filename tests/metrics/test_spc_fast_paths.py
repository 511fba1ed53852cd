"""The vectorised engine against the straightforward definitions it replaces.

Per-subgroup statistics must equal pandas' groupby to the last bit, date labels must equal
format_label, the run rules must flag exactly what a point-by-point reading of each rule flags,
and the points tables of a chart pair must be independent of each other and of the input.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.metrics.spc import (
    RunRule,
    SpecLimits,
    capability,
    evaluate_rules,
    imr_chart,
    nelson_rules,
    western_electric_rules,
    xbar_chart,
)
from dashboard.metrics.spc.subgroups import format_label, measurement_subgroups


def measurements(groups: int, seed: int, *, shuffle: bool = False, ragged: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 7, groups) if ragged else np.full(groups, 5)
    ids = np.repeat(np.arange(1, groups + 1), sizes)
    offsets = np.concatenate([np.arange(k) for k in sizes]) * 90 + (ids - 1) * 8 * 3600
    frame = pd.DataFrame(
        {
            "characteristic_id": pd.Series(["P01-L01-C1"] * len(ids), dtype="str"),
            "subgroup_id": ids,
            "measured_at": np.datetime64("2026-01-05T06:00:00") + offsets.astype("timedelta64[s]"),
            # Large offset, many digits: summation order shows in the last bits.
            "value": rng.normal(1e4, 3.7, len(ids)),
        }
    )
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True) if shuffle else frame


@pytest.mark.parametrize("shuffle", [False, True], ids=["rows-grouped", "rows-shuffled"])
@pytest.mark.parametrize("ragged", [False, True], ids=["equal-sizes", "unequal-sizes"])
def test_subgroup_statistics_equal_pandas_groupby_exactly(shuffle: bool, ragged: bool) -> None:
    frame = measurements(60, 3, shuffle=shuffle, ragged=ragged)
    frame.loc[frame.index[::11], "value"] = np.nan
    table = measurement_subgroups(frame)
    present = frame[frame["value"].notna()]
    grouped = present.groupby("subgroup_id", sort=False)["value"]
    first = present.groupby("subgroup_id", sort=False)["measured_at"].min()
    expected = pd.DataFrame(
        {"n": grouped.size(), "mean": grouped.mean(), "range": grouped.max() - grouped.min(), "std": grouped.std(ddof=1)}
    ).assign(measured_at=first)
    expected = expected.sort_values("measured_at", kind="stable").reset_index()
    for column in ("subgroup_id", "n", "mean", "range", "std", "measured_at"):
        np.testing.assert_array_equal(table[column].to_numpy(), expected[column].to_numpy(), err_msg=column)


def test_labels_equal_format_label_for_every_kind_of_time() -> None:
    moments = pd.to_datetime(
        [
            "2026-03-14 00:00:00",  # midnight: date only
            "2026-03-14 00:00:30",  # not midnight: time shown although it reads 00:00
            "2026-03-14 06:30:59",
            "2026-12-31 23:59:00",
            "2027-01-01 00:00:00",
            "1969-12-31 22:15:00",  # before the epoch
            "1999-02-28 12:00:00",
        ]
    )
    for unit in ("s", "ms", "ns"):
        frame = pd.DataFrame({"value": np.arange(len(moments), dtype=float), "measured_at": moments.as_unit(unit)})
        labels = imr_chart(frame).location.points.sort_values("subgroup_id")["label"].tolist()
        assert labels == [format_label(moment) for moment in moments], unit
    with_gap = pd.DataFrame({"value": [1.0, 2.0, 4.0], "measured_at": pd.to_datetime(["2026-01-02", None, "2026-01-01"])})
    assert imr_chart(with_gap).location.points["label"].tolist() == ["1 Jan 2026", "2 Jan 2026", "subgroup 2"]
    early = np.array(["0500-01-01T06:00", "0500-01-02", "0500-01-03"], dtype="datetime64[s]")  # before year 1000
    ancient = pd.DataFrame({"value": [1.0, 2.0, 4.0], "measured_at": early})
    assert imr_chart(ancient).location.points["label"].tolist() == [format_label(m) for m in ancient["measured_at"]]


# The rules as read point by point (the definitions in rules.py, written as plain loops).


def _runs(mask: np.ndarray) -> np.ndarray:
    out, run = np.zeros(len(mask), dtype=int), 0
    for i, flag in enumerate(mask):
        run = run + 1 if flag else 0
        out[i] = run
    return out


def _reference(z: np.ndarray, rule: RunRule) -> Iterator[tuple[int, int, str]]:
    k, s = rule.points, rule.sigmas
    if rule.test == "beyond":
        for i in np.flatnonzero(np.abs(z) > s):
            yield int(i), int(i), f"1 point more than {s:g}σ {'above' if z[i] > 0 else 'below'} the centre line on"
    elif rule.test in ("same_side", "within"):
        sides = (("above", z > 0), ("below", z < 0)) if rule.test == "same_side" else (("", np.abs(z) < s),)
        for side, mask in sides:
            runs = _runs(mask)
            for i in np.flatnonzero(runs >= k):
                where = f"{side} the centre line" if side else f"within {s:g}σ of the centre line"
                yield int(i), int(i - runs[i] + 1), f"{runs[i]} points in a row {where} since"
    elif rule.test == "trend":
        steps = np.diff(z, prepend=np.nan)
        for direction, mask in (("increasing", steps > 0), ("decreasing", steps < 0)):
            runs = _runs(mask)
            for i in np.flatnonzero(runs + 1 >= k):
                yield int(i), int(i - runs[i]), f"{runs[i] + 1} points in a row steadily {direction} since"
    elif rule.test == "alternating":
        steps = np.diff(z, prepend=np.nan)
        turns = _runs(steps * np.roll(steps, 1) < 0)
        for i in np.flatnonzero(turns + 2 >= k):
            yield int(i), int(i - turns[i] - 1), f"{turns[i] + 2} points in a row alternating up and down since"
    elif rule.test == "zone":
        for side, beyond in (("above", z > s), ("below", z < -s)):
            for i in np.flatnonzero(beyond):
                first = max(0, i - k + 1)
                window = np.flatnonzero(beyond[first : i + 1]) + first
                if len(window) >= rule.hits:
                    text = f"{len(window)} of {k} points in a row more than {s:g}σ {side} the centre line since"
                    yield int(i), int(window[0]), text
    else:  # mixture
        runs = _runs(np.abs(z) > s)
        for i in np.flatnonzero(runs >= k):
            window = z[i - k + 1 : i + 1]
            if (window > 0).any() and (window < 0).any():
                text = f"{k} points in a row more than {s:g}σ from the centre line, on both sides, since"
                yield int(i), int(i - k + 1), text


def _reference_violations(z: np.ndarray, rules: tuple[RunRule, ...], segments: np.ndarray) -> list[tuple]:
    found = []
    for order, rule in enumerate(rules):
        for block in dict.fromkeys(segments.tolist()):
            positions = np.flatnonzero(segments == block)
            for i, start, text in _reference(z[positions], rule):
                index, first = int(positions[i]), int(positions[start])
                found.append((index, order, rule.code, first, f"{rule.code}: {text} point {first + 1}"))
    return [item[:1] + item[2:] for item in sorted(found, key=lambda item: item[:2])]


RULE_SETS = {
    "nelson": nelson_rules(),
    "western-electric": western_electric_rules(),
    "shortest-counts": nelson_rules(same_side=2, trend=2, alternating=2, zone_a=(1, 1), zone_b=(1, 2), within_c=2, outside_c=2),
    "custom": (
        RunRule("X", 1, "mixture", points=3, sigmas=0.0),
        RunRule("X", 2, "within", points=4, sigmas=0.5),
        RunRule("X", 3, "zone", points=4, hits=2, sigmas=0.5),
    ),
}


@pytest.mark.parametrize("rules", list(RULE_SETS.values()), ids=list(RULE_SETS))
def test_rules_flag_exactly_what_a_point_by_point_reading_flags(rules: tuple[RunRule, ...]) -> None:
    rng = np.random.default_rng(11)
    for trial in range(40):
        z = rng.normal(0, 1.5, int(rng.integers(0, 90)))
        if trial % 2:
            z = np.round(z * 2) / 2  # points exactly on the centre line and on zone boundaries, ties
        if trial % 3 == 0:
            z = np.cumsum(z) / 3  # long runs and trends
        if trial % 4 == 0 and len(z):
            z[rng.integers(0, len(z), 3)] = np.nan
        segments = rng.integers(0, 3, len(z)) if trial % 5 == 0 else np.sort(rng.integers(0, 3, len(z)))
        found = [(v.index, v.rule, v.start_index, v.message) for v in evaluate_rules(z, rules, segments=segments)]
        assert found == _reference_violations(z, rules, segments), trial


def test_the_tables_of_a_pair_and_the_input_are_independent() -> None:
    frame = measurements(30, 5)
    before = frame.copy(deep=True)
    charts = xbar_chart(frame)
    location, dispersion = charts.location.points, charts.dispersion.points
    dispersion_before = dispersion.copy(deep=True)
    location.loc[0, ["label", "phase", "rules"]] = "changed"
    location.loc[0, ["n", "segment"]] = 99
    location.loc[0, "measured_at"] = pd.Timestamp("2000-01-01")
    location.columns.name = "renamed"
    pd.testing.assert_frame_equal(dispersion, dispersion_before)
    assert xbar_chart(frame).location.points.columns.name is None
    pd.testing.assert_frame_equal(frame, before)


def test_inputs_the_numpy_path_leaves_to_pandas_give_the_same_charts() -> None:
    frame = measurements(30, 7, shuffle=True)
    plain = xbar_chart(frame, rules=nelson_rules())
    as_text = frame.assign(measured_at=frame["measured_at"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    as_objects = frame.assign(subgroup_id=frame["subgroup_id"].astype(object))
    for variant in (as_text, as_objects):
        other = xbar_chart(variant, rules=nelson_rules())
        assert other.limits == plain.limits and other.violations == plain.violations
        pd.testing.assert_frame_equal(other.location.points, plain.location.points, check_exact=True, check_dtype=False)


def test_capability_intervals_are_scipys_to_the_last_bit() -> None:
    values = 10 + stats.norm.ppf((np.arange(1, 126) - 0.5) / 125)
    study = pd.DataFrame({"subgroup_id": np.arange(125) // 5 + 1, "value": np.random.default_rng(2).permutation(values)})
    result = capability(study, SpecLimits(lsl=6.0, usl=15.0, target=10.5), confidence=0.9)
    n, alpha = 125, 1 - 0.9
    assert result.cp.low == result.cp.value * math.sqrt(float(stats.chi2.ppf(alpha / 2, n - 1)) / (n - 1))
    assert result.cp.high == result.cp.value * math.sqrt(float(stats.chi2.ppf(1 - alpha / 2, n - 1)) / (n - 1))
    half = float(stats.norm.ppf(1 - alpha / 2)) * math.sqrt(1 / (9 * n) + result.cpk.value**2 / (2 * (n - 1)))
    assert (result.cpk.low, result.cpk.high) == (result.cpk.value - half, result.cpk.value + half)
    assert result.expected_within.below_ppm == 1e6 * float(stats.norm.cdf((6.0 - result.mean) / result.sigma_within))
    assert result.expected_within.above_ppm == 1e6 * float(stats.norm.sf((15.0 - result.mean) / result.sigma_within))
