"""Streaming a large dataset in chunks (exports): real databases, connection released."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.drill import DefectSlice
from dashboard.errors import DataUnavailable, InvalidFilter
from dashboard.filters import Filters
from tests.helpers import repository_for

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_stream_yields_every_row_in_order_and_releases_the_connection(repo) -> None:
    stream = repo.stream("defect_export", MARCH, slice=DefectSlice(), sort="defect_count", descending=True)
    assert stream.columns[:3] == ("defect_id", "defect_date", "plant_id")
    rows = [row for chunk in stream.chunks for row in chunk]
    assert [row[stream.columns.index("defect_count")] for row in rows] == [30, 10]
    assert isinstance(rows[0][1], dt.date)
    assert repo.sources.default_engine.pool.checkedout() == 0


def test_closing_a_stream_before_reading_releases_the_connection(repo) -> None:
    stream = repo.stream("defect_export", MARCH, slice=DefectSlice(), sort="defect_date", descending=False)
    assert repo.sources.default_engine.pool.checkedout() == 1
    stream.close()
    stream.close()  # twice is harmless
    assert repo.sources.default_engine.pool.checkedout() == 0


def test_stream_is_not_cached_and_counts_as_a_query(repo) -> None:
    before = repo.queries_run
    for _ in range(2):
        stream = repo.stream("defect_export", MARCH, slice=DefectSlice(), sort="defect_date", descending=False)
        list(stream.chunks)
    assert repo.queries_run == before + 2


def test_unknown_dataset_and_bad_params_are_refused(repo) -> None:
    with pytest.raises(InvalidFilter):
        repo.stream("no_such_dataset", MARCH)
    with pytest.raises(InvalidFilter):
        repo.stream("defect_export", MARCH, slice=DefectSlice(), sort="password", descending=False)


def test_an_unreachable_database_is_a_message_not_a_traceback(tmp_path) -> None:
    repo = repository_for(f"sqlite:///{tmp_path / 'missing.db'}")
    with pytest.raises(DataUnavailable, match="cannot be opened"):
        repo.stream("defect_export", MARCH, slice=DefectSlice(), sort="defect_date", descending=False)
