"""Process behaviour of a KPI series: is the latest change a signal or routine variation?

An individuals (XmR) chart on the KPI's bucket values (Wheeler, *Understanding Variation*,
1993; Montgomery ch. 6): limits from the whole series' moving ranges (MR̄/1.128), the four
Western Electric rules. A tile then says "signal" only when the data says so, instead of
turning red on ordinary week-to-week noise.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from dashboard.metrics import spc

MIN_POINTS = 8  # fewer points give limits too uncertain to call anything a signal
RECENT_POINTS = 3


@dataclasses.dataclass(frozen=True)
class Behaviour:
    """The series' natural process limits and the latest signal, if any."""

    lower: float
    upper: float
    signal: str | None
    improving: bool | None


def kpi_behaviour(series: pd.Series, direction: str) -> Behaviour | None:
    """XmR behaviour of ``series`` (index: bucket dates, values: the KPI); None when too short.

    A signal counts when a rule flags one of the last ``RECENT_POINTS`` points; ``improving``
    says whether that point lies on the better side of the centre line for ``direction``.
    """
    values = series.dropna()
    if len(values) < MIN_POINTS:
        return None
    x = values.to_numpy(dtype=float)
    # The individuals chart: centre = mean, sigma = MR-bar / d2(2). A tile needs only the limits
    # and the rule flags, so the engine's rule evaluator runs on z directly (no chart tables).
    sigma = float(np.abs(np.diff(x)).mean()) / spc.d2(2)
    if sigma <= 0:
        return None
    centre = float(x.mean())
    labels = [f"{pd.Timestamp(day):%d %b %Y}" for day in values.index]
    violations = spc.evaluate_rules((x - centre) / sigma, spc.western_electric_rules(), labels=labels)
    recent = [v for v in violations if v.index >= len(x) - RECENT_POINTS]
    lower, upper = centre - 3 * sigma, centre + 3 * sigma
    if not recent:
        return Behaviour(lower, upper, None, None)
    latest = recent[-1]
    above = bool(x[latest.index] > centre)
    return Behaviour(lower, upper, latest.message, above if direction == "higher" else not above)
