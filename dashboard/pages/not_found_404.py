"""Unknown paths."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Not found", title="Not found · Quality dashboard")


def layout(**params: object) -> html.Div:
    """A friendly 404."""
    return html.Div(
        [
            html.H1("Page not found", className="h3"),
            dbc.Alert("There is no page at this address.", color="warning"),
            dcc.Link("← Back to the overview", href="/"),
        ]
    )
