"""The Plotly templates: one light template matching the Bootstrap theme, one dark
high-contrast template for wall screens. Figures take colours from here, never literals.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

LIGHT = "quality"
DARK = "quality_wall"

# Colour-blind-safe categorical palette (Okabe & Ito, 2008).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
STATUS_COLOURS = {"good": "#1a7f37", "watch": "#9a6700", "act": "#cf222e", "no_target": "#57606a", "no_data": "#57606a"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _template(dark: bool) -> go.layout.Template:
    ink, paper, grid = ("#f0f3f6", "#0d1117", "#30363d") if dark else ("#1f2328", "#ffffff", "#d0d7de")
    return go.layout.Template(
        layout=go.Layout(
            font={"family": FONT, "color": ink, "size": 22 if dark else 13},
            paper_bgcolor=paper,
            plot_bgcolor=paper,
            colorway=list(PALETTE),
            xaxis={"gridcolor": grid, "linecolor": grid, "zerolinecolor": grid},
            yaxis={"gridcolor": grid, "linecolor": grid, "zerolinecolor": grid},
            margin={"l": 40, "r": 16, "t": 32, "b": 32},
            hoverlabel={"font": {"family": FONT}},
        )
    )


def register_templates() -> None:
    """Register both templates with Plotly (idempotent)."""
    pio.templates[LIGHT] = _template(dark=False)
    pio.templates[DARK] = _template(dark=True)


def template(dark: bool = False) -> go.layout.Template:
    """The template object (registered on first use)."""
    name = DARK if dark else LIGHT
    if name not in pio.templates:
        register_templates()
    return pio.templates[name]
