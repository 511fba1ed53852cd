"""Key-result progress and its weighted roll-up.

Progress is a percentage that is not capped: 130 % means over-achieved, a negative value
means the measure moved away from its target.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

KINDS = ("increase", "decrease", "band", "milestone")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def key_result_progress_pct(
    kind: str,
    value: float | None,
    start: float | None = None,
    target: float | None = None,
    band_low: float | None = None,
    band_high: float | None = None,
) -> float | None:
    """Progress of one key result, %.

    - increase / decrease: (value - start) / (target - start) x 100, so 100 -> 60 bugs at 80 is 50 %;
    - band: 100 when band_low <= value <= band_high, else 0;
    - milestone: 100 when value >= 1 (done), else 0.
    None when there is no value yet or the definition is incomplete.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown key-result kind {kind!r}; expected one of {KINDS}")
    if _missing(value):
        return None
    if kind == "milestone":
        return 100.0 if value >= 1 else 0.0
    if kind == "band":
        if _missing(band_low) or _missing(band_high):
            return None
        return 100.0 if band_low <= value <= band_high else 0.0
    if _missing(start) or _missing(target) or target == start:
        return None
    return 100.0 * (value - start) / (target - start)


def weighted_progress_pct(items: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of (progress %, weight) pairs, ignoring key results without progress."""
    pairs = [(p, w) for p, w in items if p is not None and w > 0]
    total = sum(w for _, w in pairs)
    if total == 0:
        return None
    return sum(p * w for p, w in pairs) / total
