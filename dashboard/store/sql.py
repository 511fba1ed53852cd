"""``SqlAppStore``: the app store on any SQLAlchemy database (SQLite by default, PostgreSQL in
production). Every write runs in one transaction; failures are logged with their cause and
raised as :class:`StoreUnavailable` with a sentence the user can act on."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dashboard.errors import StoreUnavailable
from dashboard.store.interface import CheckinEntry, DisplayToken, Edition, StoredCheckin
from dashboard.store.tables import checkins, display_tokens, editions

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")


def make_store_engine(url: str, timeout_s: float = 5.0) -> Engine:
    """An engine for the app store: pings before use, bounded waits; SQLite in WAL mode so
    readers never block a writer and a second writer waits up to ``timeout_s``."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        database = make_url(url).database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, pool_pre_ping=True, connect_args={"check_same_thread": False, "timeout": timeout_s})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            dbapi_connection.execute("PRAGMA synchronous = FULL")

        return engine
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_timeout": timeout_s}
    if backend == "postgresql":
        kwargs["connect_args"] = {
            "connect_timeout": max(1, int(timeout_s)),
            "options": f"-c statement_timeout={int(timeout_s * 1000)}",
            "application_name": "quality-dashboard-store",
        }
    return create_engine(url, **kwargs)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; the store writes UTC only."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


class SqlAppStore:
    """The app store (see ``dashboard.store.interface.AppStore``)."""

    def __init__(self, url: str, *, timeout_s: float = 5.0, clock: Callable[[], dt.datetime] | None = None) -> None:
        self._engine = make_store_engine(url, timeout_s)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    @property
    def engine(self) -> Engine:
        """The store's engine (migrations, tests)."""
        return self._engine

    def dispose(self) -> None:
        """Close pooled connections."""
        self._engine.dispose()

    # -- schema ---------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Migrate the schema to the newest revision (a no-op when it is there already)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        """The schema's current revision (None for an empty database)."""
        with self._engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def head() -> str:
        """The newest revision this code knows."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return ScriptDirectory.from_config(config).get_current_head() or ""

    def _run(self, action: str, work: Callable[[Any], T], write: bool = True) -> T:
        try:
            if write:
                with self._engine.begin() as connection:
                    return work(connection)
            with self._engine.connect() as connection:
                return work(connection)
        except (SQLAlchemyError, DBAPIError) as error:
            log.error("App store: %s failed: %s", action, str(getattr(error, "orig", error)).splitlines()[0][:300])
            verb = "save" if write else "read"
            raise StoreUnavailable(
                f"Could not {verb} {action}: the dashboard's own database did not answer. "
                + ("Your entry is still in the form; try again in a moment." if write else "Try again in a moment.")
            ) from error

    # -- check-ins --------------------------------------------------------------------------
    def add_checkin(self, entry: CheckinEntry) -> StoredCheckin:
        """Write one check-in in its own transaction."""
        recorded_at = self._clock()

        def work(connection: Any) -> StoredCheckin:
            values = {
                "key_result_id": entry.key_result_id,
                "checkin_date": entry.checkin_date,
                "value": float(entry.value),
                "confidence": entry.confidence,
                "comment": entry.comment,
                "author": entry.author,
                "recorded_at": recorded_at,
            }
            checkin_id = connection.execute(insert(checkins).values(**values).returning(checkins.c.checkin_id)).scalar_one()
            return StoredCheckin(**{**values, "checkin_id": checkin_id})

        return self._run("the check-in", work)

    def checkins(self, key_result_ids: Sequence[str]) -> list[StoredCheckin]:
        """Recorded check-ins of ``key_result_ids``, by date then recording order."""
        if not key_result_ids:
            return []
        statement = (
            select(checkins)
            .where(checkins.c.key_result_id.in_(list(key_result_ids)))
            .order_by(checkins.c.checkin_date, checkins.c.checkin_id)
        )

        def work(connection: Any) -> list[StoredCheckin]:
            rows = connection.execute(statement).mappings().all()
            return [StoredCheckin(**{**row, "recorded_at": _aware(row["recorded_at"])}) for row in rows]

        return self._run("check-ins", work, write=False)

    # -- review editions ----------------------------------------------------------------------
    def add_edition(
        self, period_query: str, period_label: str, as_of: dt.datetime, payload: dict[str, Any], created_by: str
    ) -> Edition:
        """Freeze a review's numbers as a new edition."""
        created_at = self._clock()
        body = json.dumps(payload, sort_keys=True, default=str)

        def work(connection: Any) -> Edition:
            values = {
                "period_query": period_query,
                "period_label": period_label,
                "as_of": as_of,
                "created_at": created_at,
                "created_by": created_by,
                "payload": body,
            }
            edition_id = connection.execute(insert(editions).values(**values).returning(editions.c.edition_id)).scalar_one()
            return Edition(edition_id, period_query, period_label, as_of, created_at, created_by, json.loads(body))

        return self._run("the review edition", work)

    @staticmethod
    def _edition(row: Any) -> Edition:
        return Edition(
            row["edition_id"],
            row["period_query"],
            row["period_label"],
            _aware(row["as_of"]),
            _aware(row["created_at"]),
            row["created_by"],
            json.loads(row["payload"]),
        )

    def edition(self, edition_id: int) -> Edition | None:
        """One edition, or None."""

        def work(connection: Any) -> Edition | None:
            row = connection.execute(select(editions).where(editions.c.edition_id == edition_id)).mappings().first()
            return self._edition(row) if row else None

        return self._run("the review edition", work, write=False)

    def latest_editions(self, limit: int = 10) -> list[Edition]:
        """The newest editions first."""

        def work(connection: Any) -> list[Edition]:
            rows = connection.execute(select(editions).order_by(editions.c.edition_id.desc()).limit(limit)).mappings()
            return [self._edition(row) for row in rows]

        return self._run("review editions", work, write=False)

    # -- display links --------------------------------------------------------------------------
    def create_display_token(self, label: str, created_by: str) -> tuple[DisplayToken, str]:
        """A new read-only display link; the secret is returned once and only its hash kept."""
        token = secrets.token_urlsafe(24)
        created_at = self._clock()

        def work(connection: Any) -> DisplayToken:
            token_id = connection.execute(
                insert(display_tokens)
                .values(token_hash=_hash(token), label=label, created_at=created_at, created_by=created_by)
                .returning(display_tokens.c.token_id)
            ).scalar_one()
            return DisplayToken(token_id, label, created_at, created_by, None)

        return self._run("the display link", work), token

    def display_token_valid(self, token: str) -> bool:
        """Whether ``token`` is a display link that has not been revoked."""
        if not token:
            return False
        statement = select(display_tokens.c.token_id).where(
            display_tokens.c.token_hash == _hash(token), display_tokens.c.revoked_at.is_(None)
        )
        return self._run("display links", lambda c: c.execute(statement).first() is not None, write=False)

    def revoke_display_token(self, token_id: int) -> bool:
        """Revoke a display link; False when there is no such (unrevoked) link."""
        statement = (
            update(display_tokens)
            .where(display_tokens.c.token_id == token_id, display_tokens.c.revoked_at.is_(None))
            .values(revoked_at=self._clock())
        )
        return self._run("the display link", lambda c: c.execute(statement).rowcount == 1)

    def display_tokens(self) -> list[DisplayToken]:
        """Every display link, newest first."""

        def work(connection: Any) -> list[DisplayToken]:
            rows = connection.execute(select(display_tokens).order_by(display_tokens.c.token_id.desc())).mappings()
            return [
                DisplayToken(r["token_id"], r["label"], _aware(r["created_at"]), r["created_by"], _aware(r["revoked_at"]))
                for r in rows
            ]

        return self._run("display links", work, write=False)
