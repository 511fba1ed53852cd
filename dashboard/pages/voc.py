"""Voice of the customer (/voc): NPS, CSAT, complaints, sentiment and themes of comments, and
complaints lined up with the internal defect rate of their code."""

from __future__ import annotations

from urllib.parse import parse_qsl

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import ids
from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError
from dashboard.pages._shared import built, filter_section, page_filters, page_query, url_text, with_params
from dashboard.state import get_state
from dashboard.views.cached import as_of_text
from dashboard.views.voc import BREAKDOWN_BY, NOT_MAPPED, TREND_BY, VocView, build_voc, parse_voc_slice, voc_dimensions

dash.register_page(__name__, path="/voc", name="Customers", title="Voice of the customer · Quality dashboard", order=5)

P = "voc-"
QUERY, CONTENT, MESSAGES, AS_OF, REFRESH, GRID, SEARCH, COMMENTS_TITLE = (
    P + s for s in ("query", "content", "messages", "as-of", "refresh", "comments", "search", "comments-title")
)
CONTROLS = {name: P + name for name in ("channel", "region", "product", "by", "breakdown", "code")}
DRAWN = P + "drawn"  # the dropdowns' values as drawn: each reports its value when it mounts
PAGE_KEYS = ("channel", "region", "product", "by", "breakdown", "code", "theme")
GRAPH = {"displaylogo": False, "displayModeBar": False}
COLUMNS = [
    {"field": "date", "headerName": "Date", "width": 110},
    {"field": "channel", "headerName": "Channel", "width": 100},
    {"field": "region", "headerName": "Region", "width": 110},
    {"field": "product", "headerName": "Product", "width": 100},
    {"field": "nps", "headerName": "NPS", "width": 75},
    {"field": "complaint", "headerName": "", "width": 105},
    {"field": "code", "headerName": "Code", "width": 80},
    {"field": "sentiment", "headerName": "Sentiment", "width": 170},
    {"field": "drivers", "headerName": "Words that drove the score", "width": 260, "tooltipField": "drivers"},
    {"field": "text", "headerName": "Comment (as written)", "flex": 1, "minWidth": 300, "tooltipField": "text"},
]


def _dropdown(
    name: str, label: str, options: list[dict], value: str | None, placeholder: str, width: int, clearable: bool = True
) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=CONTROLS[name], className="small mb-0"),
            dcc.Dropdown(id=CONTROLS[name], options=options, value=value, placeholder=placeholder, clearable=clearable),
        ],
        md=width,
    )


def layout(**params: object) -> html.Div:
    """Filters, controls, charts and comments for the URL's parameters, in one request."""
    page = page_filters(params)
    filters = page.parsed.filters
    query = page_query(filters, params, PAGE_KEYS)
    try:
        dims = voc_dimensions(get_state().repository)
        codes = get_state().repository.fetch("defect_codes").frame
        code_options = [
            {"label": f"{c} · {d}", "value": c} for c, d in zip(codes["defect_code"], codes["defect_description"], strict=True)
        ]
    except DashboardError:
        dims, code_options = {"channel": (), "region": (), "product_id": ()}, []
    chosen, _ = parse_voc_slice(params, dims)
    content, messages, comments, comments_title, as_of = built(
        lambda: _page(query), lambda message: ([message, *_static_graphs()], None, [], "", ""), "/voc"
    )

    def options(values: tuple[str, ...]) -> list[dict]:
        return [{"label": v, "value": v} for v in values]

    by = url_text(params, "by") or ""
    breakdown = url_text(params, "breakdown") or "channel"
    drawn = {
        "channel": chosen.channel,
        "region": chosen.region,
        "product": chosen.product_id,
        "by": by or "all",
        "breakdown": breakdown if breakdown in BREAKDOWN_BY else "channel",
        "code": code if (code := url_text(params, "code")) in {o["value"] for o in code_options} else None,
    }
    controls = dbc.Row(
        [
            _dropdown("channel", "Channel", options(dims["channel"]), chosen.channel, "All channels", 2),
            _dropdown("region", "Region", options(dims["region"]), chosen.region, "All regions", 2),
            _dropdown("product", "Product", options(dims["product_id"]), chosen.product_id, "All products", 2),
            _dropdown(
                "by",
                "NPS per week for",
                [{"label": v, "value": k or "all"} for k, v in TREND_BY.items()],
                drawn["by"],
                "",
                2,
                False,
            ),
            _dropdown(
                "breakdown",
                "NPS by",
                [{"label": v, "value": k} for k, v in BREAKDOWN_BY.items()],
                drawn["breakdown"],
                "",
                2,
                False,
            ),
            _dropdown("code", "Line up complaints of", code_options, drawn["code"], "Most complained-of code", 2),
        ],
        className="g-2 mb-2",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Voice of the customer", className="h3 mb-0 me-3"),
                    html.Span(as_of, id=AS_OF, className="small text-muted"),
                ],
                className="d-flex align-items-baseline",
            ),
            html.P(
                f"{filters.label()} · {'plant ' + filters.plant_id if filters.plant_id else 'all plants'}. "
                "Every NPS carries its number of responses and a 95 % interval.",
                className="text-muted mb-2",
            ),
            filter_section(page),
            controls,
            dcc.Store(id=QUERY, data=query),
            dcc.Store(id=DRAWN, data=drawn),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            html.Div(messages, id=MESSAGES),
            dcc.Loading(html.Div(content, id=CONTENT), type="dot", delay_show=400),
            html.Div(
                [
                    html.H2(comments_title, id=COMMENTS_TITLE, className="h5 mt-4 mb-1"),
                    dbc.Button("Show all comments", id=P + "clear-theme", size="sm", color="link", className="p-0 mb-2"),
                    html.P(
                        "Click a theme or a defect code above to read its comments. Complaints without a code show a "
                        "suggested one, e.g. “D12? (leak, seal)”, from the words of the code's description.",
                        className="small text-muted mb-1",
                    ),
                    dbc.Input(id=SEARCH, type="search", placeholder="Search the comments", debounce=False, className="mb-2"),
                    dag.AgGrid(
                        id=GRID,
                        rowData=comments,
                        columnDefs=COLUMNS,
                        defaultColDef={"sortable": True, "resizable": True, "filter": True},
                        dashGridOptions={"tooltipShowDelay": 300, "pagination": True, "paginationPageSize": 50},
                        style={"height": "520px"},
                        className="ag-theme-quartz",
                    ),
                ]
            ),
        ]
    )


def _static_graphs() -> list:
    """The graphs whose clicks drive the page, present from the start so their callbacks have inputs."""
    return [
        dcc.Graph(id=P + "themes", figure={}, style={"display": "none"}),
        dcc.Graph(id=P + "complaints", figure={}, style={"display": "none"}),
    ]


def render(view: VocView) -> list:
    """The page's numbers and charts."""
    cards = dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(name, className="small text-muted"),
                            html.Div(value, className="h4 mb-0"),
                            html.Div(detail, className="small"),
                        ]
                    ),
                    className="h-100",
                ),
                md=True,
            )
            for name, value, detail in view.headlines
        ],
        className="g-2 mb-3",
    )
    return [
        cards,
        dbc.Row(
            [
                dbc.Col(dcc.Graph(id=P + "nps-trend", figure=view.nps_trend, config=GRAPH), xl=7),
                dbc.Col(dcc.Graph(id=P + "breakdown", figure=view.breakdown, config=GRAPH), xl=5),
            ],
            className="g-3",
        ),
        dbc.Row(
            [
                dbc.Col(
                    [
                        dcc.Graph(id=P + "lead-lag", figure=view.lead_lag, config=GRAPH),
                        html.P(view.lag_text, className="small", id=P + "lag-text"),
                    ],
                    xl=7,
                ),
                dbc.Col(
                    [
                        dcc.Graph(id=P + "complaints", figure=view.complaints, config=GRAPH),
                        dcc.Graph(id=P + "lag-table", figure=view.lag_table, config=GRAPH),
                    ],
                    xl=5,
                ),
            ],
            className="g-3 mt-1",
        ),
        dbc.Row(
            [
                dbc.Col(dcc.Graph(id=P + "sentiment", figure=view.sentiment, config=GRAPH), xl=5),
                dbc.Col(dcc.Graph(id=P + "histogram", figure=view.histogram, config=GRAPH), xl=3),
                dbc.Col(dcc.Graph(id=P + "themes", figure=view.themes, config=GRAPH), xl=4),
            ],
            className="g-3 mt-1",
        ),
        html.P(view.scoring_text, className="small text-muted", id=P + "scoring"),
        dcc.Graph(id=P + "theme-trend", figure=view.theme_trend, config=GRAPH) if view.theme_trend else None,
    ]


def _page(query: object) -> tuple:
    """Content, messages, comments, their title and the as-of text for the page's parameters
    (re-validated: the store can be forged)."""
    params = query if isinstance(query, dict) else {}
    page = page_filters(params)
    repo = get_state().repository
    try:
        chosen, problems = parse_voc_slice(params, voc_dimensions(repo))
        by = url_text(params, "by") or ""
        view = build_voc(
            page.parsed.filters,
            repo,
            slice_=chosen,
            by="" if by == "all" else by,
            breakdown_by=url_text(params, "breakdown") or "channel",
            code=url_text(params, "code"),
            theme=url_text(params, "theme"),
            comments_of_code=url_text(params, "code") is not None,
        )
    except DashboardError as error:
        return [error_state(str(error)), *_static_graphs()], None, [], "", ""
    problems = problems + view.problems
    messages = dbc.Alert([html.Div(p) for p in problems], color="warning", className="py-2") if problems else None
    title = f"Comments: {view.comments_text}"
    return render(view), messages, view.comments, title, as_of_text(view.as_of, view.stale)


@callback(
    Output(CONTENT, "children"),
    Output(MESSAGES, "children"),
    Output(GRID, "rowData"),
    Output(COMMENTS_TITLE, "children"),
    Output(AS_OF, "children"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_voc(_refreshes: object, query: object) -> tuple:
    """The page again on every refresh (from the cache until it expires)."""
    return _page(query)


@callback(Output(GRID, "dashGridOptions"), Input(SEARCH, "value"), State(GRID, "dashGridOptions"), prevent_initial_call=True)
def search_comments(text: object, options: object) -> dict:
    """The search box filters the comments in the browser's grid (text only, never HTML)."""
    options = dict(options) if isinstance(options, dict) else {}
    options["quickFilterText"] = text[:200] if isinstance(text, str) else ""
    return options


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(P + "themes", "clickData"),
    Input(P + "complaints", "clickData"),
    Input(P + "clear-theme", "n_clicks"),
    *(Input(CONTROLS[name], "value") for name in ("channel", "region", "product", "by", "breakdown", "code")),
    State(DRAWN, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def to_url(themes: object, complaints: object, _clear: object, *values: object) -> str:
    """Clicks and controls write the page's parameters into the URL (unchanged values are ignored).
    A dropdown reports its value when it mounts: the value it was drawn with is ignored, so a
    rejected URL value keeps its message."""
    *chosen, drawn, search = values
    drawn = drawn if isinstance(drawn, dict) else {}
    current = dict(parse_qsl(search.lstrip("?"))) if isinstance(search, str) else {}
    trigger = dash.ctx.triggered_id
    changes: dict[str, str | None] = {}
    if trigger in (P + "themes", P + "complaints"):
        click = themes if trigger == P + "themes" else complaints
        points = click.get("points") if isinstance(click, dict) else None
        key = points[0].get("customdata") if isinstance(points, list) and points and isinstance(points[0], dict) else None
        key = key[0] if isinstance(key, list) and key else key
        if not isinstance(key, str) or not key or key == NOT_MAPPED:
            return dash.no_update
        changes = {"theme": key[:64]} if trigger == P + "themes" else {"code": key[:16]}
    elif trigger == P + "clear-theme":
        changes = {"theme": None, "code": None}
    else:
        defaults = {"by": "all", "breakdown": "channel"}
        for name, value in zip(("channel", "region", "product", "by", "breakdown", "code"), chosen, strict=True):
            if CONTROLS[name] == trigger:
                new = value[:64] if isinstance(value, str) and value else None
                if new == drawn.get(name) or new == current.get(name, defaults.get(name)) or (name in defaults and new is None):
                    return dash.no_update
                changes = {name: None if new == defaults.get(name) else new}
    if not changes or all(current.get(k) == v for k, v in changes.items()):
        return dash.no_update
    return with_params(search, **changes)
