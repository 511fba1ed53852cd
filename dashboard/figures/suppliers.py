"""Figures of the supplier view: the PPM funnel plot against the pooled rate, the delivery ×
quality quadrant, the bars of the worst scores, and the text sparkline of the scorecard grid.
(The supplier detail page draws its p chart with
:func:`dashboard.figures.control_chart.control_chart_figure`.)

Input: the supplier scorecard, one row per supplier, with the columns ``supplier_id``,
``supplier_name``, ``commodity``, ``lots``, ``units_received``, ``units_rejected``, ``ppm``,
``ppm_low``, ``ppm_high`` (95 % exact interval of the raw PPM), ``shrunk_ppm``
(empirical-Bayes, what the ranking uses), ``enough_data``, ``otd_pct``,
``lot_acceptance_pct``, ``scars_open``, ``scars_overdue``, ``audit_score``, ``score``,
``grade``, ``rank``, ``grade_change`` and ``prev_grade``. Each figure reads only the columns it
names in its docstring.

``funnel_spec``, ``quadrant_spec`` and ``lots_spec`` give the same figures as plain specs, for a
view that only serialises them (the page cache); the ``*_figure`` functions wrap those specs.

Drill clicks: every supplier point or bar carries its ``supplier_id`` in ``customdata``, so a
Dash callback reads it as ``clickData["points"][0]["customdata"]``. Status is never told by
colour alone: the funnel's categories differ in symbol (and the worst are labelled), grades
differ in symbol on the quadrant and are written on the bars.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import floats as _floats
from dashboard.figures.common import note as _note
from dashboard.figures.common import page_layout as _layout
from dashboard.figures.common import plain as _text
from dashboard.figures.common import rgba as _rgba
from dashboard.figures.common import series_colour as _series_colour
from dashboard.figures.empty import empty_figure, empty_spec
from dashboard.figures.theme import PALETTE, STATUS_COLOURS, figure_from_spec, template

CENTRE_COLOUR = PALETTE[2]
WARNING_COLOUR = PALETTE[1]  # amber: above the 95 % limit
ALARM_COLOUR = STATUS_COLOURS["act"]  # red: above the 99.8 % limit
TARGET_COLOUR = PALETTE[3]
MUTED_COLOUR = STATUS_COLOURS["no_data"]
# Grade → (colour, quadrant symbol). The letter is always written too (bar text, hover, legend).
GRADES = {
    "A": (PALETTE[2], "circle"),
    "B": (PALETTE[0], "square"),
    "C": (PALETTE[1], "triangle-up"),
    "D": (STATUS_COLOURS["act"], "diamond"),
}
UNGRADED = ("Not graded", MUTED_COLOUR, "x")
GRADE_COLOURS = {grade: colour for grade, (colour, _) in GRADES.items()}
SPARK = "▁▂▃▄▅▆▇█"
SPARK_GAP = " "  # a missing value in a text sparkline
MAX_BUBBLE_PX = 40
NAME_CHARACTERS = 30
# Funnel categories: key → (legend name, symbol, colour or None for the series colour).
FUNNEL_CATEGORIES = {
    "inside": ("Within limits (or below)", "circle", None),
    "above95": ("Above 95 % limit", "triangle-up", WARNING_COLOUR),
    "above998": ("Above 99.8 % limit (labelled)", "diamond", ALARM_COLOUR),
}
# Where a label goes when a labelled neighbour is close: the first place no close neighbour took.
LABEL_PLACES = ("top center", "bottom center", "middle right", "middle left", "top right", "bottom left")
TOO_LITTLE_DATA = "Hollow: too little data"


# --- helpers ---------------------------------------------------------------------------------


def _short(value: object, characters: int = NAME_CHARACTERS) -> str:
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return text if len(text) <= characters else text[: characters - 1] + "…"


def _fmt(value: object, decimals: int = 0) -> str:
    """A number with thousands separators ("–" when missing)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return f"{number:,.{decimals}f}" if math.isfinite(number) else "–"


def _numbers(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def _flags(frame: pd.DataFrame, column: str, default: bool = True) -> np.ndarray:
    """Booleans from a column that may hold None/NaN (read as ``default``)."""
    if column not in frame:
        return np.full(len(frame), default)
    return np.array([default if pd.isna(v) else bool(v) for v in frame[column]], dtype=bool)


def _records(frame: pd.DataFrame, columns: tuple[str, ...], positions: np.ndarray, **extra: np.ndarray) -> list[dict]:
    """The rows of ``frame`` at ``positions`` as dicts of the ``columns`` it has (so ``row.get``
    gives None for the others, as on a row Series), plus each ``extra`` array's value by name.

    Figures read rows this way rather than through ``iterrows``: a few dozen Series per figure
    cost more than everything else in it."""
    present = [column for column in columns if column in frame]
    values = [frame[column].tolist() for column in present]
    extras = list(extra.items())
    rows = []
    for i, p in enumerate(positions.tolist()):
        row = {column: value[p] for column, value in zip(present, values, strict=True)}
        row.update({name: array[i] for name, array in extras})
        rows.append(row)
    return rows


def _empty(message: str, *, dark: bool, height: int) -> dict:
    """The spec of :func:`dashboard.figures.empty.empty_figure`."""
    return empty_spec(message, dark=dark, height=height)


def _grade(value: object) -> str:
    return str(value).strip().upper() if isinstance(value, str) and value.strip() else ""


def _open(symbol: str, hollow: bool) -> str:
    return f"{symbol}-open" if hollow else symbol


def _dashed(colour: str, *, x: float | None = None, y: float | None = None) -> dict:
    """A dashed target line across the plot: vertical at ``x`` or horizontal at ``y``."""
    line = {"color": colour, "dash": "dash", "width": 1.5}
    if x is not None:
        return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}
    return {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": line}


def _legend_only(name: str, symbol: str, colour: str) -> dict:
    """A legend entry with nothing plotted (explains a marker style used across traces)."""
    return {
        "type": "scatter",
        "name": name,
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {"symbol": symbol, "size": 10, "color": colour, "line": {"width": 1.5, "color": colour}},
        "hoverinfo": "skip",
    }


# A label's box and its gap from the marker, as fractions of the plot's width and height: about
# four characters of 12 px type on a ~700 × 360 px plot.
LABEL_BOX = (0.07, 0.06)
LABEL_GAP = (0.012, 0.025)


def _label_box(place: str, x: float, y: float) -> tuple[float, float, float, float]:
    """The box (left, bottom, right, top) of a label at ``place`` for a point at (x, y), in plot fractions."""
    (w, h), (gx, gy) = LABEL_BOX, LABEL_GAP
    vertical, horizontal = place.split()
    centre_x = {"center": x, "right": x + gx + w / 2, "left": x - gx - w / 2}[horizontal]
    centre_y = {"top": y + gy + h / 2, "middle": y, "bottom": y - gy - h / 2}[vertical]
    return centre_x - w / 2, centre_y - h / 2, centre_x + w / 2, centre_y + h / 2


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _label_places(x: np.ndarray, y: np.ndarray, labelled: np.ndarray, spans: tuple[float, float]) -> list[str]:
    """A text position per point such that the labelled points' labels do not print over each
    other: each takes the first of :data:`LABEL_PLACES` whose box meets no label placed before
    it (left to right), else the place it overlaps least. ``spans`` scale x and y to the plot."""
    places = ["top center"] * len(x)
    boxes: list[tuple[float, float, float, float]] = []
    for i in np.argsort(x, kind="stable"):
        if not labelled[i]:
            continue
        px, py = float(x[i]) / spans[0], float(y[i]) / spans[1]
        candidates = [(sum(_overlap(_label_box(place, px, py), b) for b in boxes), k) for k, place in enumerate(LABEL_PLACES)]
        best = min(candidates)[1]  # the first free place, or the least covered one
        places[i] = LABEL_PLACES[best]
        boxes.append(_label_box(LABEL_PLACES[best], px, py))
    return places


def _supplier_head(row: dict | pd.Series) -> str:
    name = _short(row.get("supplier_name"), 60)
    return f"<b>{_text(row['supplier_id'])}</b>" + (f" · {_text(name)}" if name else "")


def _grade_text(row: dict | pd.Series) -> str:
    grade = _grade(row.get("grade"))
    if not grade:
        return "Grade: not graded"
    change = row.get("grade_change")
    return f"Grade {_text(grade)}" + (f" ({_text(change)})" if isinstance(change, str) and change.strip() else "")


def _data_note(enough: bool) -> str:
    return "" if enough else "<br><i>Too little data to judge reliably</i>"


# --- funnel ----------------------------------------------------------------------------------


CURVE_COLUMNS = ("units", "lower95", "upper95", "lower998", "upper998")


def _curve(curve: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The control-limit curve's columns as float arrays, rows with positive finite units only,
    sorted by units (the first of equal units kept); no rows when unusable."""
    if curve is None or curve.empty or not set(CURVE_COLUMNS) <= set(curve.columns):
        return {column: np.empty(0) for column in CURVE_COLUMNS}
    table = {column: _floats(curve, column) for column in CURVE_COLUMNS}
    units = table["units"]
    keep = np.flatnonzero(np.isfinite(units) & (units > 0))
    keep = keep[np.argsort(units[keep], kind="stable")]
    ordered = units[keep]
    keep = keep[np.r_[True, ordered[1:] != ordered[:-1]]] if len(keep) else keep
    return {column: values[keep] for column, values in table.items()}


def _subset(curve: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {column: values[rows] for column, values in curve.items()}


def _limit_at(curve: dict[str, np.ndarray], column: str, units: np.ndarray) -> np.ndarray:
    """The limit at each supplier's volume, interpolated on log units (held flat beyond the curve's ends)."""
    known = ~np.isnan(curve[column])
    if not known.any():
        return np.full(len(units), np.inf)
    return np.interp(np.log(units), np.log(curve["units"][known]), curve[column][known])


def _categories(curve: dict[str, np.ndarray], units: np.ndarray, ppm: np.ndarray) -> np.ndarray:
    upper95, upper998 = _limit_at(curve, "upper95", units), _limit_at(curve, "upper998", units)
    return np.where(ppm > upper998, "above998", np.where(ppm > upper95, "above95", "inside"))


def _funnel_hover(row: dict, status: str) -> str:
    interval = f"{_fmt(row.get('ppm_low'))} – {_fmt(row.get('ppm_high'))}"
    return (
        f"{_supplier_head(row)}<br>Units received: {_fmt(row.get('units_received'))}"
        f" · rejected: {_fmt(row.get('units_rejected'))}"
        f"<br>PPM: {_fmt(row.get('ppm'))} (95 % interval {interval})"
        f"<br>Volume-adjusted PPM (ranking): {_fmt(row.get('shrunk_ppm'))}"
        f"<br>{_grade_text(row)}<br>{status}{_data_note(bool(row['_enough']))}"
    )


def _limit_traces(curve: dict[str, np.ndarray], pooled_ppm: float) -> list[dict]:
    units = _numbers(curve["units"])
    traces = []
    for level, column, colour, dash in (("95 %", "95", WARNING_COLOUR, "dot"), ("99.8 %", "998", ALARM_COLOUR, "dash")):
        for side in ("upper", "lower"):
            traces.append(
                {
                    "type": "scatter",
                    "name": f"{level} limits",
                    "legendgroup": f"limits{column}",
                    "showlegend": side == "upper",
                    "x": units,
                    "y": _numbers(curve[f"{side}{column}"]),
                    "mode": "lines",
                    "line": {"color": colour, "dash": dash, "width": 1.5},
                    "hovertemplate": f"{level} {side} limit at %{{x:,.0f}} units: %{{y:,.0f}} PPM<extra></extra>",
                }
            )
    if math.isfinite(pooled_ppm):
        traces.append(
            {
                "type": "scatter",
                "name": f"Pooled PPM {_fmt(pooled_ppm)}",
                "x": [units[0], units[-1]],
                "y": [pooled_ppm, pooled_ppm],
                "mode": "lines",
                "line": {"color": CENTRE_COLOUR, "width": 2},
                "hovertemplate": f"Pooled PPM of all suppliers: {_fmt(pooled_ppm)}<extra></extra>",
            }
        )
    return traces


FUNNEL_ROW = ("supplier_id", "supplier_name", "units_received", "units_rejected", "ppm", "ppm_low", "ppm_high")
FUNNEL_ROW += ("shrunk_ppm", "grade", "grade_change")


def _funnel_markers(points: dict, rows: list[dict], dark: bool, paper: str) -> list[dict]:
    traces = []
    for key, (name, symbol, colour) in FUNNEL_CATEGORIES.items():
        group = np.flatnonzero(points["category"] == key)
        if not group.size:
            continue
        colour = colour or _series_colour(dark)
        members = [rows[i] for i in group.tolist()]
        enough = points["enough"][group].tolist()
        labelled = key == "above998"
        trace = {
            "type": "scatter",
            "name": name,
            "x": _numbers(points["units"][group]),
            "y": _numbers(points["ppm"][group]),
            "customdata": [row["supplier_id"] for row in members],
            "mode": "markers+text" if labelled else "markers",
        }
        if labelled:  # no "text" key otherwise (not null: a figure drops null properties, and so does its JSON)
            trace["text"] = [_text(row["supplier_id"]) for row in members]
        traces.append(
            {
                **trace,
                "textposition": [points["place"][i] for i in group.tolist()],
                "textfont": {"color": colour},
                "cliponaxis": False,
                "marker": {
                    "symbol": [_open(symbol, not e) for e in enough],
                    "size": 13 if labelled else 10,
                    "color": colour,
                    # An outline in the paper colour keeps overlapping filled markers apart.
                    "line": {"width": [1 if e else 2 for e in enough], "color": [paper if e else colour for e in enough]},
                },
                "hovertext": [_funnel_hover(row, name) for row in members],
                "hoverinfo": "text",
            }
        )
    return traces


def funnel_figure(
    scorecard: pd.DataFrame,
    pooled_ppm: float,
    curve: pd.DataFrame,
    *,
    title: str,
    dark: bool = False,
    height: int = 460,
) -> go.Figure:
    """Each supplier's raw ``ppm`` against its ``units_received`` (log axis) inside the funnel of
    control limits around ``pooled_ppm``.

    ``curve`` (``units``, ``lower95``, ``upper95``, ``lower998``, ``upper998``, in PPM) is drawn
    as dotted (95 %) and dashed (99.8 %) lines; a supplier is judged against the upper limits
    interpolated at its volume (on log units, held flat beyond the curve's ends). Above 99.8 %:
    red diamond labelled with its id; above 95 %: amber triangle; else a circle. Hollow markers:
    ``enough_data`` False. Suppliers without receipts cannot sit on a log axis and are left out
    (a caption counts them). Hover: id, name, units, rejects, raw PPM with its 95 % interval
    (``ppm_low``–``ppm_high``), ``shrunk_ppm`` and the grade.
    """
    return figure_from_spec(funnel_spec(scorecard, pooled_ppm, curve, title=title, dark=dark, height=height))


def funnel_spec(
    scorecard: pd.DataFrame,
    pooled_ppm: float,
    curve: pd.DataFrame,
    *,
    title: str,
    dark: bool = False,
    height: int = 460,
) -> dict:
    """:func:`funnel_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if scorecard is None or scorecard.empty:
        return _empty("No suppliers with receipts in this period", dark=dark, height=height)
    all_units, all_ppm = _floats(scorecard, "units_received"), _floats(scorecard, "ppm")
    kept = np.flatnonzero(np.isfinite(all_units) & (all_units > 0) & np.isfinite(all_ppm))
    if not kept.size:
        return _empty("No suppliers with receipts in this period", dark=dark, height=height)
    units, ppm = all_units[kept], all_ppm[kept]
    enough = _flags(scorecard, "enough_data")[kept]
    limits = _curve(curve)
    points = {"units": units, "ppm": ppm, "enough": enough, "category": _categories(limits, units, ppm)}
    low, high = float(units.min()), float(units.max())
    shown = np.flatnonzero((limits["units"] >= low / 2) & (limits["units"] <= high * 2))
    limits = _subset(limits, shown) if len(shown) >= 2 else limits
    curve_points = len(limits["units"])
    pooled = float(pooled_ppm) if pooled_ppm is not None else math.nan
    # The top fits every supplier with enough data and the funnel at the median volume; the mouth
    # may leave it, and so may a tiny supplier's PPM (marked at the top edge instead, so one
    # lot of 50 units does not flatten everyone else against the axis).
    reference = _limit_at(limits, "upper998", np.array([float(np.median(units))]))[0] if curve_points else 0.0
    judged = ppm[enough]
    candidates = [float(judged.max()) if len(judged) else float(ppm.max()), float(reference), pooled]
    top = (max([c for c in candidates if math.isfinite(c)], default=0.0) or 1.0) * 1.15
    decades = np.log10(units)
    spans = (max(float(decades.max() - decades.min()), 1.0), top)
    points["place"] = _label_places(decades, ppm, points["category"] == "above998", spans)
    paper = template(dark).layout.paper_bgcolor
    rows = _records(scorecard, FUNNEL_ROW, kept, _enough=enough.tolist())
    data = (_limit_traces(limits, pooled) if curve_points else []) + _funnel_markers(points, rows, dark, paper)
    if not enough.all():
        data.append(_legend_only(TOO_LITTLE_DATA, "circle-open", MUTED_COLOUR))
    annotations = []
    if missing := len(scorecard) - len(kept):
        text = f"{missing} supplier{'s' if missing != 1 else ''} without receipts not shown"
        annotations.append(_note(text, 1, 1, xanchor="right", yanchor="bottom"))
    if not curve_points:
        annotations.append(_note("Control limits unavailable", 0, 1, xanchor="left", yanchor="top"))
    for i in np.flatnonzero(ppm > top).tolist():
        text = f"{_text(rows[i]['supplier_id'])} {ppm[i]:,.0f} ↑ (off scale)"
        annotations.append(_note(text, math.log10(units[i]), 1, xref="x", yanchor="top", xanchor="left"))
    layout = _layout(
        title,
        dark,
        height,
        xaxis={"type": "log", "title": {"text": "Units received (log scale)", "standoff": 14}, "automargin": True},
        yaxis={"title": {"text": "PPM (rejected per million received)"}, "range": [0, top], "rangemode": "tozero"},
        annotations=annotations,
    )
    return {"data": data, "layout": layout}


# --- quadrant --------------------------------------------------------------------------------


def _quadrant_hover(row: dict) -> str:
    return (
        f"{_supplier_head(row)}<br>On-time delivery: {_fmt(row['_otd'], 1)} %"
        f"<br>Volume-adjusted PPM: {_fmt(row['_ppm'])} (raw {_fmt(row.get('ppm'))})"
        f"<br>Units received: {_fmt(row.get('units_received'))}<br>Score {_fmt(row.get('score'))} · {_grade_text(row)}"
        f"{_data_note(bool(row['_enough']))}"
    )


def _grade_positions(grades: list[object]) -> list[tuple[str, str, str, np.ndarray]]:
    """(legend name, colour, symbol, positions) per grade present, A to D, then the ungraded."""
    letters = np.array([_grade(g) for g in grades], dtype=object)
    groups = [(f"Grade {g}", colour, symbol, np.flatnonzero(letters == g)) for g, (colour, symbol) in GRADES.items()]
    name, colour, symbol = UNGRADED
    groups.append((name, colour, symbol, np.flatnonzero(~np.isin(letters, list(GRADES)))))
    return [group for group in groups if group[3].size]


def _grade_groups(rows: pd.DataFrame) -> list[tuple[str, str, str, pd.DataFrame]]:
    """(legend name, colour, symbol, rows) per grade present, A to D, then the ungraded."""
    grades = rows["grade"].tolist() if "grade" in rows else [None] * len(rows)
    return [(name, colour, symbol, rows.iloc[positions]) for name, colour, symbol, positions in _grade_positions(grades)]


def _worst(ids: list[object], score: np.ndarray, ppm: np.ndarray, count: int) -> set[object]:
    """The ``count`` lowest scores (ties and missing scores by the highest volume-adjusted PPM)."""
    if count <= 0:
        return set()

    def key(i: int) -> tuple[bool, float, float]:
        missing = math.isnan(score[i])
        return (missing, 0.0 if missing else score[i], -ppm[i])

    order = sorted(range(len(ids)), key=key)  # stable: ties keep the scorecard's order
    return {ids[i] for i in order[:count]}


QUADRANT_ROW = ("supplier_id", "supplier_name", "ppm", "units_received", "score", "grade", "grade_change")


def quadrant_figure(
    scorecard: pd.DataFrame,
    *,
    ppm_target: float,
    otd_target: float,
    title: str,
    dark: bool = False,
    height: int = 460,
    labels: int = 5,
) -> go.Figure:
    """Each supplier at its on-time delivery (``otd_pct``, x) and volume-adjusted PPM
    (``shrunk_ppm``, y: what the ranking uses), as a bubble whose diameter ∝ √``units_received``.

    Dashed lines at ``otd_target`` and ``ppm_target`` cut the plot into four captioned quadrants
    ("On time and good" bottom right, "Late", "Poor quality", "Late and poor"). Colour and
    symbol per ``grade``; hollow: ``enough_data`` False; the ``labels`` lowest ``score`` carry
    their id. Suppliers without an on-time figure or a PPM are left out (a caption counts them).
    """
    return figure_from_spec(
        quadrant_spec(
            scorecard, ppm_target=ppm_target, otd_target=otd_target, title=title, dark=dark, height=height, labels=labels
        )
    )


def quadrant_spec(
    scorecard: pd.DataFrame,
    *,
    ppm_target: float,
    otd_target: float,
    title: str,
    dark: bool = False,
    height: int = 460,
    labels: int = 5,
) -> dict:
    """:func:`quadrant_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if scorecard is None or scorecard.empty:
        return _empty("No suppliers to compare in this period", dark=dark, height=height)
    all_otd, all_ppm = _floats(scorecard, "otd_pct"), _floats(scorecard, "shrunk_ppm")
    kept = np.flatnonzero(np.isfinite(all_otd) & np.isfinite(all_ppm))
    if not kept.size:
        return _empty("No supplier has both deliveries and receipts in this period", dark=dark, height=height)
    otd, ppm = all_otd[kept], all_ppm[kept]
    units = np.nan_to_num(_floats(scorecard, "units_received"), nan=0.0).clip(min=0)[kept]
    enough = _flags(scorecard, "enough_data")[kept]
    rows = _records(scorecard, QUADRANT_ROW, kept, _otd=otd.tolist(), _ppm=ppm.tolist(), _enough=enough.tolist())
    ids = [row["supplier_id"] for row in rows]
    labelled = _worst(ids, _floats(scorecard, "score")[kept], ppm, labels)
    # Both targets always inside the plot, so each corner caption sits in its own quadrant.
    otd_low = min(float(otd.min()), float(otd_target))
    x_range = [max(0.0, otd_low - max(2.0, (100 - otd_low) * 0.08)), 101.5]
    y_top = max(float(ppm.max()), float(ppm_target), 1.0) * 1.15
    marks = np.array([s in labelled for s in ids], dtype=bool)
    spans = (x_range[1] - x_range[0], y_top)
    places = _label_places(otd, ppm, marks, spans)
    diameters = np.sqrt(units)
    sizeref = max(float(diameters.max()), 1e-9) / MAX_BUBBLE_PX
    paper = template(dark).layout.paper_bgcolor
    data = []
    for name, colour, symbol, group in _grade_positions([row.get("grade") for row in rows]):
        members = [rows[i] for i in group.tolist()]
        flags = enough[group].tolist()
        data.append(
            {
                "type": "scatter",
                "name": name,
                "x": _numbers(otd[group]),
                "y": _numbers(ppm[group]),
                "customdata": [row["supplier_id"] for row in members],
                "mode": "markers+text",
                "text": [_text(row["supplier_id"]) if row["supplier_id"] in labelled else "" for row in members],
                "textposition": [places[i] for i in group.tolist()],
                "cliponaxis": False,
                "marker": {
                    "symbol": [_open(symbol, not e) for e in flags],
                    "size": diameters[group].tolist(),
                    "sizemode": "diameter",
                    "sizeref": sizeref,
                    "sizemin": 6,
                    "color": colour,
                    "opacity": 0.8,
                    "line": {"width": [1 if e else 2 for e in flags], "color": [paper if e else colour for e in flags]},
                },
                "hovertext": [_quadrant_hover(row) for row in members],
                "hoverinfo": "text",
            }
        )
    if not enough.all():
        data.append(_legend_only(TOO_LITTLE_DATA, "circle-open", MUTED_COLOUR))
    ink = template(dark).layout.font.color
    # Captions dim, on a see-through panel: a bubble under one still shows (and hovers).
    corner = {"font": {"color": ink}, "opacity": 0.75, "bgcolor": _rgba(paper, 0.6)}
    annotations = [
        _note("<b>On time and good</b>", 0.99, 0.01, xanchor="right", yanchor="bottom", **corner),
        _note("<b>Late</b>", 0.01, 0.01, xanchor="left", yanchor="bottom", **corner),
        _note("<b>Poor quality</b>", 0.99, 0.99, xanchor="right", yanchor="top", **corner),
        _note("<b>Late and poor</b>", 0.01, 0.99, xanchor="left", yanchor="top", **corner),
        _note(
            f"OTD target {_fmt(otd_target, 1)} %",
            otd_target,
            1,
            xref="x",
            xanchor="center",
            yanchor="bottom",
            font={"color": TARGET_COLOUR},
        ),
        _note(f"PPM target {_fmt(ppm_target)}", 1, ppm_target, yref="y", xanchor="left", xshift=4, font={"color": TARGET_COLOUR}),
    ]
    caption = "Bubble area ∝ units received"
    if missing := len(scorecard) - len(kept):
        caption += f" · {missing} supplier{'s' if missing != 1 else ''} without deliveries or receipts not shown"
    annotations.append(_note(caption, 0, 1, xanchor="left", yanchor="bottom", yshift=2))
    layout = _layout(
        title,
        dark,
        height,
        right=132,
        xaxis={
            "title": {"text": "On-time delivery (%)", "standoff": 14},
            "automargin": True,
            "range": x_range,
            "ticksuffix": " %",
            "zeroline": False,
        },
        yaxis={"title": {"text": "Volume-adjusted PPM (empirical-Bayes, as ranked)"}, "range": [0, y_top], "zeroline": False},
        shapes=[_dashed(TARGET_COLOUR, x=float(otd_target)), _dashed(TARGET_COLOUR, y=float(ppm_target))],
        annotations=annotations,
    )
    return {"data": data, "layout": layout}


# --- score bars ------------------------------------------------------------------------------


def _bar_text(row: pd.Series) -> str:
    grade = _grade(row.get("grade")) or "–"
    previous = _grade(row.get("prev_grade"))
    return f"{grade} (was {previous})" if previous and previous != grade else grade


def _bar_hover(row: pd.Series, of: int) -> str:
    return (
        f"{_supplier_head(row)}<br>Score {_fmt(row['_score'])} / 100 · {_grade_text(row)}"
        f"<br>Rank {_fmt(row.get('rank'))} of {of}{_data_note(bool(row['_enough']))}"
    )


def score_bars_figure(scorecard: pd.DataFrame, *, title: str, n: int = 15, dark: bool = False) -> go.Figure:
    """Horizontal bars of the ``n`` lowest ``score`` (0–100), the worst at the top, coloured by
    ``grade`` with the letter (and the previous grade when it changed, "D (was B)") as text.

    Bars sit on the supplier id with "name (id)" as tick text; one trace per grade so the
    legend explains the colours; suppliers without a score are left out.
    """
    if scorecard is None or scorecard.empty:
        return empty_figure("No supplier scores in this period", dark=dark, height=320)
    rows = scorecard.reset_index(drop=True).assign(_score=_floats(scorecard, "score"), _enough=_flags(scorecard, "enough_data"))
    scored = rows[np.isfinite(rows["_score"])]
    if scored.empty:
        return empty_figure("No supplier scores in this period", dark=dark, height=320)
    worst = scored.assign(_id=scored["supplier_id"].astype(str)).sort_values(["_score", "_id"], kind="stable").head(n)
    ids = worst["_id"].tolist()
    ticks = []
    for _, row in worst.iterrows():
        name = _short(row.get("supplier_name"), NAME_CHARACTERS)
        ticks.append(_text(f"{name} ({row['_id']})" if name else row["_id"]))
    data = []
    for name, colour, _, group in _grade_groups(worst):
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "x": _numbers(group["_score"].to_numpy()),
                "y": group["_id"].tolist(),
                "customdata": group["supplier_id"].tolist(),
                "marker": {"color": colour},
                "text": [_text(_bar_text(row)) for _, row in group.iterrows()],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertext": [_bar_hover(row, len(scorecard)) for _, row in group.iterrows()],
                "hoverinfo": "text",
            }
        )
    layout = _layout(
        title,
        dark,
        max(320, 150 + 28 * len(ids)),
        right=96,
        barmode="overlay",
        xaxis={"title": {"text": "Score (0–100, higher is better)"}, "range": [0, 100], "zeroline": False},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": ids,
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": ids,
            "ticktext": ticks,
            "automargin": True,
        },
    )
    return figure_from_spec({"data": data, "layout": layout})


# --- sparkline -------------------------------------------------------------------------------


def sparkline_text(values: Iterable[float | None]) -> str:
    """``values`` as an 8-level block sparkline ("▁▃▇█"), one character per value, scaled from
    the lowest to the highest finite value; a missing value is a space, and a flat series sits
    mid-height ("▄▄▄"). Empty input gives "".
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        array = values.astype(float)  # already numbers (the scorecard's series): no pandas round trip
    else:
        array = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    finite = array[np.isfinite(array)]
    if not finite.size:
        return SPARK_GAP * len(array)
    low, high = float(finite.min()), float(finite.max())
    if high == low:
        return "".join(SPARK[3] if math.isfinite(v) else SPARK_GAP for v in array)
    levels = np.floor((array - low) / (high - low) * len(SPARK))
    return "".join(SPARK[min(int(k), len(SPARK) - 1)] if math.isfinite(k) else SPARK_GAP for k in levels)


def lots_figure(weeks: pd.DataFrame, *, title: str, dark: bool = False, height: int = 320) -> go.Figure:
    """Lots received per week (``bucket_date``, ``lots``, ``lots_on_time``), split into on-time
    and late deliveries (stacked, each named in the legend and the hover, not by colour alone)."""
    return figure_from_spec(lots_spec(weeks, title=title, dark=dark, height=height))


def lots_spec(weeks: pd.DataFrame, *, title: str, dark: bool = False, height: int = 320) -> dict:
    """:func:`lots_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if weeks is None or weeks.empty:
        return _empty("No lots received in this period", dark=dark, height=height)
    dates = pd.to_datetime(weeks["bucket_date"]).dt.strftime("%Y-%m-%d").tolist()
    lots = _floats(weeks, "lots")
    on_time = np.minimum(_floats(weeks, "lots_on_time"), lots)
    late = lots - on_time
    labels = pd.to_datetime(weeks["bucket_date"]).dt.strftime("week of %d %b %Y").tolist()

    def bars(name: str, values: np.ndarray, colour: str, pattern: str) -> dict:
        return {
            "type": "bar",
            "name": name,
            "x": dates,
            "y": _numbers(values),
            "marker": {"color": colour, "pattern": {"shape": pattern}},
            "hovertext": [f"{label}: {value:g} lots {name.lower()}" for label, value in zip(labels, values, strict=True)],
            "hoverinfo": "text",
        }

    data = [bars("On time", on_time, _series_colour(dark), ""), bars("Late", late, WARNING_COLOUR, "/")]
    layout = _layout(
        title,
        dark,
        height,
        barmode="stack",
        xaxis={"type": "date", "title": {"text": "Week received", "standoff": 14}, "automargin": True},
        yaxis={"title": {"text": "Lots"}, "rangemode": "tozero"},
    )
    return {"data": data, "layout": layout}
