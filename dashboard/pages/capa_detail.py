"""One CAPA (/capa/<id>): its facts and status, the audit findings that raised it, and whether
the defects it addresses fell after it closed, checked against the effectiveness it records.

The page arrives with its content in one request (:func:`layout` builds it)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError
from dashboard.pages._shared import CAPA_STATUS_COLOURS, built, url_text
from dashboard.state import get_state
from dashboard.views.cached import as_of_text
from dashboard.views.capa_detail import CapaDetailView, build_capa_detail

dash.register_page(
    __name__,
    path_template="/capa/<capa_id>",
    name="CAPA",
    title="CAPA · Quality dashboard",
    order=7,
)

P = "capa-one-"
LIST_KEYS = ("period", "start", "end", "plant")  # the list's filter, kept on the way back
VERDICT_COLOURS = {"fell": "success", "rose": "danger", "no clear change": "secondary"}


def layout(capa_id: str = "", **params: object) -> html.Div:
    """The CAPA ``capa_id``; the URL's period and plant only lead back to the list as it was."""
    back = {k: v for k in LIST_KEYS if (v := url_text(params, k))}
    content = built(lambda: _page(capa_id), error_state, "/capa/<id>")
    return html.Div(
        [
            dcc.Link("← All CAPAs", href="/capa" + (f"?{urlencode(back)}" if back else ""), className="small"),
            html.Div(content, id=P + "content"),
        ]
    )


def _page(capa_id: object) -> html.Div | dbc.Alert:
    state = get_state()
    try:
        view = build_capa_detail(capa_id, state.repository, state.settings.today_or_now())
    except DashboardError as error:
        return error_state(str(error))
    return render(view)


def _facts(view: CapaDetailView) -> dbc.Table:
    return dbc.Table(
        html.Tbody([html.Tr([html.Th(k, className="text-nowrap"), html.Td(v)]) for k, v in view.facts]),
        size="sm",
        className="small mb-0",
        id=P + "facts",
    )


def _findings(view: CapaDetailView) -> html.Div:
    if not view.findings:
        return html.P("No audit finding names this CAPA.", className="small text-muted", id=P + "findings")
    head = html.Thead(html.Tr([html.Th(h) for h in ("Finding", "Audit", "Type", "ISO clause", "Severity", "Closed")]))
    rows = [
        html.Tr(
            [
                html.Td(f.finding_id),
                html.Td(f.audit_date),
                html.Td(f.audit_type),
                html.Td(f.clause),
                html.Td(f.severity),
                html.Td(f.closed),
            ]
        )
        for f in view.findings
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="small", id=P + "findings")


def render(view: CapaDetailView) -> html.Div:
    """The CAPA's header, facts, effect and findings."""
    verdict = view.effect.verdict if view.effect is not None else None
    effect_body = [html.P(view.effect_text, id=P + "effect", className="mb-1")]
    effect_body.append(html.P(html.Strong(view.check_text), id=P + "check", className="mb-1"))
    if view.defects_href:
        effect_body.append(
            dcc.Link("These defects on the defects page →", href=view.defects_href, id=P + "defects", className="small")
        )
    return html.Div(
        [
            html.Div(
                [
                    html.H1(f"CAPA {view.capa_id}", className="h3 mb-0 me-3", id=P + "title"),
                    dbc.Badge(
                        view.status, color=CAPA_STATUS_COLOURS.get(view.status, "secondary"), className="me-3", id=P + "status"
                    ),
                    html.Span(as_of_text(view.as_of, view.stale), className="small text-muted"),
                ],
                className="d-flex align-items-baseline",
            ),
            html.P(view.title, className="lead mb-2", id=P + "problem"),
            dbc.Row(
                [
                    dbc.Col([html.H2("The action", className="h6"), _facts(view)], xl=4),
                    dbc.Col(
                        [
                            html.H2(
                                ["Did it work? ", dbc.Badge(verdict.capitalize(), color=VERDICT_COLOURS[verdict])]
                                if verdict
                                else "Did it work?",
                                className="h6",
                            ),
                            dbc.Alert(effect_body, color="light", className="py-2 small"),
                            dcc.Graph(
                                id=P + "effect-chart", figure=view.figure, config={"displaylogo": False, "displayModeBar": False}
                            ),
                        ],
                        xl=8,
                    ),
                ],
                className="g-3",
            ),
            html.H2("Audit findings that raised it", className="h6 mt-3"),
            _findings(view),
        ]
    )
