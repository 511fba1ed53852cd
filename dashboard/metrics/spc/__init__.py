"""Statistical process control: control charts, run rules and capability, as pure functions.

Charts take a pandas DataFrame and return frozen results a figure can draw directly:

- variables (one row per measurement: ``subgroup_id``, ``value``, optional ``measured_at``,
  ``phase``, ``label``): :func:`xbar_chart` / :func:`xbar_r_chart` / :func:`xbar_s_chart` and
  :func:`imr_chart` return :class:`VariablesCharts` (a location and a dispersion chart);
- attributes (one row per subgroup): :func:`p_chart`, :func:`np_chart` (``nonconforming``,
  ``n``), :func:`c_chart` (``defects``) and :func:`u_chart` (``defects``, ``units``) return a
  :class:`ChartResult`.

Limits come from a baseline (phase I: rows marked ``phase`` "I", or every row), optionally
after dropping documented or out-of-control subgroups, and are then frozen for later subgroups
(phase II); :func:`new_baseline` starts new limits after a documented change. Run rules
(:func:`nelson_rules`, :func:`western_electric_rules`) flag points with a sentence each.
:func:`capability` computes Cp, Cpk, Cpm, Pp, Ppk with intervals, or refuses with a reason.
Sources: Montgomery, *Introduction to Statistical Quality Control*, 7th ed.; Nelson (1984).
"""

from dashboard.metrics.spc.attributes import c_chart, np_chart, p_chart, u_chart
from dashboard.metrics.spc.capability import (
    MIN_OBSERVATIONS,
    Capability,
    Estimate,
    Normality,
    OutOfSpec,
    SpecLimits,
    capability,
)
from dashboard.metrics.spc.constants import ChartFactors, c4, d2, d3, factors
from dashboard.metrics.spc.phases import new_baseline
from dashboard.metrics.spc.results import (
    PHASE_BASELINE,
    PHASE_MONITOR,
    Baseline,
    ChartResult,
    ControlLimits,
    PhaseBoundary,
    RuleViolation,
    SpcDataError,
    VariablesCharts,
)
from dashboard.metrics.spc.rules import RunRule, evaluate_rules, nelson_rules, western_electric_rules
from dashboard.metrics.spc.variables import (
    DEFAULT_RULES,
    LIMITS_ONLY,
    imr_chart,
    xbar_chart,
    xbar_r_chart,
    xbar_s_chart,
)

__all__ = [
    "DEFAULT_RULES",
    "LIMITS_ONLY",
    "MIN_OBSERVATIONS",
    "PHASE_BASELINE",
    "PHASE_MONITOR",
    "Baseline",
    "Capability",
    "ChartFactors",
    "ChartResult",
    "ControlLimits",
    "Estimate",
    "Normality",
    "OutOfSpec",
    "PhaseBoundary",
    "RuleViolation",
    "RunRule",
    "SpcDataError",
    "SpecLimits",
    "VariablesCharts",
    "c4",
    "c_chart",
    "capability",
    "d2",
    "d3",
    "evaluate_rules",
    "factors",
    "imr_chart",
    "nelson_rules",
    "new_baseline",
    "np_chart",
    "p_chart",
    "u_chart",
    "western_electric_rules",
    "xbar_chart",
    "xbar_r_chart",
    "xbar_s_chart",
]
