"""Dash components of the audit findings page, drawn from an :class:`AuditsView`: the controls
that narrow the list, the numbers (each a link to its findings), the charts and the grid."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.pages._shared import CAPA_LINK_COLUMN
from dashboard.views.audit_records import AUDIT_TYPES, RECORD_COLUMNS, SEVERITIES, AuditSelection
from dashboard.views.audits import AuditsView

P = "audits-"
CONTROLS = {"severity": P + "severity", "type": P + "type", "clause": P + "clause", "status": P + "status"}
CLAUSES, TREND, BACKLOG, GRID = P + "clauses", P + "trend", P + "backlog", P + "records"
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}
STATUS_OPTIONS = {
    "open": "Open at the period's end",
    "raised": "Raised in the period",
    "closed": "Closed in the period",
    "all": "Open at some time in it",
}
WIDTHS = {"finding_id": 100, "plant_id": 90, "iso_clause": 100, "capa_id": 100, "days_open": 110}
LINKED = {"capa_id": CAPA_LINK_COLUMN}  # a finding's CAPA number opens the CAPA's page
COLUMN_DEFS = [
    {
        "field": field,
        "headerName": header,
        "sortable": True,
        **({"width": WIDTHS[field]} if field in WIDTHS else {"flex": 1}),
        **LINKED.get(field, {}),
    }
    for field, header in RECORD_COLUMNS.items()
]


def _options(values: Iterable[str], labels: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    return [{"label": (labels or {}).get(value, value), "value": value} for value in values]


def _dropdown(name: str, label: str, options: list[dict[str, str]], value: str | None, placeholder: str) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=CONTROLS[name], className="small mb-0"),
            dcc.Dropdown(id=CONTROLS[name], options=options, value=value, placeholder=placeholder, clearable=name != "status"),
        ],
        md=3,
        xl=2,
    )


def controls(chosen: AuditSelection, clauses: Iterable[str]) -> dbc.Row:
    """The dropdowns that narrow the list, showing ``chosen`` (already checked)."""
    return dbc.Row(
        [
            _dropdown("severity", "Severity", _options(SEVERITIES), chosen.severity, "All severities"),
            _dropdown("type", "Audit type", _options(AUDIT_TYPES), chosen.audit_type, "All audit types"),
            _dropdown("clause", "ISO clause", _options(clauses), chosen.clause, "All clauses"),
            _dropdown("status", "List the findings", _options(STATUS_OPTIONS, STATUS_OPTIONS), chosen.status, ""),
        ],
        className="g-2 mb-3",
    )


def records_grid() -> dag.AgGrid:
    """The findings, read a block at a time from the server (infinite row model)."""
    return dag.AgGrid(
        id=GRID,
        columnDefs=COLUMN_DEFS,
        rowModelType="infinite",
        defaultColDef={"resizable": True, "filter": False},
        dashGridOptions={"cacheBlockSize": 100, "maxBlocksInCache": 20, "rowBuffer": 0},
        style={"height": "420px"},
        className="ag-theme-quartz",
    )


def list_href(view: AuditsView, selection: AuditSelection) -> str:
    """The page for the view's period and plant with ``selection``'s list."""
    return "/audits?" + urlencode({**view.filters.to_query(), **selection.to_query()})


def render(view: AuditsView) -> html.Div:
    """The numbers (each that has a list links to it), then the charts: clauses on the left,
    the backlog's age and the findings raised per bucket on the right."""
    cards = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(h.name, className="small text-muted"),
                        html.Div(
                            dcc.Link(h.value_text, href=list_href(view, h.selection)) if h.selection else h.value_text,
                            className="h4 mb-0 audits-value",
                        ),
                        html.Div(h.detail, className="small"),
                    ]
                ),
                className="h-100",
                id=P + "headline-" + h.key,
            ),
            md=4,
            xl=2,
        )
        for h in view.headlines
    ]
    if view.note:  # nothing to chart: the note says so; hidden graphs keep the drill's inputs
        charts = html.Div([dcc.Graph(id=g, style={"display": "none"}) for g in (CLAUSES, BACKLOG, TREND)])
    else:
        charts = dbc.Row(
            [
                dbc.Col(dcc.Graph(id=CLAUSES, figure=view.by_clause, config=GRAPH_CONFIG), xl=6),
                dbc.Col(
                    [
                        dcc.Graph(id=BACKLOG, figure=view.backlog, config=GRAPH_CONFIG),
                        dcc.Graph(id=TREND, figure=view.trend, config=GRAPH_CONFIG),
                    ],
                    xl=6,
                ),
            ],
            className="g-3",
        )
    return html.Div(
        [
            dbc.Alert(view.note, color="info", className="py-2") if view.note else None,
            dbc.Row(cards, className="g-2 mb-3"),
            charts,
        ]
    )
