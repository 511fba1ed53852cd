"""A KPI tile: value against target, status by colour AND words, change, sparkline, info."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

STATUS_CLASS = {"good": "success", "watch": "warning", "act": "danger", "no_target": "secondary", "no_data": "secondary"}


def kpi_card(
    *,
    kpi_id: str,
    title: str,
    value_text: str,
    target_text: str,
    status_key: str,
    status_text: str,
    status_icon: str,
    delta_text: str,
    delta_word: str,
    previous_text: str,
    detail: str | None,
    as_of_text: str,
    href: str,
    definition: str,
    owner: str,
    cadence: str,
    direction: str,
    sparkline: Any | None,
    problem: str | None,
    stale: bool,
    behaviour: str | None = None,
    behaviour_key: str | None = None,
) -> dbc.Card:
    """One KPI tile; the whole header links to the drill-down view."""
    colour = STATUS_CLASS.get(status_key, "secondary")
    better = "higher is better" if direction == "higher" else "lower is better"
    body = [
        html.Div(
            [
                html.Span(value_text, className="kpi-value"),
                dbc.Badge(f"{status_icon} {status_text}", color=colour, className="kpi-status ms-2", id=f"kpi-status-{kpi_id}"),
            ],
            className="d-flex align-items-center flex-wrap",
        ),
        html.Div(target_text + f" · {better}", className="small text-muted"),
        html.Div(
            [
                html.Span(f"{delta_text} vs previous period ", className="fw-semibold"),
                html.Span(f"({delta_word}; was {previous_text})", className="text-muted"),
            ],
            className="small",
        )
        if delta_word != "no comparison"
        else html.Div("No data for the previous period to compare with", className="small text-muted"),
        html.Div(detail, className="small text-muted") if detail else None,
        dcc.Graph(
            figure=sparkline,
            config={"displayModeBar": False, "staticPlot": False},
            className="kpi-sparkline",
            id=f"kpi-spark-{kpi_id}",
        )
        if sparkline is not None
        else html.Div("No trend for this KPI", className="small text-muted kpi-sparkline-empty"),
        html.Div(
            [html.Span("⚠ " if behaviour_key == "signal_worse" else ""), behaviour],
            className=f"small kpi-behaviour kpi-behaviour-{behaviour_key}",
            id=f"kpi-behaviour-{kpi_id}",
        )
        if behaviour
        else None,
        dbc.Alert(problem, color="warning" if stale else "danger", className="small py-1 px-2 mt-2 mb-0") if problem else None,
    ]
    info_id = f"kpi-info-{kpi_id}"
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    dcc.Link(title, href=href, className="kpi-title stretched-link-none"),
                    html.Button(
                        "i",
                        id=info_id,
                        className="btn btn-link btn-sm p-0 ms-2 kpi-info",
                        title=f"What is {title}?",
                        **{"aria-label": f"Definition of {title}"},
                    ),
                    dbc.Popover(
                        dbc.PopoverBody(
                            [
                                html.P(definition, className="mb-1"),
                                html.Div(f"Owner: {owner} · reviewed {cadence}", className="small text-muted"),
                            ]
                        ),
                        target=info_id,
                        trigger="legacy",
                        placement="bottom",
                    ),
                ],
                className="d-flex align-items-center",
            ),
            dbc.CardBody(body, className="pt-2"),
            dbc.CardFooter(
                [html.Span(f"Data as of {as_of_text}"), dcc.Link("Drill down →", href=href, className="float-end")],
                className="small text-muted",
            ),
        ],
        className=f"kpi-card h-100 border-{colour}",
        id=f"kpi-card-{kpi_id}",
    )


def tile_grid(cards: list[dbc.Card]) -> dbc.Row:
    """Tiles in a responsive grid (3 across on a desktop)."""
    return dbc.Row([dbc.Col(card, xs=12, md=6, xl=4, className="mb-3") for card in cards])


def empty_state(message: str) -> dbc.Alert:
    """ "No data for these filters" and similar."""
    return dbc.Alert(message, color="light", className="text-center py-4 border")


def error_state(message: str) -> dbc.Alert:
    """A failure the user can act on."""
    return dbc.Alert(message, color="danger")
