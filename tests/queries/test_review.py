"""The review's overdue-CAPA dataset on SQLite and PostgreSQL, worked out by hand.

On top of tests/seed.py (CAPAs 1 and 2 at P01, due 20 March, closed 15 and 25 March) these rows;
the period is 1-31 March 2026:

id   plant opened  due     closed  on 31 March
101  P01   1 Jan   15 Feb  -       overdue 44 days, fell due before the period
102  P02   1 Mar   10 Mar  1 Apr   overdue 21 days (closed after the period), fell due in it
103  P01   1 Mar   31 Mar  -       due on the last day: not overdue
104  P01   1 Apr   2 Apr   -       opened after the period
105  P02   1 Feb   20 Feb  31 Mar  closed on the last day: not overdue
106  P01   1 Jan   5 Mar   -       overdue 26 days, fell due in the period
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.filters import Filters
from dashboard.queries.review import select_overdue_capas
from dashboard.sources import schema
from tests.helpers import insert_rows, pick, plain_rows, repo_url

D = dt.date
MARCH = Filters("custom", D(2026, 3, 1), D(2026, 3, 31))
COLUMNS = ("capa_id", "plant_id", "days_overdue", "fell_due", "overdue_total", "fell_due_total")
ROWS = [
    (101, "P01", D(2026, 1, 1), D(2026, 2, 15), None),
    (102, "P02", D(2026, 3, 1), D(2026, 3, 10), D(2026, 4, 1)),
    (103, "P01", D(2026, 3, 1), D(2026, 3, 31), None),
    (104, "P01", D(2026, 4, 1), D(2026, 4, 2), None),
    (105, "P02", D(2026, 2, 1), D(2026, 2, 20), D(2026, 3, 31)),
    (106, "P01", D(2026, 1, 1), D(2026, 3, 5), None),
]


def _insert(conn: sa.Connection) -> None:
    base = {"capa_source": "internal", "title": "Fix it", "owner": "Q"}
    keys = ("capa_id", "plant_id", "opened_date", "due_date", "closed_date")
    conn.execute(schema.capas.insert(), [{**base, **dict(zip(keys, row, strict=True))} for row in ROWS])


@pytest.fixture
def capas(repo, request: pytest.FixtureRequest, tmp_path):
    insert_rows(repo, repo_url(repo, request, tmp_path), _insert)
    return repo


def run(repo, filters: Filters) -> list[tuple]:
    return pick(plain_rows(repo.run_uncached("overdue_capas", filters), ("opened_date", "due_date")), *COLUMNS)


def test_overdue_on_the_last_day_most_overdue_first(capas) -> None:
    assert run(capas, MARCH) == [
        (101, "P01", 44, 0, 3, 2),
        (106, "P01", 26, 1, 3, 2),
        (102, "P02", 21, 1, 3, 2),
    ]


def test_the_plant_filter_narrows_the_list_and_the_counts(capas) -> None:
    assert run(capas, Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P02")) == [(102, "P02", 21, 1, 1, 1)]


def test_the_state_is_taken_at_the_period_end(capas) -> None:
    # On 22 March seed CAPA 2 (due 20 March, closed 25 March) and 105 (closed 31 March) are still open.
    rows = run(capas, Filters("custom", D(2026, 3, 1), D(2026, 3, 22)))
    assert [(r[0], r[2]) for r in rows] == [(101, 35), (105, 30), (106, 17), (102, 12), (2, 2)]


def test_the_limit_keeps_the_totals(capas) -> None:
    statement = select_overdue_capas(schema.metadata.tables, MARCH, limit=1)
    with capas.sources.default_engine.connect() as conn:
        rows = conn.execute(statement).mappings().all()
    assert [(r["capa_id"], r["overdue_total"], r["fell_due_total"]) for r in rows] == [(101, 3, 2)]


def test_values_are_bound_parameters() -> None:
    compiled = select_overdue_capas(schema.metadata.tables, Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P01' --")).compile()
    assert "P01' --" not in str(compiled) and "P01' --" in compiled.params.values()
