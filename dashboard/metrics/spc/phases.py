"""Phase I / phase II: estimate limits on a baseline, freeze them, apply them, evaluate rules.

A chart is cut into segments, one per :class:`Baseline` (a documented change starts a new one).
In each segment the limits come from the baseline subgroups only: explicit exclusions (known
assignable causes) are dropped first; with ``exclusion_rounds`` = k > 0 the subgroups beyond
the limits are then dropped and the limits recomputed, up to k times (Montgomery, *Introduction
to SQC*, ch. 6 "trial control limits"). The limits are then frozen and every later subgroup of
the segment is judged against them (phase II).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

import numpy as np
import pandas as pd

from dashboard.metrics.spc.limits import Family, bounds, centre_and_se, statistic
from dashboard.metrics.spc.results import (
    PHASE_BASELINE,
    PHASE_MONITOR,
    Baseline,
    ChartName,
    ChartResult,
    ControlLimits,
    PhaseBoundary,
    RuleViolation,
    SpcDataError,
)
from dashboard.metrics.spc.rules import RunRule, violations_of
from dashboard.metrics.spc.subgroups import SubgroupTable


@dataclass(frozen=True)
class _Segment:
    positions: np.ndarray
    baseline: np.ndarray
    exclude: frozenset[Hashable]
    reason: str
    frozen: ControlLimits | None


def _default(table: SubgroupTable, positions: np.ndarray, exclude: Collection[Hashable]) -> _Segment:
    """The segment before any explicit baseline: phase I rows, or all rows without a phase."""
    phases = table.phase[positions]
    if pd.notna(phases).any():
        baseline, reason = positions[phases == PHASE_BASELINE], "the subgroups marked phase I"
    elif len(positions) == len(table):
        baseline, reason = positions, "all subgroups (no phase given)"
    else:
        baseline, reason = positions, "the subgroups before the first new baseline"
    if not len(baseline):
        raise SpcDataError("no subgroup is marked phase 'I'; mark the baseline or pass baselines")
    return _Segment(positions, baseline, frozenset(exclude), reason, None)


def _plan(table: SubgroupTable, baselines: Sequence[Baseline], exclude: Collection[Hashable]) -> list[_Segment]:
    count = len(table)
    where = {key: i for i, key in enumerate(table.keys.tolist())} if baselines else {}

    def position(key: Hashable, role: str) -> int:
        if key not in where:
            raise SpcDataError(f"baseline {role} {key!r} is not a subgroup of this chart")
        return where[key]

    starts = [position(item.start, "start") for item in baselines]
    if any(b <= a for a, b in pairwise(starts)):
        raise SpcDataError("baselines must be in time order, each starting at a different subgroup")
    segments = []
    if not starts or starts[0] > 0:
        segments.append(_default(table, np.arange(starts[0] if starts else count), exclude))
    for k, item in enumerate(baselines):
        stop = starts[k + 1] if k + 1 < len(starts) else count
        end = stop - 1 if item.end is None else position(item.end, "end")
        if not starts[k] <= end < stop:
            raise SpcDataError(f"baseline end {item.end!r} must lie between its start and the next baseline")
        baseline = np.arange(0) if item.limits is not None else np.arange(starts[k], end + 1)
        dropped = frozenset(exclude) | set(item.exclude)
        segments.append(_Segment(np.arange(starts[k], stop), baseline, dropped, item.reason, item.limits))
    return segments


def new_baseline(
    baselines: Sequence[Baseline],
    *,
    start: Hashable,
    reason: str,
    end: Hashable | None = None,
    exclude: Sequence[Hashable] = (),
) -> tuple[Baseline, ...]:
    """Start a new baseline after a documented change; returns ``baselines`` plus the new one.

    From subgroup ``start`` on, limits are re-estimated from ``start`` through ``end`` (None:
    every subgroup up to the next baseline) and frozen for the rest of that segment; earlier
    subgroups keep their limits. ``reason`` names the change (e.g. "new die, ECN-1234") and is
    required: limits are only recomputed when something in the process changed (Montgomery,
    *Introduction to SQC*, ch. 5, phase I and phase II).
    """
    if not reason.strip():
        raise ValueError("a new baseline needs the documented change as its reason")
    return (*baselines, Baseline(start=start, reason=reason.strip(), end=end, exclude=tuple(exclude)))


def _beyond(family: Family, table: SubgroupTable, centre: float, sigma: float, nsigmas: float) -> np.ndarray:
    """Rows of ``table`` beyond the limits on any of the family's exclusion charts."""
    out = np.zeros(len(table), dtype=bool)
    for chart in family.exclusion_charts:
        cl, se = centre_and_se(chart, centre, sigma, table["n"])
        with np.errstate(invalid="ignore", divide="ignore"):
            out |= np.abs((statistic(chart, table, np.zeros(len(table))) - cl) / se) > nsigmas
    return out


def _estimate(table: SubgroupTable, family: Family, segment: _Segment, nsigmas: float, rounds: int) -> ControlLimits:
    if segment.frozen is not None:
        if segment.frozen.chart != family.name:
            raise SpcDataError(f"limits frozen for a {segment.frozen.chart} chart cannot judge a {family.name} chart")
        return segment.frozen
    ids = table.keys
    if segment.exclude:
        kept = np.array([p for p in segment.baseline if ids[p] not in segment.exclude], dtype=int)
        dropped = [ids[p] for p in segment.baseline if ids[p] in segment.exclude]
    else:
        kept, dropped = np.asarray(segment.baseline, dtype=int), []
    for round_number in range(rounds + 1):
        if len(kept) < 2:
            raise SpcDataError(f"the baseline '{segment.reason}' keeps {len(kept)} subgroup(s); limits need at least 2")
        study = table if len(kept) == len(table) else table.take(kept)
        centre, sigma = family.estimate(study)
        if round_number == rounds:
            break
        out = _beyond(family, study, centre, sigma, nsigmas)
        if not out.any():
            break
        dropped += list(ids[kept[out]])
        kept = kept[~out]
    return ControlLimits(
        chart=family.name,
        centre=centre,
        sigma=sigma,
        sigma_method=family.sigma_method,
        nsigmas=nsigmas,
        baseline_ids=tuple(ids[kept]),
        excluded_ids=tuple(dropped),
        reason=segment.reason,
    )


def _boundaries(segments: list[_Segment], phase: np.ndarray, table: SubgroupTable) -> tuple[PhaseBoundary, ...]:
    found = []
    ids, labels = table.keys, table.labels
    monitored = phase == PHASE_MONITOR
    for k, segment in enumerate(segments):
        first = int(segment.positions[0])
        if k:
            found.append(PhaseBoundary(first, ids[first], labels[first], "new baseline", segment.reason))
        # Monitoring starts where a phase II point follows a baseline point (or opens the chart);
        # a later segment opens with its own "new baseline" boundary instead.
        inside = segment.positions[1:]
        starts = inside[monitored[inside] & ~monitored[inside - 1]].tolist()
        if k == 0 and monitored[first]:
            starts.insert(0, first)
        for p in starts:
            found.append(PhaseBoundary(int(p), ids[p], labels[p], "phase II", f"limits frozen from {segment.reason}"))
    return tuple(found)


@dataclass(frozen=True)
class _Chart:
    """The arrays of one chart before they become a points table."""

    value: np.ndarray
    centre: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    se: np.ndarray
    z: np.ndarray
    violations: tuple[RuleViolation, ...]


@dataclass(frozen=True)
class Computed:
    """Limits, per-chart arrays and violations of a family, before any DataFrame is built."""

    limits: tuple[ControlLimits, ...]
    charts: dict[ChartName, _Chart]
    boundaries: tuple[PhaseBoundary, ...]
    segment_of: np.ndarray
    phase: np.ndarray
    excluded: np.ndarray

    @property
    def violations(self) -> tuple[RuleViolation, ...]:
        """Violations of every chart, in the family's chart order."""
        return tuple(v for chart in self.charts.values() for v in chart.violations)


def compute_charts(
    table: SubgroupTable,
    family: Family,
    *,
    baselines: Sequence[Baseline],
    exclude: Collection[Hashable],
    exclusion_rounds: int,
    nsigmas: float,
    rules: Mapping[ChartName, Sequence[RunRule]],
) -> Computed:
    """Estimate, freeze and apply the limits of every chart in ``family``; evaluate the rules."""
    if not nsigmas > 0:
        raise ValueError(f"nsigmas must be positive, got {nsigmas!r}")
    if int(exclusion_rounds) != exclusion_rounds or exclusion_rounds < 0:
        raise ValueError(f"exclusion_rounds must be a whole number ≥ 0, got {exclusion_rounds!r}")
    segments = _plan(table, baselines, exclude)
    limits = tuple(_estimate(table, family, segment, nsigmas, int(exclusion_rounds)) for segment in segments)
    count = len(table)
    segment_of = np.zeros(count, dtype=int)
    phase = np.full(count, PHASE_MONITOR, dtype=object)
    excluded = np.zeros(count, dtype=bool)
    ids = table.keys
    for k, segment in enumerate(segments):
        segment_of[segment.positions] = k
        phase[segment.baseline] = PHASE_BASELINE
        dropped = set(limits[k].excluded_ids)
        if dropped:
            excluded[segment.positions] = [key in dropped for key in ids[segment.positions]]
    boundaries = _boundaries(segments, phase, table)
    n = table["n"].astype(float)
    width = np.array([limit.nsigmas for limit in limits])[segment_of]
    spans = [(int(segment.positions[0]), int(segment.positions[-1]) + 1) for segment in segments]
    charts = {}
    for chart in family.charts:
        value = statistic(chart, table, segment_of)
        if len(segments) == 1:
            centre, se = (np.array(part, dtype=float) for part in centre_and_se(chart, limits[0].centre, limits[0].sigma, n))
        else:
            centre, se = np.full(count, np.nan), np.full(count, np.nan)
            for segment, frozen in zip(segments, limits, strict=True):
                p = segment.positions
                centre[p], se[p] = centre_and_se(chart, frozen.centre, frozen.sigma, n[p])
        lower, upper = bounds(chart, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            lcl, ucl = np.maximum(centre - width * se, lower), np.minimum(centre + width * se, upper)
            z = np.where(se > 0, (value - centre) / se, np.nan)
        violations = violations_of(z, rules[chart], table.labels, ids, spans)
        charts[chart] = _Chart(value, centre, lcl, ucl, se, z, violations)
    return Computed(limits, charts, boundaries, segment_of, phase, excluded)


def _rule_codes(chart: _Chart, count: int) -> np.ndarray:
    """The "; "-joined rule codes flagging each point ("" where none)."""
    codes = np.full(count, "", dtype=object)
    flagged: dict[int, list[str]] = {}
    for violation in chart.violations:
        flagged.setdefault(violation.index, []).append(violation.rule)
    for index, rules in flagged.items():
        codes[index] = "; ".join(dict.fromkeys(rules))
    return codes


@cache
def _column_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(names)


def _frame(columns: dict[str, object]) -> pd.DataFrame:
    """``pd.DataFrame(columns, copy=False)`` without re-inferring the column labels' dtype on every
    call (positional keys, then a copy of a cached, identical Index as the columns)."""
    frame = pd.DataFrame(dict(enumerate(columns.values())), copy=False)
    frame.columns = _column_index(tuple(columns)).copy()
    return frame


class _Text:
    """Object arrays of text converted to pandas' string dtype in one call.

    ``piece(k)`` is array k as a fresh string array (its own slice of one immutable Arrow
    array), so no two points tables share a column. An array with missing values stays an
    object array: pandas infers its dtype as before (a column that is all missing is not text).
    """

    def __init__(self, arrays: list[np.ndarray], maybe_missing: set[int]) -> None:
        self.arrays = arrays
        self.text = [k not in maybe_missing or not pd.isna(array).any() for k, array in enumerate(arrays)]
        parts = [array for array, is_text in zip(arrays, self.text, strict=True) if is_text]
        self.converted = pd.array(np.concatenate(parts), dtype="str") if parts else None
        self.starts = np.cumsum([0] + [len(array) if is_text else 0 for array, is_text in zip(arrays, self.text, strict=True)])

    def piece(self, k: int) -> object:
        if not self.text[k]:
            return self.arrays[k].copy()
        return self.converted[self.starts[k] : self.starts[k + 1]]


def _points(table: SubgroupTable, computed: Computed, chart: _Chart, label: object, phase: object, rules: object) -> pd.DataFrame:
    """The points table of one chart; every column is a fresh array (the tables share none)."""
    columns = {"subgroup_id": table.ids.copy(), "label": label}
    if table.measured_at is not None:
        columns["measured_at"] = table.measured_at.copy()
    columns.update(
        phase=phase,
        segment=computed.segment_of.copy(),
        n=table.n.copy(),
        value=chart.value,
        centre=chart.centre,
        lcl=chart.lcl,
        ucl=chart.ucl,
        se=chart.se,
        z=chart.z,
        excluded=computed.excluded.copy(),
        beyond_limits=(chart.value > chart.ucl) | (chart.value < chart.lcl),
        rules=rules,
    )
    return _frame(columns)


def build_charts(
    table: SubgroupTable,
    family: Family,
    *,
    baselines: Sequence[Baseline],
    exclude: Collection[Hashable],
    exclusion_rounds: int,
    nsigmas: float,
    rules: Mapping[ChartName, Sequence[RunRule]],
) -> dict[ChartName, ChartResult]:
    """Estimate, freeze and apply the limits of every chart in ``family`` over ``table``."""
    computed = compute_charts(
        table, family, baselines=baselines, exclude=exclude, exclusion_rounds=exclusion_rounds, nsigmas=nsigmas, rules=rules
    )
    charts = list(computed.charts.items())
    text = _Text([table.labels, computed.phase, *(_rule_codes(chart, len(table)) for _, chart in charts)], maybe_missing={0})
    results: dict[ChartName, ChartResult] = {}
    for k, (name, chart) in enumerate(charts):
        points = _points(table, computed, chart, text.piece(0), text.piece(1), text.piece(2 + k))
        results[name] = ChartResult(name, points, computed.limits, chart.violations, computed.boundaries)
    return results
