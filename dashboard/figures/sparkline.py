"""A KPI tile's sparkline: the value per bucket over the selected period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import PALETTE, template


def sparkline_figure(series: pd.Series, *, target: float | None = None, unit_label: str = "", dark: bool = False) -> go.Figure:
    """A small line of ``series`` (index: bucket start dates), with a dotted target line."""
    figure = go.Figure(layout={"template": template(dark)})
    figure.add_trace(
        go.Scatter(
            x=list(series.index),
            y=list(series.values),
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2},
            marker={"size": 4},
            hovertemplate="%{x|%d %b %Y}: %{y:,.4~g}" + (f" {unit_label}" if unit_label else "") + "<extra></extra>",
        )
    )
    if target is not None and len(series):
        figure.add_hline(y=target, line={"dash": "dot", "width": 1, "color": PALETTE[3]})
    figure.update_layout(
        height=60,
        margin={"l": 0, "r": 0, "t": 4, "b": 4},
        showlegend=False,
        xaxis={"visible": False},
        yaxis={"visible": False},
        hovermode="x",
    )
    return figure
