"""Date buckets agree on SQLite, PostgreSQL and DuckDB."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.queries.dialect import GRAINS, date_bucket

DAYS = [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 3, 31), dt.date(2024, 2, 29), dt.date(2026, 1, 1)]
EXPECTED = {
    "day": DAYS,
    # ISO weeks start on Monday; 22 Nov 2026 is a Sunday, 1 Jan 2026 a Thursday.
    "week": [dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 3, 30), dt.date(2024, 2, 26), dt.date(2025, 12, 29)],
    "month": [dt.date(2026, 11, 1), dt.date(2026, 11, 1), dt.date(2026, 3, 1), dt.date(2024, 2, 1), dt.date(2026, 1, 1)],
    "quarter": [dt.date(2026, 10, 1), dt.date(2026, 10, 1), dt.date(2026, 1, 1), dt.date(2024, 1, 1), dt.date(2026, 1, 1)],
}


def buckets(engine: sa.Engine, grain: str) -> list[dt.date]:
    table = sa.Table("days", sa.MetaData(), sa.Column("day", sa.Date))
    table.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"day": d} for d in DAYS])
            rows = conn.execute(sa.select(date_bucket(table.c.day, grain)).order_by(table.c.day)).scalars().all()
    finally:
        table.drop(engine)
    by_day = dict(zip(sorted(DAYS), rows, strict=True))
    return [by_day[d] if isinstance(by_day[d], dt.date) else dt.date.fromisoformat(by_day[d]) for d in DAYS]


@pytest.mark.parametrize("grain", GRAINS)
def test_sqlite(grain: str, sqlite_url: str) -> None:
    assert buckets(sa.create_engine(sqlite_url), grain) == EXPECTED[grain]


@pytest.mark.parametrize("grain", GRAINS)
def test_postgresql(grain: str, pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        assert buckets(engine, grain) == EXPECTED[grain]
    finally:
        engine.dispose()


@pytest.mark.parametrize("grain", GRAINS)
def test_duckdb(grain: str, tmp_path) -> None:
    assert buckets(sa.create_engine(f"duckdb:///{tmp_path / 'q.duckdb'}"), grain) == EXPECTED[grain]


def test_unknown_grain_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown grain"):
        date_bucket(sa.column("d"), "fortnight")


def test_grain_is_part_of_the_statement_cache_key() -> None:
    column = sa.column("d", sa.Date)
    keys = {sa.select(date_bucket(column, g))._generate_cache_key().key for g in GRAINS}
    assert len(keys) == len(GRAINS)
