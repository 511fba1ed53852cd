"""Wall-screen fragments (``/wall``): big numbers, charts, a small table, a panel and the banner.

Read-only: nothing here is clickable. Status and lateness are always a word and an icon, never
colour alone. Sizes live in ``assets/wall.css`` (vh-based, scoped under ``.wall``).
"""

from __future__ import annotations

from collections.abc import Sequence

from dash import dcc, html

GRAPH_CONFIG = {"staticPlot": True, "displayModeBar": False, "responsive": True}
LATE = "◷ Late"  # a clock from Geometric Shapes: in common fonts, unlike the emoji
STALE = "⚠"


def wall_number(
    *,
    label: str,
    value_text: str,
    note: str = "",
    status_key: str | None = None,
    status_text: str | None = None,
    status_icon: str | None = None,
    as_of_text: str | None = None,
    late: bool = False,
) -> html.Div:
    """A headline number with its label, status (icon and word), a note, and when it was read."""
    status = (
        html.Span(f"{status_icon} {status_text}", className=f"wall-status wall-status-{status_key}")
        if status_key and status_text
        else None
    )
    freshness = None
    if as_of_text:
        freshness = html.Div(
            [html.Span(f"{LATE} · ", className="wall-late-word") if late else None, f"as of {as_of_text}"],
            className="wall-as-of",
        )
    number, unit = split_unit(value_text)
    value = [html.Span(number, className="wall-value" if any(c.isdigit() for c in number) else "wall-value wall-value-words")]
    if unit:
        value.append(html.Span(unit, className="wall-unit"))
    return html.Div(
        [
            html.Div([html.Span(label, className="wall-number-label"), status], className="wall-number-head"),
            html.Div(value, className="wall-number-main"),
            html.Div(note, className="wall-note") if note else None,
            freshness,
        ],
        className=f"wall-number wall-number-{status_key or 'none'}" + (" wall-is-late" if late else ""),
    )


def split_unit(value_text: str) -> tuple[str, str]:
    """'1,164 DPMO' → ('1,164', 'DPMO'), '97.4 %' → ('97.4', '%'); words and bare numbers stay whole."""
    head, _, tail = value_text.partition(" ")
    if tail and any(c.isdigit() for c in head) and not any(c.isdigit() for c in tail):
        return head, tail
    return value_text, ""


def wall_chart(*, title: str, figure: dict, graph_id: str) -> html.Div:
    """A chart filling its box, with a caption above it."""
    return html.Div(
        [
            html.Div(title, className="wall-chart-title"),
            dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, responsive=True, className="wall-graph"),
        ],
        className="wall-chart",
    )


def wall_table(*, title: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, str]]) -> html.Div:
    """A small read-only table with a caption."""
    head = html.Thead(html.Tr([html.Th(header, className=f"wall-col-{key}") for key, header in columns]))
    body = html.Tbody([html.Tr([html.Td(row.get(key, ""), className=f"wall-col-{key}") for key, _ in columns]) for row in rows])
    return html.Div(
        [html.Div(title, className="wall-chart-title"), html.Table([head, body], className="wall-table")],
        className="wall-table-box",
    )


def wall_panel(
    *,
    panel_id: str,
    title: str,
    scope: str,
    freshness: str,
    late: bool,
    stale: bool,
    numbers: Sequence[html.Div] = (),
    charts: Sequence[html.Div] = (),
    table: html.Div | None = None,
    message: str | None = None,
) -> html.Section:
    """One view of the playlist: a caption line (view, scope, freshness) above its content."""
    state = "late" if late else "stale" if stale else "fresh"
    prefix = f"{LATE} · " if late else f"{STALE} " if stale else ""
    header = html.Header(
        [
            html.H2(title, className="wall-panel-title"),
            html.Span(scope, className="wall-scope"),
            html.Span(prefix + freshness, className=f"wall-freshness wall-freshness-{state}"),
        ],
        className="wall-panel-header",
    )
    content: list[object] = []
    if message:
        content.append(html.Div(f"✕ {message}", className="wall-message", role="status"))
    if numbers:
        content.append(html.Div(list(numbers), className=f"wall-numbers wall-numbers-{min(len(numbers), 12)}"))
    if table is not None or charts:
        content.append(
            html.Div(
                [table, *charts] if table is not None else list(charts),
                className=f"wall-charts wall-charts-{len(charts) + (table is not None)}",
            )
        )
    return html.Section(
        [header, html.Div(content, className="wall-panel-body")], id=panel_id, className=f"wall-panel wall-panel-{state}"
    )


def wall_banner(text: str | None) -> list[object]:
    """The banner's children: a warning with icon and words, or nothing."""
    return [html.Span("⚠ ", **{"aria-hidden": "true"}), text] if text else []


def wall_dots(titles: Sequence[str]) -> list[html.Span]:
    """The playlist in the footer; the one on screen is marked by CSS (``wall-show-N``)."""
    return [html.Span(title, className="wall-dot") for title in titles]
