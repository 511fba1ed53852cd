"""OKR figures: the key-result heat grid by team and a key result's burn-up chart with the
ideal line and the forecast fan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import days, floats, iso, note, page_layout, plain, rgba, series_colour, stamps
from dashboard.figures.theme import PALETTE, figure_from_spec

# Okabe-Ito vermillion → orange → bluish green: off track, at risk, on track. Every cell also
# carries its status in words, so colour is never the only cue.
PROBABILITY_SCALE = [
    [0.0, PALETTE[3]],
    [0.3, PALETTE[3]],
    [0.3, PALETTE[1]],
    [0.7, PALETTE[1]],
    [0.7, PALETTE[2]],
    [1.0, PALETTE[2]],
]


def heat_grid_figure(cells: pd.DataFrame, *, dark: bool = False) -> go.Figure:
    """Key results by team: one row per team, one cell per key result.

    ``cells``: ``team``, ``position`` (1, 2, … within the team), ``key_result_id``, ``title``,
    ``probability`` (0–1 or NaN), ``status`` (words) and ``label`` (short text in the cell).
    Cells without a probability are grey and say why.
    """
    teams = list(dict.fromkeys(cells["team"]))
    width = int(cells["position"].max()) if len(cells) else 0
    z = np.full((len(teams), width), np.nan)
    text = np.full((len(teams), width), "", dtype=object)
    hover = np.full((len(teams), width), "", dtype=object)
    custom = np.full((len(teams), width), "", dtype=object)
    probabilities = floats(cells, "probability")
    for row, (team, position, kr_id, title, status, label) in enumerate(
        zip(
            cells["team"], cells["position"], cells["key_result_id"], cells["title"], cells["status"], cells["label"], strict=True
        )
    ):
        i, j = teams.index(team), int(position) - 1
        value = probabilities[row]
        z[i, j] = value if np.isfinite(value) else np.nan
        text[i, j] = plain(label)
        chance = f"{value * 100:.0f} %" if np.isfinite(value) else "no forecast"
        hover[i, j] = f"<b>{plain(kr_id)}</b><br>{plain(title)}<br>{plain(status)} · chance of target {chance}"
        custom[i, j] = kr_id
    grey = np.where(np.isnan(z) & (text != ""), 0.5, np.nan)
    traces = [
        {
            "type": "heatmap",
            "z": grey.tolist(),
            "x": [f"KR {j + 1}" for j in range(width)],
            "y": teams,
            "colorscale": [[0, "#8c959f"], [1, "#8c959f"]],
            "showscale": False,
            "hoverinfo": "skip",
            "xgap": 3,
            "ygap": 3,
        },
        {
            "type": "heatmap",
            "z": [[None if np.isnan(v) else float(v) for v in row] for row in z],
            "x": [f"KR {j + 1}" for j in range(width)],
            "y": teams,
            "zmin": 0,
            "zmax": 1,
            "colorscale": PROBABILITY_SCALE,
            "showscale": False,
            "text": text.tolist(),
            "texttemplate": "%{text}",
            "textfont": {"color": "#ffffff"},
            "customdata": custom.tolist(),
            "hovertext": hover.tolist(),
            "hovertemplate": "%{hovertext}<extra></extra>",
            "xgap": 3,
            "ygap": 3,
        },
    ]
    layout = page_layout("Key results by team: chance of reaching the target", dark, max(260, 46 * len(teams) + 90), legend=False)
    layout["yaxis"] = {"autorange": "reversed", "automargin": True}
    layout["xaxis"] = {"side": "top"}
    return figure_from_spec({"data": traces, "layout": layout})


def burnup_figure(
    checkins: pd.DataFrame,
    ideal: pd.DataFrame,
    fan: pd.DataFrame,
    *,
    title: str,
    unit_label: str = "",
    target: float | None = None,
    band: tuple[float, float] | None = None,
    due_date: object = None,
    dark: bool = False,
    height: int = 420,
) -> go.Figure:
    """Check-ins (``date``, ``value``, optional ``origin``) against the ideal line (``date``,
    ``ideal``) and the forecast fan (``date``, ``expected``, ``low80``, ``high80``, ``low95``,
    ``high95``), with the target (or band) and the due date marked. The fan is labelled as a forecast."""
    colour = series_colour(dark)
    traces: list[dict] = []
    if len(fan):
        x = iso(stamps(fan["date"]))
        for low, high, alpha, name in (
            ("low95", "high95", 0.15, "95 % forecast interval"),
            ("low80", "high80", 0.3, "80 % forecast interval"),
        ):
            traces.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": floats(fan, low).tolist(),
                    "mode": "lines",
                    "line": {"width": 0},
                    "hoverinfo": "skip",
                    "showlegend": False,
                }
            )
            traces.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": floats(fan, high).tolist(),
                    "mode": "lines",
                    "line": {"width": 0},
                    "fill": "tonexty",
                    "fillcolor": rgba(PALETTE[1], alpha),
                    "name": name,
                    "hoverinfo": "skip",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": floats(fan, "expected").tolist(),
                "mode": "lines",
                "line": {"color": PALETTE[1], "dash": "dash", "width": 2},
                "name": "Forecast (linear trend)",
                "hovertemplate": "Forecast %{x|%d %b}: %{y:.4g}" + plain(unit_label) + "<extra></extra>",
            }
        )
    if len(ideal):
        traces.append(
            {
                "type": "scatter",
                "x": iso(stamps(ideal["date"])),
                "y": floats(ideal, "ideal").tolist(),
                "mode": "lines",
                "line": {"color": "#8c959f", "dash": "dot", "width": 2},
                "name": "Ideal line",
                "hoverinfo": "skip",
            }
        )
    if len(checkins):
        index = stamps(checkins["date"])
        origins = checkins["origin"].tolist() if "origin" in checkins else ["source"] * len(checkins)
        traces.append(
            {
                "type": "scatter",
                "x": iso(index),
                "y": floats(checkins, "value").tolist(),
                "mode": "lines+markers",
                "line": {"color": colour, "width": 3},
                "marker": {"size": 9, "symbol": ["diamond" if o == "dashboard" else "circle" for o in origins]},
                "name": "Check-ins",
                "customdata": days(index),
                "hovertemplate": "%{customdata}: %{y:.4g}" + plain(unit_label) + "<extra></extra>",
            }
        )
    shapes, notes = [], []
    if band is not None:
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": band[0],
                "y1": band[1],
                "fillcolor": rgba(PALETTE[2], 0.12),
                "line": {"width": 0},
                "layer": "below",
            }
        )
        notes.append(note(f"band {band[0]:g}–{band[1]:g}", 1, band[1], yref="y", xanchor="right", yanchor="bottom"))
    elif target is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": target,
                "y1": target,
                "line": {"color": PALETTE[2], "dash": "dash", "width": 2},
            }
        )
        notes.append(note(f"target {target:g}{plain(unit_label)}", 0, target, yref="y", xanchor="left", yanchor="bottom"))
    if due_date is not None:
        due = iso(stamps([due_date]))[0]
        shapes.append(
            {
                "type": "line",
                "x0": due,
                "x1": due,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": "#8c959f", "dash": "dot", "width": 1},
            }
        )
        notes.append(note("due", due, 1, xref="x", yanchor="bottom"))
    layout = page_layout(title, dark, height)
    layout.update(shapes=shapes, annotations=notes)
    layout["yaxis"] = {"title": {"text": plain(unit_label.strip())}, "automargin": True}
    return figure_from_spec({"data": traces, "layout": layout})
