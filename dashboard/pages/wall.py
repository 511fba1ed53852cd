"""Wall mode (/wall): a screen nobody touches. The URL sets the playlist of views (with their
filters), the dwell time, the refresh interval and the theme; see :mod:`dashboard.views.wall`.

Rotation is client-side (a ``dcc.Interval`` switches a CSS class: no server call); the data
refresh is one callback per screen per interval, served from the shared cache. ``assets/wall.js``
hides the navigation bar before the first paint, and reloads the page when the server's build
changes or its callbacks keep failing after an outage.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import ClientsideFunction, Input, Output, State, callback, dcc, html

from dashboard.components.wall import wall_banner, wall_chart, wall_dots, wall_number, wall_panel, wall_table
from dashboard.state import get_state
from dashboard.views.formatting import format_time
from dashboard.views.wall import WallPanelView, WallView, build_wall, style_for
from dashboard.views.wall_panels import load_wall_panels
from dashboard.views.wall_url import WallConfig, jittered_interval_ms, parse_wall

dash.register_page(__name__, path="/wall", name="Wall", title="Wall · Quality dashboard")

P = "wall-"
ROOT, CONFIG, VIEWPORT, DWELL, REFRESH, BANNER, DECK, NOTES = (
    P + s for s in ("root", "config", "viewport", "dwell", "refresh", "banner", "deck", "notes")
)
MAX_NOTES = 3


def _config(query: object) -> WallConfig:
    params = query if isinstance(query, dict) else {}
    return parse_wall(params, panels=load_wall_panels(), min_refresh_s=get_state().settings.refresh_interval_s)


def _caption(config: WallConfig, problems: tuple[str, ...]) -> list[object]:
    count = len(config.entries)
    rotation = f"{count} views, {config.dwell_s:g} s each" if count > 1 else "1 view"
    parts: list[object] = [f"{rotation} · {config.refresh_text()}"]
    if problems:
        more = f" (and {len(problems) - MAX_NOTES} more)" if len(problems) > MAX_NOTES else ""
        parts.append(html.Span(" · ⚠ " + " · ".join(problems[:MAX_NOTES]) + more, className="wall-problems"))
    return parts


def layout(**params: object) -> html.Div:
    """The screen's skeleton; the panels arrive through :func:`update_wall`."""
    config = _config(params)
    panels = load_wall_panels()
    titles = [panels.get(e.view).title for e in config.entries]  # type: ignore[union-attr]
    dwell_ms, refresh_ms = int(config.dwell_s * 1000), jittered_interval_ms(config.refresh_s)
    waiting = [
        wall_panel(panel_id=f"{P}panel-{i}", title=t, scope="", freshness="reading the data…", late=False, stale=False)
        for i, t in enumerate(titles)
    ]
    return html.Div(
        [
            dcc.Store(id=CONFIG, data={"query": params, "count": len(config.entries)}),
            dcc.Store(id=VIEWPORT),
            dcc.Interval(id=DWELL, interval=dwell_ms, disabled=len(config.entries) < 2),
            dcc.Interval(id=REFRESH, interval=refresh_ms),
            html.Div(id=BANNER, className="wall-banner", role="status"),
            html.Div(waiting, id=DECK, className="wall-deck"),
            html.Footer(
                [
                    html.Div(wall_dots(titles), className="wall-dots"),
                    html.Div(_caption(config, config.problems), id=NOTES, className="wall-notes"),
                ],
                className="wall-footer",
            ),
        ],
        id=ROOT,
        className=f"wall wall-{config.theme} wall-show-0",
        **{
            "data-dwell-ms": str(dwell_ms),
            "data-refresh-ms": str(refresh_ms),
            "data-poll-ms": str(int(min(max(config.refresh_s, 5.0), 15.0) * 1000)),  # /version, by assets/wall.js
            "data-views": str(len(config.entries)),
        },
    )


def render_panel(index: int, panel: WallPanelView) -> html.Section:
    """A view's panel as components."""
    content = panel.content
    numbers = [
        wall_number(
            label=n.label,
            value_text=n.value_text,
            note=n.note,
            status_key=n.status.key if n.status else None,
            status_text=n.status.text if n.status else None,
            status_icon=n.status.icon if n.status else None,
            as_of_text=format_time(n.as_of) if n.as_of else None,
            late=n.late,
        )
        for n in content.numbers
    ]
    charts = [wall_chart(title=c.title, figure=c.figure, graph_id=f"{P}chart-{index}-{j}") for j, c in enumerate(content.charts)]
    table = content.table
    freshness = f"as of {format_time(panel.as_of)}" if panel.as_of else "no data read yet"
    if panel.stale_since:
        freshness += " (last good copy)"
    elif panel.late and not panel.late_feeds:
        freshness += f", older than its {panel.cadence} cadence"
    if panel.late_feeds:
        freshness += " · late data, newest: " + ", ".join(panel.late_feeds)
    return wall_panel(
        panel_id=f"{P}panel-{index}",
        title=panel.title,
        scope=panel.scope,
        freshness=freshness,
        late=panel.late,
        stale=panel.stale_since is not None,
        numbers=numbers,
        charts=charts,
        table=wall_table(title=table.title, columns=table.columns, rows=table.rows) if table else None,
        message=panel.error,
    )


def banner_text(view: WallView) -> str | None:
    """The stale banner, while any panel shows a last good copy."""
    if view.stale_since is None:
        return None
    return (
        f"Stale since {format_time(view.stale_since)}: cannot reach the quality database, "
        "showing the last good data. This screen retries by itself."
    )


@callback(
    Output(DECK, "children"),
    Output(BANNER, "children"),
    Output(NOTES, "children"),
    Input(VIEWPORT, "data"),
    State(CONFIG, "data"),
)
def update_wall(viewport: object, stored: object) -> tuple[list[object], list[object], list[object]]:
    """Every panel of the playlist (re-validated: the store can be forged), read through the cache."""
    state = get_state()
    config = _config(stored.get("query") if isinstance(stored, dict) else None)
    view = build_wall(
        config,
        state.repository,
        today=state.settings.today_or_now(),
        max_span_days=state.settings.max_span_days,
        now=dt.datetime.now(dt.UTC),
        style=style_for(viewport, config.dark),
        panels=load_wall_panels(),
    )
    panels = [render_panel(i, p) for i, p in enumerate(view.panels)]
    return panels, wall_banner(banner_text(view)), _caption(config, view.problems)


dash.clientside_callback(
    ClientsideFunction("wall", "rotate"),
    Output(ROOT, "className"),
    Input(DWELL, "n_intervals"),
    State(ROOT, "className"),
    State(CONFIG, "data"),
)
dash.clientside_callback(ClientsideFunction("wall", "viewport"), Output(VIEWPORT, "data"), Input(REFRESH, "n_intervals"))
