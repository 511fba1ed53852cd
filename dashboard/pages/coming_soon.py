"""Placeholder pages for views that are not built yet, so every tile link lands somewhere."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

UPCOMING = {
    "/defects": ("Defect trends", "Pareto, defect-rate control chart, drill from plant to line to records."),
    "/process-control": ("Process control", "Control charts, run rules and capability per characteristic."),
    "/suppliers": ("Supplier scorecards", "Fair ranking of suppliers by PPM, delivery and SCARs."),
    "/voc": ("Voice of the customer", "NPS, complaints and comment themes tied to defect codes."),
    "/okr": ("OKR progress", "Objectives, key results, check-ins and forecasts."),
    "/capa": ("CAPA", "Corrective and preventive actions, on-time closure and effectiveness."),
    "/audits": ("Audit findings", "Open findings by clause and severity."),
}


def _layout(title: str, blurb: str):
    def layout(**params: object) -> html.Div:
        return html.Div([
            html.H1(title, className="h3"),
            dbc.Alert([html.Strong("Coming soon. "), blurb], color="info"),
            dcc.Link("← Back to the overview", href="/"),
        ])

    return layout


for path, (title, blurb) in UPCOMING.items():
    dash.register_page(f"coming_soon{path.replace('/', '_').replace('-', '_')}", path=path, name=title,
                       title=f"{title} · Quality dashboard", layout=_layout(title, blurb))
