"""KPI status against target and thresholds, and the change against the previous period."""

from __future__ import annotations

import dataclasses

STATUSES = {
    "good": ("On target", "✓"),
    "watch": ("Watch", "!"),
    "act": ("Act", "✕"),
    "no_target": ("No target", "–"),
    "no_data": ("No data", "?"),
}


@dataclasses.dataclass(frozen=True)
class Status:
    """A status key (good, watch, act, no_target, no_data) with its text and icon."""

    key: str

    @property
    def text(self) -> str:
        """Words for the status, so it is never told by colour alone."""
        return STATUSES[self.key][0]

    @property
    def icon(self) -> str:
        """A one-character icon for the status."""
        return STATUSES[self.key][1]


def _worse(value: float, limit: float, direction: str) -> bool:
    return value < limit if direction == "higher" else value > limit


def kpi_status(
    value: float | None,
    direction: str,
    target: float | None,
    amber_threshold: float | None = None,
    red_threshold: float | None = None,
) -> Status:
    """Status of ``value``: good when at least as good as the amber threshold (or target),
    act when worse than the red threshold, watch in between.

    ``direction`` is 'higher' or 'lower' (which is better).
    """
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")
    if value is None:
        return Status("no_data")
    amber = amber_threshold if amber_threshold is not None else target
    if amber is None:
        return Status("no_target")
    if red_threshold is not None and _worse(value, red_threshold, direction):
        return Status("act")
    if _worse(value, amber, direction):
        return Status("watch")
    return Status("good")


@dataclasses.dataclass(frozen=True)
class Delta:
    """Change against the previous period."""

    change: float | None
    better: bool | None

    @property
    def word(self) -> str:
        """better / worse / unchanged / no comparison."""
        if self.change is None:
            return "no comparison"
        if self.change == 0:
            return "unchanged"
        return "better" if self.better else "worse"


def delta(current: float | None, previous: float | None, direction: str) -> Delta:
    """current - previous, and whether that is an improvement for ``direction``."""
    if current is None or previous is None:
        return Delta(None, None)
    change = current - previous
    return Delta(change, change > 0 if direction == "higher" else change < 0)
