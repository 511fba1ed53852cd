"""Placeholder pages for views that are not built yet, so every tile link lands somewhere."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.pages._catalogue import UPCOMING


def _layout(title: str, blurb: str):
    def layout(**params: object) -> html.Div:
        return html.Div(
            [
                html.H1(title, className="h3"),
                dbc.Alert([html.Strong("Coming soon. "), blurb], color="info"),
                dcc.Link("← Back to the overview", href="/"),
            ]
        )

    return layout


for path, (title, blurb) in UPCOMING.items():
    dash.register_page(
        f"coming_soon{path.replace('/', '_').replace('-', '_')}",
        path=path,
        name=title,
        title=f"{title} · Quality dashboard",
        layout=_layout(title, blurb),
    )
