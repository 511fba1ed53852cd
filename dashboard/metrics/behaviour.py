"""Process behaviour of a KPI series: is the latest change a signal or routine variation?

An individuals (XmR) chart on the KPI's bucket values (Wheeler, *Understanding Variation*,
1993; Montgomery ch. 6): limits from the whole series' moving ranges (MR̄/1.128), the four
Western Electric rules. A tile then says "signal" only when the data says so, instead of
turning red on ordinary week-to-week noise.
"""

from __future__ import annotations

import dataclasses

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
    if len(values) < MIN_POINTS or values.nunique() < 2:
        return None
    frame = pd.DataFrame(
        {
            "subgroup_id": range(len(values)),
            "value": values.to_numpy(dtype=float),
            "measured_at": pd.to_datetime(list(values.index)),
        }
    )
    try:
        charts = spc.imr_chart(frame, rules=spc.western_electric_rules())
    except spc.SpcDataError:
        return None
    points = charts.location.points
    recent = [v for v in charts.location.violations if v.index >= len(points) - RECENT_POINTS]
    lower, upper = float(points["lcl"].iloc[-1]), float(points["ucl"].iloc[-1])
    if not recent:
        return Behaviour(lower, upper, None, None)
    latest = recent[-1]
    above = float(points["value"].iloc[latest.index]) > float(points["centre"].iloc[latest.index])
    return Behaviour(lower, upper, latest.message, above if direction == "higher" else not above)
