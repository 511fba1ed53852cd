"""The audit findings page's figures: findings by ISO clause and severity, findings raised per
bucket by audit type, and the open backlog's age by severity.

Each takes the rows of one aggregate query (counts per key, already summed in SQL), stacks
them in a fixed order (observation, minor, major; internal, customer, certification; values
outside those last) and carries the clicked key in ``customdata`` for the page's drill.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import MONTHS
from dashboard.figures.common import note as _note
from dashboard.figures.common import page_layout as _layout
from dashboard.figures.common import plain as _text
from dashboard.figures.empty import empty_spec
from dashboard.figures.theme import PALETTE, STATUS_COLOURS, figure_from_spec

SEVERITY_COLOURS = {"observation": PALETTE[5], "minor": PALETTE[1], "major": PALETTE[3]}
TYPE_COLOURS = {"internal": PALETTE[0], "customer": PALETTE[2], "certification": PALETTE[4]}
OTHER_COLOUR = STATUS_COLOURS["no_data"]
AGE_LABELS = ("0–30 days", "31–90 days", "91–180 days", "Over 180 days")
GRAIN_WORDS = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}


def _keys(values: pd.Series, known: dict[str, str]) -> list[str]:
    """The values present, in the order of ``known`` first, then any others sorted."""
    present = {str(v) for v in values.dropna().tolist()}
    return [k for k in known if k in present] + sorted(present - set(known))


def _counts(frame: pd.DataFrame, index: str, series: str, value: str = "findings") -> dict[tuple[str, str], int]:
    numbers = pd.to_numeric(frame[value], errors="coerce").fillna(0).astype(int).tolist()
    return {(str(i), str(s)): n for i, s, n in zip(frame[index].tolist(), frame[series].tolist(), numbers, strict=True)}


def _count_axis(top: float, title: str) -> dict:
    """An axis of counts from zero with whole-number ticks only (none at 0.5 for a short bar)."""
    return {"title": {"text": title}, "rangemode": "tozero", "tickformat": ",d", **({"dtick": 1} if top <= 8 else {})}


def _tighten(layout: dict) -> None:
    """Less room above and below a short chart (two of them stand beside the clauses)."""
    layout["margin"].update(t=round(layout["margin"]["t"] * 0.75), b=round(layout["margin"]["b"] * 0.8))


def _plural(count: int, word: str = "finding") -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def clause_figure(
    frame: pd.DataFrame,
    *,
    selected: str | None = None,
    title: str = "Findings raised in the period, by ISO clause and severity",
    dark: bool = False,
    min_height: int = 320,
) -> go.Figure:
    """Horizontal bars, one per ISO clause (``iso_clause``), stacked by ``finding_severity``, the
    clause with most ``findings`` on top (the rows' order, from SQL) and its total at the bar's
    end. ``selected`` (a clause) is drawn solid and the others faded. Each bar's customdata is
    its clause. The figure is ``min_height`` pixels or taller, as its clauses need."""
    if frame.empty:
        return figure_from_spec(empty_spec("No findings were raised in this period.", dark=dark, height=min_height))
    clauses = list(dict.fromkeys(str(c) for c in frame["iso_clause"].tolist()))
    counts = _counts(frame, "iso_clause", "finding_severity")
    totals = {c: sum(n for (clause, _), n in counts.items() if clause == c) for c in clauses}
    opacity = [1.0 if selected in (None, c) else 0.35 for c in clauses]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": _text(severity.capitalize()),
            "y": clauses,
            "x": [counts.get((c, severity), 0) for c in clauses],
            "customdata": clauses,
            "marker": {"color": SEVERITY_COLOURS.get(severity, OTHER_COLOUR), "opacity": opacity},
            "hovertext": [
                f"Clause {_text(c)}, {_text(severity)}: {_plural(counts.get((c, severity), 0))}<br>"
                f"{_plural(totals[c])} in all; click to list them"
                for c in clauses
            ],
            "hoverinfo": "text",
        }
        for severity in _keys(frame["finding_severity"], SEVERITY_COLOURS)
    ]
    layout = _layout(
        title,
        dark,
        max(min_height, 170 + 30 * len(clauses)),
        barmode="stack",
        xaxis={**_count_axis(max(totals.values()), "Findings raised"), "automargin": True},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": clauses,
            "autorange": "reversed",
            "title": {"text": "ISO 9001 clause"},
            "automargin": True,
        },
        # At the category's index: a clause such as "8.7" given as y would be read as a position.
        annotations=[
            _note(f" {totals[c]:,}", totals[c], i, xref="x", yref="y", xanchor="left", yanchor="middle")
            for i, c in enumerate(clauses)
        ],
    )
    layout["margin"].update(r=48, t=round(layout["margin"]["t"] * 0.75))  # room for the totals; titles level
    return figure_from_spec({"data": traces, "layout": layout})


def buckets(start: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    """The first day of every ``grain`` bucket (day, ISO week, month, quarter) from ``start`` to ``end``."""
    if grain == "day":
        first, step = start, "D"
    elif grain == "week":
        first, step = start - dt.timedelta(days=start.weekday()), "7D"
    elif grain == "month":
        first, step = start.replace(day=1), "MS"
    elif grain == "quarter":
        first, step = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1), "QS"
    else:
        raise ValueError(f"unknown grain {grain!r}")
    return [d.date() for d in pd.date_range(first, end, freq=step)]


def bucket_label(day: dt.date, grain: str) -> str:
    """'Nov 2026', 'Q4 2026', or '3 Aug 2026' for a day or a week (its Monday)."""
    if grain == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    if grain == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _ticks(days: list[dt.date], grain: str, most: int = 14) -> dict:
    """Every k-th bucket (at most ``most``) labelled short, with the year under the first and
    wherever it changes."""
    shown = days[:: max(1, -(-len(days) // most))]
    text = []
    for i, day in enumerate(shown):
        words = bucket_label(day, grain).rsplit(" ", 1)[0]
        text.append(words + (f"<br>{day.year}" if i == 0 or day.year != shown[i - 1].year else ""))
    return {"tickmode": "array", "tickvals": [d.isoformat() for d in shown], "ticktext": text}


def trend_figure(
    frame: pd.DataFrame, *, start: dt.date, end: dt.date, grain: str, dark: bool = False, height: int = 300
) -> go.Figure:
    """Findings raised per ``grain`` bucket (``bucket_date``) from ``start`` to ``end``, stacked by
    ``audit_type``; a bucket without findings shows as an empty slot. Each bar's customdata is
    its audit type."""
    title = f"Findings raised per {GRAIN_WORDS.get(grain, grain)}, by audit type"
    if frame.empty:
        return figure_from_spec(empty_spec("No findings were raised in this period.", dark=dark, height=height))
    days = buckets(start, end, grain)
    labels = [bucket_label(d, grain) for d in days]
    dated = frame.assign(bucket_date=[pd.Timestamp(d).date().isoformat() for d in frame["bucket_date"]])
    counts = _counts(dated, "bucket_date", "audit_type")
    traces = []
    for kind in _keys(frame["audit_type"], TYPE_COLOURS):
        values = [counts.get((d.isoformat(), kind), 0) for d in days]
        traces.append(
            {
                "type": "bar",
                "name": _text(kind.capitalize()),
                "x": [d.isoformat() for d in days],
                "y": values,
                "customdata": [kind] * len(days),
                "marker": {"color": TYPE_COLOURS.get(kind, OTHER_COLOUR)},
                "hovertext": [f"{label}, {_text(kind)} audits: {_plural(v)}" for label, v in zip(labels, values, strict=True)],
                "hoverinfo": "text",
            }
        )
    layout = _layout(
        title,
        dark,
        height,
        barmode="stack",
        xaxis={"type": "category", "automargin": True, **_ticks(days, grain)},
        yaxis=_count_axis(max(map(sum, zip(*(t["y"] for t in traces), strict=True))), "Findings raised"),
    )
    _tighten(layout)
    return figure_from_spec({"data": traces, "layout": layout})


def backlog_figure(frame: pd.DataFrame, *, end: dt.date, dark: bool = False, height: int = 300) -> go.Figure:
    """Findings open at ``end`` per age band (``age_band`` 0-3, see AGE_LABELS), stacked by
    ``finding_severity``; every band is shown, empty or not. Each bar's customdata is its severity."""
    title = f"Open on {end.day} {MONTHS[end.month - 1]} {end.year}: age of the backlog"
    if frame.empty:
        return figure_from_spec(empty_spec("No finding was open at the end of this period.", dark=dark, height=height))
    counts = _counts(frame, "age_band", "finding_severity")
    bands = [str(i) for i in range(len(AGE_LABELS))]
    traces = []
    for severity in _keys(frame["finding_severity"], SEVERITY_COLOURS):
        values = [counts.get((band, severity), 0) for band in bands]
        traces.append(
            {
                "type": "bar",
                "name": _text(severity.capitalize()),
                "x": list(AGE_LABELS),
                "y": values,
                "customdata": [severity] * len(bands),
                "marker": {"color": SEVERITY_COLOURS.get(severity, OTHER_COLOUR)},
                "hovertext": [
                    f"{_text(severity.capitalize())}, open {label.lower()}: {_plural(v)}<br>Click to list the open "
                    f"{_text(severity)} findings"
                    for label, v in zip(AGE_LABELS, values, strict=True)
                ],
                "hoverinfo": "text",
            }
        )
    layout = _layout(
        title,
        dark,
        height,
        barmode="stack",
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": list(AGE_LABELS)},
        yaxis=_count_axis(max(map(sum, zip(*(t["y"] for t in traces), strict=True))), "Open findings"),
    )
    _tighten(layout)
    return figure_from_spec({"data": traces, "layout": layout})
