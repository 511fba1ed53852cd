"""CAPA (/capa): on-time closure against target, the open backlog and its age, open and overdue
CAPAs by plant, source or owner, whether the CAPAs closed in the period cut their defects, and
the list of CAPAs behind every number, with CSV export.

Every choice is in the URL. A click on a breakdown bar narrows the page to that plant, source or
owner; a card's link lists the CAPAs behind its number. The page arrives with its content in one
request (:func:`layout` builds it); :func:`update_capa` redraws it on each refresh."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import ids
from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError, DataUnavailable
from dashboard.pages._capa_effects import effects_block
from dashboard.pages._shared import CAPA_LINK_COLUMN, built, filter_section, grid_block, page_filters, page_query, with_params
from dashboard.state import get_state
from dashboard.views.cached import as_of_text
from dashboard.views.capa import BY, GRAINS, SOURCES, STATUSES, CapaScope, CapaView, build_capa, parse_scope
from dashboard.views.capa_records import RECORD_COLUMNS, capa_record_page, sort_of
from dashboard.views.records import RecordPage

dash.register_page(__name__, path="/capa", name="CAPA", title="CAPA · Quality dashboard", order=7)

P = "capa-"
QUERY, CONTENT, AS_OF, REFRESH, GRID = P + "query", P + "content", P + "as-of", P + "refresh", P + "records"
PARAMS = ("source", "owner", "status", "by", "grain")
DRAWN = P + "drawn"  # the choices the dropdowns were drawn with: each reports its value on mount
CONTROLS = {name: P + name for name in PARAMS}
WIDE = {
    "capa_id": {"flex": 1, "minWidth": 80, **CAPA_LINK_COLUMN},
    "status": {"flex": 1, "minWidth": 125},
    "title": {"flex": 3, "minWidth": 240, "tooltipField": "title"},
    "owner": {"flex": 1, "minWidth": 125},
    **{field: {"flex": 1, "minWidth": 110} for field in ("opened_date", "due_date", "closed_date")},
    "defects": {"flex": 2, "minWidth": 160},
}
COLUMN_DEFS = [
    {
        "field": field,
        "headerName": header,
        "sortable": True,
        "wrapHeaderText": True,
        "autoHeaderHeight": True,
        **WIDE.get(field, {"flex": 1, "minWidth": 90}),
    }
    for field, header in RECORD_COLUMNS.items()
] + [{"field": "defects", "headerName": "Defects", "sortable": False, "cellRenderer": "markdown", **WIDE["defects"]}]
BORDERS = {"good": "success", "watch": "warning", "act": "danger"}


def _owners() -> tuple[str, ...]:
    try:
        return tuple(get_state().repository.fetch("capa_owners").frame["owner"].astype(str))
    except DataUnavailable:
        return ()


def _dropdown(name: str, label: str, options: dict[str, str], value: str | None, placeholder: str, width: int) -> dbc.Col:
    choices = [{"label": text, "value": key} for key, text in options.items()]
    return dbc.Col(
        [
            dbc.Label(label, html_for=CONTROLS[name], className="small mb-0"),
            dcc.Dropdown(id=CONTROLS[name], options=choices, value=value, placeholder=placeholder, clearable=bool(placeholder)),
        ],
        md=width,
    )


def layout(**params: object) -> html.Div:
    """Filters, numbers, charts and the CAPA list for the URL's parameters."""
    page = page_filters(params)
    filters = page.parsed.filters
    owners = _owners()
    scope, _ = parse_scope(params, owners)
    query = page_query(filters, params, PARAMS, most=100)  # owner names have up to 100 characters
    content, as_of = built(lambda: _page(query), lambda message: (message, ""), "/capa")
    controls = dbc.Row(
        [
            _dropdown("source", "Source", {s: s.capitalize() for s in SOURCES}, scope.source, "All sources", 2),
            _dropdown("owner", "Owner", {o: o for o in owners}, scope.owner, "All owners", 2),
            _dropdown("status", "List", {k: f"CAPAs {v}" for k, v in STATUSES.items()}, scope.status, "", 3),
            _dropdown("by", "Open CAPAs by", {k: v[1].capitalize() for k, v in BY.items()}, scope.by, "", 2),
            _dropdown("grain", "Closures per", {g: g.capitalize() for g in GRAINS}, scope.grain, "", 2),
        ],
        className="g-2 mb-2",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Corrective and preventive actions", className="h3 mb-0 me-3"),
                    html.Span(as_of, id=AS_OF, className="small text-muted"),
                ],
                className="d-flex align-items-baseline",
            ),
            html.P(
                f"{filters.label()}. Statuses as on the period's last day. Click a bar to narrow the page; "
                "each number's link lists the CAPAs behind it.",
                className="text-muted mb-2",
            ),
            filter_section(page),
            controls,
            dcc.Store(id=QUERY, data=query),
            dcc.Store(id=DRAWN, data={name: getattr(scope, name) for name in PARAMS}),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            dcc.Loading(html.Div(content, id=CONTENT), type="dot", delay_show=400),
            dag.AgGrid(
                id=GRID,
                columnDefs=COLUMN_DEFS,
                rowModelType="infinite",
                defaultColDef={"resizable": True, "filter": False},
                dashGridOptions={"cacheBlockSize": 100, "maxBlocksInCache": 20, "rowBuffer": 0, "tooltipShowDelay": 300},
                style={"height": "420px"},
                className="ag-theme-quartz",
            ),
        ]
    )


def _card(card, query: dict[str, str]) -> dbc.Col:
    link = (
        dcc.Link("List them →", href="/capa" + with_params(urlencode(query), status=card.lists), className="small")
        if card.lists
        else None
    )
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(card.name, className="small text-muted"),
                    html.Div(card.value_text, className="h4 mb-0"),
                    html.Div(card.detail, className="small"),
                    link,
                ]
            ),
            color=BORDERS.get(card.status),
            outline=True,
            className="h-100",
        ),
        md=2,
    )


def render(view: CapaView, problems: tuple[str, ...]) -> html.Div:
    """The numbers, charts, list title and export link of the page."""
    query = {**view.filters.to_query(), **view.scope.to_query()}
    graph = {"config": {"displaylogo": False, "displayModeBar": False}}
    return html.Div(
        [
            dbc.Alert([html.Div(p) for p in problems], color="warning", className="py-2") if problems else None,
            html.P(view.summary, id=P + "summary", className="lead fs-6"),
            dbc.Row([_card(card, query) for card in view.cards], className="g-2 mb-3", id=P + "cards"),
            dbc.Row(
                [
                    dbc.Col(dcc.Graph(id=P + "flow", figure=view.flow, **graph), xl=6),
                    dbc.Col(dcc.Graph(id=P + "ageing", figure=view.ageing, **graph), xl=3),
                    dbc.Col(dcc.Graph(id=P + "breakdown", figure=view.breakdown, **graph), xl=3),
                ],
                className="g-3",
            ),
            effects_block(view.effects, query),
            html.Div(
                [
                    html.H2(
                        f"CAPAs {STATUSES[view.scope.status]}: {view.listed:,}",
                        id=P + "records-title",
                        className="h5 mb-0 me-3",
                    ),
                    html.A(
                        "Export CSV",
                        id=P + "export-csv",
                        href="/capa/export.csv?" + urlencode(query),
                        className="btn btn-outline-primary btn-sm",
                    ),
                ],
                className="d-flex align-items-center mt-3 mb-2",
            ),
        ]
    )


def _page(query: object) -> tuple:
    """The content and the as-of text for the page's parameters (re-validated: the store can be forged)."""
    params = query if isinstance(query, dict) else {}
    try:
        page = page_filters(params)
        scope, problems = parse_scope(params, _owners())
        state = get_state()
        view = build_capa(page.parsed.filters, state.repository, scope, state.settings.today_or_now())
    except DashboardError as error:
        return error_state(str(error)), ""
    return render(view, problems), as_of_text(view.as_of, view.stale)


@callback(
    Output(CONTENT, "children"),
    Output(AS_OF, "children"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_capa(_refreshes: object, query: object) -> tuple:
    """The page again on every refresh (from the cache until it expires)."""
    return _page(query)


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    *(Input(CONTROLS[name], "value") for name in PARAMS),
    Input(P + "breakdown", "clickData"),
    State(DRAWN, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def narrow_capa(*values: object) -> str:
    """A changed dropdown, or a click on a breakdown bar, goes into the URL. A dropdown reports
    its value when it mounts: a value the page was drawn with is ignored, so a rejected URL value
    keeps its message until the user chooses."""
    *chosen, click, drawn, search = values
    trigger, drawn = dash.ctx.triggered_id, drawn if isinstance(drawn, dict) else {}
    if trigger == P + "breakdown":
        points = click.get("points") if isinstance(click, dict) else None
        key = points[0].get("customdata") if isinstance(points, list) and points and isinstance(points[0], dict) else None
        by = drawn.get("by") if drawn.get("by") in BY else "plant"
        return with_params(search, **{by: key[:100]}) if isinstance(key, str) and key else dash.no_update
    defaults = _defaults()
    for name, value in zip(PARAMS, chosen, strict=True):
        if CONTROLS[name] == trigger:
            new = value[:100] if isinstance(value, str) and value else None
            if new == drawn.get(name, defaults.get(name)):
                return dash.no_update
            return with_params(search, **{name: None if new == defaults.get(name) else new})
    return dash.no_update


def _defaults() -> dict[str, str | None]:
    """The page's choices when the URL names none (left out of the URL)."""
    default = CapaScope()
    return {name: getattr(default, name) for name in PARAMS}


@callback(Output(GRID, "getRowsResponse"), Input(GRID, "getRowsRequest"), State(QUERY, "data"), prevent_initial_call=True)
def capa_records(request: object, query: object) -> dict:
    """One block of CAPAs for the grid's infinite row model, sorted and paged in SQL."""
    params = query if isinstance(query, dict) else {}

    def read(offset: int, limit: int, sort_model: object) -> RecordPage:
        sort, descending = sort_of(sort_model)
        scope, _ = parse_scope(params, _owners())
        filters = page_filters(params).parsed.filters
        repo = get_state().repository
        return capa_record_page(filters, scope, repo, sort=sort, descending=descending, offset=offset, limit=limit)

    return grid_block(request, read)
