"""Attribute charts: p and np (nonconforming units), c and u (nonconformities).

Input: one row per subgroup with ``subgroup_id``, the count and, where the chart needs it, the
subgroup size, plus optional ``measured_at``, ``phase`` ("I" baseline / "II" monitored) and
``label``. Options (``baselines``, ``exclude``, ``exclusion_rounds``, ``nsigmas``, ``rules``)
work as for :func:`dashboard.metrics.spc.variables.xbar_chart`; rules use the standardised
z = (value − centre)/σᵢ, so subgroups of unequal size are judged against their own limits.
Source: Montgomery, *Introduction to Statistical Quality Control*, 7th ed., ch. 7 (the p, np,
c and u charts and their worked examples).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import pandas as pd

from dashboard.metrics.spc.limits import (
    Family,
    estimate_count,
    estimate_proportion,
    estimate_proportion_laney,
    estimate_rate,
    estimate_rate_laney,
)
from dashboard.metrics.spc.phases import build_charts
from dashboard.metrics.spc.results import Baseline, ChartName, ChartResult, SpcDataError
from dashboard.metrics.spc.rules import RunRule, nelson_rules
from dashboard.metrics.spc.subgroups import SubgroupTable, count_table, require_equal

DEFAULT_RULES: tuple[RunRule, ...] = nelson_rules()

_FAMILIES: dict[ChartName, Family] = {
    "p": Family("p", ("p",), "√(p̄(1 − p̄)) per unit", estimate_proportion, ("p",)),
    "np": Family("np", ("np",), "√(p̄(1 − p̄)) per unit", estimate_proportion, ("np",)),
    "c": Family("c", ("c",), "√c̄", estimate_count, ("c",)),
    "u": Family("u", ("u",), "√ū per unit", estimate_rate, ("u",)),
}
# Laney (2002): the same charts with σ scaled by σz, the moving-range spread of the standardised values.
_LANEY: dict[ChartName, Family] = {
    "p": Family("p", ("p",), "√(p̄(1 − p̄)) per unit × σz (Laney p′)", estimate_proportion_laney, ("p",)),
    "u": Family("u", ("u",), "√ū per unit × σz (Laney u′)", estimate_rate_laney, ("u",)),
}


def _chart(
    table: SubgroupTable,
    chart: ChartName,
    baselines: Sequence[Baseline],
    exclude: Collection[Hashable],
    exclusion_rounds: int,
    nsigmas: float,
    rules: Sequence[RunRule],
    laney: bool = False,
) -> ChartResult:
    charts = build_charts(
        table,
        (_LANEY if laney else _FAMILIES)[chart],
        baselines=baselines,
        exclude=exclude,
        exclusion_rounds=exclusion_rounds,
        nsigmas=nsigmas,
        rules={chart: rules},
    )
    return charts[chart]


def _proportions(subgroups: pd.DataFrame) -> SubgroupTable:
    """The subgroup table of a p or np chart: ``nonconforming`` out of ``n`` units."""
    table = count_table(subgroups, "nonconforming", "n")
    if (table["count"] > table["n"]).any():
        raise SpcDataError("nonconforming cannot exceed n (units inspected)")
    return table


def p_chart(
    subgroups: pd.DataFrame,
    *,
    baselines: Sequence[Baseline] = (),
    exclude: Collection[Hashable] = (),
    exclusion_rounds: int = 0,
    nsigmas: float = 3.0,
    rules: Sequence[RunRule] = DEFAULT_RULES,
    laney: bool = False,
) -> ChartResult:
    """Fraction nonconforming: columns ``nonconforming`` (units) and ``n`` (units inspected).

    Formula: pᵢ = Dᵢ/nᵢ; p̄ = Σ D/Σ n over the baseline; limits p̄ ± 3√(p̄(1 − p̄)/nᵢ) per
    subgroup, clipped to [0, 1]. Source: Montgomery, *Introduction to SQC*, ch. 7.
    With ``laney=True``, Laney's p′ chart: limits p̄ ± 3σz√(p̄(1 − p̄)/nᵢ), where σz = MR̄/1.128
    of zᵢ = (pᵢ − p̄)/√(p̄(1 − p̄)/nᵢ) over the baseline, for large subgroups whose proportions
    vary more (or less) than the binomial model allows. Source: D. B. Laney, "Improved control
    charts for attributes", *Quality Engineering* 14(4), 2002, 531-537.
    """
    return _chart(_proportions(subgroups), "p", baselines, exclude, exclusion_rounds, nsigmas, rules, laney)


def np_chart(
    subgroups: pd.DataFrame,
    *,
    baselines: Sequence[Baseline] = (),
    exclude: Collection[Hashable] = (),
    exclusion_rounds: int = 0,
    nsigmas: float = 3.0,
    rules: Sequence[RunRule] = DEFAULT_RULES,
) -> ChartResult:
    """Number nonconforming: columns ``nonconforming`` (units) and ``n`` (units inspected).

    Formula: centre nᵢp̄, limits nᵢp̄ ± 3√(nᵢp̄(1 − p̄)) per subgroup, clipped to [0, nᵢ]; with
    unequal nᵢ the centre line moves too, so a p chart usually reads better.
    Source: Montgomery, *Introduction to SQC*, ch. 7.
    """
    return _chart(_proportions(subgroups), "np", baselines, exclude, exclusion_rounds, nsigmas, rules)


def c_chart(
    subgroups: pd.DataFrame,
    *,
    baselines: Sequence[Baseline] = (),
    exclude: Collection[Hashable] = (),
    exclusion_rounds: int = 0,
    nsigmas: float = 3.0,
    rules: Sequence[RunRule] = DEFAULT_RULES,
) -> ChartResult:
    """Nonconformities per inspection unit of constant size: column ``defects`` (count).

    An optional ``units`` column must be constant (otherwise use :func:`u_chart`).
    Formula: c̄ = mean of cᵢ over the baseline; limits c̄ ± 3√c̄, LCL clipped at 0.
    Source: Montgomery, *Introduction to SQC*, ch. 7.
    """
    if "units" in subgroups.columns:
        require_equal(subgroups["units"].to_numpy(), "units", "use u_chart for varying inspection units")
    table = count_table(subgroups, "defects", None)
    return _chart(table, "c", baselines, exclude, exclusion_rounds, nsigmas, rules)


def u_chart(
    subgroups: pd.DataFrame,
    *,
    baselines: Sequence[Baseline] = (),
    exclude: Collection[Hashable] = (),
    exclusion_rounds: int = 0,
    nsigmas: float = 3.0,
    rules: Sequence[RunRule] = DEFAULT_RULES,
    laney: bool = False,
) -> ChartResult:
    """Nonconformities per unit: columns ``defects`` (count) and ``units`` (inspection units).

    Formula: uᵢ = cᵢ/unitsᵢ; ū = Σ c/Σ units over the baseline; limits ū ± 3√(ū/unitsᵢ) per
    subgroup, LCL clipped at 0. Source: Montgomery, *Introduction to SQC*, ch. 7.
    With ``laney=True``, Laney's u′ chart: limits ū ± 3σz√(ū/unitsᵢ), σz = MR̄/1.128 of
    zᵢ = (uᵢ − ū)/√(ū/unitsᵢ) over the baseline (Laney 2002, as for :func:`p_chart`); use it
    when defects cluster (several on one unit or day), so the Poisson limits are too tight.
    """
    table = count_table(subgroups, "defects", "units")
    return _chart(table, "u", baselines, exclude, exclusion_rounds, nsigmas, rules, laney)
