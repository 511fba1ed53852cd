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
    SpcDataError,
)
from dashboard.metrics.spc.rules import RunRule, evaluate_rules


@dataclass(frozen=True)
class _Segment:
    positions: np.ndarray
    baseline: np.ndarray
    exclude: frozenset[Hashable]
    reason: str
    frozen: ControlLimits | None


def _default(table: pd.DataFrame, positions: np.ndarray, exclude: Collection[Hashable]) -> _Segment:
    """The segment before any explicit baseline: phase I rows, or all rows without a phase."""
    phases = table["phase"].to_numpy()[positions]
    if pd.notna(phases).any():
        baseline, reason = positions[phases == PHASE_BASELINE], "the subgroups marked phase I"
    elif len(positions) == len(table):
        baseline, reason = positions, "all subgroups (no phase given)"
    else:
        baseline, reason = positions, "the subgroups before the first new baseline"
    if not len(baseline):
        raise SpcDataError("no subgroup is marked phase 'I'; mark the baseline or pass baselines")
    return _Segment(positions, baseline, frozenset(exclude), reason, None)


def _plan(table: pd.DataFrame, baselines: Sequence[Baseline], exclude: Collection[Hashable]) -> list[_Segment]:
    ids = table["subgroup_id"].tolist()
    count = len(ids)
    where = {key: i for i, key in enumerate(ids)}

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


def _beyond(family: Family, table: pd.DataFrame, centre: float, sigma: float, nsigmas: float) -> np.ndarray:
    """Rows of ``table`` beyond the limits on any of the family's exclusion charts."""
    out = np.zeros(len(table), dtype=bool)
    for chart in family.exclusion_charts:
        cl, se = centre_and_se(chart, centre, sigma, table["n"].to_numpy())
        with np.errstate(invalid="ignore", divide="ignore"):
            out |= np.abs((statistic(chart, table, np.zeros(len(table))) - cl) / se) > nsigmas
    return out


def _estimate(table: pd.DataFrame, family: Family, segment: _Segment, nsigmas: float, rounds: int) -> ControlLimits:
    if segment.frozen is not None:
        if segment.frozen.chart != family.name:
            raise SpcDataError(f"limits frozen for a {segment.frozen.chart} chart cannot judge a {family.name} chart")
        return segment.frozen
    ids = table["subgroup_id"].to_numpy(dtype=object)
    kept = np.array([p for p in segment.baseline if ids[p] not in segment.exclude], dtype=int)
    dropped = [ids[p] for p in segment.baseline if ids[p] in segment.exclude]
    for round_number in range(rounds + 1):
        if len(kept) < 2:
            raise SpcDataError(f"the baseline '{segment.reason}' keeps {len(kept)} subgroup(s); limits need at least 2")
        centre, sigma = family.estimate(table.iloc[kept])
        if round_number == rounds:
            break
        out = _beyond(family, table.iloc[kept], centre, sigma, nsigmas)
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


def _boundaries(segments: list[_Segment], phase: np.ndarray, table: pd.DataFrame) -> tuple[PhaseBoundary, ...]:
    found = []
    ids, labels = table["subgroup_id"].tolist(), table["label"].tolist()
    for k, segment in enumerate(segments):
        first = int(segment.positions[0])
        if k:
            found.append(PhaseBoundary(first, ids[first], labels[first], "new baseline", segment.reason))
        for p in segment.positions:
            # A later segment opens with its own "new baseline" boundary instead.
            previous = phase[p - 1] if p > first else (None if k == 0 else "")
            if phase[p] == PHASE_MONITOR and previous in (PHASE_BASELINE, None):
                found.append(PhaseBoundary(int(p), ids[p], labels[p], "phase II", f"limits frozen from {segment.reason}"))
    return tuple(found)


def build_charts(
    table: pd.DataFrame,
    family: Family,
    *,
    baselines: Sequence[Baseline],
    exclude: Collection[Hashable],
    exclusion_rounds: int,
    nsigmas: float,
    rules: Mapping[ChartName, Sequence[RunRule]],
) -> dict[ChartName, ChartResult]:
    """Estimate, freeze and apply the limits of every chart in ``family`` over ``table``."""
    if not nsigmas > 0:
        raise ValueError(f"nsigmas must be positive, got {nsigmas!r}")
    if int(exclusion_rounds) != exclusion_rounds or exclusion_rounds < 0:
        raise ValueError(f"exclusion_rounds must be a whole number ≥ 0, got {exclusion_rounds!r}")
    segments = _plan(table, baselines, exclude)
    limits = tuple(_estimate(table, family, segment, nsigmas, int(exclusion_rounds)) for segment in segments)
    segment_of = np.zeros(len(table), dtype=int)
    phase = np.full(len(table), PHASE_MONITOR, dtype=object)
    excluded = np.zeros(len(table), dtype=bool)
    ids = table["subgroup_id"].to_numpy(dtype=object)
    for k, segment in enumerate(segments):
        segment_of[segment.positions] = k
        phase[segment.baseline] = PHASE_BASELINE
        dropped = set(limits[k].excluded_ids)
        excluded[segment.positions] = [key in dropped for key in ids[segment.positions]]
    boundaries = _boundaries(segments, phase, table)
    n = table["n"].to_numpy(dtype=float)
    width = np.array([limits[k].nsigmas for k in segment_of])
    results = {}
    for chart in family.charts:
        value = statistic(chart, table, segment_of)
        centre, se = np.full(len(table), np.nan), np.full(len(table), np.nan)
        for segment, frozen in zip(segments, limits, strict=True):
            p = segment.positions
            centre[p], se[p] = centre_and_se(chart, frozen.centre, frozen.sigma, n[p])
        lower, upper = bounds(chart, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            lcl, ucl = np.maximum(centre - width * se, lower), np.minimum(centre + width * se, upper)
            z = np.where(se > 0, (value - centre) / se, np.nan)
        violations = evaluate_rules(
            z, rules[chart], labels=table["label"].tolist(), ids=table["subgroup_id"].tolist(), segments=segment_of
        )
        flagged: dict[int, list[str]] = {}
        for violation in violations:
            flagged.setdefault(violation.index, []).append(violation.rule)
        points = table[["subgroup_id", "label"] + (["measured_at"] if "measured_at" in table.columns else [])].copy()
        points = points.assign(
            phase=phase,
            segment=segment_of,
            n=table["n"].to_numpy(),
            value=value,
            centre=centre,
            lcl=lcl,
            ucl=ucl,
            se=se,
            z=z,
            excluded=excluded,
            beyond_limits=(value > ucl) | (value < lcl),
            rules=["; ".join(dict.fromkeys(flagged.get(i, []))) for i in range(len(table))],
        )
        results[chart] = ChartResult(chart, points, limits, violations, boundaries)
    return results
