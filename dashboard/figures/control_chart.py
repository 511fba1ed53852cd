"""Control charts of the process-control view: the location chart (X̄, I, p, np, c or u) and the
dispersion chart below it (R, S or MR), drawn from a :class:`ChartResult` exactly as computed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import PALETTE, STATUS_COLOURS, ZONE_FILLS, figure_from_spec, template, template_json
from dashboard.metrics.spc import PHASE_BASELINE, ChartResult

Event = tuple[datetime | str, str]

STATISTIC = {
    "xbar": "Subgroup mean",
    "R": "Range",
    "S": "Standard deviation",
    "I": "Individual value",
    "MR": "Moving range",
    "p": "Fraction nonconforming",
    "np": "Number nonconforming",
    "c": "Nonconformities",
    "u": "Nonconformities per unit",
}
LIMIT_COLOUR, CENTRE_COLOUR, EVENT_COLOUR = PALETTE[3], PALETTE[2], PALETTE[4]
FLAGGED_COLOUR = STATUS_COLOURS["act"]


def _stamp(moment: object) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    # Wall-clock time, as the operators logged it; plotly date axes ignore offsets anyway.
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


@dataclass(frozen=True)
class _Axis:
    """Where each point sits: its date when every subgroup has ``measured_at``, else its subgroup id."""

    kind: str
    x: list[str]
    ids: list[str]
    labels: list[str]

    def before(self, index: int) -> str | float:
        """Halfway between point ``index`` − 1 and ``index``: where a stepped limit changes."""
        if self.kind == "category":
            return max(index - 0.5, 0)
        if index == 0:
            return self.x[0]
        previous, current = _stamp(self.x[index - 1]), _stamp(self.x[index])
        return (previous + (current - previous) / 2).isoformat(sep=" ")

    def locate(self, moment: datetime | str) -> str | int | None:
        """Where an event falls, or None when it lies outside the charted subgroups."""
        if self.kind == "category":
            key = str(moment)
            for names in (self.ids, self.labels):
                if key in names:
                    return names.index(key)
            return None
        stamp = _stamp(moment)
        inside = _stamp(self.x[0]) <= stamp <= _stamp(self.x[-1])
        return stamp.isoformat(sep=" ") if inside else None


def _axis(points: pd.DataFrame) -> _Axis:
    ids, labels = [str(key) for key in points["subgroup_id"]], [str(label) for label in points["label"]]
    if "measured_at" in points.columns and points["measured_at"].notna().all():
        return _Axis("date", [_stamp(moment).isoformat(sep=" ") for moment in points["measured_at"]], ids, labels)
    return _Axis("category", ids, ids, labels)


def _numbers(values: pd.Series | np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def _decimals(se: pd.Series) -> int:
    """Decimals that resolve a tenth of the plotted statistic's σ."""
    finite = se[np.isfinite(se) & (se > 0)]
    if finite.empty:
        return 4
    return min(10, max(0, 1 - math.floor(math.log10(float(finite.median())))))


def _line(
    name: str, x: list[str], y: pd.Series | np.ndarray, colour: str, dash: str, width: float, fill: str | None = None
) -> dict:
    trace = {
        "type": "scatter",
        "name": name,
        "x": x,
        "y": _numbers(y),
        "mode": "lines",
        "line": {"shape": "vhv", "color": colour, "dash": dash, "width": width},
        "hoverinfo": "skip",
    }
    if fill:
        trace.update(fill="tonexty", fillcolor=fill)
    return trace


def _limit_traces(points: pd.DataFrame, x: list[str], zones: bool) -> list[dict]:
    centre, se, lcl, ucl = (points[c].to_numpy(dtype=float) for c in ("centre", "se", "lcl", "ucl"))
    # Each band edge fills down to the trace before it, so this order lays the bands A B C B A.
    bands = (("−2σ", -2, "A"), ("−1σ", -1, "B"), ("+1σ", 1, "C"), ("+2σ", 2, "B")) if zones else ()
    traces = [_line("LCL", x, lcl, LIMIT_COLOUR, "dash", 1.5)]
    for name, k, zone in bands:
        # Between the limits; a missing limit does not bound and a missing σ leaves no edge.
        value = centre + k * se
        edge = np.where(np.isnan(value), np.nan, np.fmin(np.fmax(value, lcl), ucl))
        traces.append(_line(name, x, edge, CENTRE_COLOUR, "dot", 0, ZONE_FILLS[zone]))
    traces.append(_line("UCL", x, ucl, LIMIT_COLOUR, "dash", 1.5, ZONE_FILLS["A"] if zones else None))
    return [*traces, _line("CL", x, centre, CENTRE_COLOUR, "solid", 1.5)]


def _hover(points: pd.DataFrame, statistic: str, unit: str, digits: int) -> list[str]:
    suffix = f" {escape(unit, quote=False)}" if unit else ""

    def number(value: float) -> str:
        return f"{value:.{digits}f}" if math.isfinite(value) else "–"

    columns = ("label", "value", "n", "lcl", "centre", "ucl", "phase", "excluded")
    texts = []
    for label, value, n, lcl, centre, ucl, phase, excluded in zip(*(points[c].tolist() for c in columns), strict=True):
        phase_text = "phase I (baseline)" if phase == PHASE_BASELINE else "phase II (monitored)"
        texts.append(
            f"<b>{escape(str(label), quote=False)}</b><br>{statistic}: {number(value)}{suffix}<br>n = {n:g}"
            f"<br>LCL {number(lcl)} · CL {number(centre)} · UCL {number(ucl)}"
            f"<br>{phase_text}{', excluded from the limits' if excluded else ''}"
        )
    return texts


WEBGL_ABOVE = 2000  # points per chart above which markers are drawn with WebGL


def _point_traces(chart: ChartResult, axis: _Axis, hover: list[str], dark: bool) -> list[dict]:
    points, paper = chart.points, template(dark).layout.paper_bgcolor
    # SVG slows down with thousands of markers; WebGL keeps panning smooth.
    kind = "scattergl" if len(points) > WEBGL_ABOVE else "scatter"
    excluded = points["excluded"].to_numpy(dtype=bool)
    messages: dict[int, list[str]] = {}
    for violation in chart.violations:
        messages.setdefault(violation.index, []).append(escape(violation.message, quote=False))
    flagged = sorted(messages)
    series = {
        "type": kind,
        "name": STATISTIC[chart.chart],
        "x": axis.x,
        "y": _numbers(points["value"]),
        "mode": "lines+markers",
        "line": {"color": PALETTE[5] if dark else PALETTE[0], "width": 1.5},
        "marker": {"size": 7, "symbol": ["circle-open" if out else "circle" for out in excluded], "line": {"width": 1.5}},
        "text": hover,
        "hovertemplate": "%{text}<extra></extra>",
    }
    signals = {
        "type": kind,
        "name": "Flagged by a run rule",
        "x": [axis.x[i] for i in flagged],
        "y": _numbers(points["value"].to_numpy()[flagged]),
        "customdata": flagged,
        "mode": "markers",
        "marker": {
            "size": 12,
            "color": FLAGGED_COLOUR,
            "symbol": ["diamond-open" if excluded[i] else "diamond" for i in flagged],
            "line": {"width": 1, "color": paper},
        },
        "text": [hover[i] + "<br>" + "<br>".join(messages[i]) for i in flagged],
        "hovertemplate": "%{text}<extra></extra>",
    }
    return [series, signals]


@dataclass(frozen=True)
class _Style:
    """What placing text needs to know: the ink colour, the font size and the plot's height (px)."""

    ink: str
    font_px: float
    plot_px: float


def _vertical(x: str | float, colour: str, dash: str) -> dict:
    line = {"color": colour, "dash": dash, "width": 1.5}
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def _note(text: str, x: object, y: float, *, xref: str = "x", yref: str = "paper", **options: object) -> dict:
    """An annotation without an arrow; x in data units and y in plot fractions unless told."""
    return {"text": text, "x": x, "xref": xref, "y": y, "yref": yref, "showarrow": False, **options}


def _markers(chart: ChartResult, axis: _Axis, events: Sequence[Event], style: _Style) -> tuple[list[dict], list[dict]]:
    """Phase boundaries (dashed, labelled above the plot) and events (dotted, labelled inside it)."""
    shapes, annotations = [], []
    event_font = round(style.font_px * 0.85)
    # Event labels run down their line, so they must fit the plot's height.
    room = max(8, int(style.plot_px * 0.9 / (event_font * 0.6)))
    for boundary in chart.boundaries:
        x = axis.before(boundary.index)
        shapes.append(_vertical(x, style.ink, "dash"))
        text = "Phase II" if boundary.kind == "phase II" else "New baseline"
        annotations.append(_note(text, x, 1, hovertext=escape(boundary.reason, quote=False), xanchor="left", yanchor="bottom"))
    for moment, text in events:
        x = axis.locate(moment)
        if x is None:
            continue
        shapes.append(_vertical(x, EVENT_COLOUR, "dot"))
        short = text if len(text) <= room else text[: room - 1] + "…"
        font = {"color": EVENT_COLOUR, "size": event_font}
        label = _note(escape(short, quote=False), x, 1, hovertext=escape(text, quote=False), textangle=-90, font=font)
        annotations.append({**label, "xanchor": "right", "yanchor": "top"})
    return shapes, annotations


def _edge_labels(points: pd.DataFrame, digits: int, style: _Style) -> list[dict]:
    """The latest point's UCL, CL and LCL at the right edge, nudged apart where they would touch."""
    last = points.iloc[-1]
    columns = points[["value", "lcl", "centre", "ucl"]].to_numpy(dtype=float)
    finite = columns[np.isfinite(columns)]
    if not finite.size:
        return []
    px_per_unit = style.plot_px * 0.9 / max(float(finite.max() - finite.min()), 1e-300)
    labels, floor = [], math.inf
    for name, column, colour in (("UCL", "ucl", LIMIT_COLOUR), ("CL", "centre", CENTRE_COLOUR), ("LCL", "lcl", LIMIT_COLOUR)):
        value = float(last[column])
        if not math.isfinite(value):
            continue
        height = (value - finite.min()) * px_per_unit
        placed = min(height, floor - style.font_px * 1.15)
        floor = placed
        label = _note(f"{name} {value:.{digits}f}", 1, value, xref="paper", yref="y", xanchor="left", font={"color": colour})
        labels.append({**label, "xshift": 4, "yshift": round(placed - height)})
    return labels


def _spec(chart: ChartResult, title: str, unit: str, events: Sequence[Event], dark: bool, height: int, zones: bool) -> dict:
    points, axis = chart.points, _axis(chart.points)
    digits, statistic = _decimals(points["se"]), STATISTIC[chart.chart]
    font = template(dark).layout.font
    scale = font.size / 13
    margin = {"l": round(72 * scale), "r": round(96 * scale), "t": round(64 * scale), "b": round(48 * scale)}
    style = _Style(font.color, font.size, height - margin["t"] - margin["b"])
    shapes, annotations = _markers(chart, axis, events, style)
    layout = {
        "template": template_json(dark),
        "height": height,
        "title": {"text": escape(title, quote=False), "x": 0, "xref": "paper", "xanchor": "left"},
        "margin": margin,
        "showlegend": False,
        "hovermode": "closest",
        "xaxis": {
            "type": axis.kind,
            "title": {"text": "Measured at" if axis.kind == "date" else "Subgroup"},
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {"title": {"text": f"{statistic} ({escape(unit, quote=False)})" if unit else statistic}, "zeroline": False},
        "shapes": shapes,
        "annotations": annotations + _edge_labels(points, digits, style),
    }
    data = _limit_traces(points, axis.x, zones) + _point_traces(chart, axis, _hover(points, statistic, unit, digits), dark)
    return {"data": data, "layout": layout}


def control_chart_figure(
    chart: ChartResult,
    *,
    title: str,
    unit: str = "",
    events: Sequence[Event] = (),
    dark: bool = False,
    height: int = 420,
) -> go.Figure:
    """The location chart (X̄, I, p, np, c or u) of ``chart``, one point per subgroup in time order.

    x is ``measured_at`` when every subgroup has one, else the subgroup id (categories); y is
    ``value`` in ``unit``. Centre line and control limits step with the per-point ``centre``,
    ``lcl`` and ``ucl`` (they move with subgroup size and at a new baseline); zones A/B/C are
    shaded between centre ± 1σ, 2σ (per-point ``se``) and the limits. Points flagged by a run
    rule are red diamonds whose hover lists each rule's message; points excluded from the
    estimate are hollow. Phase boundaries are dashed lines at the change, with the reason on
    hover; ``events`` (date or subgroup id, text) are dotted lines, left out when they fall
    outside the charted subgroups. The latest UCL, CL and LCL are labelled at the right edge.
    """
    return figure_from_spec(control_chart_spec(chart, title=title, unit=unit, events=events, dark=dark, height=height))


def control_chart_spec(
    chart: ChartResult,
    *,
    title: str,
    unit: str = "",
    events: Sequence[Event] = (),
    dark: bool = False,
    height: int = 420,
) -> dict:
    """:func:`control_chart_figure` as a plain spec (``data`` and ``layout``) for a caller that only
    serialises it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    return _spec(chart, title, unit, events, dark, height, zones=True)


def dispersion_chart_figure(
    chart: ChartResult,
    *,
    title: str,
    unit: str = "",
    events: Sequence[Event] = (),
    dark: bool = False,
    height: int = 280,
) -> go.Figure:
    """The dispersion chart (R, S or MR) drawn below its location chart: as
    :func:`control_chart_figure` without zone shading (the statistic is skewed, so the engine
    judges it on its limits only) and shorter by default.
    """
    return figure_from_spec(dispersion_chart_spec(chart, title=title, unit=unit, events=events, dark=dark, height=height))


def dispersion_chart_spec(
    chart: ChartResult,
    *,
    title: str,
    unit: str = "",
    events: Sequence[Event] = (),
    dark: bool = False,
    height: int = 280,
) -> dict:
    """:func:`dispersion_chart_figure` as a plain spec, for the reason given at :func:`control_chart_spec`."""
    return _spec(chart, title, unit, events, dark, height, zones=False)
