"""Value objects shared by the SPC engine: baselines, frozen limits, chart results, violations."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from dashboard.errors import DashboardError

PHASE_BASELINE = "I"
PHASE_MONITOR = "II"

ChartName = Literal["xbar", "R", "S", "I", "MR", "p", "np", "c", "u"]


class SpcDataError(DashboardError, ValueError):
    """The data cannot be charted as asked; the message says what to change."""


@dataclass(frozen=True)
class ControlLimits:
    """Limits estimated from a baseline and then frozen.

    ``centre`` is the process centre (x̿, p̄, c̄ or ū) and ``sigma`` the process σ the limits are
    built from: within-subgroup σ (R̄/d2, s̄/c4, MR̄/d2) for variables charts, √(p̄(1 − p̄)),
    √c̄ or √ū per unit for attribute charts. Per-point centre lines and limits follow from these
    two numbers and each subgroup's size, so the same object freezes the limits of both charts
    of a pair (X̄ and R share σ).
    """

    chart: str
    centre: float
    sigma: float
    sigma_method: str
    nsigmas: float
    baseline_ids: tuple[Hashable, ...]
    excluded_ids: tuple[Hashable, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Baseline:
    """Where a run of limits starts, which subgroups estimate them, and why.

    The segment starts at subgroup ``start`` and lasts until the next baseline's ``start``
    (subgroups before the first baseline keep the default: phase I rows, or all rows).
    Limits are estimated from ``start`` through ``end`` (inclusive; ``None`` = the whole
    segment), frozen, and applied to the rest of the segment (phase II). ``exclude`` lists
    baseline subgroups with a documented assignable cause. ``limits`` applies limits frozen
    earlier instead of estimating (every point of the segment is then phase II).
    """

    start: Hashable
    reason: str
    end: Hashable | None = None
    exclude: tuple[Hashable, ...] = ()
    limits: ControlLimits | None = None


@dataclass(frozen=True)
class RuleViolation:
    """One flagged point: which rule, where its pattern started, and a sentence for people."""

    index: int
    subgroup_id: Hashable
    rule: str
    family: str
    number: int
    start_index: int
    message: str


@dataclass(frozen=True)
class PhaseBoundary:
    """The first point of a new phase: monitoring with frozen limits, or a new baseline."""

    index: int
    subgroup_id: Hashable
    label: str
    kind: Literal["phase II", "new baseline"]
    reason: str


@dataclass(frozen=True)
class ChartResult:
    """One control chart, ready to draw.

    ``points`` has one row per subgroup in time order with columns ``subgroup_id``, ``label``,
    ``measured_at`` (when the input has it), ``phase`` ("I" baseline, "II" monitored),
    ``segment`` (0, 1, ... one per baseline), ``n`` (measurements or units in the subgroup),
    ``value`` (the plotted statistic), ``centre``, ``lcl``, ``ucl`` (limits per point, NaN where
    a limit does not exist), ``se`` (σ of the plotted statistic), ``z`` ((value − centre)/se,
    the zone coordinate), ``excluded`` (left out of the estimate), ``beyond_limits`` and
    ``rules`` (the rule codes flagging the point, "; "-joined). ``limits`` holds one frozen :class:`ControlLimits` per segment.
    """

    chart: ChartName
    points: pd.DataFrame
    limits: tuple[ControlLimits, ...]
    violations: tuple[RuleViolation, ...]
    boundaries: tuple[PhaseBoundary, ...]

    @property
    def sigma(self) -> float:
        """σ of the latest segment's limits."""
        return self.limits[-1].sigma

    @property
    def sigma_method(self) -> str:
        """How the latest segment's σ was estimated, e.g. "R̄/d2"."""
        return self.limits[-1].sigma_method


@dataclass(frozen=True)
class VariablesCharts:
    """A location chart (X̄ or I) and its dispersion chart (R, S or MR) sharing one σ."""

    location: ChartResult
    dispersion: ChartResult

    @property
    def limits(self) -> tuple[ControlLimits, ...]:
        """The frozen limits per segment (the same objects on both charts)."""
        return self.location.limits

    @property
    def sigma(self) -> float:
        """σ within of the latest segment."""
        return self.location.sigma

    @property
    def sigma_method(self) -> str:
        """How σ within was estimated: "R̄/d2", "s̄/c4" or "MR̄/d2 (d2 = 1.128)"."""
        return self.location.sigma_method

    @property
    def violations(self) -> tuple[RuleViolation, ...]:
        """Violations of both charts, location first."""
        return self.location.violations + self.dispersion.violations
