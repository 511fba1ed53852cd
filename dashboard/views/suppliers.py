"""Supplier scorecards: every supplier ranked fairly for the period, and one supplier in depth.

The SQL layer sums lots, SCARs and audits per supplier; the metrics layer turns those sums into
PPM with exact intervals, a volume-adjusted (empirical-Bayes) PPM that the ranking uses, a
composite score and a grade. Figures are computed once per set of source reads and cached.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.datasets.interface import Dataset, DatasetRequest, Repository
from dashboard.errors import DashboardError, InvalidFilter
from dashboard.figures import defects as defect_figures
from dashboard.figures import suppliers as figures
from dashboard.figures.control_chart import control_chart_figure
from dashboard.figures.empty import empty_figure
from dashboard.figures.supplier_pdf import SupplierCard
from dashboard.filters import Filters
from dashboard.metrics import spc
from dashboard.metrics import suppliers as metrics
from dashboard.metrics.defects import pareto
from dashboard.views.cached import dataset, first_and_latest, pack, unpack

PPM_TARGET = 1500.0  # the supplier PPM KPI's target in the demo; the KPI definition's target wins
OTD_TARGET = 95.0
P_BASELINE = 25  # phase I of the supplier p′ chart: its first 25 receiving days
MAX_QUERY = 64


@dataclasses.dataclass(frozen=True)
class ScorecardView:
    """The /suppliers page."""

    filters: Filters
    commodity: str | None
    search: str | None
    rows: list[dict]
    funnel: dict
    quadrant: dict
    summary: str
    commodities: tuple[str, ...]
    as_of: dt.datetime | None
    problems: tuple[str, ...] = ()
    stale: str | None = None


@dataclasses.dataclass(frozen=True)
class SupplierView:
    """The /suppliers/<id> page."""

    filters: Filters
    supplier_id: str
    title: str
    numbers: tuple[tuple[str, str], ...]
    grade_text: str
    control: dict
    control_text: str
    signals: tuple[str, ...]
    parts: dict
    lots: dict
    codes: dict
    scars: list[dict]
    audits: list[dict]
    card: SupplierCard
    as_of: dt.datetime | None
    stale: str | None = None


def _number(value: object, pattern: str = "{:,.0f}", missing: str = "–") -> str:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing
    return missing if math.isnan(number) else pattern.format(number)


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _ppm_target(kpis: pd.DataFrame) -> float:
    row = kpis[kpis["kpi_id"] == "supplier_ppm"]
    return float(row["target"].iloc[0]) if not row.empty and pd.notna(row["target"].iloc[0]) else PPM_TARGET


def _sparks(trend: pd.DataFrame) -> dict[object, str]:
    """Per supplier, the text sparkline of its weekly PPM (rejected per million received),
    oldest week first, on one time axis for all: every week in which any supplier delivered,
    with a gap where this one delivered nothing (or no units), so the columns line up by week."""
    if trend.empty:
        return {}
    received = trend["units_received"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ppm = 1e6 * trend["units_rejected"].to_numpy(dtype="float64", na_value=np.nan) / np.where(received > 0, received, np.nan)
    weeks: dict[object, dict[object, float]] = {}
    for supplier, week, value in zip(trend["supplier_id"].tolist(), trend["bucket_date"].tolist(), ppm.tolist(), strict=True):
        if not _missing(supplier) and not _missing(week):
            weeks.setdefault(supplier, {})[week] = value
    axis = sorted({week for series in weeks.values() for week in series})
    return {
        supplier: figures.sparkline_text(np.array([series.get(week, np.nan) for week in axis], dtype=float))
        for supplier, series in weeks.items()
    }


ROW_COLUMNS = (
    "rank",
    "supplier_id",
    "supplier_name",
    "commodity",
    "grade",
    "grade_change",
    "score",
    "ppm",
    "ppm_low",
    "ppm_high",
    "shrunk_ppm",
    "enough_data",
    "lots",
    "units_received",
    "units_rejected",
    "lot_acceptance_pct",
    "otd_pct",
    "scars_open",
    "scars_overdue",
    "mean_days_to_close",
    "audit_score",
    "chargeback_eur",
)


def _rows(card: pd.DataFrame, trend: pd.DataFrame) -> list[dict]:
    sparks = _sparks(trend)
    rows = []
    for values in zip(*(card[column].tolist() for column in ROW_COLUMNS), strict=True):
        r = dict(zip(ROW_COLUMNS, values, strict=True))
        data_note = "" if r["enough_data"] else " (too little data)"
        rows.append(
            {
                "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
                "supplier_id": r["supplier_id"],
                "supplier": f"{r['supplier_id']} · {r['supplier_name']}",
                "commodity": r["commodity"],
                "grade": (r["grade"] or "–") + (f" ({r['grade_change']})" if r["grade_change"] else ""),
                "score": _number(r["score"], "{:.0f}"),
                "ppm": _number(r["ppm"]) + data_note,
                "ppm_interval": f"{_number(r['ppm_low'])}–{_number(r['ppm_high'])}",
                "adjusted_ppm": _number(r["shrunk_ppm"]),
                "lots": int(r["lots"]),
                "units": _number(r["units_received"]),
                "rejected": _number(r["units_rejected"]),
                "lot_acceptance": _number(r["lot_acceptance_pct"], "{:.1f} %"),
                "otd": _number(r["otd_pct"], "{:.1f} %"),
                "scars": f"{int(r['scars_open'])} open, {int(r['scars_overdue'])} overdue",
                "days_to_close": _number(r["mean_days_to_close"], "{:.0f} d"),
                "audit": _number(r["audit_score"], "{:.0f} %"),
                "chargeback": _number(r["chargeback_eur"], "€{:,.0f}"),
                "trend": sparks.get(r["supplier_id"], ""),
            }
        )
    return rows


def _summary(card: pd.DataFrame, pooled: float) -> str:
    if card.empty:
        return "No supplier delivered in this period."
    thin = card.loc[~card["enough_data"].astype(bool), "supplier_id"].tolist()
    worst = metrics.worst_by_ppm(card[card["enough_data"].astype(bool)], n=1)
    text = (
        f"{len(card)} supplier{'' if len(card) == 1 else 's'}, pooled {pooled:,.0f} PPM. "
        "Ranked on the composite score, whose quality part uses "
        "the volume-adjusted PPM (each supplier's PPM pulled towards the pooled rate in proportion to how little "
        "it delivered), so a handful of units cannot top or tail the list."
    )
    if not worst.empty:
        text += (
            f" Highest volume-adjusted PPM among suppliers with enough data: {worst['supplier_id'].iloc[0]} "
            f"({worst['shrunk_ppm'].iloc[0]:,.0f})."
        )
    if thin:
        text += f" Too little data to judge: {', '.join(thin[:6])}{' …' if len(thin) > 6 else ''}."
    return text


def build_scorecard(
    filters: Filters, repo: Repository, *, commodity: str | None = None, search: str | None = None
) -> ScorecardView:
    """The scorecard for ``filters`` (period and plant) and an optional commodity and text search."""

    def requests(commodity: str | None) -> list[DatasetRequest]:
        return [
            DatasetRequest.of("supplier_lots_summary", filters, commodity=commodity),
            DatasetRequest.of("supplier_scar_summary", filters, commodity=commodity),
            DatasetRequest.of("supplier_latest_audit", filters, commodity=commodity),
            DatasetRequest.of("supplier_trend", filters, grain="week", commodity=commodity),
            DatasetRequest.of("kpi_definitions"),
        ]

    problems: list[str] = []
    if commodity is None:
        # Nothing to check against the supplier list first: it comes in the same batch, concurrently.
        listing, *results = repo.fetch_many([DatasetRequest.of("suppliers"), *requests(None)])
        listing = dataset(listing)
    else:
        listing = repo.fetch("suppliers")
        if commodity not in set(listing.frame["commodity"].tolist()):
            problems.append(f"Unknown commodity '{commodity[:40]}'; showing all commodities.")
            commodity = None
        results = repo.fetch_many(requests(commodity))
    suppliers = listing.frame
    commodities = tuple(sorted(suppliers["commodity"].unique()))
    datasets = [dataset(r) for r in results]
    lots, scars, audits, trend, kpis = (d.frame for d in datasets)

    def compute() -> pd.DataFrame:
        card = metrics.scorecard(lots, scars, audits, suppliers)
        pooled = float(card.attrs.get("pooled_ppm", float("nan"))) if not card.empty else float("nan")
        if card.empty:
            funnel = quadrant = empty_figure("No supplier delivered in this period.", height=460)
        else:
            units = card["units_received"].astype(float)
            curve = metrics.funnel_curve(pooled / 1e6, max(1.0, float(units.min()) / 2), float(units.max()) * 2)
            # Plain specs: a go.Figure would only be copied twice on its way to the cache's JSON.
            funnel = figures.funnel_spec(card, pooled, curve, title="PPM against volume: funnel plot")
            quadrant = figures.quadrant_spec(
                card, ppm_target=_ppm_target(kpis), otd_target=OTD_TARGET, title="Quality against delivery"
            )
        parts = {"rows": _rows(card, trend), "funnel": funnel, "quadrant": quadrant, "summary": _summary(card, pooled)}
        return pack(parts)

    key = {"filters": filters.cache_token(), "commodity": commodity or "*"}
    frame = repo.derived("supplier_scorecard", [*datasets, listing], key, compute)
    parts = unpack(frame)
    rows = parts["rows"]
    if search:
        needle = search.casefold()
        rows = [r for r in rows if needle in r["supplier"].casefold() or needle in r["commodity"].casefold()]
    return ScorecardView(
        filters=filters,
        commodity=commodity,
        search=search,
        rows=rows,
        funnel=parts["funnel"],
        quadrant=parts["quadrant"],
        summary=parts["summary"],
        commodities=commodities,
        as_of=min(d.fetched_at for d in datasets),
        problems=tuple(problems),
        stale=next((d.problem for d in datasets if d.stale), None),
    )


def _p_chart(days: pd.DataFrame, events: list[tuple[dt.datetime, str]], title: str) -> tuple[go.Figure, str, tuple, pd.DataFrame]:
    """Laney p′ chart of the fraction of units rejected per receiving day (shown in PPM terms in
    the hover), limits from the first 25 receiving days, frozen after."""
    days = days[days["units_received"] > 0].sort_values("bucket_date")
    if len(days) < P_BASELINE + 5:
        message = f"A p chart needs at least {P_BASELINE + 5} receiving days; choose a longer period."
        return empty_figure(message, height=360), message, (), pd.DataFrame()
    dates = pd.to_datetime(days["bucket_date"])
    subgroups = pd.DataFrame(
        {
            "subgroup_id": dates.dt.strftime("%Y-%m-%d"),
            "nonconforming": days["units_rejected"].to_numpy(dtype=float),
            "n": days["units_received"].to_numpy(dtype=float),
            "measured_at": dates,
            "phase": [spc.PHASE_BASELINE] * P_BASELINE + [spc.PHASE_MONITOR] * (len(days) - P_BASELINE),
            "label": dates.dt.strftime("%a %d %b %Y"),
        }
    )
    try:
        chart = spc.p_chart(subgroups, rules=spc.western_electric_rules(), laney=True)
    except DashboardError as error:
        return empty_figure(str(error), height=360), str(error), (), pd.DataFrame()
    figure = control_chart_figure(chart, title=title, unit="fraction rejected", events=events, height=380)
    points = chart.points
    trend = pd.DataFrame(
        {
            "bucket_date": dates.to_numpy(),
            "ppm": 1e6 * points["value"].to_numpy(dtype=float),
            "centre": 1e6 * points["centre"].to_numpy(dtype=float),
            "ucl": 1e6 * points["ucl"].to_numpy(dtype=float),
            "lcl": 1e6 * points["lcl"].to_numpy(dtype=float),
            "flagged": points["rules"].astype(str).str.len().to_numpy() > 0,
        }
    )
    first, last = subgroups["label"].iloc[0], subgroups["label"].iloc[P_BASELINE - 1]
    sigma_z = (
        chart.sigma / math.sqrt(chart.limits[-1].centre * (1 - chart.limits[-1].centre))
        if 0 < chart.limits[-1].centre < 1
        else float("nan")
    )
    text = (
        f"Laney p′ chart of the fraction of units rejected, one point per receiving day; limits vary with each day's "
        f"units and are scaled by σz = {sigma_z:.2f} (1 = binomial). Limits from {first} to {last} "
        f"(phase I, {P_BASELINE} days), frozen for the rest; Western Electric rules 1-4. SCARs and audits are marked "
        "on the time axis."
    )
    signals = tuple(v.message for v in sorted(chart.violations, key=lambda v: (v.start_index, v.index)))
    signals = first_and_latest(signals)
    return figure, text, signals, trend


def _age(opened: object, closed: object, end: dt.date) -> int:
    start = pd.Timestamp(opened).date()
    stop = pd.Timestamp(closed).date() if closed is not None and not pd.isna(closed) else end
    return (stop - start).days


def build_supplier(filters: Filters, repo: Repository, supplier_id: str) -> SupplierView:
    """One supplier's page and printable card for ``filters``."""
    # The supplier list is the allow-list of ``supplier_id``: read (usually from the cache) before
    # any query about the supplier runs; then everything else in one concurrent batch.
    listing = repo.fetch("suppliers")
    suppliers = listing.frame
    known = suppliers[suppliers["supplier_id"] == supplier_id]
    if known.empty:
        raise InvalidFilter(f"Unknown supplier '{supplier_id[:MAX_QUERY]}'; choose one from the scorecard.")
    info = known.iloc[0]
    requests = [
        DatasetRequest.of("supplier_lots_summary", filters, commodity=None),
        DatasetRequest.of("supplier_scar_summary", filters, commodity=None),
        DatasetRequest.of("supplier_latest_audit", filters, commodity=None),
        DatasetRequest.of("supplier_trend", filters, grain="day", supplier_id=supplier_id),
        DatasetRequest.of("supplier_parts", filters, supplier_id=supplier_id),
        DatasetRequest.of("supplier_scars", filters, supplier_id=supplier_id),
        DatasetRequest.of("supplier_audits", filters, supplier_id=supplier_id),
        DatasetRequest.of("supplier_trend", filters, grain="week", supplier_id=supplier_id),
    ]
    datasets = [dataset(r) for r in repo.fetch_many(requests)]
    key = {"filters": filters.cache_token(), "supplier": supplier_id}
    frame = repo.derived(
        "supplier_page",
        [*datasets, listing],
        key,
        lambda: _supplier_parts(filters, supplier_id, datasets, suppliers),
    )
    parts = unpack(frame)
    as_of = min(d.fetched_at for d in datasets)
    trend = pd.DataFrame(parts["trend"])
    if not trend.empty:
        trend["bucket_date"] = pd.to_datetime(trend["bucket_date"])
    card = parts["card"]
    numbers = tuple((label, value) for label, value in parts["numbers"])
    supplier_card = SupplierCard(
        supplier_id=supplier_id,
        supplier_name=str(info["supplier_name"]),
        commodity=str(info["commodity"]),
        period_label=f"{filters.start_date:%d %b %Y} – {filters.end_date:%d %b %Y}"
        + (f", plant {filters.plant_id}" if filters.plant_id else ""),
        as_of=as_of,
        grade=card["grade"],
        prev_grade=card["prev_grade"],
        rank=card["rank"],
        of_suppliers=card["of"],
        score=card["score"],
        numbers=numbers,
        trend=trend,
        parts=pd.DataFrame(parts["part_rows"], columns=["part_number", "units_rejected"]),
        scars=[(s["opened"], s["status"], s["age_days"], s["description"]) for s in parts["scars"]],
        notes=(
            "Ranked on a composite score (quality 40 %, delivery 30 %, SCAR responsiveness 15 %, audit 15 %) whose "
            "quality part uses the volume-adjusted (empirical-Bayes) PPM.",
            "PPM interval: exact (Clopper-Pearson) 95 %.",
        ),
    )
    return SupplierView(
        filters=filters,
        supplier_id=supplier_id,
        title=f"{supplier_id} · {info['supplier_name']} ({info['commodity']}, {info['country']})",
        numbers=numbers,
        grade_text=parts["grade_text"],
        control=parts["control"],
        control_text=parts["control_text"],
        signals=tuple(parts["signals"]),
        parts=parts["parts"],
        lots=parts["lots"],
        codes=parts["codes"],
        scars=parts["scars"],
        audits=parts["audits"],
        card=supplier_card,
        as_of=as_of,
        stale=next((d.problem for d in datasets if d.stale), None),
    )


def _scar_codes_figure(scars: pd.DataFrame) -> go.Figure:
    """SCARs by defect code: the canonical schema codes a SCAR, not each rejected unit."""
    # Counted over the rows rather than with groupby().agg(), whose set-up dwarfs a few SCARs: per
    # code (sorted), its SCARs and the first description given.
    codes: dict[object, list] = {}
    if not scars.empty:
        for code, scar, label in zip(*(scars[c].tolist() for c in ("defect_code", "scar_id", "defect_description")), strict=True):
            if _missing(code):
                continue
            count = codes.setdefault(code, [0, None])
            count[0] += 0 if _missing(scar) else 1
            if count[1] is None and not _missing(label):
                count[1] = label
    if not codes:
        return empty_figure("No SCAR with a defect code in this period.", height=300)
    keys = sorted(codes)
    counts = pd.DataFrame(
        {
            "key": pd.Series(keys, dtype=scars["defect_code"].dtype),
            "scars": np.array([codes[k][0] for k in keys], dtype="int64"),
            "label": pd.Series([codes[k][1] for k in keys], dtype=scars["defect_description"].dtype),
        }
    )
    table = pareto(counts, key="key", value="scars")
    return defect_figures.pareto_figure(
        table, value="scars", value_label="SCARs", x_label="Defect code", title="SCARs by defect code", height=300
    )


def _supplier_parts(filters: Filters, supplier_id: str, datasets: list[Dataset], suppliers: pd.DataFrame) -> pd.DataFrame:
    """Every figure, number and list of one supplier's page, as JSON text per part (cached)."""
    lots, scar_summary, audits_latest, days, parts, scars, audits, weeks = (d.frame for d in datasets)
    card = metrics.scorecard(lots, scar_summary, audits_latest, suppliers)
    row = card[card["supplier_id"] == supplier_id]
    r = row.iloc[0] if not row.empty else None
    scar_list, audit_list = scars.to_dict("records"), audits.to_dict("records")
    events = [(pd.Timestamp(s["opened_date"]).to_pydatetime(), f"SCAR {s['scar_id']} opened") for s in scar_list]
    events += [(pd.Timestamp(a["audit_date"]).to_pydatetime(), f"Audit {a['score_pct']:.0f} %") for a in audit_list]
    events = [e for e in events if filters.start_date <= e[0].date() <= filters.end_date]
    control, control_text, signals, trend = _p_chart(days, events, f"Fraction rejected, {supplier_id}")
    if parts.empty or float(parts["units_rejected"].sum()) <= 0:
        parts_figure = empty_figure("No rejected units in this period.", height=380)
    else:
        table = pareto(
            parts.rename(columns={"part_number": "key"}).assign(label=parts["part_number"]), key="key", value="units_rejected"
        )
        parts_figure = defect_figures.pareto_figure(
            table,
            value="units_rejected",
            value_label="Units rejected",
            x_label="Part number",
            items="parts",
            title="Rejected units by part",
        )
    numbers: tuple[tuple[str, str], ...] = ()
    grade_text = "Not scored: no lots received in this period."
    if r is not None:
        numbers = (
            ("Lots received", _number(r.lots)),
            ("Units received", _number(r.units_received)),
            ("Units rejected", _number(r.units_rejected)),
            ("PPM (95 % interval)", f"{_number(r.ppm)} ({_number(r.ppm_low)}–{_number(r.ppm_high)})"),
            ("Volume-adjusted PPM", _number(r.shrunk_ppm)),
            ("Lot acceptance", _number(r.lot_acceptance_pct, "{:.1f} %")),
            ("On-time delivery", _number(r.otd_pct, "{:.1f} %")),
            ("SCARs open / overdue", f"{int(r.scars_open)} / {int(r.scars_overdue)}"),
            ("Mean days to close a SCAR", _number(r.mean_days_to_close, "{:.0f}")),
            ("Last audit", _number(r.audit_score, "{:.0f} %")),
            ("Charge-backs", _number(r.chargeback_eur, "€{:,.0f}")),
        )
        grade = r.grade or "–"
        grade_text = (
            f"Grade {grade}"
            + (f" (was {r.prev_grade})" if r.grade_change else "")
            + (f", rank {int(r['rank'])} of {len(card)}" if not pd.isna(r["rank"]) else "")
        )
        if not r.enough_data:
            grade_text += "; too little data to judge its PPM"
    scar_rows = [
        {
            "scar_id": int(s["scar_id"]),
            "opened": str(s["opened_date"])[:10],
            "due": str(s["due_date"])[:10],
            "status": s["scar_status"],
            "age_days": _age(s["opened_date"], s["closed_date"], filters.end_date),
            "overdue": "overdue" if s["scar_status"] == "open" and pd.Timestamp(s["due_date"]).date() < filters.end_date else "",
            "code": s["defect_code"] or "",
            "description": s["description"],
        }
        for s in scar_list
    ]
    audit_rows = [
        {"date": str(a["audit_date"])[:10], "score": f"{a['score_pct']:.1f} %", "findings": int(a["finding_count"])}
        for a in audit_list
    ]
    summary = {
        "grade": None if r is None else r.grade,
        "prev_grade": None if r is None else r.prev_grade,
        "rank": None if r is None or pd.isna(r["rank"]) else int(r["rank"]),
        "of": len(card),
        "score": None if r is None or pd.isna(r.score) else float(r.score),
    }
    trend_rows = [] if trend.empty else trend.assign(bucket_date=trend["bucket_date"].astype(str)).to_dict("records")
    part_rows = [] if parts.empty else parts[["part_number", "units_rejected"]].to_dict("records")
    page: dict[str, object] = {
        "numbers": [list(n) for n in numbers],
        "grade_text": grade_text,
        "control": control,
        "control_text": control_text,
        "signals": list(signals),
        "parts": parts_figure,
        "lots": figures.lots_spec(weeks, title="Lots received per week: on time and late"),
        "codes": _scar_codes_figure(scars),
        "scars": scar_rows,
        "audits": audit_rows,
        "card": summary,
        "trend": trend_rows,
        "part_rows": part_rows,
    }
    return pack(page)
