"""Defect trends and the drill path (plant → line → product → defect code → records).

Every number comes from SQL aggregates (bucketed sums per period, breakdowns, a line × week
grid); this module merges those bounded series, computes rates in the metrics layer and
builds the page's figures. The records themselves are paged by :mod:`defect_records`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from urllib.parse import urlencode

import pandas as pd

from dashboard.datasets.interface import Dataset, DatasetRequest, Repository
from dashboard.drill import DefectSlice, Dimensions
from dashboard.errors import DashboardError, InvalidFilter
from dashboard.figures import defects as figures
from dashboard.figures.control_chart import control_chart_spec
from dashboard.figures.empty import empty_spec
from dashboard.filters import Filters
from dashboard.metrics import quality, spc
from dashboard.metrics.defects import defect_rates, pareto, vital_few_sentence
from dashboard.metrics.forecast import ForecastRefused, forecast
from dashboard.views.cached import dataset, first_and_latest, pack, unpack
from dashboard.views.formatting import format_change, format_value
from dashboard.views.periods import bucket_end, complete_buckets

GRAINS = {"day": "Day", "week": "Week", "month": "Month", "quarter": "Quarter"}
DEFAULT_GRAIN = "week"
# measure: (label, column of defect_rates, unit for formatting, KPI whose target applies)
MEASURES: dict[str, tuple[str, str, str, str | None]] = {
    "count": ("Defects", "defect_count", "count", None),
    "dpmo": ("Defects per million opportunities", "dpmo", "dpmo", "dpmo"),
    "per_thousand": ("Defects per 1,000 units", "per_thousand", "ratio", None),
    "fpy": ("First-pass yield", "fpy_pct", "pct", "first_pass_yield"),
    "cost": ("Cost of poor quality", "cost_eur", "eur", None),
}
PARETO_BY = {"defect_code": "Defect code", "category_6m": "6M category"}
PARETO_VALUE = {"defect_count": "Defects", "cost_eur": "Cost of poor quality (EUR)"}
BREAKDOWN_BY = {"plant": "plant_id", "line": "line_id", "product": "product_id"}
LEVEL_NAMES = {"plant_id": "plant", "line_id": "line", "product_id": "product"}
RATE_BASELINE = 25  # phase I of the u chart: its first 25 subgroups (Montgomery: 20-25)
FORECAST_HORIZON = 4


@dataclasses.dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb: its text and the URL parameters that reopen it."""

    label: str
    query: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Headline:
    """One number above the charts, with the previous period for comparison."""

    name: str
    value_text: str
    previous_text: str
    change_text: str


@dataclasses.dataclass(frozen=True)
class DefectsView:
    """The defects page's content; figures are Plotly JSON (dicts), ready for ``dcc.Graph``."""

    filters: Filters
    slice: DefectSlice
    grain: str
    measure: str
    level: str
    crumbs: tuple[Crumb, ...]
    headlines: tuple[Headline, ...]
    trend: dict
    forecast: dict
    forecast_text: str
    control: dict
    control_text: str
    signals: tuple[str, ...]
    pareto: dict
    pareto_text: str
    breakdown: dict | None
    breakdown_by: str | None
    heatmap: dict
    record_count: int
    capas: CapaMentions | None = None  # the CAPAs on a line or code (None above that level)
    problems: tuple[str, ...] = ()
    as_of: dt.datetime | None = None
    stale: str | None = None


@dataclasses.dataclass(frozen=True)
class CapaMention:
    """A CAPA that addresses the page's line or code: its number, status on the period's last day and title."""

    capa_id: int
    status: str
    title: str
    href: str


@dataclasses.dataclass(frozen=True)
class CapaMentions:
    """The CAPAs on the page's line or code (the first few) and how many there are."""

    what: str  # "line P02-L03 and code D08"
    items: tuple[CapaMention, ...]
    total: int


def _capa_mentions(frame: pd.DataFrame, filters: Filters, slice_: DefectSlice) -> CapaMentions:
    what = " and ".join(f"{noun} {value}" for noun, value in (("line", slice_.line_id), ("code", slice_.defect_code)) if value)
    query = urlencode(filters.to_query())
    items = tuple(
        CapaMention(int(row["capa_id"]), str(row["status"]), str(row["title"]), f"/capa/{int(row['capa_id'])}?{query}")
        for row in frame.to_dict("records")
    )
    total = int(frame["total"].iloc[0]) if not frame.empty else 0
    return CapaMentions(what, items, total)


def load_dimensions(repo: Repository) -> Dimensions:
    """The allow-lists of the drill path, from the dimension tables."""
    fetched = repo.fetch_many([DatasetRequest.of(name) for name in ("lines", "products", "defect_codes")])
    lines, products, codes = (dataset(result).frame for result in fetched)
    return Dimensions(
        lines=dict(zip(lines["line_id"], lines["plant_id"], strict=True)),
        products=frozenset(products["product_id"]),
        codes=dict(zip(codes["defect_code"], codes["category_6m"], strict=True)),
    )


def crumbs_for(filters: Filters, slice_: DefectSlice, names: dict[str, str]) -> tuple[Crumb, ...]:
    """Breadcrumb steps from all plants down to the current level; side filters (6M category,
    severity) and the period stay on every step."""
    base = {k: v for k, v in filters.to_query().items() if k != "plant"}
    side = {k: v for k, v in (("category", slice_.category_6m), ("severity", slice_.severity)) if v}
    steps = [Crumb("All plants", {**base, **side})]
    path: dict[str, str] = {}
    for key, value in (
        ("plant", filters.plant_id),
        ("line", slice_.line_id),
        ("product", slice_.product_id),
        ("code", slice_.defect_code),
    ):
        if value:
            path[key] = value
            label = f"{value} · {names[value]}" if names.get(value) else value
            steps.append(Crumb(label, {**base, **path, **side}))
    return tuple(steps)


def _requests(filters: Filters, slice_: DefectSlice, grain: str, level: str, pareto_by: str) -> list[DatasetRequest]:
    by = BREAKDOWN_BY.get(level)
    requests = [
        DatasetRequest.of("defect_trend", filters, slice=slice_, grain=grain),
        DatasetRequest.of("production_trend", filters, slice=slice_, grain=grain),
        DatasetRequest.of("defect_trend", filters, slice=slice_, grain="day"),
        DatasetRequest.of("production_trend", filters, slice=slice_, grain="day"),
        DatasetRequest.of("defect_breakdown", filters, slice=slice_, by=pareto_by),
        DatasetRequest.of("defect_heatmap", filters, slice=slice_),
        DatasetRequest.of("production_heatmap", filters, slice=slice_),
        DatasetRequest.of("defect_record_count", filters, slice=slice_),
        DatasetRequest.of("process_events", filters),
        DatasetRequest.of("kpi_definitions"),
    ]
    if by is not None:
        requests += [
            DatasetRequest.of("defect_breakdown", filters, slice=slice_, by=by),
            DatasetRequest.of("production_breakdown", filters, slice=slice_, by=by),
        ]
    return requests


def _period(rates: pd.DataFrame, period: str) -> pd.DataFrame:
    return rates[rates["period"] == period].sort_values("bucket_date").reset_index(drop=True)


def _totals(defects: pd.DataFrame, production: pd.DataFrame, period: str) -> dict[str, float | None]:
    d = defects[defects["period"] == period]
    p = production[production["period"] == period]
    count, cost = float(d["defect_count"].sum()), float(d["cost_eur"].sum())
    units, passed, opportunities = (float(p[c].sum()) for c in ("units_inspected", "units_passed_first_time", "opportunities"))
    per_thousand = quality.ratio(count, units)
    return {
        "count": count,
        "dpmo": quality.dpmo(count, opportunities),
        "per_thousand": None if per_thousand is None else 1000 * per_thousand,
        "fpy": quality.first_pass_yield_pct(passed, units),
        "cost": cost,
    }


def _headlines(defects: pd.DataFrame, production: pd.DataFrame, slice_: DefectSlice) -> tuple[Headline, ...]:
    now, before = _totals(defects, production, "current"), _totals(defects, production, "previous")
    narrowed = bool(slice_.defect_code or slice_.category_6m or slice_.severity)
    result = []
    for key, (label, _, unit, _) in MEASURES.items():
        if key == "fpy" and narrowed:
            label = f"{label} (all defects)"  # units passed first time are not split by code
        change = None if now[key] is None or before[key] is None else now[key] - before[key]
        result.append(Headline(label, format_value(now[key], unit), format_value(before[key], unit), format_change(change, unit)))
    dpmo = now["dpmo"]
    sigma = quality.sigma_level(dpmo)
    result.append(
        Headline(
            "Sigma level (1.5σ shift)",
            format_value(sigma, "sigma"),
            format_value(quality.sigma_level(before["dpmo"]), "sigma"),
            "",
        )
    )
    return tuple(result)


def _aligned_previous(previous: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Previous-period buckets moved onto the current period's time axis."""
    shift = pd.Timedelta(days=filters.days)
    return previous.assign(bucket_date=pd.to_datetime(previous["bucket_date"]) + shift)


def _target(kpis: pd.DataFrame, kpi_id: str | None, slice_: DefectSlice) -> float | None:
    # A plant-wide target does not apply to one code, category or severity.
    if kpi_id is None or slice_.defect_code or slice_.category_6m or slice_.severity:
        return None
    row = kpis[kpis["kpi_id"] == kpi_id]
    if row.empty or pd.isna(row["target"].iloc[0]):
        return None
    return float(row["target"].iloc[0])


def _events(events: pd.DataFrame, slice_: DefectSlice) -> pd.DataFrame:
    if slice_.line_id is None:
        return events
    return events[events["line_id"].isna() | (events["line_id"] == slice_.line_id)]


def _complete(frame: pd.DataFrame, grain: str, filters: Filters) -> pd.DataFrame:
    """Rows whose bucket lies wholly inside ``filters`` (a partial week's count is not comparable)."""
    keep = [start >= filters.start_date and bucket_end(start, grain) <= filters.end_date for start in frame["bucket_date"]]
    return frame.loc[pd.Series(keep, index=frame.index, dtype=bool)]


def _trend_section(
    rates: pd.DataFrame,
    filters: Filters,
    slice_: DefectSlice,
    measure: str,
    grain: str,
    kpis: pd.DataFrame,
    events: pd.DataFrame,
) -> dict:
    label, column, unit, kpi_id = MEASURES[measure]
    current = _complete(_period(rates, "current"), grain, filters)
    previous = _complete(_period(rates, "previous"), grain, filters.previous())
    return figures.trend_spec(
        current[["bucket_date", column]].rename(columns={column: measure}),
        _aligned_previous(previous[["bucket_date", column]].rename(columns={column: measure}), filters),
        measure=measure,
        title=f"{label} per {grain} (whole {grain}s only)" if grain != "day" else f"{label} per day",
        unit_label=label if unit != "pct" else f"{label} (%)",
        target=_target(kpis, kpi_id, slice_),
        events=events,
    )


def _forecast_section(rates: pd.DataFrame, filters: Filters, grain: str, measure: str) -> tuple[dict, str]:
    label, column, unit, _ = MEASURES[measure]
    current = _period(rates, "current")
    series = pd.Series(current[column].to_numpy(dtype=float), index=list(current["bucket_date"]))
    series = complete_buckets(series, grain, filters).dropna()
    try:
        result = forecast(series.set_axis(pd.to_datetime(series.index)), FORECAST_HORIZON)
    except ForecastRefused as refused:
        return empty_spec(str(refused), height=320), str(refused)
    figure = figures.forecast_spec(
        series.set_axis(pd.to_datetime(series.index)),
        result.dates,
        result.mean,
        result.lower,
        result.upper,
        level=result.level,
        model=result.model,
        unit_label=label,
        title=f"{label}: forecast of the next {FORECAST_HORIZON} {grain}s",
    )
    last = format_value(float(result.mean[-1]), unit)
    low, high = format_value(float(result.lower[-1]), unit), format_value(float(result.upper[-1]), unit)
    text = (
        f"Forecast, not data: {last} expected in {FORECAST_HORIZON} {grain}s "
        f"({result.level:.0%} prediction interval {low} to {high}); {result.model}, fitted on {result.fitted_on} {grain}s."
    )
    return figure, text


def _usable(rates: pd.DataFrame) -> pd.DataFrame:
    """Current-period buckets that inspected units (a u chart needs a denominator)."""
    current = _period(rates, "current")
    return current[current["units_inspected"].fillna(0) > 0]


def _control_section(
    rates: pd.DataFrame,
    days: tuple[pd.DataFrame, pd.DataFrame],
    grain: str,
    title: str,
    rebase: dt.date | None = None,
) -> tuple[dict, str, tuple]:
    """Laney u′ chart of defects per unit inspected, one point per ``grain`` bucket when that
    gives enough subgroups, else per production day; limits from the first 25 subgroups
    (phase I), frozen for the rest (phase II). Defects cluster (a record often holds several,
    and the product mix moves from day to day), so the Poisson limits of a plain u chart are
    too tight and flag ordinary days; Laney's σz corrects for that and equals 1 when the counts
    are Poisson."""
    minimum = RATE_BASELINE + 5
    buckets, chosen = _usable(rates), grain
    if grain != "day" and len(buckets) < minimum:
        buckets, chosen = _usable(defect_rates(*days)), "day"
    noun = "production day" if chosen == "day" else grain
    if len(buckets) < minimum:
        message = f"A u chart needs at least {minimum} production days; choose a longer period."
        return empty_spec(message, height=360), message, ()
    dates = pd.to_datetime(buckets["bucket_date"])
    subgroups = pd.DataFrame(
        {
            "subgroup_id": dates.dt.strftime("%Y-%m-%d"),
            "defects": buckets["defect_count"].fillna(0).to_numpy(dtype=float),
            "units": buckets["units_inspected"].to_numpy(dtype=float),
            "measured_at": dates,
            "label": dates.dt.strftime("%a %d %b %Y" if chosen == "day" else f"{GRAINS[chosen]} of %d %b %Y"),
        }
    )
    ids = subgroups["subgroup_id"].tolist()
    baselines: tuple[spc.Baseline, ...] = (
        spc.Baseline(start=ids[0], end=ids[RATE_BASELINE - 1], reason=f"Baseline: the first {RATE_BASELINE} {noun}s"),
    )
    rebase_text = ""
    if rebase is not None:
        later = [i for i, d in zip(ids, dates, strict=True) if d.date() >= rebase]
        if len(later) < RATE_BASELINE or later[0] == ids[0]:
            message = (
                f"A new baseline from {rebase:%d %b %Y} needs {RATE_BASELINE} {noun}s after it and earlier ones "
                "before it; choose a date inside the period."
            )
            return empty_spec(message, height=360), message, ()
        baselines = spc.new_baseline(
            baselines,
            start=later[0],
            end=later[RATE_BASELINE - 1],
            reason=f"New baseline from {rebase:%d %b %Y}: {RATE_BASELINE} {noun}s after a documented change",
        )
        rebase_text = f" New limits from {rebase:%d %b %Y} (a documented change), from the {RATE_BASELINE} {noun}s after it."
    try:
        chart = spc.u_chart(subgroups, baselines=baselines, rules=spc.western_electric_rules(), laney=True)
    except DashboardError as error:
        return empty_spec(str(error), height=360), str(error), ()
    figure = control_chart_spec(chart, title=title, unit="defects per unit", height=360)
    first, last = subgroups["label"].iloc[0], subgroups["label"].iloc[RATE_BASELINE - 1]
    sigma_z = chart.sigma / math.sqrt(chart.limits[-1].centre) if chart.limits[-1].centre > 0 else float("nan")
    text = (
        f"Laney u′ chart of defects per unit inspected, one point per {noun}; limits vary with each point's units "
        f"and are scaled by σz = {sigma_z:.2f}, how much more (σz > 1) or less the {noun}s vary than a Poisson "
        f"count would (σz = 1 is the classic u chart). Limits from {first} to {last} "
        f"(phase I, {RATE_BASELINE} {noun}s), frozen for the rest; Western Electric rules 1-4.{rebase_text}"
    )
    signals = tuple(v.message for v in sorted(chart.violations, key=lambda v: (v.start_index, v.index)))
    return figure, text, signals


def _pareto_section(frame: pd.DataFrame, pareto_by: str, pareto_value: str) -> tuple[dict, str]:
    if frame.empty or float(frame[pareto_value].sum()) <= 0:
        return empty_spec("No defects for these filters.", height=380), "No defects for these filters."
    table = pareto(frame, key="key", value=pareto_value)
    noun, plural = ("code", "codes") if pareto_by == "defect_code" else ("category", "categories")
    of_what = "defects" if pareto_value == "defect_count" else "the cost of poor quality"
    figure = figures.pareto_spec(
        table,
        value=pareto_value,
        value_label=PARETO_VALUE[pareto_value],
        x_label=PARETO_BY[pareto_by],
        items=plural,
        title=f"Pareto of {of_what} by {PARETO_BY[pareto_by].lower()}: click a bar to drill down",
    )
    sentence = vital_few_sentence(table, label_column="label", value=pareto_value, noun=noun, noun_plural=plural, of_what=of_what)
    return figure, sentence


def _breakdown_section(defects: pd.DataFrame, production: pd.DataFrame, by: str, title: str) -> dict:
    frame = defects.merge(production[["key", "units_inspected"]], on="key", how="left")
    units = frame["units_inspected"].astype(float)
    frame = frame.assign(per_thousand=(1000 * frame["defect_count"] / units.where(units > 0)).round(2))
    return figures.breakdown_spec(
        frame,
        value="defect_count",
        value_label="Defects",
        title=title,
        rate="per_thousand",
        rate_label="per 1,000 units",
    )


def _heatmap_section(defects: pd.DataFrame, production: pd.DataFrame) -> dict:
    grid = defects.merge(production, on=["line_id", "bucket_date"], how="outer")
    units = grid["units_inspected"].astype(float)
    grid = grid.assign(per_thousand=1000 * grid["defect_count"].fillna(0) / units.where(units > 0))
    return figures.heatmap_spec(
        grid, value="per_thousand", value_label="Defects per 1,000 units", title="Defects per 1,000 units, line × week"
    )


# The dimension tables whose names label the breadcrumb: (dataset, id column, name column).
NAME_TABLES = (
    ("plants", "plant_id", "plant_name"),
    ("lines", "line_id", "line_name"),
    ("products", "product_id", "product_name"),
    ("defect_codes", "defect_code", "defect_description"),
)


def _names(frames: list[pd.DataFrame]) -> dict[str, str]:
    """Display names by id, from the :data:`NAME_TABLES` frames (in that order)."""
    names: dict[str, str] = {}
    for frame, (_, key, label) in zip(frames, NAME_TABLES, strict=True):
        names.update(zip(frame[key], frame[label], strict=True))
    return names


def _compute(
    filters: Filters,
    slice_: DefectSlice,
    datasets: list[Dataset],
    *,
    grain: str,
    measure: str,
    pareto_by: str,
    pareto_value: str,
    level: str,
    rebase: dt.date | None,
) -> pd.DataFrame:
    """Every figure and sentence of the page, as JSON text per part (so it can be cached)."""
    (defects, production, defects_day, production_day, by_pareto, heat_d, heat_p, _, events, kpis) = (
        d.frame for d in datasets[:10]
    )
    rates = defect_rates(defects, production)
    scope = _scope_text(filters, slice_)
    control, control_text, signals = _control_section(
        rates, (defects_day, production_day), grain, f"Defects per unit, {scope}", rebase
    )
    forecast_spec, forecast_text = _forecast_section(rates, filters, grain, measure)
    pareto_spec, pareto_text = _pareto_section(by_pareto, pareto_by, pareto_value)
    breakdown_by = BREAKDOWN_BY.get(level)
    breakdown = None
    if breakdown_by is not None:
        title = f"Defects by {LEVEL_NAMES[breakdown_by]}, {scope}: click a bar to drill down"
        breakdown = _breakdown_section(datasets[10].frame, datasets[11].frame, breakdown_by, title)
    parts: dict[str, object] = {
        "headlines": [dataclasses.astuple(h) for h in _headlines(defects, production, slice_)],
        "trend": _trend_section(rates, filters, slice_, measure, grain, kpis, _events(events, slice_)),
        "forecast": forecast_spec,
        "forecast_text": forecast_text,
        "control": control,
        "control_text": control_text,
        "signals": list(first_and_latest(signals)),
        "pareto": pareto_spec,
        "pareto_text": pareto_text,
        "breakdown": breakdown,
        "heatmap": _heatmap_section(heat_d, heat_p),
    }
    return pack(parts)


def build_defects(
    filters: Filters,
    slice_: DefectSlice,
    repo: Repository,
    *,
    grain: str = DEFAULT_GRAIN,
    measure: str = "count",
    pareto_by: str = "defect_code",
    pareto_value: str = "defect_count",
    rebase: dt.date | None = None,
) -> DefectsView:
    """The page for ``filters`` and ``slice_``. Raises DataUnavailable when no copy exists.

    The figures are computed once per set of source reads (``Repository.derived``), so a warm
    request only decodes them.
    """
    for value, allowed, what in (
        (grain, GRAINS, "grain"),
        (measure, MEASURES, "measure"),
        (pareto_by, PARETO_BY, "Pareto grouping"),
        (pareto_value, PARETO_VALUE, "Pareto value"),
    ):
        if value not in allowed:
            raise InvalidFilter(f"Unknown {what} '{str(value)[:30]}'; use one of {', '.join(allowed)}.")
    level = slice_.level(filters.plant_id)
    # One batch, names included, so a cold page runs every query concurrently.
    names_requested = [DatasetRequest.of(name) for name, _, _ in NAME_TABLES]
    # Once a line or a code is chosen, the CAPAs that address it (what is being done about it).
    mentioned = slice_.line_id is not None or slice_.defect_code is not None
    capas_requested = [DatasetRequest.of("capas_on_slice", filters, slice=slice_)] if mentioned else []
    results = repo.fetch_many(_requests(filters, slice_, grain, level, pareto_by) + capas_requested + names_requested)
    datasets = [dataset(r) for r in results]
    datasets, name_frames = datasets[: -len(NAME_TABLES)], [d.frame for d in datasets[-len(NAME_TABLES) :]]
    capas = _capa_mentions(datasets.pop().frame, filters, slice_) if mentioned else None
    options = {
        "grain": grain,
        "measure": measure,
        "pareto_by": pareto_by,
        "pareto_value": pareto_value,
        "level": level,
        "rebase": rebase,
    }
    key = {"filters": filters.cache_token(), "slice": slice_.cache_token(), **options}
    frame = repo.derived("defects_page", datasets, key, lambda: _compute(filters, slice_, datasets, **options))
    parts = unpack(frame)
    counts = datasets[7].frame
    return DefectsView(
        filters=filters,
        slice=slice_,
        grain=grain,
        measure=measure,
        level=level,
        crumbs=crumbs_for(filters, slice_, _names(name_frames)),
        headlines=tuple(Headline(*h) for h in parts["headlines"]),
        trend=parts["trend"],
        forecast=parts["forecast"],
        forecast_text=parts["forecast_text"],
        control=parts["control"],
        control_text=parts["control_text"],
        signals=tuple(parts["signals"]),
        pareto=parts["pareto"],
        pareto_text=parts["pareto_text"],
        breakdown=parts["breakdown"],
        breakdown_by=BREAKDOWN_BY.get(level),
        heatmap=parts["heatmap"],
        record_count=int(counts["records"].iloc[0]) if not counts.empty and pd.notna(counts["records"].iloc[0]) else 0,
        capas=capas,
        as_of=min(d.fetched_at for d in datasets),
        stale=next((d.problem for d in datasets if d.stale), None),
    )


def _scope_text(filters: Filters, slice_: DefectSlice) -> str:
    parts = [filters.plant_id or "all plants"]
    parts += [v for v in (slice_.line_id, slice_.product_id, slice_.defect_code) if v]
    parts += [v for v in (slice_.category_6m, slice_.severity) if v]
    return ", ".join(parts)
