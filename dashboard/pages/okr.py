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
from dashboard.pages._okr_render import (
    COMMENT,
    CONFIDENCE,
    DATE,
    FORM_HINT,
    GRAPH_CONFIG,
    SAVE,
    SAVED,
    VALUE,
    checkin_form,
    href,
    render,
)
from dashboard.pages._shared import built
from dashboard.state import current_user, get_state, write_refusal
from dashboard.views.okr import OkrView, build_okr
from dashboard.views.okr_detail import KeyResultDetail, build_key_result, parse_checkin, record_checkin

dash.register_page(__name__, path="/okr", name="OKRs", title="OKRs · Quality dashboard", order=6)

P = "okr-"
QUERY, REFRESH, VERSION, AS_OF, MESSAGES, TREE, GRID, DETAIL = (
    P + s for s in ("query", "refresh", "version", "as-of", "messages", "tree", "grid", "detail")
)
QUARTER, TEAM = P + "quarter", P + "team"
DRAWN = P + "drawn"  # the quarter and team as drawn: each dropdown reports its value when it mounts
KEYS = ("quarter", "team", "objective", "kr")


def _params(raw: object) -> dict[str, str]:
    """The page's URL parameters, as short strings (anything else is dropped)."""
    if not isinstance(raw, dict):
        return {}
    return {k: v.strip()[:64] for k in KEYS if isinstance(v := raw.get(k), str) and v.strip()}


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
