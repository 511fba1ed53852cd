"""Dash components of the OKR page, drawn from an :class:`OkrView`: the objective tree, the key
result's panel with its burn-up and check-ins, the page's messages, and the check-in form."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.state import current_user, get_state
from dashboard.views.cached import as_of_text
from dashboard.views.okr import STATUS_ICONS, KeyResultRow, ObjectiveRow, OkrView
from dashboard.views.okr_detail import KeyResultDetail

P = "okr-"
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}
FORM, DATE, VALUE, CONFIDENCE, COMMENT, SAVE, SAVED, FORM_HINT = (
    P + s for s in ("form", "date", "value", "confidence", "comment", "save", "saved", "form-hint")
)


def href(params: dict[str, str], **changes: str | None) -> str:
    """``/okr`` with ``params`` updated by ``changes`` (None removes a key)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v}
    return "/okr" + (f"?{urlencode(merged)}" if merged else "")


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
