"""Engines for the read-only quality sources.

Every engine pings connections before use, waits a bounded time for a pooled connection,
and stops a statement after ``statement_timeout_s``: PostgreSQL through its
``statement_timeout`` (and read-only transactions), SQLite through a progress handler
(and ``query_only``). Other databases get the pool settings only.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url

from dashboard.config import Settings

_SQLITE_CHECK_EVERY = 20_000  # SQLite virtual-machine steps between deadline checks


def make_source_engine(url: str, settings: Settings) -> Engine:
    """An engine for reading a quality source at ``url`` with the settings' timeouts."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, settings)
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_timeout": settings.pool_timeout_s}
    if backend == "postgresql":
        statement_ms = int(settings.statement_timeout_s * 1000)
        kwargs["connect_args"] = {
            "connect_timeout": max(1, int(settings.pool_timeout_s)),
            # No JIT: it pays off for queries that run for many seconds. A dashboard's run for
            # milliseconds, and compiling one whose estimated cost crosses jit_above_cost took
            # 3.6 s on 2 CPUs (the CAPA effects query: 0.3 s to run).
            "options": f"-c statement_timeout={statement_ms} -c default_transaction_read_only=on -c jit=off",
            "application_name": "quality-dashboard",
        }
        kwargs["pool_size"] = 5
        kwargs["max_overflow"] = 5
    elif backend == "duckdb":
        kwargs.pop("pool_timeout")
    return create_engine(url, **kwargs)


def _read_only_sqlite_url(url: str) -> str:
    """Open a SQLite file read-only (a missing file is an error, not a new empty database)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return url
    readonly = parsed.set(database=f"file:{database}?mode=ro", query={**parsed.query, "uri": "true"})
    return readonly.render_as_string(hide_password=False)


def _sqlite_engine(url: str, settings: Settings) -> Engine:
    engine = create_engine(
        _read_only_sqlite_url(url),
        pool_pre_ping=True,
        pool_timeout=settings.pool_timeout_s,
        connect_args={"check_same_thread": False, "timeout": settings.pool_timeout_s},
    )
    limit = settings.statement_timeout_s

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    @event.listens_for(engine, "before_cursor_execute")
    def _start_deadline(conn: Any, _cursor: Any, *_args: Any) -> None:
        deadline = time.monotonic() + limit
        raw = conn.connection.dbapi_connection
        # A non-zero return from the handler interrupts the statement ("interrupted").
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _SQLITE_CHECK_EVERY)

    @event.listens_for(engine, "after_cursor_execute")
    def _clear_deadline(conn: Any, *_args: Any) -> None:
        conn.connection.dbapi_connection.set_progress_handler(None, 0)

    return engine
