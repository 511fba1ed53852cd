"""The small demo data (ending 2026-11-23), written once per run and only read by view tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from dashboard.datasets.repository import SqlRepository
from dashboard.sources.demo import write_demo
from tests.helpers import repository_for

DEMO_END = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with the small demo data; tests must not write to it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'quality.db'}"
    write_demo(url, "small", end_date=DEMO_END, progress=False)
    return url


@pytest.fixture(scope="module")
def demo_repo(demo_url: str) -> Iterator[SqlRepository]:
    """A repository on the demo data with today at its last day and a cache of its own."""
    repository = repository_for(demo_url, today=DEMO_END.isoformat())
    yield repository
    repository.sources.dispose()
