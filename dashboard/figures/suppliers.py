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
from dashboard.figures.empty import empty_figure
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


def _label_places(x: np.ndarray, y: np.ndarray, labelled: np.ndarray, spans: tuple[float, float]) -> list[str]:
    """A text position per point: labelled points close together (within 6 % of either axis' span)
    take different sides, so their labels do not print over each other."""
    places = ["top center"] * len(x)
    placed: list[int] = []
    for i in np.argsort(x, kind="stable"):
        if not labelled[i]:
            continue
        near = {places[j] for j in placed if abs(x[j] - x[i]) < 0.06 * spans[0] and abs(y[j] - y[i]) < 0.06 * spans[1]}
        places[i] = next((place for place in LABEL_PLACES if place not in near), LABEL_PLACES[0])
        placed.append(i)
    return places


def _supplier_head(row: pd.Series) -> str:
    name = _short(row.get("supplier_name"), 60)
    return f"<b>{_text(row['supplier_id'])}</b>" + (f" · {_text(name)}" if name else "")


def _grade_text(row: pd.Series) -> str:
    grade = _grade(row.get("grade"))
    if not grade:
        return "Grade: not graded"
    change = row.get("grade_change")
    return f"Grade {_text(grade)}" + (f" ({_text(change)})" if isinstance(change, str) and change.strip() else "")


def _data_note(enough: bool) -> str:
    return "" if enough else "<br><i>Too little data to judge reliably</i>"


# --- funnel ----------------------------------------------------------------------------------


def _curve(curve: pd.DataFrame | None) -> pd.DataFrame:
    """The control-limit curve with positive finite units, sorted; empty when unusable."""
    columns = ["units", "lower95", "upper95", "lower998", "upper998"]
    if curve is None or curve.empty or not set(columns) <= set(curve.columns):
        return pd.DataFrame(columns=columns, dtype=float)
    table = curve[columns].apply(pd.to_numeric, errors="coerce")
    table = table[np.isfinite(table["units"]) & (table["units"] > 0)]
    return table.sort_values("units", kind="stable").drop_duplicates("units").reset_index(drop=True)


def _limit_at(curve: pd.DataFrame, column: str, units: np.ndarray) -> np.ndarray:
    """The limit at each supplier's volume, interpolated on log units (held flat beyond the curve's ends)."""
    known = curve[["units", column]].dropna()
    if known.empty:
        return np.full(len(units), np.inf)
    return np.interp(np.log(units), np.log(known["units"].to_numpy(dtype=float)), known[column].to_numpy(dtype=float))


def _categories(curve: pd.DataFrame, units: np.ndarray, ppm: np.ndarray) -> np.ndarray:
    upper95, upper998 = _limit_at(curve, "upper95", units), _limit_at(curve, "upper998", units)
    return np.where(ppm > upper998, "above998", np.where(ppm > upper95, "above95", "inside"))


def _funnel_hover(row: pd.Series, status: str) -> str:
    interval = f"{_fmt(row.get('ppm_low'))} – {_fmt(row.get('ppm_high'))}"
    return (
        f"{_supplier_head(row)}<br>Units received: {_fmt(row.get('units_received'))}"
        f" · rejected: {_fmt(row.get('units_rejected'))}"
        f"<br>PPM: {_fmt(row.get('ppm'))} (95 % interval {interval})"
        f"<br>Volume-adjusted PPM (ranking): {_fmt(row.get('shrunk_ppm'))}"
        f"<br>{_grade_text(row)}<br>{status}{_data_note(bool(row['_enough']))}"
    )


def _limit_traces(curve: pd.DataFrame, pooled_ppm: float) -> list[dict]:
    units = _numbers(curve["units"].to_numpy())
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
                    "y": _numbers(curve[f"{side}{column}"].to_numpy(dtype=float)),
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


def _funnel_markers(rows: pd.DataFrame, dark: bool, paper: str) -> list[dict]:
    traces = []
    for key, (name, symbol, colour) in FUNNEL_CATEGORIES.items():
        group = rows[rows["_category"] == key]
        if group.empty:
            continue
        colour = colour or _series_colour(dark)
        enough = group["_enough"].to_numpy(dtype=bool)
        labelled = key == "above998"
        traces.append(
            {
                "type": "scatter",
                "name": name,
                "x": _numbers(group["_units"].to_numpy()),
                "y": _numbers(group["_ppm"].to_numpy()),
                "customdata": group["supplier_id"].tolist(),
                "mode": "markers+text" if labelled else "markers",
                "text": [_text(s) for s in group["supplier_id"]] if labelled else None,
                "textposition": group["_place"].tolist(),
                "textfont": {"color": colour},
                "cliponaxis": False,
                "marker": {
                    "symbol": [_open(symbol, not e) for e in enough],
                    "size": 13 if labelled else 10,
                    "color": colour,
                    # An outline in the paper colour keeps overlapping filled markers apart.
                    "line": {"width": [1 if e else 2 for e in enough], "color": [paper if e else colour for e in enough]},
                },
                "hovertext": [_funnel_hover(row, name) for _, row in group.iterrows()],
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
    if scorecard is None or scorecard.empty:
        return empty_figure("No suppliers with receipts in this period", dark=dark, height=height)
    rows = scorecard.reset_index(drop=True).assign(
        _units=_floats(scorecard, "units_received"), _ppm=_floats(scorecard, "ppm"), _enough=_flags(scorecard, "enough_data")
    )
    plotted = rows[np.isfinite(rows["_units"]) & (rows["_units"] > 0) & np.isfinite(rows["_ppm"])].copy()
    if plotted.empty:
        return empty_figure("No suppliers with receipts in this period", dark=dark, height=height)
    limits = _curve(curve)
    units = plotted["_units"].to_numpy(dtype=float)
    plotted["_category"] = _categories(limits, units, plotted["_ppm"].to_numpy(dtype=float))
    low, high = float(units.min()), float(units.max())
    shown = limits[(limits["units"] >= low / 2) & (limits["units"] <= high * 2)]
    limits = shown if len(shown) >= 2 else limits
    pooled = float(pooled_ppm) if pooled_ppm is not None else math.nan
    # The top fits every supplier with enough data and the funnel at the median volume; the mouth
    # may leave it, and so may a tiny supplier's PPM (marked at the top edge instead, so one
    # lot of 50 units does not flatten everyone else against the axis).
    reference = _limit_at(limits, "upper998", np.array([float(np.median(units))]))[0] if len(limits) else 0.0
    judged = plotted.loc[plotted["_enough"], "_ppm"]
    candidates = [float(judged.max()) if len(judged) else float(plotted["_ppm"].max()), float(reference), pooled]
    top = (max([c for c in candidates if math.isfinite(c)], default=0.0) or 1.0) * 1.15
    decades = np.log10(units)
    spans = (max(float(decades.max() - decades.min()), 1.0), top)
    labelled = (plotted["_category"] == "above998").to_numpy()
    plotted["_place"] = _label_places(decades, plotted["_ppm"].to_numpy(dtype=float), labelled, spans)
    paper = template(dark).layout.paper_bgcolor
    data = (_limit_traces(limits, pooled) if len(limits) else []) + _funnel_markers(plotted, dark, paper)
    if not plotted["_enough"].all():
        data.append(_legend_only(TOO_LITTLE_DATA, "circle-open", MUTED_COLOUR))
    annotations = []
    if missing := len(rows) - len(plotted):
        text = f"{missing} supplier{'s' if missing != 1 else ''} without receipts not shown"
        annotations.append(_note(text, 1, 1, xanchor="right", yanchor="bottom"))
    if not len(limits):
        annotations.append(_note("Control limits unavailable", 0, 1, xanchor="left", yanchor="top"))
    off_scale = plotted[plotted["_ppm"] > top]
    for supplier, ppm, volume in zip(off_scale["supplier_id"], off_scale["_ppm"], off_scale["_units"], strict=True):
        text = f"{_text(supplier)} {ppm:,.0f} ↑ (off scale)"
        annotations.append(_note(text, math.log10(volume), 1, xref="x", yanchor="top", xanchor="left"))
    layout = _layout(
        title,
        dark,
        height,
        xaxis={"type": "log", "title": {"text": "Units received (log scale)", "standoff": 14}, "automargin": True},
        yaxis={"title": {"text": "PPM (rejected per million received)"}, "range": [0, top], "rangemode": "tozero"},
        annotations=annotations,
    )
    return figure_from_spec({"data": data, "layout": layout})


# --- quadrant --------------------------------------------------------------------------------


def _quadrant_hover(row: pd.Series) -> str:
    return (
        f"{_supplier_head(row)}<br>On-time delivery: {_fmt(row['_otd'], 1)} %"
        f"<br>Volume-adjusted PPM: {_fmt(row['_ppm'])} (raw {_fmt(row.get('ppm'))})"
        f"<br>Units received: {_fmt(row.get('units_received'))}<br>Score {_fmt(row.get('score'))} · {_grade_text(row)}"
        f"{_data_note(bool(row['_enough']))}"
    )


def _grade_groups(rows: pd.DataFrame) -> list[tuple[str, str, str, pd.DataFrame]]:
    """(legend name, colour, symbol, rows) per grade present, A to D, then the ungraded."""
    grades = rows["grade"].map(_grade) if "grade" in rows else pd.Series("", index=rows.index)
    groups = [(f"Grade {g}", colour, symbol, rows[grades == g]) for g, (colour, symbol) in GRADES.items()]
    name, colour, symbol = UNGRADED
    groups.append((name, colour, symbol, rows[~grades.isin(list(GRADES))]))
    return [group for group in groups if not group[3].empty]


def _worst(rows: pd.DataFrame, count: int) -> set[object]:
    """The ``count`` lowest scores (ties and missing scores by the highest volume-adjusted PPM)."""
    if count <= 0:
        return set()
    order = rows.assign(_score=_floats(rows, "score")).sort_values(["_score", "_ppm"], ascending=[True, False], kind="stable")
    return set(order["supplier_id"].head(count))


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
    if scorecard is None or scorecard.empty:
        return empty_figure("No suppliers to compare in this period", dark=dark, height=height)
    rows = scorecard.reset_index(drop=True).assign(
        _otd=_floats(scorecard, "otd_pct"),
        _ppm=_floats(scorecard, "shrunk_ppm"),
        _units=np.nan_to_num(_floats(scorecard, "units_received"), nan=0.0).clip(min=0),
        _enough=_flags(scorecard, "enough_data"),
    )
    plotted = rows[np.isfinite(rows["_otd"]) & np.isfinite(rows["_ppm"])]
    if plotted.empty:
        return empty_figure("No supplier has both deliveries and receipts in this period", dark=dark, height=height)
    labelled = _worst(plotted, labels)
    # Both targets always inside the plot, so each corner caption sits in its own quadrant.
    otd_low = min(float(plotted["_otd"].min()), float(otd_target))
    x_range = [max(0.0, otd_low - max(2.0, (100 - otd_low) * 0.08)), 101.5]
    y_top = max(float(plotted["_ppm"].max()), float(ppm_target), 1.0) * 1.15
    marks = plotted["supplier_id"].isin(labelled).to_numpy()
    spans = (x_range[1] - x_range[0], y_top)
    plotted = plotted.assign(_place=_label_places(plotted["_otd"].to_numpy(), plotted["_ppm"].to_numpy(), marks, spans))
    diameters = np.sqrt(plotted["_units"].to_numpy(dtype=float))
    sizeref = max(float(diameters.max()), 1e-9) / MAX_BUBBLE_PX
    paper = template(dark).layout.paper_bgcolor
    data = []
    for name, colour, symbol, group in _grade_groups(plotted):
        enough = group["_enough"].to_numpy(dtype=bool)
        data.append(
            {
                "type": "scatter",
                "name": name,
                "x": _numbers(group["_otd"].to_numpy()),
                "y": _numbers(group["_ppm"].to_numpy()),
                "customdata": group["supplier_id"].tolist(),
                "mode": "markers+text",
                "text": [_text(s) if s in labelled else "" for s in group["supplier_id"]],
                "textposition": group["_place"].tolist(),
                "cliponaxis": False,
                "marker": {
                    "symbol": [_open(symbol, not e) for e in enough],
                    "size": np.sqrt(group["_units"].to_numpy(dtype=float)).tolist(),
                    "sizemode": "diameter",
                    "sizeref": sizeref,
                    "sizemin": 6,
                    "color": colour,
                    "opacity": 0.8,
                    "line": {"width": [1 if e else 2 for e in enough], "color": [paper if e else colour for e in enough]},
                },
                "hovertext": [_quadrant_hover(row) for _, row in group.iterrows()],
                "hoverinfo": "text",
            }
        )
    if not plotted["_enough"].all():
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
    if missing := len(rows) - len(plotted):
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
    return figure_from_spec({"data": data, "layout": layout})


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
    if weeks is None or weeks.empty:
        return empty_figure("No lots received in this period", dark=dark, height=height)
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
    return figure_from_spec({"data": data, "layout": layout})
