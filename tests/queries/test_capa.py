"""CAPA datasets on SQLite and PostgreSQL, every number worked out by hand.

The current period is 1-31 March 2026 (previous: 29 January - 28 February). On top of the two
CAPAs of tests/seed.py (1 and 2: P01, internal, owner Q, opened 1 Feb, due 20 Mar, closed 15 and
25 Mar) ``rich`` adds:

id  plant line     code source     owner opened      due         closed  effective  on 31 March (ages in days)
11  P02   P02-L01  D01  complaint  Ann   10 Jan      20 Feb      -       -          open, 39 days overdue, age 80
12  P02   -        -    audit      Ann   5 Mar       31 Mar      -       -          open, due on the last day: not overdue, age 26
13  P01   P01-L01  D01  internal   Ben   1 Mar       10 Mar      31 Mar  yes        closed 21 late on the last day, in 30
14  P01   -        -    supplier   Ben   20 Feb      1 Mar       1 Mar   no         closed on its due date: on time, in 9 days
15  P02   -        -    internal   Ann   1 Apr       30 Apr      -       -          after the period: nowhere
16  P01   -        -    internal   Ben   1 Sep 2025  1 Oct 2025  1 Apr   -          after the end: so open, 181 overdue, age 211
17  P02   -        -    internal   Ann   1 Jan       31 Jan      15 Feb  yes        closed late in the previous period

Seed CAPA 1 was closed on time in 42 days, 2 late (5 days) in 52 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.datasets.registry import DATASETS
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.queries import capa as q
from dashboard.sources import schema
from tests.helpers import insert_rows, pick, plain_rows, repo_url

D = dt.date
TABLES = schema.metadata.tables
MARCH = Filters("custom", D(2026, 3, 1), D(2026, 3, 31))
MARCH_P01 = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P01")
HOSTILE = "Ann' OR 1=1 --"
DATE_COLUMNS = ("bucket_date", "opened_date", "due_date", "closed_date")
COLUMNS = ("capa_id", "plant_id", "line_id", "defect_code", "capa_source", "owner", "opened_date", "due_date", "closed_date")
CAPAS = [
    (11, "P02", "P02-L01", "D01", "complaint", "Ann", D(2026, 1, 10), D(2026, 2, 20), None, None),
    (12, "P02", None, None, "audit", "Ann", D(2026, 3, 5), D(2026, 3, 31), None, None),
    (13, "P01", "P01-L01", "D01", "internal", "Ben", D(2026, 3, 1), D(2026, 3, 10), D(2026, 3, 31), True),
    (14, "P01", None, None, "supplier", "Ben", D(2026, 2, 20), D(2026, 3, 1), D(2026, 3, 1), False),
    (15, "P02", None, None, "internal", "Ann", D(2026, 4, 1), D(2026, 4, 30), None, None),
    (16, "P01", None, None, "internal", "Ben", D(2025, 9, 1), D(2025, 10, 1), D(2026, 4, 1), None),
    (17, "P02", None, None, "internal", "Ann", D(2026, 1, 1), D(2026, 1, 31), D(2026, 2, 15), True),
]


def insert_capas(conn: sa.Connection) -> None:
    rows = [dict(zip((*COLUMNS, "effective"), row, strict=True)) for row in CAPAS]
    conn.execute(schema.capas.insert(), [{**row, "title": f"CAPA {row['capa_id']}"} for row in rows])


@pytest.fixture
def rich(repo, request: pytest.FixtureRequest, tmp_path):
    """The seeded repository with the CAPAs of the module docstring."""
    insert_rows(repo, repo_url(repo, request, tmp_path), insert_capas)
    return repo


def run(repo, name: str, filters: Filters | None = MARCH, **params: Any) -> list[dict[str, Any]]:
    return plain_rows(repo.run_uncached(name, filters, **params), DATE_COLUMNS)


STATUS = ("opened", "closed", "closed_on_time", "days_to_close_sum", "checked", "effective", "open_at_end", "overdue_at_end")


def test_status_counts_the_period_and_the_one_before(rich) -> None:
    (row,) = run(rich, "capa_status")
    assert pick([row], *STATUS) == [(2, 4, 2, 42 + 52 + 30 + 9, 2, 1, 3, 2)]
    # 28 February: 1, 2, 11, 14 (closed 1 March) and 16 open; 11 and 16 overdue; 17 closed late in 45 days.
    assert pick([row], *(f"prev_{name}" for name in STATUS)) == [(3, 1, 0, 45, 1, 1, 5, 2)]


def test_status_follows_plant_source_and_owner(rich) -> None:
    assert pick(run(rich, "capa_status", MARCH_P01), *STATUS) == [(1, 4, 2, 133, 2, 1, 1, 1)]
    assert pick(run(rich, "capa_status", source="internal"), *STATUS) == [(1, 3, 1, 124, 1, 1, 1, 1)]
    assert pick(run(rich, "capa_status", owner="Ann"), *STATUS) == [(1, 0, 0, None, 0, 0, 2, 1)]
    assert pick(run(rich, "capa_status", owner="Nobody"), *STATUS) == [(0, 0, 0, None, 0, 0, 0, 0)]


def test_status_matches_the_overview_tile(rich) -> None:
    """The page's "closed on time" counts the CAPAs the overview's CAPA tile counts."""
    tile = run(rich, "capa_summary", MARCH, grain="month")
    current = [row for row in tile if row["period"] == "current"]
    (row,) = run(rich, "capa_status")
    assert sum(r["capas_closed"] for r in current) == row["closed"]
    assert sum(r["capas_closed_on_time"] for r in current) == row["closed_on_time"]


FLOW = ("bucket_date", "opened", "closed", "closed_on_time")


def test_flow_counts_opened_and_closed_per_bucket(rich) -> None:
    assert pick(run(rich, "capa_flow", grain="month"), *FLOW) == [(D(2026, 3, 1), 2, 4, 2)]
    # 1 March is a Sunday, so 13 (opened) and 14 (closed) fall in the ISO week of 23 February.
    assert pick(run(rich, "capa_flow", grain="week"), *FLOW) == [
        (D(2026, 2, 23), 1, 1, 1),
        (D(2026, 3, 2), 1, 0, 0),
        (D(2026, 3, 9), 0, 1, 1),
        (D(2026, 3, 23), 0, 1, 0),
        (D(2026, 3, 30), 0, 1, 0),
    ]
    assert run(rich, "capa_flow", Filters("custom", D(2026, 5, 1), D(2026, 5, 31)), grain="month") == []


def test_ageing_bands_the_open_capas_on_the_last_day(rich) -> None:
    # 12 is 26 days old (band 0), 11 is 80 (band 2, overdue), 16 is 211 (the last band, overdue).
    assert pick(run(rich, "capa_ageing"), "band", "overdue", "capas") == [(0, 0, 1), (2, 1, 1), (4, 1, 1)]
    assert len(q.AGE_LIMITS) == 4
    assert pick(run(rich, "capa_ageing", MARCH_P01), "band", "overdue", "capas") == [(4, 1, 1)]


BREAKDOWN = ("key", "open_at_end", "overdue_at_end", "closed", "closed_on_time")


def test_breakdown_by_plant_source_and_owner(rich) -> None:
    assert pick(run(rich, "capa_breakdown", by="plant_id"), *BREAKDOWN) == [("P01", 1, 1, 4, 2), ("P02", 2, 1, 0, 0)]
    assert pick(run(rich, "capa_breakdown", by="owner"), *BREAKDOWN) == [
        ("Ann", 2, 1, 0, 0),
        ("Ben", 1, 1, 2, 1),
        ("Q", 0, 0, 2, 1),
    ]
    assert pick(run(rich, "capa_breakdown", by="capa_source", owner="Ben"), *BREAKDOWN) == [
        ("internal", 1, 1, 1, 0),
        ("supplier", 0, 0, 1, 1),
    ]


RECORD = ("capa_id", "status", "days_late", "closed_date", "days_open", "effective")


def test_records_as_they_stood_on_the_last_day(rich) -> None:
    rows = {row["capa_id"]: row for row in run(rich, "capa_records")}
    assert pick([rows[i] for i in sorted(rows)], *RECORD) == [
        (1, "Closed on time", -5, D(2026, 3, 15), 42, None),
        (2, "Closed late", 5, D(2026, 3, 25), 52, None),
        (11, "Overdue", 39, None, 80, None),
        (12, "Open", 0, None, 26, None),
        (13, "Closed late", 21, D(2026, 3, 31), 30, True),
        (14, "Closed on time", 0, D(2026, 3, 1), 9, False),
        (16, "Overdue", 181, None, 211, None),  # closed on 1 April: open on 31 March
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("all", [16, 11, 13, 2, 14, 12, 1]),  # most overdue first; ties by the higher id
        ("open", [16, 11, 12]),
        ("overdue", [16, 11]),
        ("closed", [13, 2, 14, 1]),
        ("late", [13, 2]),
    ],
)
def test_records_by_status_most_overdue_first(rich, status: str, expected: list[int]) -> None:
    assert [row["capa_id"] for row in run(rich, "capa_records", status=status)] == expected
    assert run(rich, "capa_record_count", status=status) == [{"records": len(expected)}]
    assert [row["capa_id"] for row in run(rich, "capa_export", status=status)] == expected


def test_records_sort_and_page_in_sql(rich) -> None:
    ascending = [row["capa_id"] for row in run(rich, "capa_records", sort="opened_date", descending=False)]
    assert ascending == [16, 11, 1, 2, 14, 13, 12]  # 1 and 2 share a day: the lower id first
    assert [row["capa_id"] for row in run(rich, "capa_records", sort="capa_id", descending=False, offset=2, limit=3)] == [
        11,
        12,
        13,
    ]
    assert [row["capa_id"] for row in run(rich, "capa_records", sort="owner", descending=True, limit=2)] == [2, 1]
    assert [row["capa_id"] for row in run(rich, "capa_records", status="open", owner="Ann")] == [11, 12]
    assert [row["capa_id"] for row in run(rich, "capa_records", MARCH_P01, source="supplier")] == [14]


def test_owners_are_listed_once(rich) -> None:
    assert run(rich, "capa_owners", None) == [{"owner": "Ann"}, {"owner": "Ben"}, {"owner": "Q"}]


def test_hostile_values_match_nothing(rich) -> None:
    hostile = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), HOSTILE[:16])
    assert run(rich, "capa_records", hostile) == []
    assert run(rich, "capa_records", owner=HOSTILE) == []
    assert run(rich, "capa_record_count", owner=HOSTILE) == [{"records": 0}]
    assert len(run(rich, "capa_owners", None)) == 3  # nothing was dropped


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("capa_status", {"source": "vendor"}, "Unknown source 'vendor'"),
        ("capa_flow", {"grain": "fortnight"}, "Unknown grain"),
        ("capa_breakdown", {"by": "title"}, "Unknown by 'title'"),
        ("capa_records", {"status": "lost"}, "Unknown status 'lost'"),
        ("capa_records", {"sort": "1; DROP TABLE capas"}, "Unknown sort"),
        ("capa_records", {"limit": 5000}, "limit must be a whole number from 1 to 1,000."),
        ("capa_records", {"descending": "yes"}, "descending must be true or false."),
        ("capa_record_count", {"owner": ""}, "owner must be a name of 1 to 100 characters."),
        ("capa_ageing", {"owner": "x" * 101}, "owner must be"),
        ("capa_export", {"owner": ["Ann"]}, "owner must be"),
    ],
)
def test_bad_parameters_are_refused_before_any_sql(name: str, params: dict, message: str) -> None:
    with pytest.raises(InvalidFilter) as raised:
        DATASETS[name](TABLES, MARCH, **params)
    assert message in str(raised.value)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_every_value_is_bound(dialect) -> None:
    hostile = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P'1")
    for name in ("capa_status", "capa_flow", "capa_ageing", "capa_breakdown", "capa_records", "capa_record_count"):
        compiled = DATASETS[name](TABLES, hostile, owner=HOSTILE, source="audit").compile(dialect=dialect)
        assert HOSTILE not in str(compiled) and "P'1" not in str(compiled), name
        assert {HOSTILE, "P'1"} <= set(compiled.params.values()), name
