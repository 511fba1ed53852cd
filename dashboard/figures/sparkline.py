"""A KPI tile's sparkline: the value per bucket over the selected period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import PALETTE, figure_from_spec, template_json


def sparkline_figure(series: pd.Series, *, target: float | None = None, unit_label: str = "", dark: bool = False) -> go.Figure:
    """A small line of ``series`` (index: bucket start dates), with a dotted target line."""
    suffix = f" {unit_label}" if unit_label else ""
    shapes = []
    if target is not None and len(series):
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": target,
                "y1": target,
                "line": {"dash": "dot", "width": 1, "color": PALETTE[3]},
            }
        )
    return figure_from_spec(
        {
            "data": [
                {
                    "type": "scatter",
                    "x": [str(x) for x in series.index],
                    "y": [float(v) for v in series.values],
                    "mode": "lines+markers",
                    "line": {"color": PALETTE[0], "width": 2},
                    "marker": {"size": 4},
                    "hovertemplate": "%{x|%d %b %Y}: %{y:,.4~g}" + suffix + "<extra></extra>",
                }
            ],
            "layout": {
                "template": template_json(dark),
                "height": 60,
                "margin": {"l": 0, "r": 0, "t": 4, "b": 4},
                "showlegend": False,
                "xaxis": {"visible": False, "type": "date"},
                "yaxis": {"visible": False},
                "hovermode": "x",
                "shapes": shapes,
            },
        }
    )
