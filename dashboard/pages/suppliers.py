"""Supplier scorecards (/suppliers): every supplier ranked fairly, a funnel plot and a quadrant.

The page arrives with its table and charts in one request (:func:`layout` builds them, as on
the defects and supplier pages); :func:`update_suppliers` redraws them on each refresh.

The search box narrows the table in place as it is typed (:func:`search_suppliers`) rather than
through a new URL: Dash's pages draw the whole page anew whenever the URL's query changes, and a
page drawn anew has a new search box, without the caret, so the next keys went nowhere. The search
still goes into the address bar, replaced without a navigation (``suppliers.show_search`` in
assets/suppliers.js), so a pasted or reloaded URL restores it."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.components import ids
from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError
from dashboard.pages._shared import built, filter_section, page_filters, page_query, url_text, with_params
from dashboard.state import get_state
from dashboard.views.cached import as_of_text
from dashboard.views.suppliers import build_scorecard

dash.register_page(__name__, path="/suppliers", name="Suppliers", title="Suppliers · Quality dashboard", order=3)

P = "suppliers-"
QUERY, CONTENT, MESSAGES, AS_OF, SUMMARY, GRID, REFRESH = (
    P + s for s in ("query", "content", "messages", "as-of", "summary", "grid", "refresh")
)
COMMODITY, SEARCH, ADDRESS = P + "commodity", P + "search", P + "address"
DRAWN = P + "drawn"  # the commodity as drawn: the dropdown reports its value once on mount
SEARCH_PAUSE_MS = 400  # the search applies once typing pauses this long
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}
PAGE_KEYS = ("commodity", "q")

COLUMNS = [
    {"field": "rank", "headerName": "Rank", "width": 110, "sort": "asc"},
    {"field": "supplier", "headerName": "Supplier", "flex": 2, "minWidth": 230},
    {"field": "commodity", "headerName": "Commodity", "width": 140},
    {"field": "grade", "headerName": "Grade", "width": 110},
    {"field": "score", "headerName": "Score", "width": 100},
    {
        "field": "trend",
        "headerName": "PPM by week",
        "width": 180,
        "cellClass": "spc-trend",
        "headerTooltip": "Weekly PPM, oldest left, newest right; a long period shows its latest weeks",
    },
    {
        "field": "adjusted_ppm",
        "headerName": "Adjusted PPM",
        "width": 120,
        "headerTooltip": "Volume-adjusted (empirical-Bayes) PPM: what the ranking uses",
    },
    {"field": "ppm", "headerName": "PPM", "width": 170},
    {"field": "ppm_interval", "headerName": "95 % interval", "width": 140},
    {"field": "lots", "headerName": "Lots", "width": 80},
    {"field": "units", "headerName": "Units", "width": 110},
    {"field": "lot_acceptance", "headerName": "Lots accepted", "width": 120},
    {"field": "otd", "headerName": "On time", "width": 100},
    {"field": "scars", "headerName": "SCARs", "width": 160},
    {"field": "days_to_close", "headerName": "Days to close", "width": 110},
    {"field": "audit", "headerName": "Audit", "width": 90},
    {"field": "chargeback", "headerName": "Charge-backs", "width": 150},
]


def layout(**params: object) -> html.Div:
    """Filters, table and charts for the URL's parameters."""
    page = page_filters(params)
    filters = page.parsed.filters
    query = page_query(filters, params, PAGE_KEYS)
    funnel, quadrant, messages, summary, rows, as_of = built(
        lambda: _page(query), lambda message: ({}, {}, message, "", [], ""), "/suppliers"
    )
    try:
        commodities = sorted(get_state().repository.fetch("suppliers").frame["commodity"].unique())
    except DashboardError:
        commodities = []
    commodity = url_text(params, "commodity")
    commodity = commodity if commodity in commodities else None
    return html.Div(
        [
            html.Div(
                [html.H1("Suppliers", className="h3 mb-0 me-3"), html.Span(as_of, id=AS_OF, className="small text-muted")],
                className="d-flex align-items-baseline",
            ),
            html.P(
                f"{filters.label()} · {'plant ' + filters.plant_id if filters.plant_id else 'all plants'}. "
                "Click a supplier for its trend, SCARs, audits and a printable scorecard.",
                className="text-muted mb-2",
            ),
            filter_section(page),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Commodity", html_for=COMMODITY, className="small mb-0"),
                            dcc.Dropdown(
                                id=COMMODITY,
                                options=[{"label": c, "value": c} for c in commodities],
                                value=commodity,
                                placeholder="All commodities",
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Find a supplier", html_for=SEARCH, className="small mb-0"),
                            dbc.Input(
                                id=SEARCH,
                                type="search",
                                value=url_text(params, "q") or "",
                                debounce=SEARCH_PAUSE_MS,
                                placeholder="Name or code",
                            ),
                        ],
                        md=3,
                    ),
                ],
                className="g-2 mb-2",
            ),
            dcc.Store(id=QUERY, data=query),
            dcc.Store(id=ADDRESS),
            dcc.Store(id=DRAWN, data={"commodity": commodity}),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            html.Div(messages, id=MESSAGES),
            html.P(summary, id=SUMMARY, className="small"),
            dag.AgGrid(
                id=GRID,
                rowData=rows,
                columnDefs=COLUMNS,
                # Headers wrap rather than clip: the sort and filter icons leave narrow columns little room.
                defaultColDef={
                    "sortable": True,
                    "resizable": True,
                    "filter": True,
                    "wrapHeaderText": True,
                    "autoHeaderHeight": True,
                },
                dashGridOptions={"tooltipShowDelay": 300},
                style={"height": "430px"},
                className="ag-theme-quartz",
            ),
            dcc.Loading(
                dbc.Row(
                    [
                        dbc.Col(dcc.Graph(id=P + "funnel", figure=funnel, config=GRAPH_CONFIG), xl=6),
                        dbc.Col(dcc.Graph(id=P + "quadrant", figure=quadrant, config=GRAPH_CONFIG), xl=6),
                    ],
                    className="g-3 mt-2",
                    id=CONTENT,
                ),
                type="dot",
                delay_show=400,
            ),
        ]
    )


def _page(query: object) -> tuple:
    """Funnel, quadrant, messages, summary, rows and as-of text for the page's parameters
    (re-validated: the store can be forged)."""
    params = query if isinstance(query, dict) else {}
    page = page_filters(params)
    try:
        view = build_scorecard(
            page.parsed.filters, get_state().repository, commodity=url_text(params, "commodity"), search=url_text(params, "q")
        )
    except DashboardError as error:
        return {}, {}, error_state(str(error)), "", [], ""
    messages = dbc.Alert([html.Div(p) for p in view.problems], color="warning", className="py-2") if view.problems else None
    return view.funnel, view.quadrant, messages, view.summary, view.rows, as_of_text(view.as_of, view.stale)


@callback(
    Output(P + "funnel", "figure"),
    Output(P + "quadrant", "figure"),
    Output(MESSAGES, "children"),
    Output(SUMMARY, "children"),
    Output(GRID, "rowData"),
    Output(AS_OF, "children"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_suppliers(_refreshes: object, query: object) -> tuple:
    """The scorecard again on every refresh (from the cache until it expires)."""
    return _page(query)


def supplier_href(supplier_id: str, search: object) -> str:
    """The detail page of ``supplier_id``, keeping the period and plant of ``search``."""
    from urllib.parse import parse_qsl

    keep = (
        {k: v for k, v in parse_qsl(search.lstrip("?")) if k in ("period", "start", "end", "plant")}
        if isinstance(search, str)
        else {}
    )
    return f"/suppliers/{quote(supplier_id, safe='')}" + (f"?{urlencode(keep)}" if keep else "")


@callback(
    Output(ids.URL, "href", allow_duplicate=True),
    Input(GRID, "cellClicked"),
    Input(P + "funnel", "clickData"),
    Input(P + "quadrant", "clickData"),
    State(GRID, "rowData"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def open_supplier(cell: object, funnel: object, quadrant: object, rows: object, search: object) -> str:
    """A click on a row or a point opens that supplier's page."""
    trigger = dash.ctx.triggered_id
    supplier = None
    if trigger == GRID and isinstance(cell, dict) and isinstance(rows, list):
        try:
            row = rows[int(cell.get("rowId"))]
        except (TypeError, ValueError, IndexError):
            row = None
        supplier = row.get("supplier_id") if isinstance(row, dict) else None
    elif isinstance(click := funnel if trigger == P + "funnel" else quadrant, dict):
        points = click.get("points")
        if isinstance(points, list) and points and isinstance(points[0], dict):
            supplier = points[0].get("customdata")
            supplier = supplier[0] if isinstance(supplier, list) and supplier else supplier
    if not isinstance(supplier, str) or not supplier:
        return dash.no_update
    return supplier_href(supplier[:16], search)


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(COMMODITY, "value"),
    State(DRAWN, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def controls_to_url(commodity: object, drawn: object, search: object) -> str:
    """A commodity the user chose goes into the URL, which draws the page for it. The dropdown
    reports its value when its options arrive: the value it was drawn with is ignored, so a bad
    commodity in the URL keeps its message. The search is not a control here: see
    :func:`search_suppliers`."""
    value = commodity[:50] if isinstance(commodity, str) and commodity else None
    if value == (drawn if isinstance(drawn, dict) else {}).get("commodity"):
        return dash.no_update
    return with_params(search, commodity=value)


@callback(
    Output(MESSAGES, "children", allow_duplicate=True),
    Output(SUMMARY, "children", allow_duplicate=True),
    Output(GRID, "rowData", allow_duplicate=True),
    Output(AS_OF, "children", allow_duplicate=True),
    Output(QUERY, "data"),
    Output(ADDRESS, "data"),
    Input(SEARCH, "value"),
    State(QUERY, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def search_suppliers(text: object, query: object, search: object) -> tuple:
    """The table narrows to the search as it is typed, without drawing the page anew (a new page
    is a new search box, without the caret); the page's store keeps the search for the refreshes,
    and the URL's query string with it goes to the address bar (an unchanged search is ignored).
    The charts show every supplier whatever the search, so they stay as they are."""
    current = query if isinstance(query, dict) else {}
    q = text.strip()[:64] if isinstance(text, str) and text.strip() else None
    if url_text(current, "q") == q:
        return (dash.no_update,) * 6
    query = {k: v for k, v in current.items() if k != "q"} | ({"q": q} if q else {})
    _funnel, _quadrant, messages, summary, rows, as_of = _page(query)
    return messages, summary, rows, as_of, query, with_params(search, q=q)


# The address bar shows the search without a navigation; the URL component is then given the
# address it already shows, so the filters and the commodity keep the search in the URLs they make.
clientside_callback(
    ClientsideFunction(namespace="suppliers", function_name="show_search"),
    Output(ids.URL, "search", allow_duplicate=True),
    Output(ids.URL, "href", allow_duplicate=True),
    Input(ADDRESS, "data"),
    prevent_initial_call=True,
)
