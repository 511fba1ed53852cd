"""Date buckets agree on SQLite, PostgreSQL and DuckDB."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.queries.dialect import GRAINS, date_bucket, days_after, days_between

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


# --- day arithmetic -------------------------------------------------------------------------------

SHIFTS = (-84, -1, 0, 1, 84)


def shifted(engine: sa.Engine) -> dict[tuple[dt.date, int], tuple[dt.date, int]]:
    """(day, n) → (days_after(day, n), days_between(that, day)), as the database computes them."""
    table = sa.Table("days", sa.MetaData(), sa.Column("day", sa.Date))
    table.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"day": d} for d in DAYS])
            found = {}
            for n in SHIFTS:
                moved = days_after(table.c.day, n)
                for day, after, between in conn.execute(sa.select(table.c.day, moved, days_between(moved, table.c.day))):
                    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
                    found[(day, n)] = (after if isinstance(after, dt.date) else dt.date.fromisoformat(after), int(between))
    finally:
        table.drop(engine)
    return found


def expected_shifts() -> dict[tuple[dt.date, int], tuple[dt.date, int]]:
    # 2024 is a leap year: 84 days before 1 Mar 2024 lands differently than in 2026.
    return {(d, n): (d + dt.timedelta(days=n), n) for d in DAYS for n in SHIFTS}


def test_day_arithmetic_sqlite(sqlite_url: str) -> None:
    assert shifted(sa.create_engine(sqlite_url)) == expected_shifts()


def test_day_arithmetic_postgresql(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        assert shifted(engine) == expected_shifts()
    finally:
        engine.dispose()


def test_day_arithmetic_duckdb(tmp_path) -> None:
    assert shifted(sa.create_engine(f"duckdb:///{tmp_path / 'q.duckdb'}")) == expected_shifts()


def test_days_after_takes_only_a_whole_number() -> None:
    """The number of days is written into the SQL text, so only an int from the code is accepted."""
    for bad in ("3; DROP TABLE x", 1.5, True):
        with pytest.raises(TypeError, match="whole number"):
            days_after(sa.column("d", sa.Date), bad)  # type: ignore[arg-type]


def test_days_are_part_of_the_statement_cache_key() -> None:
    column = sa.column("d", sa.Date)
    sql = {str(sa.select(days_after(column, n)).compile(dialect=sa.dialects.sqlite.dialect())) for n in (1, 2, 1)}
    assert len(sql) == 2
    keys = {sa.select(days_after(column, n))._generate_cache_key().key for n in (1, 2)}
    assert len(keys) == 2
