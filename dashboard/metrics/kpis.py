"""Built-in KPI formulas over period sums, and the roll-up of summary frames.

A summary frame (from the overview queries) has columns ``period`` ('current' or
'previous'), ``bucket_date`` and summed measures. :func:`summarise` adds those (already
aggregated, bounded) rows up once per frame; each built-in KPI is a ratio of the sums, so
no ratio is ever averaged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from dashboard.metrics import quality

Sums = Mapping[str, float]


@dataclasses.dataclass(frozen=True)
class BuiltinKpi:
    """A built-in KPI: which summaries it needs and how it is computed from their sums."""

    datasets: tuple[str, ...]
    compute: Callable[[Sums], float | None]
    explain: Callable[[Sums], str | None] = lambda sums: None


@dataclasses.dataclass(frozen=True)
class PeriodSums:
    """Measures summed per period and, for the current period, per bucket."""

    current: dict[str, float]
    previous: dict[str, float]
    buckets: dict[dt.date, dict[str, float]]
    has_current: bool
    has_previous: bool


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


def summarise(frame: pd.DataFrame) -> PeriodSums:
    """Sum every measure of one summary frame per period, and per bucket of the current period.

    Works on numpy arrays: the frames are small (two rows per bucket) and this runs on every
    page build, where pandas' per-call overhead would dominate.
    """
    measures = [c for c in frame.columns if c not in ("period", "bucket_date")]
    values = np.nan_to_num(frame[measures].to_numpy(dtype=float, na_value=np.nan))
    periods = frame["period"].to_numpy()
    current_rows = periods == "current"
    previous_rows = periods == "previous"
    buckets: dict[dt.date, dict[str, float]] = {}
    for bucket, row in zip(frame["bucket_date"].to_numpy()[current_rows], values[current_rows], strict=True):
        sums = buckets.setdefault(bucket, dict.fromkeys(measures, 0.0))
        for name, value in zip(measures, row, strict=True):
            sums[name] += float(value)
    return PeriodSums(
        current=dict(zip(measures, values[current_rows].sum(axis=0).tolist(), strict=True)),
        previous=dict(zip(measures, values[previous_rows].sum(axis=0).tolist(), strict=True)),
        buckets=buckets,
        has_current=bool(current_rows.any()),
        has_previous=bool(previous_rows.any()),
    )


def combine(parts: Iterable[PeriodSums]) -> PeriodSums:
    """Several summaries side by side (their measure names differ); a period counts only if all have it."""
    parts = list(parts)
    buckets: dict[dt.date, dict[str, float]] = {}
    for part in parts:
        for bucket, values in part.buckets.items():
            buckets.setdefault(bucket, {}).update(values)
    return PeriodSums(
        current={k: v for part in parts for k, v in part.current.items()},
        previous={k: v for part in parts for k, v in part.previous.items()},
        buckets=dict(sorted(buckets.items())),
        has_current=all(p.has_current for p in parts),
        has_previous=all(p.has_previous for p in parts),
    )


def kpi_series(kpi: BuiltinKpi, sums: PeriodSums) -> pd.Series:
    """The KPI's value per bucket of the current period (for the sparkline)."""
    values = {bucket: kpi.compute(measures) for bucket, measures in sums.buckets.items()}
    return pd.Series({k: v for k, v in values.items() if v is not None}, dtype="float64")
