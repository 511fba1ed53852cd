"""The review's sections after the KPI tiles and the narrative: one per subject, each with the
figures and tables the page, the presentation and the PDF pack show (every table row included).

Figures are Plotly JSON dicts and table cells are text, so a section can be frozen into an
edition as plain JSON and drawn again exactly.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.figures.voc import complaints_by_code_figure
from dashboard.metrics.defects import pareto, rank_change_text, rank_changes
from dashboard.metrics.surge import surges
from dashboard.views.capa_effects import CapaEffects
from dashboard.views.review_data import ReviewData

PARETO_ROWS = 10
CLICK_HINT = re.compile(r"\s*:\s*click\b.*$", re.IGNORECASE)
COMPLAINT_ROWS = 15
EFFECT_COLUMNS = ("CAPA", "Addresses", "Closed", "Per 1,000 before", "Per 1,000 after", "Change (95 % interval)")
EFFECT_COLUMNS += ("The data says", "Recorded check", "Note")


@dataclasses.dataclass(frozen=True)
class ReviewTable:
    """A table of text cells; ``rows`` are all of them (the PDF prints every one)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty_text: str = "Nothing to list."


@dataclasses.dataclass(frozen=True)
class ReviewSection:
    """One screen of the presentation and one chapter of the PDF pack."""

    key: str
    title: str
    intro: str = ""
    figures: tuple[dict, ...] = ()
    tables: tuple[ReviewTable, ...] = ()
    notes: tuple[str, ...] = ()


def plain_figure(figure: go.Figure | dict) -> dict:
    """A figure as plain JSON data (no numpy arrays), ready to store, send or embed."""
    if isinstance(figure, dict):
        return figure
    return json.loads(pio.to_json(figure, validate=False))


def static_figure(figure: dict) -> dict:
    """``figure`` without a title's "click a bar to …" hint: the review's charts do not drill."""
    layout = figure.get("layout") or {}
    title = layout.get("title")
    text = title.get("text") if isinstance(title, dict) else None
    if not isinstance(text, str) or not CLICK_HINT.search(text):
        return figure
    return {**figure, "layout": {**layout, "title": {**title, "text": CLICK_HINT.sub("", text)}}}


def _problem(data: ReviewData, subject: str) -> tuple[str, ...]:
    return tuple(message for name, message in data.problems if name == subject)


def _number(value: object, pattern: str = "{:,.0f}") -> str:
    return "–" if value is None or pd.isna(value) else pattern.format(float(value))


def defects_section(data: ReviewData) -> ReviewSection:
    """The defects page's u′ chart and Pareto, its headline numbers and the Pareto's head with ranks."""
    view = data.defects
    if view is None:
        return ReviewSection("defects", "Defects", notes=_problem(data, "Defects"))
    headlines = ReviewTable(
        "Defects against the previous period",
        ("Measure", "This period", "Previous period", "Change"),
        tuple((h.name, h.value_text, h.previous_text, h.change_text) for h in view.headlines),
    )
    tables = [headlines]
    if data.pareto is not None and not data.pareto.empty:
        table = pareto(data.pareto, key="key", value="defect_count")
        table["previous_rank"] = rank_changes(table, "prev_defect_count")
        rows = tuple(
            (
                str(r.rank),
                f"{r.key} {r.label}",
                _number(r.defect_count),
                f"{r.share_pct:.1f} %",
                _number(r.prev_defect_count),
                rank_change_text(None if pd.isna(r.previous_rank) else int(r.previous_rank), r.rank),
            )
            for r in table[table["defect_count"] > 0].head(PARETO_ROWS).itertuples(index=False)
        )
        tables.append(
            ReviewTable(
                f"The Pareto's top {PARETO_ROWS} defect codes",
                ("Rank", "Defect code", "Defects", "Share", "Previous period", "Rank change"),
                rows,
            )
        )
    return ReviewSection(
        "defects",
        "Defects",
        intro=view.pareto_text,
        figures=(static_figure(view.control), static_figure(view.pareto)),
        tables=tuple(tables),
        notes=(view.control_text,),
    )


def process_section(data: ReviewData) -> ReviewSection:
    """Every measured characteristic that signals in its latest subgroups."""
    rows = data.characteristics
    if rows is None:
        return ReviewSection("process", "Process control", notes=_problem(data, "Process control"))
    flagged = [r for r in rows if r.status_key == "signal"]
    table = ReviewTable(
        "Characteristics with a signal in their latest 25 subgroups",
        ("Characteristic", "Name", "Line", "Plant", "Latest signal", "Cpk"),
        tuple((r.characteristic_id, r.name, r.line, r.plant_id, r.signal, r.cpk) for r in flagged),
        "Every characteristic is in control in its latest subgroups.",
    )
    in_control = sum(1 for r in rows if r.status_key == "in_control")
    intro = (
        f"{len(flagged)} of {len(rows)} characteristics signal, {in_control} are in control, "
        f"{len(rows) - len(flagged) - in_control} have too few subgroups. Limits from the first 25 subgroups of the "
        "period; Western Electric rules 1-4."
    )
    return ReviewSection("process", "Process control", intro=intro, tables=(table,))


def suppliers_section(data: ReviewData) -> ReviewSection:
    """The funnel plot and every supplier whose grade changed."""
    card = data.scorecard
    if card is None:
        return ReviewSection("suppliers", "Suppliers", notes=_problem(data, "Suppliers"))
    changed = card[card["grade_change"].fillna("") != ""].sort_values("supplier_id")
    rows = tuple(
        (
            f"{r.supplier_id} {r.supplier_name}",
            str(r.commodity),
            str(r.prev_grade),
            str(r.grade),
            _number(r.score),
            _number(r.shrunk_ppm),
            _number(r.rank),
            "" if r.enough_data else "too little data",
        )
        for r in changed.itertuples(index=False)
    )
    table = ReviewTable(
        "Suppliers whose grade changed against the previous period",
        ("Supplier", "Commodity", "Was", "Now", "Score", "Adjusted PPM", "Rank", "Note"),
        rows,
        "No supplier changed grade.",
    )
    intro = f"{len(card)} suppliers delivered in this period; {len(changed)} changed grade (A ≥ 85, B ≥ 70, C ≥ 55, D)."
    return ReviewSection(
        "suppliers", "Suppliers", intro=intro, figures=(static_figure(data.funnel),) if data.funnel else (), tables=(table,)
    )


def customers_section(data: ReviewData) -> ReviewSection:
    """Complaints by defect code against the previous period, with the surge test of each code."""
    frame = data.complaints
    if frame is None:
        return ReviewSection("customers", "Customers", notes=_problem(data, "Complaints"))
    labelled = frame.assign(key=frame["key"].where(frame["key"].notna(), "not mapped"))
    figure = complaints_by_code_figure(labelled, title="Complaints by defect code, against the previous period")
    tested = surges(frame[frame["key"].notna()], "complaints", "prev_complaints").head(COMPLAINT_ROWS)
    rows = tuple(
        (
            f"{r.key} {r.label}",
            _number(r.complaints),
            _number(r.prev_complaints),
            "< 0.001" if r.p_value < 0.001 else f"{r.p_value:.3f}",
            "surge" if r.surge else "",
        )
        for r in tested.itertuples(index=False)
    )
    table = ReviewTable(
        f"The {COMPLAINT_ROWS} most complained-of defect codes",
        ("Defect code", "Complaints", "Previous period", "p (rise by chance)", ""),
        rows,
        "No complaint mapped to a defect code in this period.",
    )
    intro = "A surge: at least 5 complaints, 1.5 times the previous period and p < 0.01 (exact test for two Poisson counts)."
    return ReviewSection("customers", "Customers", intro=intro, figures=(plain_figure(figure),), tables=(table,))


def capa_section(data: ReviewData) -> ReviewSection:
    """Every CAPA overdue on the period's last day (up to the query's limit, which the intro names)."""
    frame = data.capas
    if frame is None:
        return ReviewSection("capa", "CAPA", notes=_problem(data, "CAPA"))
    total = int(frame["overdue_total"].iloc[0]) if not frame.empty else 0
    rows = tuple(
        (
            f"#{int(r.capa_id)}",
            str(r.plant_id),
            "" if pd.isna(r.line_id) else str(r.line_id),
            "" if pd.isna(r.defect_code) else str(r.defect_code),
            str(r.capa_source),
            str(r.title),
            str(r.owner),
            f"{pd.Timestamp(r.due_date):%d %b %Y}",
            f"{int(r.days_overdue):,}",
        )
        for r in frame.itertuples(index=False)
    )
    shown = "" if len(rows) == total else f" The {len(rows)} most overdue are listed."
    table = ReviewTable(
        f"CAPAs overdue on {data.filters.end_date:%d %b %Y}",
        ("CAPA", "Plant", "Line", "Code", "Source", "Title", "Owner", "Due", "Days late"),
        rows,
        "No CAPA is overdue.",
    )
    tables, intro = (table,), f"{total} overdue.{shown}"
    effects = data.capa_effects
    if effects is not None:
        tables += (_effects_table(effects, data),)
        intro += " " + effects.sentence
    return ReviewSection("capa", "CAPA", intro=intro, tables=tables)


def _effects_table(effects: CapaEffects, data: ReviewData) -> ReviewTable:
    """The CAPAs closed in the period against their defect data, the disagreements first."""
    rows = tuple(
        (
            f"#{r.capa_id}",
            r.addresses,
            f"{pd.Timestamp(r.closed):%d %b %Y}",
            "" if r.before is None else f"{r.before:,.2f}",
            "" if r.after is None else f"{r.after:,.2f}",
            r.change,
            r.verdict.capitalize(),
            r.recorded,
            r.note,
        )
        for r in effects.rows
    )
    return ReviewTable(
        f"CAPAs closed in the period against their defect data, as on {data.filters.end_date:%d %b %Y}",
        EFFECT_COLUMNS,
        rows,
        "No CAPA that names a line or a defect code was closed in the period.",
    )


def okr_section(data: ReviewData) -> ReviewSection | None:
    """Key results whose status changed; None when key results were not read (no app store)."""
    if data.okr is None:
        problems = _problem(data, "OKR")
        return ReviewSection("okr", "OKRs", notes=problems) if problems else None
    rows = tuple((c.key_result_id, c.title, c.team, c.before, c.after) for c in data.okr)
    since = f" since {data.okr[0].since:%d %b %Y}" if data.okr else ""
    table = ReviewTable(
        f"Key results whose status changed{since}",
        ("Key result", "Title", "Team", "Was", "Now"),
        rows,
        "No key result changed status.",
    )
    notes = tuple(message for subject, message in data.problems if subject == "OKR")
    return ReviewSection("okr", "OKRs", tables=(table,), notes=notes)


def sections(data: ReviewData) -> tuple[ReviewSection, ...]:
    """Every subject's section: defects, process control, suppliers, customers, CAPA, OKRs."""
    built = [defects_section(data), process_section(data), suppliers_section(data), customers_section(data)]
    built += [capa_section(data), okr_section(data)]
    return tuple(s for s in built if s is not None)
