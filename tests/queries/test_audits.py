"""Audit findings datasets on SQLite and PostgreSQL, every number worked out by hand.

On top of tests/seed.py (finding 1: P01, internal, 8.5.1, major, audited 1 March 2026, open,
no CAPA) ``findings`` adds these rows. The period is 1-31 March 2026; its last day is 31 March,
so a finding's age at the end is the days from its audit to 31 March.

id   plant audit   type          clause severity    closed  CAPA  on 31 March
1    P01   1 Mar   internal      8.5.1  major       -       -     raised, open, 30 days old (0-30 band)
101  P01   10 Jan  internal      7.2    minor       31 Mar  -     closed on the last day (80 days): closed
102  P01   15 Feb  customer      8.5.1  major       1 Apr   -     open (closed after the end), 44 days
103  P02   31 Mar  certification 9.2   major       -       2     raised on the last day, open, 0 days
104  P02   1 Apr   internal      9.2    major       -       -     after the period: nowhere
105  P01   5 Mar   internal      10.2   observation 20 Mar  -     raised and closed (15 days)
106  P02   1 Sep   customer      7.2    minor       -       1     open, 211 days (over 180)
107  P01   28 Feb  internal      8.5.1  minor       1 Mar   -     closed on the first day (1 day)
108  P02   20 Jan  internal      4.4    observation 10 Feb  -     closed before the period: nowhere
109  P01   10 Mar  customer      8.5.1  minor       -       1     raised, open, 21 days
110  P02   31 Dec  internal      6.1    major       -       -     open, 90 days (31-90 band)
111  P01   30 Dec  internal      6.1    minor       -       -     open, 91 days (91-180 band)
112  P02   1 Feb   certification 8.7   major       31 Mar  -     closed on the last day (58 days)

Open majors on 31 March: 1, 102, 103, 110 (4); at P01: 1, 102; at P02: 103, 110.
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
from dashboard.queries import audits as q
from dashboard.sources import schema
from tests.helpers import insert_rows, pick, plain_rows, repo_url

D = dt.date
TABLES = schema.metadata.tables
MARCH = Filters("custom", D(2026, 3, 1), D(2026, 3, 31))
MARCH_P01 = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P01")
MARCH_P02 = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P02")
HOSTILE = "8.5.1' OR 1=1 --"
DATE_COLUMNS = ("bucket_date", "audit_date", "closed_date")

COLUMNS = ("finding_id", "plant_id", "audit_date", "audit_type", "iso_clause", "finding_severity", "closed_date", "capa_id")
FINDINGS = [
    (101, "P01", D(2026, 1, 10), "internal", "7.2", "minor", D(2026, 3, 31), None),
    (102, "P01", D(2026, 2, 15), "customer", "8.5.1", "major", D(2026, 4, 1), None),
    (103, "P02", D(2026, 3, 31), "certification", "9.2", "major", None, 2),
    (104, "P02", D(2026, 4, 1), "internal", "9.2", "major", None, None),
    (105, "P01", D(2026, 3, 5), "internal", "10.2", "observation", D(2026, 3, 20), None),
    (106, "P02", D(2025, 9, 1), "customer", "7.2", "minor", None, 1),
    (107, "P01", D(2026, 2, 28), "internal", "8.5.1", "minor", D(2026, 3, 1), None),
    (108, "P02", D(2026, 1, 20), "internal", "4.4", "observation", D(2026, 2, 10), None),
    (109, "P01", D(2026, 3, 10), "customer", "8.5.1", "minor", None, 1),
    (110, "P02", D(2025, 12, 31), "internal", "6.1", "major", None, None),
    (111, "P01", D(2025, 12, 30), "internal", "6.1", "minor", None, None),
    (112, "P02", D(2026, 2, 1), "certification", "8.7", "major", D(2026, 3, 31), None),
]


def insert_findings(conn: sa.Connection) -> None:
    """The rows of the module docstring (the seed's CAPAs 1 and 2 exist)."""
    conn.execute(schema.audit_findings.insert(), [dict(zip(COLUMNS, row, strict=True)) for row in FINDINGS])


@pytest.fixture
def findings(repo, request: pytest.FixtureRequest, tmp_path):
    """The seeded repository with the findings of the module docstring."""
    insert_rows(repo, repo_url(repo, request, tmp_path), insert_findings)
    return repo


def run(repo, name: str, filters: Filters | None = MARCH, **params: Any) -> list[dict[str, Any]]:
    """Rows of a dataset (uncached), as plain Python values."""
    return plain_rows(repo.run_uncached(name, filters, **params), DATE_COLUMNS)


# --- headline counts ------------------------------------------------------------------------

SUMMARY = ("finding_severity", "raised", "open_at_end", "closed", "days_to_close_sum", "raised_with_capa", "oldest_open_days")


def test_summary_per_severity(findings) -> None:
    assert pick(run(findings, "audit_summary"), *SUMMARY) == [
        ("major", 2, 4, 1, 58, 1, 90),
        ("minor", 1, 3, 2, 81, 1, 211),
        ("observation", 1, 0, 1, 15, 0, None),
    ]


def test_summary_of_one_plant(findings) -> None:
    assert pick(run(findings, "audit_summary", MARCH_P01), *SUMMARY) == [
        ("major", 1, 2, 0, 0, 0, 44),
        ("minor", 1, 2, 2, 81, 1, 91),
        ("observation", 1, 0, 1, 15, 0, None),
    ]
    assert pick(run(findings, "audit_summary", MARCH_P02), *SUMMARY) == [
        ("major", 1, 2, 1, 58, 1, 90),
        ("minor", 0, 1, 0, 0, 0, 211),
    ]


def test_state_is_taken_on_the_last_day(findings) -> None:
    # Until 30 March: 103 not raised yet, 101 and 112 still open; 102 open at 43 days.
    to_30_march = Filters("custom", D(2026, 3, 1), D(2026, 3, 30))
    assert pick(run(findings, "audit_summary", to_30_march), *SUMMARY) == [
        ("major", 1, 4, 0, 0, 0, 89),
        ("minor", 1, 4, 1, 1, 1, 210),
        ("observation", 1, 0, 1, 15, 0, None),
    ]


def test_the_open_majors_are_the_overviews_kpi(findings) -> None:
    formula = next(r for r in run(findings, "kpi_definitions", None) if r["kpi_id"] == "open_major_findings")["formula"]
    for filters in (MARCH, MARCH_P01, MARCH_P02, Filters("custom", D(2026, 1, 1), D(2026, 3, 30))):
        majors = [r for r in run(findings, "audit_summary", filters) if r["finding_severity"] == "major"]
        kpi = run(findings, "kpi_sql", filters, formula=formula)[0]["value"]
        assert (majors[0]["open_at_end"] if majors else 0) == kpi, filters


# --- charts ---------------------------------------------------------------------------------


def test_findings_by_clause_raised_in_the_period_largest_first(findings) -> None:
    assert pick(run(findings, "audit_by_clause"), "iso_clause", "finding_severity", "findings", "clause_total") == [
        ("8.5.1", "major", 1, 2),
        ("8.5.1", "minor", 1, 2),
        ("10.2", "observation", 1, 1),
        ("9.2", "major", 1, 1),
    ]
    assert pick(run(findings, "audit_by_clause", MARCH_P02), "iso_clause", "findings") == [("9.2", 1)]


def test_findings_raised_per_bucket_by_audit_type(findings) -> None:
    columns = ("bucket_date", "audit_type", "findings")
    assert pick(run(findings, "audit_trend", grain="month"), *columns) == [
        (D(2026, 3, 1), "certification", 1),
        (D(2026, 3, 1), "customer", 1),
        (D(2026, 3, 1), "internal", 2),
    ]
    assert pick(run(findings, "audit_trend", MARCH_P01), *columns) == [  # weeks by default
        (D(2026, 2, 23), "internal", 1),  # Sunday 1 March is in the week of Monday 23 February
        (D(2026, 3, 2), "internal", 1),
        (D(2026, 3, 9), "customer", 1),
    ]


def test_backlog_by_age_band_at_the_end(findings) -> None:
    assert pick(run(findings, "audit_backlog"), "age_band", "finding_severity", "findings") == [
        (0, "major", 2),  # 1 (30 days: the band's last day) and 103 (0 days)
        (0, "minor", 1),
        (1, "major", 2),  # 102 (44 days) and 110 (90 days)
        (2, "minor", 1),  # 111 (91 days)
        (3, "minor", 1),  # 106 (211 days)
    ]


def test_clauses_are_every_clause_with_a_finding(findings) -> None:
    clauses = [r["iso_clause"] for r in run(findings, "audit_clauses", None)]
    assert sorted(clauses) == sorted({"8.5.1", "7.2", "9.2", "10.2", "4.4", "6.1", "8.7"})


# --- records --------------------------------------------------------------------------------


def ids(repo, filters: Filters = MARCH, **params: Any) -> list[int]:
    return [r["finding_id"] for r in run(repo, "audit_records", filters, **params)]


def test_records_by_status_newest_audit_first(findings) -> None:
    assert ids(findings) == [103, 109, 1, 102, 110, 111, 106]  # open at the end (the default)
    assert ids(findings, status="raised") == [103, 109, 105, 1]
    assert ids(findings, status="closed") == [105, 107, 112, 101]
    assert ids(findings, status="all") == [103, 109, 105, 1, 107, 102, 112, 101, 110, 111, 106]
    assert run(findings, "audit_record_count", status="all") == [{"findings": 11}]


def test_records_narrowed_by_severity_type_clause_and_plant(findings) -> None:
    assert ids(findings, severity="major") == [103, 1, 102, 110]  # the KPI's findings
    assert ids(findings, MARCH_P01, severity="major") == [1, 102]
    assert ids(findings, audit_type="customer") == [109, 102, 106]
    assert ids(findings, clause="8.5.1", status="all") == [109, 1, 107, 102]
    assert ids(findings, clause="8.5.1", severity="minor", audit_type="internal", status="closed") == [107]
    assert run(findings, "audit_record_count", severity="major") == [{"findings": 4}]
    assert run(findings, "audit_record_count", MARCH_P02, clause="4.4", status="all") == [{"findings": 0}]


def test_record_columns_show_the_state_on_the_last_day(findings) -> None:
    rows = {r["finding_id"]: r for r in run(findings, "audit_records", status="all")}
    assert rows[102] == {
        "finding_id": 102,
        "plant_id": "P01",
        "audit_date": D(2026, 2, 15),
        "audit_type": "customer",
        "iso_clause": "8.5.1",
        "finding_severity": "major",
        "status": "open",
        "closed_date": None,  # closed on 1 April: after the period
        "days_open": 44,
        "capa_id": None,
    }
    assert pick([rows[101], rows[103], rows[106]], "status", "closed_date", "days_open", "capa_id") == [
        ("closed", D(2026, 3, 31), 80, None),
        ("open", None, 0, 2),
        ("open", None, 211, 1),
    ]


def test_records_sort_and_page_in_sql(findings) -> None:
    assert ids(findings, sort="days_open", descending=False) == [103, 109, 1, 102, 110, 111, 106]
    assert ids(findings, sort="finding_id", descending=False, offset=2, limit=3) == [103, 106, 109]
    assert ids(findings, sort="iso_clause", descending=True, limit=2) == [103, 109]  # 9.2, then 8.5.1 highest id first
    assert ids(findings, sort="capa_id", descending=True) == [103, 109, 106, 111, 110, 102, 1]  # no CAPA last
    everything = ids(findings, status="all", sort="plant_id")
    assert [ids(findings, status="all", sort="plant_id", offset=k, limit=4) for k in (0, 4, 8)] == [
        everything[0:4],
        everything[4:8],
        everything[8:],
    ]


def test_export_is_the_records_without_paging(findings) -> None:
    rows = run(findings, "audit_export", severity="major", sort="days_open", descending=False)
    assert [r["finding_id"] for r in rows] == [103, 1, 102, 110]
    assert [r["finding_id"] for r in run(findings, "audit_export", severity="major")] == [103, 1, 102, 110]  # newest first


def test_hostile_values_match_nothing(findings) -> None:
    hostile_plant = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), HOSTILE)
    assert run(findings, "audit_summary", hostile_plant) == []
    assert ids(findings, hostile_plant, status="all") == []
    assert ids(findings, clause=HOSTILE, status="all") == []
    assert len(run(findings, "audit_clauses", None)) == 7  # nothing was dropped


def test_an_empty_period(findings) -> None:
    empty = Filters("custom", D(2020, 1, 1), D(2020, 1, 31))
    for name in ("audit_summary", "audit_by_clause", "audit_trend", "audit_backlog", "audit_records"):
        assert run(findings, name, empty) == [], name
    assert run(findings, "audit_record_count", empty) == [{"findings": 0}]


# --- parameter validation (no database) -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("audit_records", {"severity": "critical"}, "Unknown severity 'critical'; use one of observation, minor, major."),
        ("audit_records", {"audit_type": "supplier"}, "Unknown audit_type 'supplier'"),
        ("audit_records", {"status": "late"}, "Unknown status 'late'; use one of open, raised, closed, all."),
        ("audit_records", {"severity": ["major"]}, "Unknown severity"),
        ("audit_records", {"clause": ""}, "clause must be an ISO clause of 1 to 16 characters."),
        ("audit_records", {"clause": "1" * 17}, "clause must be"),
        ("audit_records", {"clause": 8.5}, "clause must be"),
        ("audit_records", {"sort": "finding_id; DROP"}, "Unknown sort"),
        ("audit_records", {"descending": "yes"}, "descending must be true or false."),
        ("audit_records", {"limit": 0}, "limit must be a whole number from 1 to 1,000."),
        ("audit_records", {"offset": -1}, "offset must be"),
        ("audit_record_count", {"status": None}, "Unknown status 'None'"),
        ("audit_export", {"sort": "status", "severity": "grave"}, "Unknown severity"),
        ("audit_trend", {"grain": "year"}, "Unknown grain"),
    ],
)
def test_bad_parameters_are_refused_before_any_sql(name: str, params: dict, message: str) -> None:
    with pytest.raises(InvalidFilter) as raised:
        DATASETS[name](TABLES, MARCH, **params)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "name",
    ["audit_summary", "audit_by_clause", "audit_trend", "audit_backlog", "audit_records", "audit_record_count", "audit_export"],
)
def test_filtered_datasets_need_a_period(name: str) -> None:
    with pytest.raises(InvalidFilter, match="needs a period"):
        DATASETS[name](TABLES, None)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_every_value_is_bound(dialect) -> None:
    filters = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), HOSTILE + "p")
    statements = [
        q.select_audit_summary(TABLES, filters),
        q.select_audit_by_clause(TABLES, filters),
        q.select_audit_trend(TABLES, filters, "quarter"),
        q.select_audit_backlog(TABLES, filters),
        q.select_audit_records(TABLES, filters, ("major", "customer", HOSTILE, "all"), "days_open", True, 5, 10),
        q.select_audit_record_count(TABLES, filters, ("minor", None, HOSTILE, "closed")),
    ]
    for statement in statements:
        compiled = statement.compile(dialect=dialect)
        assert "OR 1=1" not in str(compiled)
        assert HOSTILE + "p" in compiled.params.values()
    assert HOSTILE in statements[4].compile(dialect=dialect).params.values()


def test_the_builders_refuse_what_the_registry_would() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        q.select_audit_record_count(TABLES, MARCH, (None, None, None, "late"))
    with pytest.raises(ValueError, match="unknown record column"):
        q.select_audit_export(TABLES, MARCH, (None, None, None, "open"), "title", False)
