"""Run rules (Nelson 1984; Western Electric 1956) evaluated on standardised chart points.

Every rule looks at z = (value − centre line)/σ of the plotted statistic, so zones A/B/C are
|z| in (2, 3], (1, 2], [0, 1] and charts with per-point limits (varying subgroup sizes) are
judged point by point. A point is flagged when the pattern is complete at that point (the
convention of Minitab and qcc): the ninth point of a nine-point run is flagged, and so is every
later point while the run lasts. In the k-of-m tests the flagged point must be one of the k,
and the first points of a chart count with the points there are (the first two points both
beyond 2σ already signal 2 of 3). Points exactly on the centre line or on a zone boundary do
not count as beyond it; NaN points (no limits) break every run.

Defaults are the published counts. Nelson, L. S. (1984) "The Shewhart control chart: tests for
special causes", *Journal of Quality Technology* 16(4), 237–239: 1 point beyond 3σ; 9 in a row
on one side; 6 in a row steadily increasing or decreasing; 14 in a row alternating; 2 of 3
beyond 2σ on one side; 4 of 5 beyond 1σ on one side; 15 in a row within 1σ; 8 in a row beyond
1σ on both sides. Western Electric, *Statistical Quality Control Handbook* (1956): 1 beyond 3σ;
2 of 3 beyond 2σ; 4 of 5 beyond 1σ; 8 in a row on one side.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from dashboard.metrics.spc.results import RuleViolation

NELSON = "Nelson"
WESTERN_ELECTRIC = "Western Electric"

RuleTest = Literal["beyond", "same_side", "trend", "alternating", "zone", "within", "mixture"]


@dataclass(frozen=True)
class RunRule:
    """One run rule: ``test`` over ``points`` consecutive points, ``hits`` of them beyond ``sigmas``."""

    family: str
    number: int
    test: RuleTest
    points: int = 1
    hits: int = 1
    sigmas: float = 0.0

    @property
    def code(self) -> str:
        """The rule's name as shown to people, e.g. "Nelson 2"."""
        return f"{self.family} {self.number}"


def _window(value: int, name: str) -> int:
    if int(value) != value or value < 2:
        raise ValueError(f"{name} must be a whole number of at least 2 points, got {value!r}")
    return int(value)


def _k_of_m(value: tuple[int, int], name: str) -> tuple[int, int]:
    hits, points = value
    if not 1 <= hits <= points or int(hits) != hits or int(points) != points:
        raise ValueError(f"{name} must be (k, m) with 1 ≤ k ≤ m, got {value!r}")
    return int(hits), int(points)


def _select(rules: list[RunRule], enabled: Collection[int], family: str) -> tuple[RunRule, ...]:
    unknown = set(enabled) - {rule.number for rule in rules}
    if unknown:
        raise ValueError(f"{family} has no rule {sorted(unknown)}; choose from {[r.number for r in rules]}")
    return tuple(rule for rule in rules if rule.number in set(enabled))


def nelson_rules(
    *,
    enabled: Collection[int] = (1, 2, 3, 4, 5, 6, 7, 8),
    same_side: int = 9,
    trend: int = 6,
    alternating: int = 14,
    zone_a: tuple[int, int] = (2, 3),
    zone_b: tuple[int, int] = (4, 5),
    within_c: int = 15,
    outside_c: int = 8,
) -> tuple[RunRule, ...]:
    """Nelson's eight tests, each switchable through ``enabled`` and with configurable counts.

    Defaults (Nelson 1984, *JQT* 16(4)): 1 point beyond 3σ; ``same_side`` = 9 points in a row on
    one side of the centre line (7 or 8 are common alternatives); ``trend`` = 6 points in a row
    steadily increasing or decreasing (ties break the trend); ``alternating`` = 14 points in a
    row alternating up and down; ``zone_a`` = 2 of 3 points beyond 2σ on the same side;
    ``zone_b`` = 4 of 5 beyond 1σ on the same side; ``within_c`` = 15 in a row within 1σ;
    ``outside_c`` = 8 in a row beyond 1σ with points on both sides. In the k-of-m tests the
    flagged point must itself be one of the k.
    """
    a_hits, a_points = _k_of_m(zone_a, "zone_a")
    b_hits, b_points = _k_of_m(zone_b, "zone_b")
    rules = [
        RunRule(NELSON, 1, "beyond", sigmas=3.0),
        RunRule(NELSON, 2, "same_side", points=_window(same_side, "same_side")),
        RunRule(NELSON, 3, "trend", points=_window(trend, "trend")),
        RunRule(NELSON, 4, "alternating", points=_window(alternating, "alternating")),
        RunRule(NELSON, 5, "zone", points=a_points, hits=a_hits, sigmas=2.0),
        RunRule(NELSON, 6, "zone", points=b_points, hits=b_hits, sigmas=1.0),
        RunRule(NELSON, 7, "within", points=_window(within_c, "within_c"), sigmas=1.0),
        RunRule(NELSON, 8, "mixture", points=_window(outside_c, "outside_c"), sigmas=1.0),
    ]
    return _select(rules, enabled, NELSON)


def western_electric_rules(
    *,
    enabled: Collection[int] = (1, 2, 3, 4),
    zone_a: tuple[int, int] = (2, 3),
    zone_b: tuple[int, int] = (4, 5),
    same_side: int = 8,
) -> tuple[RunRule, ...]:
    """The four Western Electric rules, each switchable through ``enabled``, counts configurable.

    Defaults (Western Electric *Statistical Quality Control Handbook*, 1956, as restated in
    Montgomery, *Introduction to SQC*, ch. 5): 1 point beyond 3σ; ``zone_a`` = 2 of 3 points
    beyond 2σ on one side; ``zone_b`` = 4 of 5 beyond 1σ on one side; ``same_side`` = 8 points
    in a row on one side of the centre line.
    """
    a_hits, a_points = _k_of_m(zone_a, "zone_a")
    b_hits, b_points = _k_of_m(zone_b, "zone_b")
    rules = [
        RunRule(WESTERN_ELECTRIC, 1, "beyond", sigmas=3.0),
        RunRule(WESTERN_ELECTRIC, 2, "zone", points=a_points, hits=a_hits, sigmas=2.0),
        RunRule(WESTERN_ELECTRIC, 3, "zone", points=b_points, hits=b_hits, sigmas=1.0),
        RunRule(WESTERN_ELECTRIC, 4, "same_side", points=_window(same_side, "same_side")),
    ]
    return _select(rules, enabled, WESTERN_ELECTRIC)


def _streaks(mask: np.ndarray) -> np.ndarray:
    """Length of the run of True values ending at each position."""
    positions = np.arange(len(mask))
    if not len(mask):
        return positions
    # Distance to the latest False at or before each position (0 where the mask is False).
    return positions - np.maximum.accumulate(np.where(mask, -1, positions))


def _window_counts(mask: np.ndarray, points: int) -> np.ndarray:
    """How many of the ``points`` positions ending at each position are True."""
    if points <= 0:
        return np.zeros(len(mask), dtype=np.intp)
    counts = np.cumsum(mask, dtype=np.intp)
    counts[points:] -= counts[:-points].copy()
    return counts


# Each detector yields (flagged index, index where the pattern starts, description).
Hit = tuple[int, int, str]


def _beyond(z: np.ndarray, rule: RunRule) -> Iterator[Hit]:
    for i in np.flatnonzero(np.abs(z) > rule.sigmas).tolist():
        side = "above" if z[i] > 0 else "below"
        yield i, i, f"1 point more than {rule.sigmas:g}σ {side} the centre line on"


def _same_side(z: np.ndarray, rule: RunRule) -> Iterator[Hit]:
    for side, mask in (("above", z > 0), ("below", z < 0)):
        runs = _streaks(mask)
        for i in np.flatnonzero(runs >= rule.points).tolist():
            yield i, int(i - runs[i] + 1), f"{runs[i]} points in a row {side} the centre line since"


def _trend(z: np.ndarray, rule: RunRule) -> Iterator[Hit]:
    steps = np.diff(z, prepend=np.nan)
    for direction, mask in (("increasing", steps > 0), ("decreasing", steps < 0)):
        runs = _streaks(mask)
        for i in np.flatnonzero(runs + 1 >= rule.points).tolist():
            yield i, int(i - runs[i]), f"{runs[i] + 1} points in a row steadily {direction} since"


def _alternating(z: np.ndarray, rule: RunRule) -> Iterator[Hit]:
    steps = np.diff(z, prepend=np.nan)
    turns = _streaks(steps * np.roll(steps, 1) < 0)
    for i in np.flatnonzero(turns + 2 >= rule.points).tolist():
        yield i, int(i - turns[i] - 1), f"{turns[i] + 2} points in a row alternating up and down since"


def _zone(z: np.ndarray, rule: RunRule) -> Iterator[Hit]:
    positions = np.arange(len(z))
    for side, beyond in (("above", z > rule.sigmas), ("below", z < -rule.sigmas)):
        if not beyond.any():
            continue
        hits = _window_counts(beyond, rule.points)
        flagged = np.flatnonzero(beyond & (hits >= rule.hits))
        if not len(flagged):
            continue
        # The first point beyond the line at or after each position (the pattern's start).
        following = np.minimum.accumulate(np.where(beyond, positions, len(z))[::-1])[::-1]
        starts = following[np.maximum(flagged - rule.points + 1, 0)]
        text = f"of {rule.points} points in a row more than {rule.sigmas:g}σ {side} the centre line since"
        for i, start in zip(flagged.tolist(), starts.tolist(), strict=True):
            yield i, start, f"{hits[i]} {text}"


def _within(z: np.ndarray, rule: RunRule) -> Iterator[Hit]:
    runs = _streaks(np.abs(z) < rule.sigmas)
    for i in np.flatnonzero(runs >= rule.points).tolist():
        yield i, int(i - runs[i] + 1), f"{runs[i]} points in a row within {rule.sigmas:g}σ of the centre line since"


def _mixture(z: np.ndarray, rule: RunRule) -> Iterator[Hit]:
    long_enough = _streaks(np.abs(z) > rule.sigmas) >= rule.points
    if not long_enough.any():
        return
    both = (_window_counts(z > 0, rule.points) > 0) & (_window_counts(z < 0, rule.points) > 0)
    text = f"{rule.points} points in a row more than {rule.sigmas:g}σ from the centre line, on both sides, since"
    for i in np.flatnonzero(long_enough & both).tolist():
        yield i, i - rule.points + 1, text


_DETECTORS = {
    "beyond": _beyond,
    "same_side": _same_side,
    "trend": _trend,
    "alternating": _alternating,
    "zone": _zone,
    "within": _within,
    "mixture": _mixture,
}


def _evaluate(
    values: np.ndarray,
    rules: Sequence[RunRule],
    names: Sequence[str] | np.ndarray,
    keys: Sequence[Hashable] | np.ndarray,
    blocks: list[np.ndarray],
) -> tuple[RuleViolation, ...]:
    """Run every rule on every block (positions of one segment); violations by point, then rule."""
    found: list[tuple[int, int, RuleViolation]] = []
    pieces = [(positions, values[positions]) for positions in blocks]
    for order, rule in enumerate(rules):
        detect = _DETECTORS[rule.test]
        for positions, piece in pieces:
            for i, start, text in detect(piece, rule):
                index, first = int(positions[i]), int(positions[start])
                message = f"{rule.code}: {text} {names[first]}"
                violation = RuleViolation(index, keys[index], rule.code, rule.family, rule.number, first, message)
                found.append((index, order, violation))
    return tuple(violation for _, _, violation in sorted(found, key=lambda item: item[:2]))


def violations_of(
    z: np.ndarray,
    rules: Sequence[RunRule],
    names: np.ndarray,
    keys: np.ndarray,
    spans: Sequence[tuple[int, int]],
) -> tuple[RuleViolation, ...]:
    """:func:`evaluate_rules` for a chart whose segments are consecutive ``(start, stop)`` spans."""
    if not rules:
        return ()
    return _evaluate(np.asarray(z, dtype=float), rules, names, keys, [np.arange(a, b) for a, b in spans])


def evaluate_rules(
    z: Sequence[float] | np.ndarray,
    rules: Sequence[RunRule],
    *,
    labels: Sequence[str] | None = None,
    ids: Sequence[Hashable] | None = None,
    segments: Sequence[int] | np.ndarray | None = None,
) -> tuple[RuleViolation, ...]:
    """Flag the points of a chart that complete a run-rule pattern.

    Input: ``z`` = (value − centre line)/σ of the plotted statistic per point, in time order
    (NaN where a point has no limits); ``labels`` name the points in messages (a date such as
    "14 Mar 2026" or "subgroup 7"; default "point i"); ``ids`` are the subgroup ids carried
    into the result; ``segments`` restart every run where the limits change (a new baseline).
    Output: one :class:`RuleViolation` per (point, rule), sorted by point then rule order, each
    with a sentence such as "Nelson 2: 9 points in a row above the centre line since 14 Mar 2026".
    Sources: Nelson (1984) *JQT* 16(4); Western Electric *SQC Handbook* (1956).
    """
    values = np.asarray(z, dtype=float)
    count = len(values)
    names = list(labels) if labels is not None else [f"point {i + 1}" for i in range(count)]
    keys = list(ids) if ids is not None else list(range(count))
    blocks = np.asarray(segments) if segments is not None else np.zeros(count, dtype=int)
    if not len(names) == len(keys) == len(blocks) == count:
        raise ValueError("z, labels, ids and segments must have one entry per point")
    positions = [np.flatnonzero(blocks == block) for block in dict.fromkeys(blocks.tolist())]
    return _evaluate(values, rules, names, keys, positions)
