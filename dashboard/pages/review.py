"""Leadership review (/review): KPI tiles, a narrative from the data, the subjects' sections;
frozen editions (?edition=N), a diff against the last edition, a PDF pack and a presentation
mode (?present=1; keys in assets/review.js)."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.errors import DashboardError
from dashboard.pages._review_render import diff_summary, pack_progress, render_review
from dashboard.pages._shared import filter_section, page_filters
from dashboard.state import current_user, get_state, write_refusal
from dashboard.views.review import ReviewView, build_review, review_from_payload
from dashboard.views.review_editions import compare_with_latest, freeze_review, payload_digest, stamp

dash.register_page(__name__, path="/review", name="Review", title="Leadership review · Quality dashboard", order=7)

P = "review-"
QUERY, CONTENT, HEADER, SUBTITLE, AS_OF, SHOWN = (P + s for s in ("query", "content", "diff", "subtitle", "as-of", "shown"))
FREEZE, FREEZE_MESSAGE, EXPORT, PACK_JOB, PACK_POLL, PACK_STATUS = (
    P + s for s in ("freeze", "freeze-message", "export", "pack-job", "pack-poll", "pack-status")
)


def _edition(params: dict) -> int | None:
    value = params.get("edition")
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) <= 9 else None


def layout(**params: object) -> html.Div:
    """The page skeleton; the review arrives through :func:`update_review`."""
    page = page_filters(params)
    edition = _edition(params)
    present = params.get("present") == "1"
    query = {**page.parsed.filters.to_query(), **({"edition": str(edition)} if edition else {})}
    live = {k: v for k, v in query.items() if k != "edition"}
    present_href = "/review?" + urlencode({**query, "present": "1"})
    toolbar = html.Div(
        [
            None if edition else dbc.Button("Freeze this edition", id=FREEZE, color="primary", className="me-2"),
            dbc.Button("Export PDF", id=EXPORT, color="secondary", outline=True, className="me-2"),
            html.A("Present", href=present_href, className="btn btn-outline-secondary me-2", id=P + "present-link"),
            dcc.Link("← Live review", href="/review?" + urlencode(live), className="ms-2") if edition else None,
        ],
        className="review-toolbar d-flex align-items-center mb-2",
    )
    return html.Div(
        [
            html.Div(
                [html.H1("Leadership review", className="h3 mb-0 me-3"), html.Span(id=AS_OF, className="small text-muted")],
                className="d-flex align-items-baseline",
            ),
            html.P(id=SUBTITLE, className="text-muted mb-2"),
            None if edition else html.Div(filter_section(page), className="review-filters"),
            toolbar,
            html.Div(id=FREEZE_MESSAGE),
            html.Div(id=PACK_STATUS, className="mb-2"),
            dcc.Store(id=QUERY, data=query),
            dcc.Store(id=SHOWN),
            dcc.Store(id=PACK_JOB),
            dcc.Interval(id=PACK_POLL, interval=1000, disabled=True),
            html.Div(id=HEADER, className="mb-2"),
            dcc.Loading(html.Div(id=CONTENT), type="dot", delay_show=300),
            html.Div(
                [html.Span(id=P + "present-counter", className="me-3"), "→ / Space next · ← back · F full screen · Esc leaves"],
                className="review-present-hint",
            )
            if present
            else None,
        ],
        className="review review-present" if present else "review",
        id=P + "root",
    )


def _with_changes(view: ReviewView) -> tuple[ReviewView, object]:
    """The live view with its diff against the last edition (drawn under "What changed"), and the
    line above the review: the edition's banner, a summary of the diff, or why there is none (a
    store failure is shown, never raised)."""
    if view.edition is not None:
        info = view.edition
        banner = dbc.Alert(
            f"Edition {info.edition_id} · frozen {stamp(info.created_at)} by {info.created_by} · "
            f"data as of {view.as_of_text}. These are the numbers as frozen.",
            color="info",
            className="py-2",
            id=P + "edition-banner",
        )
        return view, banner
    try:
        diff = compare_with_latest(get_state().store, view)
    except DashboardError as error:
        return view, dbc.Alert(f"Editions could not be read: {error}", color="warning", className="py-2")
    if diff is None:
        message = "No edition is frozen yet: freeze this one and the next meeting opens with what changed."
        return view, html.P(message, className="review-diff-summary")
    return dataclasses.replace(view, changes=diff.as_dict()), html.P(diff_summary(diff), className="review-diff-summary")


def _view(query: dict) -> ReviewView:
    """The live review for the page's filter, or the frozen edition it names."""
    state = get_state()
    edition_id = _edition(query)
    if edition_id is not None:
        edition = state.store.edition(edition_id)
        if edition is None:
            raise DashboardError(f"There is no edition {edition_id}; open the live review instead.")
        return review_from_payload(edition.payload, edition)
    return build_review(page_filters(query).parsed.filters, state.repository, state.store)


@callback(
    Output(CONTENT, "children"),
    Output(HEADER, "children"),
    Output(SUBTITLE, "children"),
    Output(AS_OF, "children"),
    Output(SHOWN, "data"),
    Input(QUERY, "data"),
)
def update_review(query: object) -> tuple:
    """Build (or load) the review for the page's parameters (re-validated: the store can be forged)."""
    params = {k: v for k, v in query.items() if isinstance(v, str)} if isinstance(query, dict) else {}
    try:
        view = _view(params)
    except DashboardError as error:
        return [dbc.Alert(str(error), color="danger")], None, "", "", None
    shown = None if view.edition else {"digest": payload_digest(view)}
    view, header = _with_changes(view)
    return render_review(view), header, view.period_label, f"Data as of {view.as_of_text}", shown


@callback(
    Output(FREEZE_MESSAGE, "children"),
    Output(FREEZE, "disabled"),
    Input(FREEZE, "n_clicks"),
    State(QUERY, "data"),
    State(SHOWN, "data"),
    prevent_initial_call=True,
)
def freeze_edition(clicks: object, query: object, shown: object) -> tuple:
    """Freeze the numbers on screen as a new edition (refused when they changed since drawn)."""
    if not clicks or not isinstance(query, dict) or not isinstance(shown, dict):
        return dash.no_update, dash.no_update
    state = get_state()
    if refusal := write_refusal():
        return dbc.Alert(refusal, color="warning", className="py-2"), False
    try:
        view = _view({k: v for k, v in query.items() if isinstance(v, str) and k != "edition"})
        if payload_digest(view) != shown.get("digest"):
            message = (
                "The numbers changed since this page was drawn (the data was read again): reload, check them and freeze again."
            )
            return dbc.Alert(message, color="warning", className="py-2"), False
        edition = freeze_review(state.store, view, current_user())
    except DashboardError as error:
        return dbc.Alert(str(error), color="danger", className="py-2"), False
    link = dcc.Link(
        f"open edition {edition.edition_id}", href=f"/review?{urlencode({**view.query, 'edition': edition.edition_id})}"
    )
    text = f"Frozen as edition {edition.edition_id} (data as of {view.as_of_text}, by {edition.created_by}): "
    return dbc.Alert([text, link, "."], color="success", className="py-2", id=P + "frozen"), True


clientside_callback(
    ClientsideFunction(namespace="review", function_name="start_pack"),
    Output(PACK_JOB, "data"),
    Output(PACK_POLL, "disabled"),
    Input(EXPORT, "n_clicks"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="review", function_name="poll_pack"),
    Output(PACK_JOB, "data", allow_duplicate=True),
    Output(PACK_POLL, "disabled", allow_duplicate=True),
    Input(PACK_POLL, "n_intervals"),
    State(PACK_JOB, "data"),
    prevent_initial_call=True,
)


@callback(Output(PACK_STATUS, "children"), Input(PACK_JOB, "data"))
def update_pack_status(job: object) -> object:
    """The export's steps, its download link, or why it failed."""
    return pack_progress(job)
