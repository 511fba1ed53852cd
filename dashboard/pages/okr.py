"""OKR progress (/okr): the objective tree with progress, the data's chance of reaching each
key result next to the owner's confidence, a heat grid by team, and a key result's burn-up
chart with its check-ins; recording a check-in writes to the app store. The page arrives with
its content in one request (:func:`layout` builds it)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import ids
from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError, StoreUnavailable
from dashboard.pages._shared import built
from dashboard.state import current_user, get_state, write_refusal
from dashboard.views.cached import as_of_text
from dashboard.views.okr import STATUS_ICONS, KeyResultRow, ObjectiveRow, OkrView, build_okr
from dashboard.views.okr_detail import KeyResultDetail, build_key_result, parse_checkin, record_checkin

dash.register_page(__name__, path="/okr", name="OKRs", title="OKRs · Quality dashboard", order=6)

P = "okr-"
QUERY, REFRESH, VERSION, AS_OF, MESSAGES, TREE, GRID, DETAIL = (
    P + s for s in ("query", "refresh", "version", "as-of", "messages", "tree", "grid", "detail")
)
QUARTER, TEAM = P + "quarter", P + "team"
DRAWN = P + "drawn"  # the quarter and team as drawn: each dropdown reports its value when it mounts
FORM, DATE, VALUE, CONFIDENCE, COMMENT, SAVE, SAVED, FORM_HINT = (
    P + s for s in ("form", "date", "value", "confidence", "comment", "save", "saved", "form-hint")
)
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}
KEYS = ("quarter", "team", "objective", "kr")


def _params(raw: object) -> dict[str, str]:
    """The page's URL parameters, as short strings (anything else is dropped)."""
    if not isinstance(raw, dict):
        return {}
    return {k: v.strip()[:64] for k in KEYS if isinstance(v := raw.get(k), str) and v.strip()}


def href(params: dict[str, str], **changes: str | None) -> str:
    """``/okr`` with ``params`` updated by ``changes`` (None removes a key)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v}
    return "/okr" + (f"?{urlencode(merged)}" if merged else "")


def _options(quarter: str | None) -> tuple[list[str], list[str]]:
    """The quarters on record, and the teams of ``quarter`` (else of the newest quarter)."""
    repo = get_state().repository
    try:
        quarters = [str(q) for q in repo.fetch("okr_quarters").frame["quarter"]]
        shown = quarter if quarter in quarters else quarters[:1]
        shown = [shown] if isinstance(shown, str) else shown
        teams = sorted({str(t) for q in shown for t in repo.fetch("okr_objectives", quarter=q).frame["team"]})
    except DashboardError:
        return [], []
    return quarters, teams


def checkin_form(params: dict[str, str], hint: str = "", value_disabled: bool = False) -> html.Div:
    """The check-in form; it lives outside the refreshed content, so typed input survives refreshes
    and failed saves. ``hint`` says what to enter for the chosen key result."""
    today = get_state().settings.today_or_now()
    hidden = "kr" not in params
    return html.Div(
        [
            html.H2("Record a check-in", className="h6 mt-3"),
            html.P(hint, id=FORM_HINT, className="small text-muted mb-1"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Date", html_for=DATE, className="small mb-0"),
                            dcc.DatePickerSingle(id=DATE, date=today.isoformat(), display_format="D MMM YYYY"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Value", html_for=VALUE, className="small mb-0"),
                            dbc.Input(
                                id=VALUE, type="text", inputMode="decimal", placeholder="e.g. 2.4", disabled=value_disabled
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Confidence (0–10)", html_for=CONFIDENCE, className="small mb-0"),
                            dcc.Dropdown(
                                id=CONFIDENCE,
                                options=[{"label": str(n), "value": str(n)} for n in range(11)],
                                placeholder="0–10",
                                clearable=True,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Comment", html_for=COMMENT, className="small mb-0"),
                            dbc.Textarea(
                                id=COMMENT, maxLength=1000, rows=1, placeholder="What changed? (text only, 1,000 characters)"
                            ),
                        ],
                        md=5,
                    ),
                ],
                className="g-2",
            ),
            html.Div(
                [
                    dbc.Button("Record check-in", id=SAVE, color="primary", size="sm", className="mt-2 me-2"),
                    html.Span(f"Recorded as {current_user()}", className="small text-muted"),
                ]
            ),
            html.Div(id=SAVED, className="mt-2", role="status"),
        ],
        id=FORM,
        hidden=hidden,
    )


def layout(**raw: object) -> html.Div:
    """Quarter and team from the URL, and the tree, grid and key-result panel built for them, in
    one request; :func:`update_okr` rebuilds them on each refresh and after a check-in."""
    params = _params(raw)
    quarters, teams = _options(params.get("quarter"))
    tree, grid, messages, panel, as_of, hint, disabled = built(lambda: page_parts(params), _failed, "/okr")
    drawn = {
        "quarter": params.get("quarter") if params.get("quarter") in quarters else None,
        "team": params.get("team") if params.get("team") in teams else None,
    }
    return html.Div(
        [
            html.Div(
                [html.H1("OKR progress", className="h3 mb-0 me-3"), html.Span(as_of, id=AS_OF, className="small text-muted")],
                className="d-flex align-items-baseline",
            ),
            html.P(
                "Progress against target, and the chance of reaching it by the due date from a linear trend "
                "of the values so far (on track ≥ 70 %, at risk 30–70 %, off track < 30 %), next to the owner's confidence.",
                className="text-muted mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Quarter", html_for=QUARTER, className="small mb-0"),
                            dcc.Dropdown(
                                id=QUARTER,
                                options=quarters,
                                value=drawn["quarter"],
                                placeholder="Current quarter",
                                clearable=False,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Team", html_for=TEAM, className="small mb-0"),
                            dcc.Dropdown(
                                id=TEAM,
                                options=teams,
                                value=drawn["team"],
                                placeholder="All teams",
                            ),
                        ],
                        md=3,
                    ),
                ],
                className="g-2 mb-2",
            ),
            dcc.Store(id=QUERY, data=params),
            dcc.Store(id=DRAWN, data=drawn),
            dcc.Store(id=VERSION, data=0),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            html.Div(messages, id=MESSAGES),
            dbc.Row(
                [
                    dbc.Col(html.Div(tree, id=TREE, className="okr-tree"), xl=7),
                    dbc.Col([html.Div(panel, id=DETAIL), checkin_form(params, hint, disabled)], xl=5),
                ],
                className="g-3",
            ),
            dcc.Graph(id=GRID, figure=grid, config=GRAPH_CONFIG, className="mt-3"),
        ]
    )


def status_badge(status: str, key: str) -> html.Span:
    """Status as an icon and words (never colour alone)."""
    return html.Span(f"{STATUS_ICONS[key]} {status}", className=f"okr-status okr-status-{key}")


def progress_bar(progress: float | None, text: str) -> dbc.Progress | html.Span:
    """A bar capped at its end, with the uncapped number as its label."""
    if progress is None:
        return html.Span("no value yet", className="small text-muted")
    return dbc.Progress(value=max(0.0, min(progress, 100.0)), label=text, className="okr-progress", style={"height": "1.1rem"})


def key_result_item(kr: KeyResultRow, params: dict[str, str]) -> html.Li:
    """One key result in the tree."""
    chosen = params.get("kr") == kr.key_result_id
    return html.Li(
        [
            dcc.Link(
                kr.title,
                href=href(params, kr=kr.key_result_id, objective=kr.objective_id),
                className="fw-semibold" if chosen else None,
            ),
            html.Div(
                [
                    status_badge(kr.status, kr.status_key),
                    html.Span(f" chance {kr.probability_text}", className="small ms-1"),
                    html.Span(f" · now {kr.value_text} ({kr.target_text})", className="small text-muted"),
                    html.Span(f" · {kr.owner} · due {kr.due_date:%d %b}", className="small text-muted"),
                    html.Span(f" · owner confidence {kr.confidence}", className="small text-muted") if kr.confidence else None,
                ]
            ),
            html.Div(f"⚠ {kr.disagreement}", className="okr-disagree small") if kr.disagreement else None,
            progress_bar(kr.progress_pct, kr.progress_text),
        ],
        className="okr-kr" + (" okr-kr-chosen" if chosen else ""),
        id=f"okr-kr-{kr.key_result_id}",
    )


def objective_item(objective: ObjectiveRow, params: dict[str, str]) -> html.Div:
    """One objective row; its key results show when it is the chosen one."""
    open_ = params.get("objective") == objective.objective_id or any(
        kr.key_result_id == params.get("kr") for kr in objective.key_results
    )
    return html.Div(
        [
            html.Div(
                [
                    html.Span(objective.level, className="okr-level"),
                    dcc.Link(objective.title, href=href(params, objective=None if open_ else objective.objective_id, kr=None)),
                    html.Span(f" · {objective.team} · {objective.owner}", className="small text-muted"),
                    html.Span(" ", className="me-2"),
                    status_badge(objective.status, objective.status_key),
                    html.Span(f" {len(objective.key_results)} key results", className="small text-muted")
                    if objective.key_results
                    else None,
                ]
            ),
            progress_bar(objective.progress_pct, objective.progress_text),
            html.Ul([key_result_item(kr, params) for kr in objective.key_results], className="okr-krs") if open_ else None,
        ],
        className="okr-objective",
        style={"marginLeft": f"{1.5 * objective.depth}rem"},
        id=f"okr-objective-{objective.objective_id}",
    )


def render_detail(detail: KeyResultDetail) -> html.Div:
    """The key-result panel: burn-up, forecast sentence, KPI chart, history."""
    row = detail.row
    history = html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in ("Date", "Value", "Confidence", "Comment", "Who", "")])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(c.date_text),
                            html.Td(c.value_text),
                            html.Td(c.confidence_text),
                            html.Td(c.comment),
                            html.Td(c.author),
                            html.Td(c.recorded_text, className="text-muted"),
                        ]
                    )
                    for c in detail.history
                ]
            ),
        ],
        className="table table-sm small okr-history",
    )
    return html.Div(
        [
            html.H2(row.title, className="h5"),
            html.P(
                [
                    status_badge(row.status, row.status_key),
                    f" chance of reaching the target {row.probability_text} · {row.source_text}",
                ],
                className="small mb-1",
            ),
            html.P(f"⚠ {row.disagreement}", className="okr-disagree small") if row.disagreement else None,
            dcc.Graph(id=P + "burnup", figure=detail.burnup, config=GRAPH_CONFIG),
            html.P(detail.model_text, className="small", id=P + "model"),
            dcc.Graph(figure=detail.kpi_chart, config=GRAPH_CONFIG) if detail.kpi_chart else None,
            html.P(detail.kpi_note, className="small text-muted") if detail.kpi_note else None,
            html.H3("Check-ins", className="h6"),
            history if detail.history else html.P("No check-ins yet.", className="small text-muted"),
        ],
        id=P + "detail-body",
    )


def render(view: OkrView, params: dict[str, str], detail: KeyResultDetail | None) -> tuple:
    """Tree, grid figure and detail of a built view."""
    problems = list(view.problems)
    if view.stale:
        problems.append(f"{view.stale} Showing the last good copy; the page retries by itself.")
    messages = dbc.Alert([html.Div(p) for p in problems], color="warning", className="py-2") if problems else None
    tree = [objective_item(o, params) for o in view.objectives] or [
        html.P("No objectives for this quarter and team.", className="text-muted")
    ]
    return (
        tree,
        view.heat_grid or {},
        messages,
        render_detail(detail)
        if detail
        else html.P(
            "Click an objective for its key results, and a key result for its chart and check-ins.", className="text-muted"
        ),
        as_of_text(view.as_of, view.stale),
    )


def _build(params: dict[str, str]) -> tuple[OkrView, KeyResultDetail | None, str | None]:
    state = get_state()
    today = state.settings.today_or_now()
    view = build_okr(params.get("quarter"), params.get("team"), state.repository, state.store, today)
    detail, problem = None, None
    if params.get("kr"):
        try:
            detail = build_key_result(
                view, params["kr"], state.repository, today, kpis=state.repository.fetch("kpi_definitions").frame
            )
        except DashboardError as error:
            problem = str(error)
    return view, detail, problem


def _failed(message: object) -> tuple:
    return [], {}, message, None, "", "", False


def page_parts(params: dict[str, str]) -> tuple:
    """Tree, grid figure, messages, key-result panel, as-of text, the form's hint and whether its
    value is disabled (a KPI-linked key result takes its value from the KPI)."""
    try:
        view, detail, problem = _build(params)
    except DashboardError as error:
        return _failed(error_state(str(error)))
    tree, grid, messages, panel, as_of = render(view, params, detail)
    if problem:
        messages = dbc.Alert(problem, color="warning", className="py-2")
    hint = ""
    if detail is not None:
        row = detail.row
        hint = f"{row.key_result_id}: a date from {detail.min_date:%d %b} to {detail.max_date:%d %b %Y}; " + (
            f"the value comes from the KPI (now {row.value_text})."
            if not detail.value_needed
            else "value 1 = done, 0 = not done yet."
            if row.kind == "milestone"
            else f"value in {row.unit or 'the key result’s unit'}."
        )
    return tree, grid, messages, panel, as_of, hint, detail is not None and not detail.value_needed


@callback(
    Output(TREE, "children"),
    Output(GRID, "figure"),
    Output(MESSAGES, "children"),
    Output(DETAIL, "children"),
    Output(AS_OF, "children"),
    Output(FORM_HINT, "children"),
    Output(VALUE, "disabled"),
    Input(REFRESH, "n_intervals"),
    Input(VERSION, "data"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_okr(_refreshes: object, _version: object, query: object) -> tuple:
    """The page again on each refresh and after a recorded check-in, for its parameters
    (re-validated: the store can be forged)."""
    return page_parts(_params(query))


@callback(
    Output(SAVED, "children"),
    Output(VERSION, "data"),
    Output(VALUE, "value"),
    Output(COMMENT, "value"),
    Input(SAVE, "n_clicks"),
    State(DATE, "date"),
    State(VALUE, "value"),
    State(CONFIDENCE, "value"),
    State(COMMENT, "value"),
    State(QUERY, "data"),
    State(VERSION, "data"),
    prevent_initial_call=True,
)
def save_checkin(
    _clicks: object, day: object, value: object, confidence: object, comment: object, query: object, version: object
) -> tuple:
    """Validate and write one check-in; on failure say why and leave the form as typed."""
    params = _params(query)
    state = get_state()
    keep = (dash.no_update, dash.no_update, dash.no_update)
    if "kr" not in params:
        return dbc.Alert("Choose a key result first.", color="warning", className="py-2"), *keep
    if refusal := write_refusal():
        return dbc.Alert(refusal, color="warning", className="py-2"), *keep
    try:
        _, detail, problem = _build(params)
        if detail is None:
            raise DashboardError(problem or "Choose a key result first.")
        entry = parse_checkin(
            detail.row,
            date_text=day,
            value_text=value,
            confidence_text=confidence,
            comment=comment,
            author=current_user(),
            today=state.settings.today_or_now(),
            kpi_value=detail.row.value,
        )
        stored = record_checkin(entry, state.store)
    except StoreUnavailable as error:
        message = str(error) if "still in the form" in str(error) else f"{error} Your entry is still in the form."
        return dbc.Alert(message, color="danger", className="py-2"), *keep
    except DashboardError as error:
        return dbc.Alert(str(error), color="danger", className="py-2"), *keep
    message = f"Recorded {stored.checkin_date:%d %b %Y}: {stored.value:g} by {stored.author}."
    return dbc.Alert(message, color="success", className="py-2"), (version if isinstance(version, int) else 0) + 1, "", ""


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(QUARTER, "value"),
    Input(TEAM, "value"),
    State(QUERY, "data"),
    State(DRAWN, "data"),
    prevent_initial_call=True,
)
def controls_to_url(quarter: object, team: object, query: object, drawn: object) -> str:
    """Quarter and team go into the URL (a new quarter or team closes the open key result). A
    dropdown reports its value when it mounts: the value it was drawn with is not a choice, so a
    rejected URL value keeps its message."""
    params = _params(query)
    changes = {"quarter": quarter if isinstance(quarter, str) else None, "team": team if isinstance(team, str) else None}
    drawn = drawn if isinstance(drawn, dict) else {}
    if all(params.get(k) == v for k, v in changes.items()) or all(drawn.get(k) == v for k, v in changes.items()):
        return dash.no_update
    return "?" + urlencode({k: v for k, v in {**changes}.items() if v})


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(GRID, "clickData"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def open_from_grid(click: object, query: object) -> str:
    """A click on a heat-grid cell opens that key result."""
    points = click.get("points") if isinstance(click, dict) else None
    kr = points[0].get("customdata") if isinstance(points, list) and points and isinstance(points[0], dict) else None
    if not isinstance(kr, str) or not kr:
        return dash.no_update
    return href(_params(query), kr=kr[:64], objective=None).removeprefix("/okr")
