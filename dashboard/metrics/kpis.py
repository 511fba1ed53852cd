"""Built-in KPI formulas over period sums, and the per-period roll-up of summary frames.

A summary frame (from the overview queries) has columns ``period`` ('current' or
'previous'), ``bucket_date`` and summed measures. :func:`period_sums` and
:func:`bucket_sums` add the (already aggregated, bounded) rows up; each built-in KPI is a
ratio of those sums, so no ratio is ever averaged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import pandas as pd

from dashboard.metrics import quality

Sums = Mapping[str, float]


@dataclasses.dataclass(frozen=True)
class BuiltinKpi:
    """A built-in KPI: which summaries it needs and how it is computed from their sums."""

    datasets: tuple[str, ...]
    compute: Callable[[Sums], float | None]
    explain: Callable[[Sums], str | None] = lambda sums: None


def _get(sums: Sums, name: str) -> float:
    value = sums.get(name)
    return 0.0 if value is None or pd.isna(value) else float(value)


def _dpmo(sums: Sums) -> float | None:
    return quality.dpmo(_get(sums, "defect_count"), _get(sums, "opportunities"))


def _sigma_text(sums: Sums) -> str | None:
    level = quality.sigma_level(_dpmo(sums))
    return None if level is None else f"{level:.2f} σ (1.5 σ shift)"


BUILTIN_KPIS: dict[str, BuiltinKpi] = {
    "first_pass_yield": BuiltinKpi(
        ("production_summary",),
        lambda s: quality.first_pass_yield_pct(_get(s, "units_passed_first_time"), _get(s, "units_inspected")),
        lambda s: f"{_get(s, 'units_inspected'):,.0f} units inspected",
    ),
    "dpmo": BuiltinKpi(("defect_summary", "production_summary"), _dpmo, _sigma_text),
    "cost_of_poor_quality": BuiltinKpi(
        ("defect_summary", "production_summary"),
        lambda s: quality.percentage(_get(s, "cost_eur"), _get(s, "production_cost_eur")),
        lambda s: f"€{_get(s, 'cost_eur'):,.0f} on €{_get(s, 'production_cost_eur'):,.0f} production cost",
    ),
    "complaints_per_million": BuiltinKpi(
        ("feedback_summary", "production_summary"),
        lambda s: quality.ppm(_get(s, "complaints"), _get(s, "units_shipped")),
        lambda s: f"complaints: {_get(s, 'complaints'):,.0f}",
    ),
    "nps": BuiltinKpi(
        ("feedback_summary",),
        lambda s: quality.net_promoter_score(_get(s, "promoters"), _get(s, "detractors"), _get(s, "nps_responses")),
        lambda s: f"n = {_get(s, 'nps_responses'):,.0f} responses",
    ),
    "supplier_ppm": BuiltinKpi(
        ("supplier_summary",),
        lambda s: quality.ppm(_get(s, "units_rejected"), _get(s, "units_received")),
        lambda s: f"{_get(s, 'units_received'):,.0f} units received",
    ),
    "capa_on_time": BuiltinKpi(
        ("capa_summary",),
        lambda s: quality.percentage(_get(s, "capas_closed_on_time"), _get(s, "capas_closed")),
        lambda s: f"{_get(s, 'capas_closed_on_time'):,.0f} of {_get(s, 'capas_closed'):,.0f} closed on time",
    ),
}


def _measures(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in ("period", "bucket_date")]


def period_sums(frames: list[pd.DataFrame], period: str) -> dict[str, float]:
    """Sum every measure of every summary frame over one period ('current' or 'previous')."""
    sums: dict[str, float] = {}
    for frame in frames:
        rows = frame[frame["period"] == period]
        for column in _measures(frame):
            sums[column] = float(pd.to_numeric(rows[column]).sum()) if len(rows) else 0.0
    return sums


def bucket_sums(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Current-period measures per bucket, all frames side by side (index: bucket_date)."""
    parts = []
    for frame in frames:
        rows = frame[frame["period"] == "current"]
        parts.append(rows.set_index("bucket_date")[_measures(frame)].apply(pd.to_numeric))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, axis=1).sort_index()


def kpi_series(kpi: BuiltinKpi, frames: list[pd.DataFrame]) -> pd.Series:
    """The KPI's value per bucket of the current period (for the sparkline)."""
    buckets = bucket_sums(frames)
    values = {bucket: kpi.compute(row.fillna(0).to_dict()) for bucket, row in buckets.iterrows()}
    return pd.Series(values, dtype="float64").dropna()
