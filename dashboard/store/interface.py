"""What views may know of the app store: value objects in, value objects out (no SQLAlchemy)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

ANONYMOUS = "anonymous"
COMMENT_MAX_CHARS = 1000
AUTHOR_MAX_CHARS = 100


@dataclasses.dataclass(frozen=True)
class CheckinEntry:
    """A validated check-in, ready to write."""

    key_result_id: str
    checkin_date: dt.date
    value: float
    confidence: int | None
    comment: str | None
    author: str = ANONYMOUS


@dataclasses.dataclass(frozen=True)
class StoredCheckin(CheckinEntry):
    """A check-in as written, with its id and the time it was recorded."""

    checkin_id: int = 0
    recorded_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class Edition:
    """A frozen set of review numbers (``payload`` is plain JSON data)."""

    edition_id: int
    period_query: str
    period_label: str
    as_of: dt.datetime
    created_at: dt.datetime
    created_by: str
    payload: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class DisplayToken:
    """A read-only display link's record (the token itself is never stored)."""

    token_id: int
    label: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


class AppStore(Protocol):
    """The dashboard's own database. Every write is one transaction; a failure raises
    ``StoreUnavailable`` (nothing half-written) and the caller keeps the user's input."""

    def add_checkin(self, entry: CheckinEntry) -> StoredCheckin:
        """Write one check-in."""
        ...

    def checkins(self, key_result_ids: Sequence[str]) -> list[StoredCheckin]:
        """The recorded check-ins of these key results, oldest first."""
        ...

    def add_edition(
        self, period_query: str, period_label: str, as_of: dt.datetime, payload: dict[str, Any], created_by: str
    ) -> Edition:
        """Freeze a review's numbers."""
        ...

    def edition(self, edition_id: int) -> Edition | None:
        """One edition, or None."""
        ...

    def latest_editions(self, limit: int = 10) -> list[Edition]:
        """The newest editions first."""
        ...

    def create_display_token(self, label: str, created_by: str) -> tuple[DisplayToken, str]:
        """A new display link's record and its secret token (shown once)."""
        ...

    def display_token_valid(self, token: str) -> bool:
        """Whether ``token`` is a display link that has not been revoked."""
        ...

    def revoke_display_token(self, token_id: int) -> bool:
        """Revoke a display link; False when there is no such link."""
        ...

    def display_tokens(self) -> list[DisplayToken]:
        """Every display link, newest first."""
        ...
