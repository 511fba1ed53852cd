"""The global filter bar: period, custom dates and plant. Its state lives in the URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components import ids


def filter_bar(
    *,
    periods: Sequence[tuple[str, str]],
    period: str,
    start: dt.date,
    end: dt.date,
    plants: Sequence[tuple[str, str]],
    plant: str | None,
    today: dt.date,
) -> dbc.Row:
    """Dropdowns for period and plant, a date range for custom periods."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Period", html_for=ids.FILTER_PERIOD, className="small mb-0"),
                    dcc.Dropdown(
                        id=ids.FILTER_PERIOD,
                        options=[{"label": label, "value": value} for value, label in periods],
                        value=period,
                        clearable=False,
                        searchable=False,
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Dates", className="small mb-0"),
                    dcc.DatePickerRange(
                        id=ids.FILTER_START,
                        start_date=start.isoformat(),
                        end_date=end.isoformat(),
                        max_date_allowed=today.isoformat(),
                        display_format="D MMM YYYY",
                        first_day_of_week=1,
                        minimum_nights=0,
                        disabled=period != "custom",
                    ),
                ],
                md="auto",
            ),
            dbc.Col(
                [
                    dbc.Label("Plant", html_for=ids.FILTER_PLANT, className="small mb-0"),
                    dcc.Dropdown(
                        id=ids.FILTER_PLANT,
                        options=[{"label": f"{code} · {name}", "value": code} for code, name in plants],
                        value=plant,
                        placeholder="All plants",
                    ),
                ],
                md=3,
            ),
        ],
        className="g-3 align-items-end mb-3",
        id="filter-bar",
    )


def problems_alert(problems: Sequence[str]) -> html.Div:
    """Messages about rejected filter values (or nothing)."""
    if not problems:
        return html.Div(id=ids.FILTER_MESSAGES)
    return html.Div(
        dbc.Alert(
            [html.Strong("Some filters were not understood. "), *[html.Div(p) for p in problems]],
            color="warning",
            className="py-2",
        ),
        id=ids.FILTER_MESSAGES,
    )
