"""A page figure restyled for a wall screen: the wall template (dark high-contrast or light),
large text, no title (the panel's caption names the chart) and no fixed size (it fills its box).
"""

from __future__ import annotations

import copy
from typing import Any

from dashboard.figures.theme import STATUS_COLOURS, template, template_json

# On the dark template a few page colours lose contrast: the muted grey and black.
DARK_COLOURS = {STATUS_COLOURS["no_data"].lower(): "#9da7b3", "#000000": "#f0f3f6"}
WALL_FONT_PX = 24  # chart text at 1920×1080; strokes are drawn as on the page at that size
FONT_KEYS = ("font", "tickfont", "textfont", "insidetextfont", "outsidetextfont", "titlefont")


def _scale_fonts(node: Any, factor: float, base: float) -> None:
    """Multiply every explicit font size below ``node`` by ``factor`` (sizes are never below ``base``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in FONT_KEYS and isinstance(value, dict) and isinstance(value.get("size"), int | float):
                value["size"] = max(base, round(value["size"] * factor))
            _scale_fonts(value, factor, base)
    elif isinstance(node, list):
        for item in node:
            _scale_fonts(item, factor, base)


def _scale_strokes(node: Any, factor: float) -> None:
    """Multiply marker sizes and line widths below ``node`` by ``factor`` (a 4K screen doubles them)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict):
                size = "size" if key == "marker" else "width" if key == "line" else None
                if size and isinstance(value.get(size), int | float):
                    value[size] = value[size] * factor
            _scale_strokes(value, factor)
    elif isinstance(node, list):
        for item in node:
            _scale_strokes(item, factor)


def _recolour(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _recolour(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_recolour(item) for item in node]
    if isinstance(node, str):
        return DARK_COLOURS.get(node.lower(), node)
    return node


def _above_plot(annotation: object) -> bool:
    """A note in the strip above the plot (page figures put hints there: "Shaded: 95 % interval")."""
    if not isinstance(annotation, dict) or annotation.get("yref", "paper") != "paper":
        return False
    y = annotation.get("y")
    return isinstance(y, int | float) and y >= 1 and annotation.get("yanchor") == "bottom"


def wall_figure(spec: dict, *, dark: bool, font_px: int) -> dict:
    """``spec`` (Plotly JSON of a page figure) for a wall screen; the input is not changed.

    Few elements, large text: text is ``font_px`` pixels (explicit sizes scale in proportion to
    the page template's); no title, legend, axis titles, colour bars or notes above the plot
    (the panel's caption names the chart and what it encodes); the figure fills its container
    (``autosize``) and is static (nobody hovers on a wall).
    """
    figure = copy.deepcopy(spec)
    page_size = float(template(False).layout.font.size)
    factor = font_px / page_size
    layout = figure.setdefault("layout", {})
    for key in ("height", "width", "title", "template"):
        layout.pop(key, None)
    _scale_fonts(figure, factor, font_px * 0.75)
    if font_px != WALL_FONT_PX:
        _scale_strokes(figure, font_px / WALL_FONT_PX)
    old = layout.get("margin", {})
    layout.update(
        template=template_json(dark),
        autosize=True,
        font={**layout.get("font", {}), "size": font_px},
        margin={"l": font_px, "r": round(old.get("r", 24) * factor * 0.85), "t": font_px, "b": font_px, "pad": 0},
        hovermode=False,
        showlegend=False,
        annotations=[a for a in layout.get("annotations", []) if not _above_plot(a)],
    )
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis.update(automargin=True, title={"text": ""})
            if axis.get("type") == "date":  # a few level dates read better than many turned ones
                axis.update(nticks=3, tickangle=0)
    for trace in figure.get("data", []):
        if isinstance(trace.get("marker"), dict) and "colorscale" in trace["marker"]:
            trace["marker"]["showscale"] = False
    if dark:
        figure["data"] = _recolour(figure.get("data", []))
        layout.update({k: _recolour(v) for k, v in layout.items() if k in ("shapes", "annotations")})
    return figure
