"""Audit findings (/audits): open findings and open majors at the end of the period, findings
raised and closed in it, by ISO clause × severity, per month by audit type, the backlog's age,
and the findings behind every number in a server-side grid with a CSV export.

The page arrives with its numbers and charts in one request (:func:`layout` builds them, as on
the supplier and defects pages); :func:`update_audits` redraws them on each refresh. A click
on a number, a clause bar, an audit type or a severity narrows the list through the URL."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import ids
from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError
from dashboard.pages._audits_render import BACKLOG, CLAUSES, CONTROLS, GRID, TREND, P, controls, records_grid, render
from dashboard.pages._shared import built, filter_section, grid_block, page_filters, page_query, with_params
from dashboard.state import get_state
from dashboard.views.audit_records import load_clauses, parse_selection, record_page, sort_of
from dashboard.views.audits import build_audits
from dashboard.views.cached import as_of_text
from dashboard.views.records import RecordPage

dash.register_page(__name__, path="/audits", name="Audit findings", title="Audit findings · Quality dashboard", order=6)

QUERY, CONTENT, MESSAGES, AS_OF, REFRESH = (P + s for s in ("query", "content", "messages", "as-of", "refresh"))
DRAWN = P + "drawn"  # the dropdowns' values as drawn: each reports its value once on mount
EXPORT_CSV, RECORDS_TITLE = P + "export-csv", P + "records-title"
PAGE_KEYS = tuple(CONTROLS)  # severity, type, clause, status
# What a click on each chart lists: (the parameter its bar's key sets, the list's status).
DRILLS = {CLAUSES: ("clause", "raised"), TREND: ("type", "raised"), BACKLOG: ("severity", "open")}


def layout(**params: object) -> html.Div:
    """Filters, numbers, charts and the findings list for the URL's parameters."""
    page = page_filters(params)
    filters = page.parsed.filters
    query = page_query(filters, params, PAGE_KEYS)
    content, messages, as_of, title, csv = built(lambda: _page(query), lambda m: (m, None, "", "", "#"), "/audits")
    try:
        clauses = load_clauses(get_state().repository)
    except DashboardError:
        clauses = ()
    chosen = parse_selection(query, clauses).selection
    plant = f"plant {filters.plant_id}" if filters.plant_id else "all plants"
    return html.Div(
        [
            html.Div(
                [html.H1("Audit findings", className="h3 mb-0 me-3"), html.Span(as_of, id=AS_OF, className="small text-muted")],
                className="d-flex align-items-baseline",
            ),
            html.P(
                f"{filters.label()} · {plant}. The numbers and charts cover the period and plant; click a number, "
                "a clause bar, an audit type or a severity to list its findings below.",
                className="text-muted mb-2",
            ),
            filter_section(page),
            controls(chosen, clauses),
            dcc.Store(id=QUERY, data=query),
            dcc.Store(
                id=DRAWN,
                data=dict(zip(PAGE_KEYS, (chosen.severity, chosen.audit_type, chosen.clause, chosen.status), strict=True)),
            ),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            html.Div(messages, id=MESSAGES),
            dcc.Loading(html.Div(content, id=CONTENT), type="dot", delay_show=400),
            html.Div(
                [
                    html.H2(title, id=RECORDS_TITLE, className="h5 mb-0 me-3"),
                    html.A("Export CSV", id=EXPORT_CSV, className="btn btn-outline-primary btn-sm", href=csv),
                ],
                className="d-flex align-items-center mt-4 mb-2",
            ),
            records_grid(),
        ]
    )


def _page(query: object) -> tuple:
    """Content, messages, as-of text, list title and export link for the page's parameters
    (re-validated: the store can be forged)."""
    params = query if isinstance(query, dict) else {}
    page = page_filters(params)
    try:
        view = build_audits(
            page.parsed.filters,
            get_state().repository,
            severity=params.get("severity"),
            audit_type=params.get("type"),
            clause=params.get("clause"),
            status=params.get("status"),
        )
    except DashboardError as error:
        return error_state(str(error)), None, "", "", "#"
    messages = dbc.Alert([html.Div(p) for p in view.problems], color="warning", className="py-2") if view.problems else None
    export = urlencode({**view.filters.to_query(), **view.selection.to_query()})
    return render(view), messages, as_of_text(view.as_of, view.stale), view.list_title, f"/audits/export.csv?{export}"


@callback(
    Output(CONTENT, "children"),
    Output(MESSAGES, "children"),
    Output(AS_OF, "children"),
    Output(RECORDS_TITLE, "children"),
    Output(EXPORT_CSV, "href"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_audits(_refreshes: object, query: object) -> tuple:
    """The page again on every refresh (from the cache until it expires)."""
    return _page(query)


def _clicked(click: object) -> str | None:
    points = click.get("points") if isinstance(click, dict) else None
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    key = points[0].get("customdata")
    key = key[0] if isinstance(key, list) and key else key
    return key[:16] if isinstance(key, str) and key else None


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(CLAUSES, "clickData"),
    Input(TREND, "clickData"),
    Input(BACKLOG, "clickData"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def drill(clauses: object, trend: object, backlog: object, search: object) -> str:
    """A click on a bar lists that bar's findings: a clause's or an audit type's raised in the
    period, or a severity's open at its end (the list's other narrowing is cleared)."""
    trigger = dash.ctx.triggered_id
    key = _clicked({CLAUSES: clauses, TREND: trend, BACKLOG: backlog}.get(trigger))
    if key is None or trigger not in DRILLS:
        return dash.no_update
    param, status = DRILLS[trigger]
    changes: dict[str, str | None] = dict.fromkeys(PAGE_KEYS)
    changes.update({param: key, "status": None if status == "open" else status})
    return with_params(search, **changes)


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    *(Input(CONTROLS[name], "value") for name in PAGE_KEYS),
    State(DRAWN, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def controls_to_url(*values: object) -> str:
    """A dropdown the user changed writes its value into the URL. Every dropdown reports its
    value when its options arrive: the value it was drawn with is ignored, so a bad value in
    the URL keeps its message. The default status stays out of the URL."""
    *chosen, drawn, search = values
    drawn = drawn if isinstance(drawn, dict) else {}
    for name, value in zip(PAGE_KEYS, chosen, strict=True):
        if CONTROLS[name] != dash.ctx.triggered_id:
            continue
        new = value[:64] if isinstance(value, str) and value else None
        if new == drawn.get(name):
            return dash.no_update
        return with_params(search, **{name: None if name == "status" and new == "open" else new})
    return dash.no_update


@callback(
    Output(GRID, "getRowsResponse"),
    Input(GRID, "getRowsRequest"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def records(request: object, query: object) -> dict:
    """One block of findings for the grid's infinite row model, sorted and paged in SQL."""
    params = query if isinstance(query, dict) else {}

    def read(offset: int, limit: int, sort_model: object) -> RecordPage:
        sort, descending = sort_of(sort_model)
        repo = get_state().repository
        filters, selection = page_filters(params).parsed.filters, parse_selection(params, load_clauses(repo)).selection
        return record_page(filters, selection, repo, sort=sort, descending=descending, offset=offset, limit=limit)

    return grid_block(request, read)
