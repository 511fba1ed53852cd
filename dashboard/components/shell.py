"""The app shell: navigation bar, URL, and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components import ids

NAV_ITEMS = (
    ("Overview", "/"),
    ("Defects", "/defects"),
    ("Process control", "/process-control"),
    ("Suppliers", "/suppliers"),
    ("Customers", "/voc"),
    ("OKRs", "/okr"),
    ("CAPA", "/capa"),
    ("Audits", "/audits"),
    ("Review", "/review"),
)


def navbar() -> dbc.Navbar:
    """The top navigation bar."""
    links = [dbc.NavItem(dbc.NavLink(label, href=href, active="exact")) for label, href in NAV_ITEMS]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Quality dashboard", href="/"),
                dbc.Nav(links, navbar=True, className="ms-auto"),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        className="mb-3",
    )


def shell() -> html.Div:
    """The layout every page renders inside."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            navbar(),
            dbc.Container(dash.page_container, fluid=True, className="pb-4"),
        ]
    )
