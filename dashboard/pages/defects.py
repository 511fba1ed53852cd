"""Defects (/defects): trend, Pareto, u chart, line × week heatmap, forecast, and the drill path
plant → line → product → defect code → records. Every level has its own URL.

A drill click changes the URL, and the page for the new URL arrives with its charts in one
request (:func:`layout` builds them): no empty page is drawn first and filled by a second
request. :func:`update_defects` redraws the charts on each refresh."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import ids
from dashboard.components.kpi_card import error_state
from dashboard.drill import SEVERITIES, SIX_M, SLICE_KEYS, DefectSlice, drill_down, parse_slice
from dashboard.errors import DashboardError
from dashboard.pages._shared import (
    CAPA_STATUS_COLOURS,
    built,
    filter_section,
    grid_block,
    page_filters,
    page_query,
    url_text,
    with_params,
)
from dashboard.state import get_state
from dashboard.views.cached import as_of_text
from dashboard.views.defect_records import RECORD_COLUMNS, record_page, sort_of
from dashboard.views.defects import (
    GRAINS,
    MEASURES,
    PARETO_BY,
    PARETO_VALUE,
    DefectsView,
    build_defects,
    load_dimensions,
)
from dashboard.views.records import RecordPage

dash.register_page(__name__, path="/defects", name="Defects", title="Defects · Quality dashboard", order=1)

P = "defects-"
QUERY, CONTENT, MESSAGES, CRUMBS, AS_OF, REFRESH = (P + s for s in ("query", "content", "messages", "crumbs", "as-of", "refresh"))
DRAWN = P + "drawn"  # the grain, trend and Pareto choices as drawn: each dropdown reports its value on mount
GRID, EXPORT_CSV, EXPORT_XLSX, RECORDS_TITLE = P + "records", P + "export-csv", P + "export-xlsx", P + "records-title"
CONTROLS = {
    name: P + name
    for name in ("grain", "measure", "pareto-by", "pareto-value", "line", "product", "code", "category", "severity")
}
PAGE_KEYS = ("grain", "measure", "pareto", "value", "rebase", *SLICE_KEYS)
REBASE = P + "rebase"

COLUMN_DEFS = [
    {
        "field": field,
        "headerName": header,
        "sortable": True,
        **({"flex": 2, "minWidth": 200} if field == "defect_description" else {"flex": 1}),
    }
    for field, header in RECORD_COLUMNS.items()
]


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _choice(params: dict[str, object], key: str, allowed: dict[str, str], default: str) -> str:
    value = url_text(params, key)
    return value if value in allowed else default


# URL parameter: (allowed values, default, what it is called in a message)
CHOICES = {
    "grain": (GRAINS, "week", "grain"),
    "measure": ({k: v[0] for k, v in MEASURES.items()}, "count", "trend"),
    "pareto": (PARETO_BY, "defect_code", "Pareto grouping"),
    "value": (PARETO_VALUE, "defect_count", "Pareto value"),
}


def _choices(params: dict[str, object]) -> tuple[dict[str, str], tuple[str, ...]]:
    """The page's own choices (grain, trend, Pareto grouping and value), and a sentence for each
    value in the URL that is not one of them (the default is shown instead)."""
    chosen, problems = {}, []
    for key, (allowed, default, noun) in CHOICES.items():
        chosen[key] = _choice(params, key, allowed, default)
        value = url_text(params, key)
        if value is not None and value not in allowed:
            shown = "".join(ch if ch.isprintable() else "?" for ch in value[:30])
            instead = allowed[default].lower() + ("s" if key == "grain" else "")
            problems.append(f"Unknown {noun} '{shown}'; use one of {', '.join(allowed)}. Showing {instead}.")
    return chosen, tuple(problems)


def _dropdown(name: str, label: str, options: list[dict[str, str]], value: str | None, placeholder: str, width: int) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=CONTROLS[name], className="small mb-0"),
            dcc.Dropdown(id=CONTROLS[name], options=options, value=value, placeholder=placeholder, clearable=placeholder != ""),
        ],
        md=width,
    )


def _options(mapping: dict[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "value": key} for key, label in mapping.items()]


def layout(**params: object) -> html.Div:
    """Filters, controls and charts for the URL's parameters."""
    page = page_filters(params)
    filters = page.parsed.filters
    query = page_query(filters, params, PAGE_KEYS)
    lines, products, codes, chosen = _slice_options(params, filters.plant_id)
    choices, _ = _choices(params)
    content, messages, crumbs, as_of, title, csv, xlsx = built(
        lambda: _page(query), lambda message: (message, None, None, "", "", "#", "#"), "/defects"
    )
    controls = dbc.Row(
        [
            _dropdown("grain", "Grain", _options(GRAINS), choices["grain"], "", 1),
            _dropdown(
                "measure",
                "Trend of",
                _options({k: v[0] for k, v in MEASURES.items()}),
                choices["measure"],
                "",
                2,
            ),
            _dropdown("line", "Line", lines, chosen.line_id, "All lines", 2),
            _dropdown("product", "Product", products, chosen.product_id, "All", 1),
            _dropdown("code", "Defect code", codes, chosen.defect_code, "All codes", 2),
            _dropdown("category", "6M category", [{"label": m, "value": m} for m in SIX_M], chosen.category_6m, "All", 1),
            _dropdown("severity", "Severity", [{"label": s, "value": s} for s in SEVERITIES], chosen.severity, "All", 1),
            _dropdown(
                "pareto-by",
                "Pareto by",
                [{"label": "Code", "value": "defect_code"}, {"label": "6M category", "value": "category_6m"}],
                choices["pareto"],
                "",
                1,
            ),
            _dropdown(
                "pareto-value",
                "Pareto of",
                [{"label": "Count", "value": "defect_count"}, {"label": "Cost", "value": "cost_eur"}],
                choices["value"],
                "",
                1,
            ),
        ],
        className="g-2 mb-2",
    )
    return html.Div(
        [
            html.Div(
                [html.H1("Defects", className="h3 mb-0 me-3"), html.Span(as_of, id=AS_OF, className="small text-muted")],
                className="d-flex align-items-baseline",
            ),
            html.P(
                f"{filters.label()}. Click a bar, a Pareto bar or a heatmap row to drill down; every level has its own URL.",
                className="text-muted mb-2",
            ),
            filter_section(page),
            controls,
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label("u′ chart: new baseline from (a documented change)", html_for=REBASE, className="small mb-0"),
                        dcc.DatePickerSingle(
                            id=REBASE,
                            date=_date(url_text(params, "rebase")),
                            display_format="D MMM YYYY",
                            first_day_of_week=1,
                            clearable=True,
                            placeholder="none",
                        ),
                    ],
                    md="auto",
                ),
                className="g-2 mb-2",
            ),
            dcc.Store(id=QUERY, data=query),
            dcc.Store(id=DRAWN, data=choices),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            html.Nav(crumbs, id=CRUMBS, **{"aria-label": "Drill path"}),
            html.Div(messages, id=MESSAGES),
            dcc.Loading(html.Div(content, id=CONTENT, className="defects-content"), type="dot", delay_show=400),
            html.H2(title, id=RECORDS_TITLE, className="h5 mt-4"),
            html.Div(
                [
                    html.A("Export CSV", id=EXPORT_CSV, className="btn btn-outline-primary btn-sm me-2", href=csv),
                    html.A("Export Excel", id=EXPORT_XLSX, className="btn btn-outline-primary btn-sm", href=xlsx),
                ],
                className="mb-2",
            ),
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


def _headline_cards(view: DefectsView) -> dbc.Row:
    cards = [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(h.name, className="small text-muted"),
                        html.Div(h.value_text, className="h4 mb-0"),
                        html.Div(
                            f"previous {h.previous_text}" + (f" ({h.change_text})" if h.change_text else ""), className="small"
                        ),
                    ]
                ),
                className="h-100",
            ),
            md=2,
        )
        for h in view.headlines
    ]
    return dbc.Row(cards, className="g-2 mb-3")


def _capas(view: DefectsView) -> html.Div | None:
    """The CAPAs on the page's line or code, each linking to its page; says so when there is none."""
    mentions = view.capas
    if mentions is None:
        return None
    if not mentions.items:
        text = f"No CAPA addresses {mentions.what} in this period."
        return html.P(text, className="small text-muted mb-2", id=P + "capas")
    items = [
        html.Span(
            [
                dcc.Link(f"CAPA {m.capa_id}", href=m.href),
                " ",
                dbc.Badge(m.status, color=CAPA_STATUS_COLOURS.get(m.status, "secondary")),
                " " + m.title,
            ],
            className="me-3 d-inline-block",
        )
        for m in mentions.items
    ]
    more = mentions.total - len(mentions.items)
    tail = [f"and {more} more"] if more > 0 else []
    return html.P([html.Strong(f"CAPAs on {mentions.what}: "), *items, *tail], className="small mb-2", id=P + "capas")


def _graph(figure: object, graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=figure, config={"displaylogo": False, "displayModeBar": False})


def _hidden(graph_id: str) -> dcc.Graph:
    """An empty, hidden graph that keeps a click callback's input on the page."""
    return dcc.Graph(id=graph_id, style={"display": "none"})


def render(view: DefectsView) -> html.Div:
    """The charts of ``view``, top to bottom: numbers; the drill chart and the Pareto; trend and
    u chart; heatmap and forecast. At the records level (one defect code) the Pareto would be a
    single bar, so trend and u chart come first and the Pareto is left out."""
    signals = (
        html.Ul([html.Li(s) for s in view.signals], className="small mb-0", id=P + "signals")
        if view.signals
        else html.P("No rule fired on the u chart in this period.", className="small text-muted mb-0", id=P + "signals")
    )
    behaviour = dbc.Row(
        [
            dbc.Col(_graph(view.trend, P + "trend"), xl=6),
            dbc.Col(
                [_graph(view.control, P + "control"), html.P(view.control_text, className="small text-muted mb-1"), signals],
                xl=6,
            ),
        ],
        className="g-3 mt-1",
    )
    pareto = [_graph(view.pareto, P + "pareto"), html.P(view.pareto_text, className="small", id=P + "pareto-text")]
    if view.level == "records":
        top = html.Div([_hidden(P + "breakdown"), _hidden(P + "pareto")])
    elif view.breakdown is None:
        top = dbc.Row([_hidden(P + "breakdown"), dbc.Col(pareto, xl=12)], className="g-3")
    else:
        top = dbc.Row([dbc.Col(_graph(view.breakdown, P + "breakdown"), xl=5), dbc.Col(pareto, xl=7)], className="g-3")
    return html.Div(
        [
            _headline_cards(view),
            *([capas] if (capas := _capas(view)) is not None else []),
            *((behaviour, top) if view.level == "records" else (top, behaviour)),
            dbc.Row(
                [
                    dbc.Col(_graph(view.heatmap, P + "heatmap"), xl=7),
                    dbc.Col(
                        [_graph(view.forecast, P + "forecast"), html.P(view.forecast_text, className="small text-muted")], xl=5
                    ),
                ],
                className="g-3 mt-1",
            ),
        ]
    )


def _breadcrumb(view: DefectsView) -> dbc.Breadcrumb:
    items = [{"label": c.label, "href": "/defects?" + urlencode(c.query)} for c in view.crumbs[:-1]]
    items.append({"label": view.crumbs[-1].label, "active": True})
    return dbc.Breadcrumb(items=items, class_name="mb-1")


def _slice_options(params: dict[str, object], plant_id: str | None) -> tuple[list, list, list, DefectSlice]:
    """Dropdown options from the dimension tables, and the slice the URL asks for (validated;
    a value a dropdown does not offer would be dropped by the dropdown itself)."""
    try:
        dimensions = load_dimensions(get_state().repository)
    except DashboardError:
        return [], [], [], DefectSlice()
    lines = [
        {"label": code, "value": code}
        for code, plant in sorted(dimensions.lines.items())
        if plant_id is None or plant == plant_id
    ]
    products = [{"label": code, "value": code} for code in sorted(dimensions.products)]
    codes = [{"label": f"{code} ({category})", "value": code} for code, category in sorted(dimensions.codes.items())]
    return lines, products, codes, parse_slice(params, dimensions, plant_id).slice


def _scope(params: dict[str, object]):
    page = page_filters(params)
    repo = get_state().repository
    dimensions = load_dimensions(repo)
    parsed = parse_slice(params, dimensions, page.parsed.filters.plant_id)
    return page, parsed, dimensions, repo


def _page(query: object) -> tuple:
    """The seven outputs of the page for its parameters (re-validated: the store can be forged)."""
    params = query if isinstance(query, dict) else {}
    try:
        page, parsed, _, repo = _scope(params)
        filters = page.parsed.filters
        choices, rejected = _choices(params)
        view = build_defects(
            filters,
            parsed.slice,
            repo,
            grain=choices["grain"],
            measure=choices["measure"],
            pareto_by=choices["pareto"],
            pareto_value=choices["value"],
            rebase=_date(url_text(params, "rebase")),
        )
    except DashboardError as error:
        return error_state(str(error)), None, None, "", "", "#", "#"
    problems = (*parsed.problems, *rejected)
    rebase = url_text(params, "rebase")
    if rebase and _date(rebase) is None:
        problems = (f"'{rebase[:20]}' is not a date for the new baseline; use YYYY-MM-DD.", *problems)
    messages = dbc.Alert([html.Div(p) for p in problems], color="warning", className="py-2") if problems else None
    export = urlencode({**filters.to_query(), **parsed.slice.to_query()})
    title = f"Records: {view.record_count:,} defect records behind these numbers"
    return (
        render(view),
        messages,
        _breadcrumb(view),
        as_of_text(view.as_of, view.stale),
        title,
        f"/defects/export.csv?{export}",
        f"/defects/export.xlsx?{export}",
    )


@callback(
    Output(CONTENT, "children"),
    Output(MESSAGES, "children"),
    Output(CRUMBS, "children"),
    Output(AS_OF, "children"),
    Output(RECORDS_TITLE, "children"),
    Output(EXPORT_CSV, "href"),
    Output(EXPORT_XLSX, "href"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_defects(_refreshes: object, query: object) -> tuple:
    """The page again on every refresh (from the cache until it expires)."""
    return _page(query)


def _clicked_key(click: object) -> str | None:
    if not isinstance(click, dict):
        return None
    points = click.get("points")
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    key = points[0].get("customdata")
    if isinstance(key, list):
        key = key[0] if key else None
    return key[:64] if isinstance(key, str) and key else None


def _query_of(search: str) -> list[tuple[str, str]]:
    return parse_qsl(search.lstrip("?")) if isinstance(search, str) else []


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(P + "breakdown", "clickData"),
    Input(P + "pareto", "clickData"),
    Input(P + "heatmap", "clickData"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def drill(breakdown: object, pareto: object, heatmap: object, search: object) -> str:
    """A click on a bar or heatmap row goes one level down (or straight to that line / code)."""
    trigger = dash.ctx.triggered_id
    click = {P + "breakdown": breakdown, P + "pareto": pareto, P + "heatmap": heatmap}.get(trigger)
    key = _clicked_key(click)
    if key is None or not isinstance(trigger, str):
        return dash.no_update
    search = search if isinstance(search, str) else ""
    return with_params(search, **drill_down(trigger.removeprefix(P), key, dict(_query_of(search))))


DEFAULTS = {"grain": "week", "measure": "count", "pareto": "defect_code", "value": "defect_count"}
CONTROL_PARAMS = {
    "grain": "grain",
    "measure": "measure",
    "pareto-by": "pareto",
    "pareto-value": "value",
    "line": "line",
    "product": "product",
    "code": "code",
    "category": "category",
    "severity": "severity",
}


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    *(Input(CONTROLS[name], "value") for name in CONTROL_PARAMS),
    State(DRAWN, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def controls_to_url(*values: object) -> str:
    """The dropdowns write their value into the URL (unchanged values are ignored: a dropdown
    reports its value when its options arrive; so is the value it was drawn with, so a rejected
    URL value keeps its message)."""
    *chosen, drawn, search = values
    drawn = drawn if isinstance(drawn, dict) else {}
    current = dict(_query_of(search if isinstance(search, str) else ""))
    trigger = dash.ctx.triggered_id
    for name, value in zip(CONTROL_PARAMS, chosen, strict=True):
        if CONTROLS[name] != trigger:
            continue
        param = CONTROL_PARAMS[name]
        new = value[:64] if isinstance(value, str) and value else None
        if param in drawn and new == drawn[param]:
            return dash.no_update  # the value the page was drawn with, reported on mount
        if new == current.get(param, DEFAULTS.get(param)) or (param in DEFAULTS and new is None):
            return dash.no_update  # what the page already shows (defaults stay out of the URL)
        changes: dict[str, str | None] = {param: new}
        if param == "line":
            changes.update(product=None, code=None)
            if new:
                changes["plant"] = new.split("-")[0]
        return with_params(search, **changes)
    return dash.no_update


@callback(
    Output(GRID, "getRowsResponse"),
    Input(GRID, "getRowsRequest"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def records(request: object, query: object) -> dict:
    """One block of records for the grid's infinite row model, sorted and paged in SQL."""
    params = query if isinstance(query, dict) else {}

    def read(offset: int, limit: int, sort_model: object) -> RecordPage:
        sort, descending = sort_of(sort_model)
        page, parsed, _, repo = _scope(params)
        filters = page.parsed.filters
        return record_page(filters, parsed.slice, repo, sort=sort, descending=descending, offset=offset, limit=limit)

    return grid_block(request, read)


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(REBASE, "date"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def rebase_to_url(date: object, search: object) -> str:
    """The new-baseline date goes into the URL (the date picker reports its value on mount)."""
    day = _date(date[:10] if isinstance(date, str) else None)
    chosen = day.isoformat() if day else None
    current = dict(_query_of(search if isinstance(search, str) else "")).get("rebase")
    return dash.no_update if chosen == current else with_params(search, rebase=chosen)
