"""Shared fixtures: real PostgreSQL and Redis, created per test and cleaned up.

Outside CI a missing service skips the tests that need it; with ``CI=true`` it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({error.__class__.__name__}: {error})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI needs it.")
    pytest.skip(message)


@pytest.fixture(autouse=True, scope="session")
def _numeric_threads_as_in_the_app() -> Iterator[None]:
    """One BLAS/OpenMP thread, as ``create_app`` sets by default, for code called without an app."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's DASHBOARD_* variables."""
    for name in list(os.environ):
        if name.startswith("DASHBOARD_"):
            monkeypatch.delenv(name)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"qdash_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        _unavailable("PostgreSQL", error)
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis; yields its URL. Tests use a unique key prefix (``redis_prefix``)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        _unavailable("Redis", error)
    yield REDIS_URL
    client.close()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A unique key prefix; every key under it is deleted afterwards."""
    import redis

    prefix = f"qdash-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite file in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'quality.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path):
    """A repository on the hand-made data (tests/seed.py), once on SQLite and once on PostgreSQL."""
    from tests.helpers import repository_for
    from tests.seed import seed

    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    repository = repository_for(url)
    yield repository
    repository.sources.dispose()
