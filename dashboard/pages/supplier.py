"""One supplier (/suppliers/<id>): p′ chart of rejects with SCARs and audits on the time axis,
rejected units by part, SCAR list, audit history, and a printable one-page scorecard (PDF).

The page arrives with its content in one request (:func:`layout` builds it, as the defects
page does); :func:`update_supplier` redraws it on each refresh."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError
from dashboard.pages._shared import built, filter_section, page_filters
from dashboard.state import get_state
from dashboard.views.cached import as_of_text
from dashboard.views.suppliers import SupplierView, build_supplier

dash.register_page(
    __name__,
    path_template="/suppliers/<supplier_id>",
    name="Supplier",
    title="Supplier · Quality dashboard",
    order=4,
)

P = "supplier-"
QUERY, CONTENT, AS_OF, REFRESH = P + "query", P + "content", P + "as-of", P + "refresh"
SCAR_COLUMNS = [
    {"field": "scar_id", "headerName": "SCAR", "width": 90},
    {"field": "opened", "headerName": "Opened", "width": 120},
    {"field": "due", "headerName": "Due", "width": 120},
    {"field": "status", "headerName": "Status", "width": 100},
    {"field": "overdue", "headerName": "", "width": 100},
    {"field": "age_days", "headerName": "Age (days)", "width": 110},
    {"field": "code", "headerName": "Code", "width": 90},
    {"field": "description", "headerName": "Problem", "flex": 1, "minWidth": 240, "tooltipField": "description"},
]
AUDIT_COLUMNS = [
    {"field": "date", "headerName": "Audit", "flex": 1},
    {"field": "score", "headerName": "Score", "flex": 1},
    {"field": "findings", "headerName": "Findings", "flex": 1},
]


def layout(supplier_id: str = "", **params: object) -> html.Div:
    """Filters, numbers, charts and lists of one supplier for the URL's parameters."""
    page = page_filters(params)
    filters = page.parsed.filters
    supplier = supplier_id[:16] if isinstance(supplier_id, str) else ""
    query = {**filters.to_query(), "supplier": supplier}
    content, as_of = built(lambda: _page(query), lambda message: (message, ""), "/suppliers/<id>")
    return html.Div(
        [
            dcc.Link("← All suppliers", href="/suppliers?" + urlencode(filters.to_query()), className="small"),
            html.Div(
                [
                    html.H1(supplier, className="h3 mb-0 me-3", id=P + "title"),
                    html.Span(as_of, id=AS_OF, className="small text-muted"),
                ],
                className="d-flex align-items-baseline",
            ),
            html.P(
                f"{filters.label()} · {'plant ' + filters.plant_id if filters.plant_id else 'all plants'}.",
                className="text-muted mb-2",
            ),
            filter_section(page),
            dcc.Store(id=QUERY, data=query),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            dcc.Loading(html.Div(content, id=CONTENT), type="dot", delay_show=400),
        ]
    )


def render(view: SupplierView) -> html.Div:
    """The supplier's numbers, charts and lists."""
    graph = {"config": {"displaylogo": False, "displayModeBar": False}}
    pdf = f"/suppliers/{quote(view.supplier_id, safe='')}/scorecard.pdf?" + urlencode(view.filters.to_query())
    numbers = dbc.Table(html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in view.numbers]), size="sm", className="small")
    signals = (
        html.Ul([html.Li(s) for s in view.signals], className="small mb-0", id=P + "signals")
        if view.signals
        else html.P("No rule fired on the p chart in this period.", className="small text-muted", id=P + "signals")
    )
    return html.Div(
        [
            html.H2(view.title, className="h5"),
            html.P(
                [
                    html.Strong(view.grade_text, id=P + "grade"),
                    " · ",
                    html.A("Printable scorecard (PDF)", href=pdf, id=P + "pdf", target="_blank"),
                ],
                className="mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col(numbers, xl=3),
                    dbc.Col(
                        [
                            dcc.Graph(id=P + "control", figure=view.control, **graph),
                            html.P(view.control_text, className="small text-muted mb-1"),
                            signals,
                        ],
                        xl=9,
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dcc.Graph(id=P + "lots", figure=view.lots, **graph),
                            dcc.Graph(id=P + "parts", figure=view.parts, **graph),
                        ],
                        xl=6,
                    ),
                    dbc.Col(
                        [
                            html.H3("Supplier corrective action requests", className="h6"),
                            dag.AgGrid(
                                id=P + "scars",
                                rowData=view.scars,
                                columnDefs=SCAR_COLUMNS,
                                defaultColDef={"sortable": True, "resizable": True},
                                dashGridOptions={"tooltipShowDelay": 300},
                                style={"height": "230px"},
                                className="ag-theme-quartz",
                            ),
                            dcc.Graph(id=P + "codes", figure=view.codes, **graph),
                            html.H3("Audits", className="h6 mt-3"),
                            dag.AgGrid(
                                id=P + "audits",
                                rowData=view.audits,
                                columnDefs=AUDIT_COLUMNS,
                                style={"height": "160px"},
                                className="ag-theme-quartz",
                            ),
                        ],
                        xl=6,
                    ),
                ],
                className="g-3 mt-1",
            ),
        ]
    )


def _page(query: object) -> tuple:
    """The content and the as-of text for the page's parameters (re-validated: the store can be forged)."""
    params = query if isinstance(query, dict) else {}
    supplier = params.get("supplier")
    if not isinstance(supplier, str) or not supplier:
        return error_state("Choose a supplier from the scorecard."), ""
    try:
        view = build_supplier(page_filters(params).parsed.filters, get_state().repository, supplier[:16])
    except DashboardError as error:
        return error_state(str(error)), ""
    return render(view), as_of_text(view.as_of, view.stale)


@callback(
    Output(CONTENT, "children"),
    Output(AS_OF, "children"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_supplier(_refreshes: object, query: object) -> tuple:
    """The page again on every refresh (from the cache until it expires)."""
    return _page(query)
