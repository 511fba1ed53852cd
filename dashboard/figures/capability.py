"""The capability figure: a histogram of the study's values against the specification, with the
normal curves the indices assume, and the indices themselves (or why there are none).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.empty import empty_figure
from dashboard.figures.theme import PALETTE, STATUS_COLOURS, figure_from_spec, template, template_json
from dashboard.metrics.spc import Capability, Estimate, SpecLimits

SPEC_COLOUR, TARGET_COLOUR = STATUS_COLOURS["act"], PALETTE[2]
WITHIN_COLOUR, OVERALL_COLOUR = PALETTE[3], PALETTE[1]
PANEL_CHARACTERS = 30


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _normal(x: np.ndarray, mean: float, sigma: float, scale: float) -> list[float]:
    """The normal density times ``scale`` (values × bin width), so it overlays the counts."""
    return (scale * np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))).tolist()


def _spec_lines(spec: SpecLimits, ink_font: float) -> tuple[list[dict], list[dict]]:
    shapes, annotations = [], []
    for name, value, colour, dash in (
        ("LSL", spec.lsl, SPEC_COLOUR, "dash"),
        ("Target", spec.target, TARGET_COLOUR, "dot"),
        ("USL", spec.usl, SPEC_COLOUR, "dash"),
    ):
        if value is None:
            continue
        line = {"color": colour, "dash": dash, "width": 2}
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": value, "x1": value, "y0": 0, "y1": 1, "line": line})
        annotations.append(
            {
                "text": f"{name} {_fmt(value)}",
                "x": value,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": colour, "size": round(ink_font * 0.9)},
            }
        )
    return shapes, annotations


def _estimate(name: str, estimate: Estimate | None) -> list[str]:
    if estimate is None:
        return []
    return [f"{name} <b>{estimate.value:.2f}</b> ({estimate.low:.2f}–{estimate.high:.2f})"]


def _wrap(text: str) -> str:
    return "<br>".join(textwrap.wrap(escape(text, quote=False), PANEL_CHARACTERS))


def _panel_text(cap: Capability) -> str:
    """The indices with their intervals, σ within and overall, expected and observed ppm, notes."""
    method = escape(cap.sigma_within_method or "", quote=False)
    lines = [
        f"n = {cap.n} · mean {_fmt(cap.mean)}",
        f"σ within {cap.sigma_within:.3g} ({method})",
        f"σ overall {cap.sigma_overall:.3g}",
        f"<i>with {cap.confidence:.0%} intervals:</i>",
    ]
    for name, estimate in (("Cp", cap.cp), ("Cpk", cap.cpk), ("Cpm", cap.cpm), ("Pp", cap.pp), ("Ppk", cap.ppk)):
        lines += _estimate(name, estimate)
    if cap.expected_within is not None and cap.expected_overall is not None and cap.observed is not None:
        lines.append(f"Expected ppm: {cap.expected_within.total_ppm:,.0f} within, {cap.expected_overall.total_ppm:,.0f} overall")
        lines.append(f"Observed ppm: {cap.observed.total_ppm:,.0f}")
    lines += [_wrap(note) for note in cap.notes]
    return "<br>".join(lines)


def capability_figure(
    values: Sequence[float] | pd.Series,
    cap: Capability,
    spec: SpecLimits,
    *,
    unit: str = "",
    dark: bool = False,
    height: int = 420,
) -> go.Figure:
    """Histogram of ``values`` (the study's measurements, in ``unit``) against ``spec``.

    LSL and USL are dashed vertical lines, the target a dotted one, each labelled above the
    plot. When ``cap`` has indices, the normal curves with σ within (solid) and σ overall
    (dashed) are scaled to the counts (n × bin width × density) and a panel at the right lists
    Cp, Cpk, Cpm, Pp, Ppk with their intervals, the σs, ppm out of spec and any notes. When
    ``cap.refused`` is set the panel says why instead and no curve or index is drawn.
    Values that are missing are dropped; with none left the figure says so.
    """
    data = pd.to_numeric(pd.Series(values, dtype=float), errors="coerce").dropna().to_numpy()
    if not data.size:
        return empty_figure("No measurements to show", dark=dark, height=height)
    font = template(dark).layout.font
    scale = font.size / 13
    edges = np.histogram_bin_edges(data, bins="auto")
    counts, edges = np.histogram(data, bins=edges)
    width = float(edges[1] - edges[0])
    traces: list[dict] = [
        {
            "type": "bar",
            "name": "Measurements",
            "x": ((edges[:-1] + edges[1:]) / 2).tolist(),
            "y": [int(c) for c in counts],
            "width": width,
            "marker": {"color": PALETTE[5] if dark else PALETTE[0], "opacity": 0.55, "line": {"width": 0}},
            "customdata": np.column_stack([edges[:-1], edges[1:]]).tolist(),
            "hovertemplate": "%{customdata[0]:.6g} to %{customdata[1]:.6g}: %{y} values<extra></extra>",
            "showlegend": False,
        }
    ]
    shapes, annotations = _spec_lines(spec, font.size)
    panel = {"xref": "paper", "yref": "paper", "x": 1, "xshift": 12, "y": 1, "xanchor": "left", "yanchor": "top"}
    panel["font"] = {"size": round(font.size * (0.85 if dark else 1.0))}
    if cap.refused:
        text = f"<b>Capability not assessed</b><br>{_wrap(cap.refused)}"
        annotations.append({**panel, "text": text, "align": "left", "showarrow": False, "bordercolor": STATUS_COLOURS["watch"]})
    else:
        sigma = max(cap.sigma_within, cap.sigma_overall)
        limits = [v for v in (spec.lsl, spec.usl, spec.target) if v is not None]
        low = min(edges[0], cap.mean - 4 * sigma, *limits)
        high = max(edges[-1], cap.mean + 4 * sigma, *limits)
        grid = np.linspace(low, high, 241)
        for name, s, colour, dash in (
            ("Normal, σ within", cap.sigma_within, WITHIN_COLOUR, "solid"),
            ("Normal, σ overall", cap.sigma_overall, OVERALL_COLOUR, "dash"),
        ):
            traces.append(
                {
                    "type": "scatter",
                    "name": name,
                    "x": grid.tolist(),
                    "y": _normal(grid, cap.mean, s, data.size * width),
                    "mode": "lines",
                    "line": {"color": colour, "dash": dash, "width": 2},
                    "hoverinfo": "skip",
                }
            )
        annotations.append({**panel, "text": _panel_text(cap), "align": "left", "showarrow": False})
    layout = {
        "template": template_json(dark),
        "height": height,
        "margin": {"l": round(64 * scale), "r": round(250 * scale), "t": round(40 * scale), "b": round(84 * scale)},
        "bargap": 0,
        "hovermode": "closest",
        "showlegend": not cap.refused,
        "legend": {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"},
        "xaxis": {"title": {"text": f"Measurement ({escape(unit, quote=False)})" if unit else "Measurement"}, "zeroline": False},
        "yaxis": {"title": {"text": "Count"}, "rangemode": "tozero"},
        "shapes": shapes,
        "annotations": annotations,
    }
    return figure_from_spec({"data": traces, "layout": layout})
