"""What every page does with the global filter: parse it, render the bar, sync it to the URL."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, Output, State, dcc, html

from dashboard.components import ids
from dashboard.components.filter_bar import filter_bar, problems_alert
from dashboard.components.kpi_card import error_state
from dashboard.errors import DashboardError, DataUnavailable
from dashboard.filters import PERIODS, Filters, ParsedFilters, parse_filters
from dashboard.state import get_state
from dashboard.views.records import MAX_PAGE, RecordPage

log = logging.getLogger(__name__)
T = TypeVar("T")
UNEXPECTED = (
    "This page could not be built because of an unexpected error, which the server has logged. "
    "Try other filters, or reload later."
)


def built(build: Callable[[], T], fallback: Callable[[object], T], page: str) -> T:
    """``build()`` for a page's layout; when it fails unexpectedly (a bug: expected failures
    already come back as messages), the error is logged and ``fallback(message)`` is shown, so
    the page keeps its filters and says what happened instead of staying blank."""
    try:
        return build()
    except Exception:
        log.exception("Building %s failed", page)
        return fallback(error_state(UNEXPECTED))


def url_text(params: Mapping[str, object], key: str, most: int = 64) -> str | None:
    """A page's URL (or store) parameter as text, trimmed and cut at ``most`` characters; None
    when it is absent, empty or not text (a forged store)."""
    value = params.get(key)
    return value.strip()[:most] or None if isinstance(value, str) else None


def page_query(filters: Filters, params: Mapping[str, object], keys: Iterable[str], most: int = 64) -> dict[str, str]:
    """What a page keeps in its store: the filter's URL parameters and those of its own ``keys``
    that ``params`` holds (unvalidated: the page validates them when it builds)."""
    return {**filters.to_query(), **{k: v for k in keys if (v := url_text(params, k, most))}}


def grid_block(request: object, read: Callable[[int, int, object], RecordPage]) -> dict:
    """One block for a grid's infinite row model: ``read(offset, limit, sort_model)`` for the
    rows the request asks for (sorted and paged in SQL); a forged request or a failure gets an
    empty block, which the grid shows as no rows."""
    if not isinstance(request, dict):
        return dash.no_update
    try:
        start, end = int(request.get("startRow", 0)), int(request.get("endRow", 100))
        page = read(max(0, start), min(MAX_PAGE, max(1, end - start)), request.get("sortModel"))
    except (DashboardError, TypeError, ValueError):
        return {"rowData": [], "rowCount": 0}
    return {"rowData": page.rows, "rowCount": page.total}


@dataclasses.dataclass(frozen=True)
class PageFilters:
    """The parsed filter and the plant options the bar offers."""

    parsed: ParsedFilters
    plants: tuple[tuple[str, str], ...]


def page_filters(params: Mapping[str, object]) -> PageFilters:
    """Parse URL or callback parameters against the plants in the database."""
    state = get_state()
    problems: tuple[str, ...] = ()
    try:
        frame = state.repository.fetch("plants").frame
        plants = tuple(zip(frame["plant_id"], frame["plant_name"], strict=True))
    except DataUnavailable as error:
        plants, problems = (), (str(error),)
    parsed = parse_filters(
        params,
        today=state.settings.today_or_now(),
        plants=[code for code, _ in plants],
        max_span_days=state.settings.max_span_days,
    )
    return PageFilters(dataclasses.replace(parsed, problems=parsed.problems + problems), plants)


def filter_section(page: PageFilters) -> html.Div:
    """The filter bar and any messages about rejected values."""
    filters = page.parsed.filters
    initial = {
        "period": filters.period,
        "start": filters.start_date.isoformat(),
        "end": filters.end_date.isoformat(),
        "plant": filters.plant_id,
    }
    return html.Div(
        [
            dcc.Store(id=ids.FILTER_INITIAL, data=initial),
            filter_bar(
                periods=list(PERIODS.items()),
                period=filters.period,
                start=filters.start_date,
                end=filters.end_date,
                plants=page.plants,
                plant=filters.plant_id,
                today=get_state().settings.today_or_now(),
            ),
            problems_alert(page.parsed.problems),
        ]
    )


FILTER_KEYS = ("period", "start", "end", "plant")


def filters_to_search(period: object, start: object, end: object, plant: object, keep: object = "") -> str:
    """The URL query string for the bar's values (unvalidated: the page validates on load),
    keeping the page's own parameters from ``keep`` (the current query string)."""
    query = {"period": period if isinstance(period, str) else ""}
    if period == "custom":
        query.update(start=str(start or "")[:10], end=str(end or "")[:10])
    if isinstance(plant, str) and plant:
        query["plant"] = plant
    if isinstance(keep, str):
        query.update((k, v) for k, v in parse_qsl(keep.lstrip("?")) if k not in FILTER_KEYS)
    return "?" + urlencode(query)


def with_params(search: object, **params: str | None) -> str:
    """``search`` with ``params`` set (None removes one)."""
    query = dict(parse_qsl(search.lstrip("?"))) if isinstance(search, str) else {}
    for key, value in params.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(query)


def register_shared_callbacks(app: dash.Dash) -> None:
    """Callbacks that belong to the shell rather than to one page."""

    @app.callback(
        Output(ids.URL, "search"),
        Input(ids.FILTER_PERIOD, "value"),
        Input(ids.FILTER_START, "start_date"),
        Input(ids.FILTER_START, "end_date"),
        Input(ids.FILTER_PLANT, "value"),
        State(ids.FILTER_INITIAL, "data"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def update_url_from_filters(
        period: object, start: object, end: object, plant: object, initial: object, current: object
    ) -> str:
        """Push the bar's values into the URL, unless they are what the page was drawn with
        (date pickers report their values on mount; that must not rewrite the URL)."""
        search = filters_to_search(period, start, end, plant, current)
        if isinstance(initial, dict):
            drawn = filters_to_search(
                initial.get("period"), initial.get("start"), initial.get("end"), initial.get("plant"), current
            )
            if search == drawn:
                return dash.no_update
        return search


# A grid column of CAPA numbers whose cells link to the CAPA's own page (the row's ``capa_link``,
# see ``views.records.capa_link``); sorting stays on the number.
CAPA_LINK_COLUMN = {"cellRenderer": "markdown", "valueGetter": {"function": "params.data ? params.data.capa_link : ''"}}

# The badge colour of a CAPA's status (queries.capa.status_on), wherever a CAPA is named.
CAPA_STATUS_COLOURS = {"Open": "primary", "Overdue": "danger", "Closed on time": "success", "Closed late": "warning"}
