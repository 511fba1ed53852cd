"""Variables charts: X̄–R, X̄–S and individuals–moving range (I-MR)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Literal, TypedDict, Unpack

import pandas as pd

from dashboard.metrics.spc.limits import Family, estimate_moving_range, estimate_range, estimate_std
from dashboard.metrics.spc.phases import Computed, build_charts, compute_charts
from dashboard.metrics.spc.results import Baseline, SpcDataError, VariablesCharts
from dashboard.metrics.spc.rules import RunRule, nelson_rules
from dashboard.metrics.spc.subgroups import SubgroupTable, require_sizes_at_least, subgroup_table

# Range, s and moving-range statistics are skewed and (for MR) autocorrelated, so zone and run
# tests raise false alarms on them; by default the dispersion chart is judged on its limits only.
DEFAULT_RULES: tuple[RunRule, ...] = nelson_rules()
LIMITS_ONLY: tuple[RunRule, ...] = nelson_rules(enabled=(1,))

_XBAR_R = Family("xbar-R", ("xbar", "R"), "R̄/d2", estimate_range, ("xbar", "R"))
_XBAR_S = Family("xbar-S", ("xbar", "S"), "s̄/c4", estimate_std, ("xbar", "S"))
# A moving range belongs to two consecutive points, so only the individuals chart decides
# which baseline points to drop.
_IMR = Family("I-MR", ("I", "MR"), "MR̄/d2 (d2 = 1.128)", estimate_moving_range, ("I",))
_SUBGROUP_FAMILIES = {"range": _XBAR_R, "std": _XBAR_S}


class ChartOptions(TypedDict, total=False):
    """The keyword options shared by the variables charts (see :func:`xbar_chart`)."""

    baselines: Sequence[Baseline]
    exclude: Collection[Hashable]
    exclusion_rounds: int
    nsigmas: float
    rules: Sequence[RunRule]
    dispersion_rules: Sequence[RunRule]


def xbar_chart(
    measurements: pd.DataFrame,
    *,
    sigma_method: Literal["range", "std"] = "range",
    baselines: Sequence[Baseline] = (),
    exclude: Collection[Hashable] = (),
    exclusion_rounds: int = 0,
    nsigmas: float = 3.0,
    rules: Sequence[RunRule] = DEFAULT_RULES,
    dispersion_rules: Sequence[RunRule] = LIMITS_ONLY,
) -> VariablesCharts:
    """X̄ chart with its R chart (``sigma_method="range"``) or S chart (``"std"``).

    Input: one row per measurement with ``subgroup_id``, ``value`` (any unit), optional
    ``measured_at`` (orders the subgroups and labels messages), ``phase`` ("I" = baseline,
    "II" = monitored; without it every subgroup is baseline) and ``label``. Subgroups of
    unequal size get their own limits. ``baselines`` replace the phase column: each starts a
    segment whose limits come from its own range (see :class:`Baseline`); ``exclude`` drops
    subgroups with documented assignable causes from every estimate; ``exclusion_rounds`` > 0
    also drops baseline subgroups beyond the limits of either chart and re-estimates, up to
    that many times (0 by default: Montgomery drops points only when a cause is found).

    Formula: centre x̿ = Σ nᵢx̄ᵢ/Σ nᵢ; σ within = R̄/d2 or s̄/c4 (unweighted mean of
    Rᵢ/d2(nᵢ) or sᵢ/c4(nᵢ) with unequal sizes); X̄ limits x̿ ± 3σ/√n; R limits D3 R̄, D4 R̄;
    S limits B3 s̄, B4 s̄. ``rules`` (default: all eight Nelson tests) judge the X̄ chart,
    ``dispersion_rules`` (default: beyond the limits only) the R or S chart.
    Source: Montgomery, *Introduction to Statistical Quality Control*, 7th ed., ch. 6.
    """
    family = _SUBGROUP_FAMILIES[sigma_method]
    table = subgroup_table(measurements)
    require_sizes_at_least(table, 2, "chart single values with imr_chart")
    charts = build_charts(
        table,
        family,
        baselines=baselines,
        exclude=exclude,
        exclusion_rounds=exclusion_rounds,
        nsigmas=nsigmas,
        rules={family.charts[0]: rules, family.charts[1]: dispersion_rules},
    )
    return VariablesCharts(charts[family.charts[0]], charts[family.charts[1]])


def xbar_r_chart(measurements: pd.DataFrame, **options: Unpack[ChartOptions]) -> VariablesCharts:
    """X̄ and R charts with σ = R̄/d2; see :func:`xbar_chart` for columns, options and sources."""
    return xbar_chart(measurements, sigma_method="range", **options)


def xbar_s_chart(measurements: pd.DataFrame, **options: Unpack[ChartOptions]) -> VariablesCharts:
    """X̄ and S charts with σ = s̄/c4; see :func:`xbar_chart` for columns, options and sources."""
    return xbar_chart(measurements, sigma_method="std", **options)


def imr_chart(
    measurements: pd.DataFrame,
    *,
    baselines: Sequence[Baseline] = (),
    exclude: Collection[Hashable] = (),
    exclusion_rounds: int = 0,
    nsigmas: float = 3.0,
    rules: Sequence[RunRule] = DEFAULT_RULES,
    dispersion_rules: Sequence[RunRule] = LIMITS_ONLY,
) -> VariablesCharts:
    """Individuals chart with its moving-range chart, for one value per subgroup.

    Input: one row per value with ``value``, optional ``subgroup_id`` (default 1, 2, ... in row
    order), ``measured_at``, ``phase`` and ``label`` (as for :func:`xbar_chart`). Options as
    for :func:`xbar_chart`; automatic exclusion looks at the individuals chart only.

    Formula: MRᵢ = |xᵢ − xᵢ₋₁| (restarting at a new baseline); σ = MR̄/d2 with d2 = 1.128;
    I limits x̄ ± 3σ; MR centre MR̄, limits 0 and D4 MR̄ = 3.267 MR̄.
    Source: Montgomery, *Introduction to Statistical Quality Control*, 7th ed., ch. 6.
    """
    if "subgroup_id" not in measurements.columns:
        measurements = measurements.assign(subgroup_id=range(1, len(measurements) + 1))
    table = subgroup_table(measurements)
    _require_single_values(table)
    charts = build_charts(
        table,
        _IMR,
        baselines=baselines,
        exclude=exclude,
        exclusion_rounds=exclusion_rounds,
        nsigmas=nsigmas,
        rules={"I": rules, "MR": dispersion_rules},
    )
    return VariablesCharts(charts["I"], charts["MR"])


def _require_single_values(table: SubgroupTable) -> None:
    several = table.n > 1
    if several.any():
        raise SpcDataError(f"subgroup(s) {table.keys[several].tolist()[:5]} have several values; chart them with xbar_chart")


def stability(
    table: SubgroupTable,
    sigma_method: Literal["range", "std"],
    baselines: Sequence[Baseline],
    rules: Sequence[RunRule],
) -> Computed:
    """The limits and violations :func:`xbar_chart` or :func:`imr_chart` (single values) would give.

    For :func:`dashboard.metrics.spc.capability.capability`: the same checks and numbers, but
    ``table`` is already built and no points tables are made.
    """
    if (table.n == 1).all():
        family = _IMR
    else:
        family = _SUBGROUP_FAMILIES[sigma_method]
        require_sizes_at_least(table, 2, "chart single values with imr_chart")
    return compute_charts(
        table, family, baselines=baselines, exclude=(), exclusion_rounds=0, nsigmas=3.0, rules=dict.fromkeys(family.charts, rules)
    )
