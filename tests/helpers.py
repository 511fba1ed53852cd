"""Builders shared by tests: settings and repositories on real databases and caches."""

from __future__ import annotations

import atexit
import datetime as dt
import math
import shutil
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from flask import Flask

from dashboard.config import Settings, settings_from_env
from dashboard.datasets.cache import FrameCache, make_cache
from dashboard.datasets.repository import SqlRepository
from dashboard.factory import build_repository


def store_url_beside(url: str) -> str:
    """An app store next to a SQLite source file, else in a fresh temporary folder (never the
    project's own ``data/app.db``)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database.removeprefix("file:").split("?")[0])
        return f"sqlite:///{path.with_name(path.stem + '-store.db')}"
    folder = tempfile.mkdtemp(prefix="qdash-store-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return f"sqlite:///{Path(folder) / 'store.db'}"


def settings_for(url: str, **env: str) -> Settings:
    """Settings for ``url`` with extra ``DASHBOARD_*`` values given in lower case."""
    values = {"DASHBOARD_DATABASE_URL": url, "DASHBOARD_TODAY": "2026-03-31", "DASHBOARD_STORE_URL": store_url_beside(url)}
    values.update({f"DASHBOARD_{k.upper()}": v for k, v in env.items()})
    return settings_from_env(values)


def repository_for(url: str, **env: str) -> SqlRepository:
    """A repository on ``url`` with its own cache (SimpleCache unless told otherwise)."""
    settings = settings_for(url, **env)
    return build_repository(settings, make_cache(settings, Flask(__name__)))


def frame_cache_for(settings: Settings) -> FrameCache:
    """A frame cache for ``settings``, bound to a throwaway Flask app."""
    return FrameCache(
        make_cache(settings, Flask(__name__)), timeout_s=settings.cache_timeout_s, stale_keep_s=settings.stale_keep_s
    )


def insert_rows(repo: SqlRepository, url: str, insert: Callable[[sa.Connection], None]) -> None:
    """Run ``insert`` on a writable connection to ``url``, the database behind ``repo``
    (the repository's own engine is read-only)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            insert(conn)
    finally:
        engine.dispose()


def repo_url(repo: SqlRepository, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of the ``repo`` fixture's database: its PostgreSQL database or SQLite file."""
    if repo.sources.default_engine.dialect.name == "postgresql":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'q.db'}"


def _plain(key: str, value: Any, date_columns: Collection[str]) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if key in date_columns and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def plain_rows(frame: pd.DataFrame, date_columns: Collection[str]) -> list[dict[str, Any]]:
    """A dataset's rows as plain Python values: SQLite's ISO date text in ``date_columns``
    parsed, timestamps as dates, numpy numbers as Python numbers, missing values as None."""
    return [{key: _plain(key, value, date_columns) for key, value in record.items()} for record in frame.to_dict("records")]


def pick(rows: list[dict[str, Any]], *names: str) -> list[tuple]:
    """The named columns of each row, as tuples."""
    return [tuple(row[name] for name in names) for row in rows]
