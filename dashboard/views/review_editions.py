"""Review editions: freeze what the meeting saw, and open the next meeting with what changed since.

The diff compares two reviews as people read them: a KPI whose shown value (or status) moved
("Defects per million opportunities 412 DPMO → 380 DPMO"), a supplier whose grade moved
("supplier S017 B → C"), and the narrative's new and dropped sentences, matched by what each
sentence is about (its key), not by its numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from urllib.parse import urlencode

from dashboard.store.interface import AppStore, Edition
from dashboard.views.review import ReviewView, review_from_payload, review_payload

COMPARABLE_EDITIONS = 50  # the newest editions searched for one of the same plant scope


@dataclasses.dataclass(frozen=True)
class EditionDiff:
    """What changed between an earlier edition and a review."""

    edition_id: int
    created_text: str
    kpis: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        """True when nothing moved."""
        return not (self.kpis or self.grades or self.new or self.dropped)

    def as_dict(self) -> dict:
        """Plain JSON data (frozen with the next edition)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> EditionDiff:
        """The diff :meth:`as_dict` wrote."""
        return cls(
            int(data["edition_id"]),
            str(data["created_text"]),
            *(tuple(data.get(k, ())) for k in ("kpis", "grades", "new", "dropped")),
        )


def stamp(moment: dt.datetime) -> str:
    """'23 Nov 2026 14:05 UTC'."""
    return f"{moment.astimezone(dt.UTC):%d %b %Y %H:%M} UTC"


def diff_reviews(previous: ReviewView, current: ReviewView) -> EditionDiff:
    """What moved from ``previous`` (a frozen edition) to ``current``."""
    if previous.edition is None:
        raise ValueError("the earlier review must be a frozen edition")
    before = {t.kpi_id: t for t in previous.tiles}
    kpis = []
    for tile in current.tiles:
        old = before.get(tile.kpi_id)
        if old is None:
            continue
        status = f" ({old.status_text} → {tile.status_text})" if old.status_key != tile.status_key else ""
        if old.value_text != tile.value_text or status:
            kpis.append(f"{tile.name} {old.value_text} → {tile.value_text}{status}")
    grades = [
        f"supplier {supplier} {previous.grades[supplier]} → {grade}"
        for supplier, grade in sorted(current.grades.items())
        if supplier in previous.grades and previous.grades[supplier] != grade
    ]
    real = {"problem", "none"}
    old_keys = {s.key: s for s in previous.sentences if s.source not in real}
    new_keys = {s.key: s for s in current.sentences if s.source not in real}
    info = previous.edition
    return EditionDiff(
        edition_id=info.edition_id,
        created_text=f"frozen {stamp(info.created_at)} by {info.created_by}",
        kpis=tuple(kpis),
        grades=tuple(grades),
        new=tuple(s.text for k, s in new_keys.items() if k not in old_keys),
        dropped=tuple(s.text for k, s in old_keys.items() if k not in new_keys),
    )


def latest_comparable(store: AppStore, view: ReviewView) -> Edition | None:
    """The newest edition of the same plant scope, older than ``view`` when that is an edition.
    Raises ``StoreUnavailable`` when the store cannot be read."""
    plant = view.query.get("plant")
    for edition in store.latest_editions(COMPARABLE_EDITIONS):
        if view.edition is not None and edition.edition_id >= view.edition.edition_id:
            continue
        if edition.payload.get("query", {}).get("plant") == plant:
            return edition
    return None


def compare_with_latest(store: AppStore, view: ReviewView) -> EditionDiff | None:
    """The diff against the latest comparable edition, or None when there is none."""
    edition = latest_comparable(store, view)
    if edition is None:
        return None
    return diff_reviews(review_from_payload(edition.payload, edition), view)


def payload_digest(view: ReviewView) -> str:
    """A fingerprint of the numbers a review shows (to check a freeze saves what was on screen)."""
    payload = review_payload(dataclasses.replace(view, changes=None, edition=None))
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def freeze_review(store: AppStore, view: ReviewView, created_by: str, now: dt.datetime | None = None) -> Edition:
    """Write ``view`` as a new edition, with its diff against the edition before it.
    Raises ``StoreUnavailable`` (nothing written) when the store fails."""
    diff = compare_with_latest(store, view)
    frozen = dataclasses.replace(view, changes=diff.as_dict() if diff else None, edition=None)
    as_of = view.as_of or now or dt.datetime.now(dt.UTC)
    return store.add_edition(urlencode(view.query), view.period_label[:100], as_of, review_payload(frozen), created_by)
