"""A figure with nothing to draw that says so, in place of an empty pair of axes."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

from dashboard.figures.theme import figure_from_spec, template_json


def empty_figure(message: str, *, dark: bool = False, height: int = 420) -> go.Figure:
    """A blank figure of ``height`` pixels with ``message`` (e.g. "No measurements in this period") centred."""
    return figure_from_spec(empty_spec(message, dark=dark, height=height))


def empty_spec(message: str, *, dark: bool = False, height: int = 420) -> dict:
    """:func:`empty_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    return {
        "data": [],
        "layout": {
            "template": template_json(dark),
            "height": height,
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [
                {
                    "text": escape(message, quote=False),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "showarrow": False,
                }
            ],
        },
    }
