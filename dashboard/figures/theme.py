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
# Control-chart zones A (2–3σ), B (1–2σ), C (within 1σ): the palette's vermillion, orange and
# green at low opacity, so they read on both templates and never compete with the data.
ZONE_FILLS = {"A": "rgba(213, 94, 0, 0.10)", "B": "rgba(230, 159, 0, 0.08)", "C": "rgba(0, 158, 115, 0.06)"}
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


def figure_from_spec(spec: dict) -> go.Figure:
    """A ``go.Figure`` from a plain spec without plotly's per-property validation.

    Validation costs ~7 ms per small figure, which dominates a warm page of tiles; the specs
    come from this package's figure functions, and the tests validate each one fully.
    """
    return go.Figure(spec, _validate=False)


def template_json(dark: bool = False) -> dict:
    """The template as plain JSON, for specs built without validation."""
    return template(dark).to_plotly_json()


def template(dark: bool = False) -> go.layout.Template:
    """The template object (registered on first use)."""
    name = DARK if dark else LIGHT
    if name not in pio.templates:
        register_templates()
    return pio.templates[name]
