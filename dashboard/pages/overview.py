"""Overview (/): the KPI tiles.

The page arrives with its tiles in one request (:func:`layout` builds them, as the defects and
CAPA pages do); :func:`update_overview` redraws them on each refresh."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.kpi_card import empty_state, error_state, kpi_card, tile_grid
from dashboard.errors import DashboardError
from dashboard.pages._shared import built, filter_section, page_filters
from dashboard.state import get_state
from dashboard.views.formatting import format_time
from dashboard.views.overview import KpiTile, OverviewView, build_overview

dash.register_page(__name__, path="/", name="Overview", title="Overview · Quality dashboard", order=0)

QUERY = "overview-query"
TILES = "overview-tiles"
REFRESH = "overview-refresh"
STATUS = "overview-status"


def layout(**params: object) -> html.Div:
    """The filter bar and the tiles for the URL's parameters."""
    page = page_filters(params)
    filters = page.parsed.filters
    refresh_ms = int(get_state().settings.refresh_interval_s * 1000)
    tiles, status = built(lambda: _content(filters.to_query()), lambda message: ([message], ""), "/")
    return html.Div(
        [
            html.H1("Quality overview", className="h3 mb-1"),
            html.P(
                filters.label() + (f" · plant {filters.plant_id}" if filters.plant_id else " · all plants"),
                className="text-muted",
                id="overview-period",
            ),
            filter_section(page),
            dcc.Store(id=QUERY, data=filters.to_query()),
            dcc.Interval(id=REFRESH, interval=refresh_ms),
            dcc.Loading(html.Div(tiles, id=TILES, className="kpi-tiles"), type="dot", delay_show=300),
            html.Div(status, id=STATUS, className="small text-muted"),
        ]
    )


def render_tile(tile: KpiTile, query: str) -> object:
    """A view tile as a card."""
    return kpi_card(
        kpi_id=tile.kpi_id,
        title=tile.name,
        value_text=tile.value_text,
        target_text=tile.target_text,
        status_key=tile.status.key,
        status_text=tile.status.text,
        status_icon=tile.status.icon,
        delta_text=tile.delta_text,
        delta_word=tile.delta.word,
        previous_text=tile.previous_text,
        detail=tile.detail,
        as_of_text=format_time(tile.as_of),
        href=f"{tile.view_path}?{query}",
        definition=tile.definition,
        owner=tile.owner,
        cadence=tile.cadence,
        direction=tile.direction,
        sparkline=tile.sparkline,
        problem=tile.problem,
        stale=tile.stale,
        behaviour=tile.behaviour,
        behaviour_key=tile.behaviour_key,
    )


def render(view: OverviewView) -> list[object]:
    """The tiles, or an empty / error state, and the page's freshness line."""
    query = urlencode(view.filters.to_query())
    children: list[object] = []
    if view.stale_since is not None:
        children.append(
            error_state(
                f"Cannot reach the quality database — showing data from {format_time(view.stale_since)}. "
                "The page retries by itself."
            )
        )
    if not view.tiles:
        children.append(error_state(" ".join(view.problems)) if view.problems else empty_state("No data for these filters."))
        return children
    if all(t.value is None for t in view.tiles) and not view.stale_since:
        children.append(empty_state("No data for these filters: try a longer period or all plants."))
    children.append(tile_grid([render_tile(t, query) for t in view.tiles]))
    return children


def _content(query: object) -> tuple[list[object], str]:
    """The tiles and the freshness line for the page's filter (re-validated: the store can be forged)."""
    page = page_filters(query if isinstance(query, dict) else {})
    try:
        view = build_overview(page.parsed.filters, get_state().repository, store=get_state().store)
    except DashboardError as error:
        return [error_state(str(error))], ""
    return render(view), f"Data as of {format_time(view.as_of)}; refreshes every {get_state().settings.refresh_interval_s:g} s."


@callback(
    Output(TILES, "children"),
    Output(STATUS, "children"),
    Input(REFRESH, "n_intervals"),
    State(QUERY, "data"),
    prevent_initial_call=True,
)
def update_overview(_refreshes: object, query: object) -> tuple[list[object], str]:
    """The tiles again on every refresh (from the cache until it expires)."""
    return _content(query)
