"""Process control (/process-control): characteristics table, control charts, capability."""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import parse_qsl

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import ids
from dashboard.components.kpi_card import empty_state, error_state
from dashboard.errors import DashboardError
from dashboard.pages._shared import built, filter_section, page_filters, page_query, url_text, with_params
from dashboard.state import get_state
from dashboard.views.process_control import CHART_TYPES, RULE_SETS, ProcessControlView, build_process_control

dash.register_page(
    __name__, path="/process-control", name="Process control", title="Process control · Quality dashboard", order=2
)

QUERY = "spc-query"
CONTENT = "spc-content"
MESSAGES = "spc-messages"
SUMMARY = "spc-summary"
GRID = "spc-grid"
CHART = "spc-chart-type"
RULES = "spc-rules"
REFRESH = "spc-refresh"
PAGE_KEYS = ("characteristic", "chart", "rules", "rebase", "line", "baseline")
BASELINE = "spc-baseline"
LINE = "spc-line"
DRAWN = "spc-drawn"  # the URL's chart and line as drawn: a dropdown drops a value it has no option for
REBASE = "spc-rebase"

COLUMNS = [
    {"field": "status", "headerName": "State", "width": 130},
    {"field": "characteristic_id", "headerName": "Characteristic", "width": 150},
    {"field": "name", "headerName": "What", "flex": 1, "minWidth": 170},
    {"field": "line", "headerName": "Line", "flex": 1, "minWidth": 160},
    {"field": "trend", "headerName": "Last 20 subgroups", "width": 230, "cellClass": "spc-trend"},
    {"field": "latest", "headerName": "Latest", "width": 120},
    {"field": "spec", "headerName": "Spec", "width": 140},
    {"field": "cpk", "headerName": "Cpk", "width": 80},
    {"field": "signal", "headerName": "Latest signal", "flex": 2, "minWidth": 260, "tooltipField": "signal"},
]


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return 0  # not a number: the view explains the allowed range


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def layout(**params: object) -> html.Div:
    """Filters, controls, the table and the focused characteristic's charts, in one request."""
    page = page_filters(params)
    filters = page.parsed.filters
    query = page_query(filters, params, PAGE_KEYS)
    lines, line, messages, summary, rows, content = built(
        lambda: _page(query), lambda message: ([], None, message, "", [], None), "/process-control"
    )
    return html.Div(
        [
            html.H1("Process control", className="h3 mb-1"),
            html.P(
                [
                    f"{filters.label()} · {'plant ' + filters.plant_id if filters.plant_id else 'all plants'}. "
                    "Limits from a baseline at the start of the period (phase I), frozen for the rest (phase II). ",
                    dcc.Link("Analyse your own file →", href="/process-control/analyse"),
                ],
                className="text-muted",
            ),
            filter_section(page),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Line", html_for=LINE, className="small mb-0"),
                            dcc.Dropdown(id=LINE, options=lines, value=line, placeholder="All lines"),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Chart", html_for=CHART, className="small mb-0"),
                            dcc.Dropdown(
                                id=CHART,
                                options=[{"label": v, "value": k} for k, v in CHART_TYPES.items()],
                                value=url_text(params, "chart"),
                                placeholder="Default for the subgroup size",
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("New baseline from (a documented change)", html_for=REBASE, className="small mb-0"),
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
                    dbc.Col(
                        [
                            dbc.Label("Baseline subgroups", html_for=BASELINE, className="small mb-0"),
                            dbc.Input(
                                id=BASELINE,
                                type="number",
                                min=20,
                                max=200,
                                step=1,
                                debounce=True,
                                value=_int(url_text(params, "baseline")) or 25,
                            ),
                        ],
                        md=1,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Run rules", html_for=RULES, className="small mb-0"),
                            dcc.Dropdown(
                                id=RULES,
                                options=[{"label": v, "value": k} for k, v in RULE_SETS.items()],
                                value=url_text(params, "rules") if url_text(params, "rules") in RULE_SETS else "we",
                                clearable=False,
                            ),
                        ],
                        md=3,
                    ),
                ],
                className="g-3 mb-3",
            ),
            dcc.Store(id=QUERY, data=query),
            dcc.Store(id=DRAWN, data={"chart": url_text(params, "chart"), "line": url_text(params, "line")}),
            dcc.Interval(id=REFRESH, interval=int(get_state().settings.refresh_interval_s * 1000)),
            html.Div(messages, id=MESSAGES),
            html.P(summary, id=SUMMARY, className="small mb-1"),
            dag.AgGrid(
                id=GRID,
                rowData=rows,
                columnDefs=COLUMNS,
                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                dashGridOptions={"tooltipShowDelay": 300},
                style={"height": "360px"},
                className="ag-theme-quartz",
            ),
            dcc.Loading(html.Div(content, id=CONTENT), type="dot", delay_show=300),
        ]
    )


def _focus_section(view: ProcessControlView) -> html.Div:
    focus = view.focus
    if focus is None:
        return html.Div()
    graph = {"config": {"displaylogo": False}}
    panel = [html.Tr([html.Th(name), html.Td(value)]) for name, value in focus.capability_lines] if focus.capability_lines else []
    return html.Div(
        [
            html.H2(focus.title, className="h4 mt-4", id="spc-focus-title"),
            html.P(
                [f"{CHART_TYPES[focus.chart_type]} chart · {focus.limits_text}. ", focus.baseline_text, "."],
                className="small text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dcc.Graph(figure=focus.location, id="spc-location", **graph),
                            dcc.Graph(figure=focus.dispersion, id="spc-dispersion", **graph),
                        ],
                        xl=8,
                    ),
                    dbc.Col(
                        [
                            dcc.Graph(figure=focus.capability, id="spc-capability", **graph) if focus.capability else None,
                            dbc.Table(html.Tbody(panel), size="sm", className="small") if panel else None,
                            html.H3(f"Signals: {focus.signal_count} runs of a rule", className="h6 mt-2"),
                            html.Ul([html.Li(s) for s in focus.signals], className="small spc-signals")
                            if focus.signals
                            else html.P("No rule fired in this period.", className="small text-muted"),
                        ],
                        xl=4,
                    ),
                ]
            ),
        ]
    )


def render(view: ProcessControlView) -> tuple[object, str, list[dict[str, str]], object]:
    """Messages, the table's summary line and rows, and the focus section."""
    messages = dbc.Alert([html.Div(p) for p in view.problems], color="warning", className="py-2") if view.problems else None
    if not view.rows:
        return messages or empty_state("No measured characteristics for these filters."), "", [], None
    rows = [
        {
            "status": r.status,
            "characteristic_id": r.characteristic_id,
            "name": r.name,
            "line": r.line,
            "trend": r.trend,
            "latest": r.latest,
            "spec": r.spec,
            "cpk": r.cpk,
            "signal": r.signal,
        }
        for r in view.rows
    ]
    signals = sum(r.status_key == "signal" for r in view.rows)
    summary = (
        f"{len(view.rows)} characteristics · {signals} with a signal in their latest 25 subgroups "
        f"({RULE_SETS[view.rules]}). Click a row for its charts."
    )
    return messages, summary, rows, _focus_section(view)


def _page(query: object) -> tuple:
    """The line dropdown's options and value, messages, summary, table rows and charts for the
    page's parameters (re-validated: the store can be forged)."""
    params = query if isinstance(query, dict) else {}
    page = page_filters(params)
    try:
        view = build_process_control(
            page.parsed.filters,
            get_state().repository,
            characteristic_id=url_text(params, "characteristic"),
            chart_type=url_text(params, "chart"),
            rules=url_text(params, "rules") or "we",
            rebase=_date(url_text(params, "rebase")),
            line_id=url_text(params, "line"),
            baseline_size=_int(url_text(params, "baseline")),
        )
    except DashboardError as error:
        return [], None, error_state(str(error)), "", [], None
    rebase = url_text(params, "rebase")
    if rebase and _date(rebase) is None:
        problem = f"'{rebase[:20]}' is not a date for the new baseline; use YYYY-MM-DD."
        view = dataclasses.replace(view, problems=(problem, *view.problems))
    options = [{"label": f"{code} · {name}", "value": code} for code, name in view.lines]
    line = url_text(params, "line")
    return (
        options,
        line if line in {o["value"] for o in options} else None,
        *render(view),
    )  # filter problems are shown by the filter bar, drawn from the same URL


@callback(
    Output(LINE, "options"),
    Output(LINE, "value"),
    Output(MESSAGES, "children"),
    Output(SUMMARY, "children"),
    Output(GRID, "rowData"),
    Output(CONTENT, "children"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_process_control(_refreshes: object, query: object) -> tuple:
    """The page again on every refresh (from the cache until it expires)."""
    return _page(query)


def clicked_characteristic(cell: object, rows: object) -> str | None:
    """The characteristic of a clicked grid row (the row id is its position in ``rowData``)."""
    if not isinstance(cell, dict) or not isinstance(rows, list):
        return None
    try:
        row = rows[int(cell.get("rowId"))]
    except (TypeError, ValueError, IndexError):
        return None
    value = row.get("characteristic_id") if isinstance(row, dict) else None
    return value[:64] if isinstance(value, str) else None


@callback(
    Output(ids.URL, "search", allow_duplicate=True),
    Input(GRID, "cellClicked"),
    Input(CHART, "value"),
    Input(RULES, "value"),
    Input(REBASE, "date"),
    Input(LINE, "value"),
    Input(BASELINE, "value"),
    State(GRID, "rowData"),
    State(LINE, "options"),
    State(DRAWN, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def navigate_to_characteristic(
    cell: object,
    chart: object,
    rules: object,
    rebase: object,
    line: object,
    baseline: object,
    rows: object,
    lines: object,
    drawn: object,
    search: object,
) -> str:
    """A row click focuses its characteristic; the dropdowns set chart type and run rules.

    A dropdown empties itself when the URL gave it a value it has no option for (a chart type or
    line that does not exist); that is not a choice, so the URL, and the page's message about
    the value, stay as they are."""
    trigger = dash.ctx.triggered_id
    drawn = drawn if isinstance(drawn, dict) else {}
    if trigger == GRID:
        characteristic = clicked_characteristic(cell, rows)
        return with_params(search, characteristic=characteristic, chart=None) if characteristic else dash.no_update
    if trigger == CHART:
        new = chart if isinstance(chart, str) and chart else None
        if new is None and drawn.get("chart") is not None and drawn.get("chart") not in CHART_TYPES:
            return dash.no_update
        return with_params(search, chart=new)
    if trigger == RULES:
        return with_params(search, rules=rules if isinstance(rules, str) else None)
    if trigger == BASELINE:
        size = str(baseline) if isinstance(baseline, int) and not isinstance(baseline, bool) else None
        current = dict(parse_qsl(search.lstrip("?"))).get("baseline", "25") if isinstance(search, str) else "25"
        return dash.no_update if size in (None, current) else with_params(search, baseline=size)
    if trigger == LINE:
        chosen = line[:64] if isinstance(line, str) and line else None
        current = dict(parse_qsl(search.lstrip("?"))).get("line") if isinstance(search, str) else None
        if chosen == current:  # the dropdown reports its value when its options arrive
            return dash.no_update
        offered = {o.get("value") for o in lines if isinstance(o, dict)} if isinstance(lines, list) else set()
        if chosen is None and drawn.get("line") is not None and drawn.get("line") not in offered:
            return dash.no_update
        return with_params(search, line=chosen, characteristic=None)
    if trigger == REBASE:
        day = _date(rebase[:10] if isinstance(rebase, str) else None)
        return with_params(search, rebase=day.isoformat() if day else None)
    return dash.no_update
