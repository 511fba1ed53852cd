"""The leadership review: the KPI tiles, a narrative written from the data, and one section per
subject, for a period; frozen into an edition as plain JSON and drawn again from it exactly.

``build_review`` reads the live numbers; ``review_payload`` / ``review_from_payload`` turn a view
into an edition's payload and back, so the page, the presentation and the PDF pack draw a live
review and a frozen edition with the same code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from dashboard.datasets.interface import Repository
from dashboard.filters import Filters
from dashboard.store.interface import AppStore, Edition
from dashboard.views.formatting import format_time
from dashboard.views.overview import KpiTile, build_overview
from dashboard.views.review_data import collect
from dashboard.views.review_narrative import Sentence, narrative
from dashboard.views.review_sections import ReviewSection, ReviewTable, plain_figure, sections

PAYLOAD_VERSION = 1


@dataclasses.dataclass(frozen=True)
class ReviewTile:
    """A KPI tile as the review shows and freezes it (text ready to draw, sparkline as JSON)."""

    kpi_id: str
    name: str
    unit: str
    value: float | None
    value_text: str
    target_text: str
    status_key: str
    status_text: str
    status_icon: str
    delta_text: str
    delta_word: str
    previous_text: str
    detail: str | None
    behaviour: str | None
    behaviour_key: str | None
    direction: str
    definition: str
    owner: str
    cadence: str
    view_path: str
    as_of_text: str
    problem: str | None = None
    stale: bool = False
    sparkline: dict | None = None


@dataclasses.dataclass(frozen=True)
class EditionInfo:
    """Where a frozen review came from."""

    edition_id: int
    created_at: dt.datetime
    created_by: str


@dataclasses.dataclass(frozen=True)
class ReviewView:
    """The review's content. ``query`` is the period and plant as URL parameters."""

    query: dict[str, str]
    period_label: str
    as_of: dt.datetime | None
    tiles: tuple[ReviewTile, ...]
    sentences: tuple[Sentence, ...]
    sections: tuple[ReviewSection, ...]
    grades: dict[str, str]
    problems: tuple[str, ...] = ()
    edition: EditionInfo | None = None
    changes: dict | None = None  # the diff against the edition before, as frozen (see review_editions)

    @property
    def edition_text(self) -> str:
        """'Edition 4' or 'Not frozen (live numbers)'."""
        return f"Edition {self.edition.edition_id}" if self.edition else "Not frozen (live numbers)"

    @property
    def as_of_text(self) -> str:
        """'14:05 UTC, 23 Nov 2026' (a full stamp: packs outlive the day)."""
        if self.as_of is None:
            return "–"
        moment = self.as_of.astimezone(dt.UTC)
        return f"{moment:%H:%M} UTC, {moment:%d %b %Y}"


def period_text(filters: Filters) -> str:
    """'Last 90 days (26 Aug 2026 – 23 Nov 2026) · all plants'."""
    return f"{filters.label()} · {'plant ' + filters.plant_id if filters.plant_id else 'all plants'}"


def _tile(tile: KpiTile) -> ReviewTile:
    return ReviewTile(
        kpi_id=tile.kpi_id,
        name=tile.name,
        unit=tile.unit,
        value=tile.value,
        value_text=tile.value_text,
        target_text=tile.target_text,
        status_key=tile.status.key,
        status_text=tile.status.text,
        status_icon=tile.status.icon,
        delta_text=tile.delta_text,
        delta_word=tile.delta.word,
        previous_text=tile.previous_text,
        detail=tile.detail,
        behaviour=tile.behaviour,
        behaviour_key=tile.behaviour_key,
        direction=tile.direction,
        definition=tile.definition,
        owner=tile.owner,
        cadence=tile.cadence,
        view_path=tile.view_path,
        as_of_text=format_time(tile.as_of),
        problem=tile.problem,
        stale=tile.stale,
        sparkline=plain_figure(tile.sparkline) if tile.sparkline is not None else None,
    )


def build_review(filters: Filters, repo: Repository, store: AppStore | None = None) -> ReviewView:
    """The live review for ``filters``: tiles, narrative and sections (OKRs only with a ``store``)."""
    overview = build_overview(filters, repo, store=store)
    data = collect(filters, repo, store)
    card = data.scorecard
    grades = {} if card is None else {str(s): str(g) for s, g in zip(card["supplier_id"], card["grade"], strict=True) if g}
    times = [t for t in (overview.as_of, data.as_of) if t is not None]
    return ReviewView(
        query=filters.to_query(),
        period_label=period_text(filters),
        as_of=min(times) if times else None,
        tiles=tuple(_tile(t) for t in overview.tiles),
        sentences=narrative(data),
        sections=sections(data),
        grades=grades,
        problems=overview.problems,
    )


def review_payload(view: ReviewView) -> dict[str, Any]:
    """The view as plain JSON data for ``AppStore.add_edition`` (everything needed to draw it again)."""
    return {
        "version": PAYLOAD_VERSION,
        "query": dict(view.query),
        "period_label": view.period_label,
        "as_of": view.as_of.isoformat() if view.as_of else None,
        "tiles": [dataclasses.asdict(t) for t in view.tiles],
        "sentences": [dataclasses.asdict(s) for s in view.sentences],
        "sections": [dataclasses.asdict(s) for s in view.sections],
        "grades": dict(view.grades),
        "problems": list(view.problems),
        "changes": view.changes,
    }


def _section(data: dict) -> ReviewSection:
    tables = tuple(
        ReviewTable(t["title"], tuple(t["columns"]), tuple(tuple(r) for r in t["rows"]), t["empty_text"]) for t in data["tables"]
    )
    return ReviewSection(data["key"], data["title"], data["intro"], tuple(data["figures"]), tables, tuple(data["notes"]))


def review_from_payload(payload: dict[str, Any], edition: Edition | None = None) -> ReviewView:
    """The view an edition's payload was frozen from (``edition`` adds where it came from)."""
    as_of = payload.get("as_of")
    return ReviewView(
        query=dict(payload["query"]),
        period_label=payload["period_label"],
        as_of=dt.datetime.fromisoformat(as_of) if as_of else None,
        tiles=tuple(ReviewTile(**t) for t in payload["tiles"]),
        sentences=tuple(Sentence(**s) for s in payload["sentences"]),
        sections=tuple(_section(s) for s in payload["sections"]),
        grades=dict(payload.get("grades", {})),
        problems=tuple(payload.get("problems", ())),
        edition=EditionInfo(edition.edition_id, edition.created_at, edition.created_by) if edition else None,
        changes=payload.get("changes"),
    )
