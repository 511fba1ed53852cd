"""Dash components of the review page, drawn from a :class:`ReviewView` (live or frozen alike)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.kpi_card import kpi_card, tile_grid
from dashboard.views.review import ReviewTile, ReviewView
from dashboard.views.review_editions import EditionDiff
from dashboard.views.review_narrative import Sentence
from dashboard.views.review_sections import ReviewSection, ReviewTable

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False}
TONE_MARKS = {"worse": "▼", "better": "▲", "problem": "⚠", "neutral": "•", "none": "•"}
TONE_WORDS = {"worse": "worse", "better": "better", "problem": "problem"}


def _tile(tile: ReviewTile, query: str) -> dbc.Card:
    return kpi_card(
        kpi_id=tile.kpi_id,
        title=tile.name,
        value_text=tile.value_text,
        target_text=tile.target_text,
        status_key=tile.status_key,
        status_text=tile.status_text,
        status_icon=tile.status_icon,
        delta_text=tile.delta_text,
        delta_word=tile.delta_word,
        previous_text=tile.previous_text,
        detail=tile.detail,
        as_of_text=tile.as_of_text,
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


def _sentence(sentence: Sentence) -> html.Li:
    mark = html.Span(
        TONE_MARKS.get(sentence.tone, "•") + " ",
        className=f"review-tone review-tone-{sentence.tone}",
        title=TONE_WORDS.get(sentence.tone, ""),
    )
    children: list = [mark, sentence.text]
    if sentence.href:
        label = "Show →"
        link = html.A(label, href=sentence.href) if "#" in sentence.href else dcc.Link(label, href=sentence.href)
        children += [" ", html.Span(link, className="review-link")]
    return html.Li(children, className=f"review-sentence review-sentence-{sentence.tone}", **{"data-key": sentence.key})


def changes_block(diff: EditionDiff | None, heading: str = "Since edition") -> html.Div | None:
    """The changes since an earlier edition, as a short list."""
    if diff is None:
        return None
    head = html.Strong(f"{heading} {diff.edition_id}")
    note = html.Span(f" ({diff.created_text})", className="text-muted")
    if diff.unchanged:
        return html.Div([head, note, ": nothing changed."], className="review-changes")
    items = [*diff.kpis, *diff.grades, *(f"New: {t}" for t in diff.new), *(f"Dropped: {t}" for t in diff.dropped)]
    return html.Div([head, note, html.Ul([html.Li(i) for i in items], className="mb-0")], className="review-changes")


def diff_summary(diff: EditionDiff) -> str:
    """One line on what moved since an edition (the list itself is under "What changed")."""
    head = f"Since edition {diff.edition_id} ({diff.created_text})"
    if diff.unchanged:
        return f"{head}: nothing changed."
    counts = [
        (len(diff.kpis), "KPI value", "KPI values"),
        (len(diff.grades), "supplier grade", "supplier grades"),
        (len(diff.new), "new sentence", "new sentences"),
        (len(diff.dropped), "dropped sentence", "dropped sentences"),
    ]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return f"{head}: {', '.join(parts)} — listed under What changed."


def _table(table: ReviewTable) -> html.Div:
    if not table.rows:
        return html.Div([html.H3(table.title, className="h6"), html.P(table.empty_text, className="text-muted")])
    return html.Div(
        [
            html.H3(table.title, className="h6 mt-3"),
            dbc.Table(
                [
                    html.Thead(html.Tr([html.Th(c) for c in table.columns])),
                    html.Tbody([html.Tr([html.Td(c) for c in row]) for row in table.rows]),
                ],
                size="sm",
                striped=True,
                className="review-table",
            ),
        ]
    )


def _section(section: ReviewSection) -> html.Section:
    children: list = [html.H2(section.title, className="h4")]
    if section.intro:
        children.append(html.P(section.intro))
    children += [dcc.Graph(figure=f, config=GRAPH_CONFIG, className="review-graph") for f in section.figures if f]
    children += [_table(t) for t in section.tables]
    children += [html.P(n, className="small text-muted") for n in section.notes]
    return html.Section(children, id=f"review-section-{section.key}", className="review-section")


def render_review(view: ReviewView) -> list:
    """Every section of the review: KPI tiles, the narrative, then one per subject."""
    query = urlencode(view.query)
    problems = [dbc.Alert(p, color="warning", className="py-2") for p in view.problems]
    frozen = changes_block(EditionDiff.from_dict(view.changes)) if view.changes else None
    return [
        html.Section(
            [html.H2("KPIs", className="h4"), *problems, tile_grid([_tile(t, query) for t in view.tiles])],
            id="review-section-summary",
            className="review-section",
        ),
        html.Section(
            [
                html.H2("What changed", className="h4"),
                frozen,
                html.Ul([_sentence(s) for s in view.sentences], id="review-narrative", className="review-narrative"),
            ],
            id="review-section-narrative",
            className="review-section",
        ),
        *(_section(s) for s in view.sections),
    ]


PACK_STEPS = ("Collecting numbers", "Drawing charts", "Printing")


def pack_progress(state: object) -> object:
    """The export's progress: its steps with the current one marked, the link, or the failure."""
    if not isinstance(state, dict) or not state.get("state"):
        return None
    if state["state"] == "failed":
        return dbc.Alert(str(state.get("message", "The pack could not be made."))[:300], color="danger", className="py-2 mb-0")
    if state["state"] == "done" and isinstance(state.get("href"), str) and state["href"].startswith("/review/pack/"):
        return dbc.Alert(
            ["The meeting pack is ready: ", html.A("download the PDF", href=state["href"], id="review-pack-link")],
            color="success",
            className="py-2 mb-0",
        )
    step = state.get("step") if isinstance(state.get("step"), int) else 0
    steps = []
    for number, name in enumerate(PACK_STEPS, start=1):
        css = "fw-bold" if number == step else "text-muted" if number > step else "text-success"
        steps += [html.Span(("✓ " if number < step else "") + name, className=css), " → " if number < len(PACK_STEPS) else ""]
    return html.Div(
        [dbc.Progress(value=max(5, 100 * (step - 0.5) / len(PACK_STEPS)), striped=True, animated=True, className="mb-1"), *steps],
        id="review-pack-steps",
        className="small",
    )
