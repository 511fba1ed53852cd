"""Supplier scorecard and detail datasets on SQLite and PostgreSQL, every number worked out by hand.

On top of tests/seed.py (supplier S001 Acme, steel; lot 1 on 5 March at P01) ``rich`` adds two
suppliers, S002 Polymer Works (resin, IT) and S003 Bolt & Nut (steel, CN), defect code D09
'Flash', and these rows. The current period is 1-31 March 2026, the previous 29 Jan - 28 Feb.

lots  supplier plant part received  due      units rejected lot rejected  EUR   period
1     S001     P01   PN1  5 Mar     5 Mar    10000     20   no             0   current, on time (seed)
101   S001     P02   PN2  20 Mar    15 Mar    5000     50   no             0   current, late
102   S001     P01   PN1  10 Feb    12 Feb    8000      0   no             0   previous, on time
103   S002     P01   PN7  31 Mar    31 Mar    2000   2000   yes          750   current (last day), on time
104   S002     P01   PN7  2 Mar     1 Mar     1000     10   no             0   current, late
105   S002     P02   PN8  28 Feb    1 Mar     3000     30   no           120   previous (last day), on time
106   S003     P02   PN9  1 Apr     1 Apr      999     99   yes           99   after both periods
107   S003     P01   PN9  28 Jan    28 Jan     999     99   yes           99   before both periods
108   S003     P02   PN9  1 Mar     1 Mar     4000     40   no             0   current (first day), on time

SCARs supplier opened  due     closed  at the end of March
201   S001     10 Feb  10 Mar  -       open, overdue (no defect code, no lot)
202   S001     5 Mar   4 Apr   31 Mar  opened and closed in March (26 days): closed on the last day is closed
203   S001     15 Jan  15 Feb  20 Feb  closed before March (36 days): not in March at all
204   S001     20 Mar  31 Mar  -       opened, open; due on the last day is not overdue
205   S001     1 Apr   1 May   -       after March
211   S002     1 Feb   1 Mar   1 Apr   open (closed after the end), overdue
212   S002     25 Feb  20 Mar  1 Mar   closed on the first day (4 days: February has 28)
213   S002     31 Mar  30 Apr  -       opened on the last day, open
221   S003     10 Mar  20 Mar  12 Mar  opened and closed (2 days)

audits supplier date         score findings
301    S001     10 Jan 2026  70.0  6
302    S001     15 Mar 2026  85.5  3   latest by 31 March
303    S001     10 Apr 2026  95.0  1   after March: ignored
311    S002     1 Dec 2025   60.0  8
312    S002     31 Mar 2026  90.0  2
313    S002     31 Mar 2026  88.0  4   the same day as 312: the higher id is the latest
(S003 has never been audited.)
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
from dashboard.queries import suppliers as q
from dashboard.sources import schema
from tests.helpers import insert_rows, pick, plain_rows, repo_url

D = dt.date
TABLES = schema.metadata.tables

MARCH = Filters("custom", D(2026, 3, 1), D(2026, 3, 31))
MARCH_P01 = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P01")
MARCH_P02 = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P02")
FEBRUARY = Filters("custom", D(2026, 2, 1), D(2026, 2, 28))  # previous period: 4-31 January
HOSTILE = "S001' OR 1=1 --"
DATE_COLUMNS = ("bucket_date", "opened_date", "due_date", "closed_date", "audit_date")
NEW_DATASETS = (
    "supplier_lots_summary",
    "supplier_scar_summary",
    "supplier_latest_audit",
    "suppliers",
    "supplier_trend",
    "supplier_parts",
    "supplier_scars",
    "supplier_audits",
)

LOT_COLUMNS = ("lot_id", "supplier_id", "plant_id", "part_number", "received_date", "due_date")
LOTS = [
    (101, "S001", "P02", "PN2", D(2026, 3, 20), D(2026, 3, 15), 5000, 50, False, 0.0),
    (102, "S001", "P01", "PN1", D(2026, 2, 10), D(2026, 2, 12), 8000, 0, False, 0.0),
    (103, "S002", "P01", "PN7", D(2026, 3, 31), D(2026, 3, 31), 2000, 2000, True, 750.0),
    (104, "S002", "P01", "PN7", D(2026, 3, 2), D(2026, 3, 1), 1000, 10, False, 0.0),
    (105, "S002", "P02", "PN8", D(2026, 2, 28), D(2026, 3, 1), 3000, 30, False, 120.0),
    (106, "S003", "P02", "PN9", D(2026, 4, 1), D(2026, 4, 1), 999, 99, True, 99.0),
    (107, "S003", "P01", "PN9", D(2026, 1, 28), D(2026, 1, 28), 999, 99, True, 99.0),
    (108, "S003", "P02", "PN9", D(2026, 3, 1), D(2026, 3, 1), 4000, 40, False, 0.0),
]
SCAR_COLUMNS = ("scar_id", "supplier_id", "lot_id", "defect_code", "opened_date", "due_date", "closed_date", "scar_status")
SCARS = [
    (201, "S001", None, None, D(2026, 2, 10), D(2026, 3, 10), None, "open", "Rust on coils"),
    (202, "S001", 1, "D01", D(2026, 3, 5), D(2026, 4, 4), D(2026, 3, 31), "closed", "Scratches on PN1"),
    (203, "S001", 102, "D01", D(2026, 1, 15), D(2026, 2, 15), D(2026, 2, 20), "closed", "Scratches again"),
    (204, "S001", 101, "D09", D(2026, 3, 20), D(2026, 3, 31), None, "open", "Flash on PN2"),
    (205, "S001", None, None, D(2026, 4, 1), D(2026, 5, 1), None, "open", "After the period"),
    (211, "S002", 105, None, D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1), "closed", "Late 8D response"),
    (212, "S002", 104, "D09", D(2026, 2, 25), D(2026, 3, 20), D(2026, 3, 1), "closed", "Short shots"),
    (213, "S002", 103, "D09", D(2026, 3, 31), D(2026, 4, 30), None, "open", "Whole lot rejected"),
    (221, "S003", 108, "D01", D(2026, 3, 10), D(2026, 3, 20), D(2026, 3, 12), "closed", "Thread damage"),
]
AUDIT_COLUMNS = ("audit_id", "supplier_id", "audit_date", "score_pct", "finding_count")
AUDITS = [
    (301, "S001", D(2026, 1, 10), 70.0, 6),
    (302, "S001", D(2026, 3, 15), 85.5, 3),
    (303, "S001", D(2026, 4, 10), 95.0, 1),
    (313, "S002", D(2026, 3, 31), 88.0, 4),
    (311, "S002", D(2025, 12, 1), 60.0, 8),
    (312, "S002", D(2026, 3, 31), 90.0, 2),
]


def _insert_rich_rows(conn: sa.Connection) -> None:
    conn.execute(
        schema.suppliers.insert(),
        [
            {"supplier_id": "S002", "supplier_name": "Polymer Works", "commodity": "resin", "country": "IT"},
            {"supplier_id": "S003", "supplier_name": "Bolt & Nut", "commodity": "steel", "country": "CN"},
        ],
    )
    conn.execute(schema.defect_codes.insert(), [{"defect_code": "D09", "defect_description": "Flash", "category_6m": "Material"}])
    measures = ("units_received", "units_rejected", "lot_rejected", "chargeback_eur")
    conn.execute(schema.supplier_lots.insert(), [dict(zip(LOT_COLUMNS + measures, row, strict=True)) for row in LOTS])
    conn.execute(schema.scars.insert(), [dict(zip((*SCAR_COLUMNS, "description"), row, strict=True)) for row in SCARS])
    conn.execute(schema.supplier_audits.insert(), [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in AUDITS])


@pytest.fixture
def rich(repo, request: pytest.FixtureRequest, tmp_path):
    """The seeded repository with the extra rows of the module docstring."""
    insert_rows(repo, repo_url(repo, request, tmp_path), _insert_rich_rows)
    return repo


def run(repo, name: str, filters: Filters | None = MARCH, **params: Any) -> list[dict[str, Any]]:
    """Rows of a dataset (uncached), as plain Python values."""
    return plain_rows(repo.run_uncached(name, filters, **params), DATE_COLUMNS)


# --- scorecard: lots ------------------------------------------------------------------------

LOTS_SUMMARY = (
    "supplier_id",
    "period",
    "lots",
    "units_received",
    "units_rejected",
    "lots_rejected",
    "lots_on_time",
    "chargeback_eur",
)
MARCH_LOTS = [
    ("S001", "current", 2, 15000, 70, 0, 1, 0.0),
    ("S001", "previous", 1, 8000, 0, 0, 1, 0.0),
    ("S002", "current", 2, 3000, 2010, 1, 1, 750.0),
    ("S002", "previous", 1, 3000, 30, 0, 1, 120.0),
    ("S003", "current", 1, 4000, 40, 0, 1, 0.0),
]


def test_lots_summary_on_the_seed(repo) -> None:
    assert pick(run(repo, "supplier_lots_summary"), *LOTS_SUMMARY) == [("S001", "current", 1, 10000, 20, 0, 1, 0.0)]


def test_lots_summary_per_supplier_and_period(rich) -> None:
    assert pick(run(rich, "supplier_lots_summary"), *LOTS_SUMMARY) == MARCH_LOTS
    assert pick(run(rich, "supplier_lots_summary", commodity=None), *LOTS_SUMMARY) == MARCH_LOTS


def test_lots_summary_by_plant_and_commodity(rich) -> None:
    assert pick(run(rich, "supplier_lots_summary", MARCH_P01), *LOTS_SUMMARY) == [
        ("S001", "current", 1, 10000, 20, 0, 1, 0.0),
        ("S001", "previous", 1, 8000, 0, 0, 1, 0.0),
        ("S002", "current", 2, 3000, 2010, 1, 1, 750.0),
    ]
    steel = [row for row in MARCH_LOTS if row[0] in ("S001", "S003")]
    assert pick(run(rich, "supplier_lots_summary", commodity="steel"), *LOTS_SUMMARY) == steel
    assert pick(run(rich, "supplier_lots_summary", MARCH_P02, commodity="resin"), *LOTS_SUMMARY) == [
        ("S002", "previous", 1, 3000, 30, 0, 1, 120.0)
    ]
    assert run(rich, "supplier_lots_summary", commodity="copper") == []


def test_lots_summary_of_another_period_has_its_own_previous_period(rich) -> None:
    # February's previous period is 4-31 January: lot 107 (28 January) is in it.
    assert pick(run(rich, "supplier_lots_summary", FEBRUARY), *LOTS_SUMMARY) == [
        ("S001", "current", 1, 8000, 0, 0, 1, 0.0),
        ("S002", "current", 1, 3000, 30, 0, 1, 120.0),
        ("S003", "previous", 1, 999, 99, 1, 1, 99.0),
    ]


# --- scorecard: SCARs and audits ------------------------------------------------------------

SCAR_SUMMARY = ("supplier_id", "scars_opened", "scars_open", "scars_overdue", "scars_closed", "days_to_close_sum")
MARCH_SCARS = [("S001", 2, 2, 1, 1, 26), ("S002", 1, 2, 1, 1, 4), ("S003", 1, 0, 0, 1, 2)]


def test_scar_summary_counts_opened_open_overdue_and_closed(rich) -> None:
    assert pick(run(rich, "supplier_scar_summary"), *SCAR_SUMMARY) == MARCH_SCARS


def test_scar_summary_ignores_the_plant_and_follows_the_commodity(rich) -> None:
    assert pick(run(rich, "supplier_scar_summary", MARCH_P02), *SCAR_SUMMARY) == MARCH_SCARS
    assert pick(run(rich, "supplier_scar_summary", commodity="resin"), *SCAR_SUMMARY) == [("S002", 1, 2, 1, 1, 4)]
    assert run(rich, "supplier_scar_summary", commodity="copper") == []


def test_scar_state_is_taken_at_the_last_day_of_the_period(rich) -> None:
    # Until 30 March, 202 (closed 31 March) is still open and nothing has been closed.
    to_30_march = Filters("custom", D(2026, 3, 1), D(2026, 3, 30))
    rows = pick(run(rich, "supplier_scar_summary", to_30_march), *SCAR_SUMMARY)
    assert rows[0] == ("S001", 2, 3, 1, 0, 0)
    # February: 203 closed after 36 days; 212 (closed 1 March) and 211 are open, neither overdue yet.
    assert pick(run(rich, "supplier_scar_summary", FEBRUARY), *SCAR_SUMMARY) == [
        ("S001", 1, 1, 0, 1, 36),
        ("S002", 2, 2, 0, 0, 0),
    ]


LATEST_AUDIT = ("supplier_id", "audit_date", "score_pct", "finding_count")


def test_latest_audit_on_or_before_the_end(rich) -> None:
    assert pick(run(rich, "supplier_latest_audit"), *LATEST_AUDIT) == [
        ("S001", D(2026, 3, 15), 85.5, 3),  # 303 (10 April) is after the end
        ("S002", D(2026, 3, 31), 88.0, 4),  # 312 and 313 share the day: the higher id wins
    ]
    assert pick(run(rich, "supplier_latest_audit", FEBRUARY), *LATEST_AUDIT) == [
        ("S001", D(2026, 1, 10), 70.0, 6),
        ("S002", D(2025, 12, 1), 60.0, 8),
    ]
    early_january = Filters("custom", D(2026, 1, 1), D(2026, 1, 9), "P01")  # the plant does not apply to audits
    assert pick(run(rich, "supplier_latest_audit", early_january), *LATEST_AUDIT) == [("S002", D(2025, 12, 1), 60.0, 8)]
    assert pick(run(rich, "supplier_latest_audit", commodity="steel"), *LATEST_AUDIT) == [("S001", D(2026, 3, 15), 85.5, 3)]
    assert run(rich, "supplier_latest_audit", commodity="copper") == []


def test_supplier_list(rich) -> None:
    assert run(rich, "suppliers", None) == [
        {"supplier_id": "S001", "supplier_name": "Acme", "commodity": "steel", "country": "DE"},
        {"supplier_id": "S002", "supplier_name": "Polymer Works", "commodity": "resin", "country": "IT"},
        {"supplier_id": "S003", "supplier_name": "Bolt & Nut", "commodity": "steel", "country": "CN"},
    ]


# --- trends ---------------------------------------------------------------------------------

TREND = ("supplier_id", "bucket_date", "lots", "units_received", "units_rejected", "lots_on_time")
MARCH_WEEKS = [
    ("S001", D(2026, 3, 2), 1, 10000, 20, 1),
    ("S001", D(2026, 3, 16), 1, 5000, 50, 0),
    ("S002", D(2026, 3, 2), 1, 1000, 10, 0),
    ("S002", D(2026, 3, 30), 1, 2000, 2000, 1),
    ("S003", D(2026, 2, 23), 1, 4000, 40, 1),  # Sunday 1 March is in the week of Monday 23 February
]


def test_trend_of_every_supplier_covers_the_current_period_only(rich) -> None:
    assert pick(run(rich, "supplier_trend"), *TREND) == MARCH_WEEKS
    assert pick(run(rich, "supplier_trend", grain="week"), *TREND) == MARCH_WEEKS
    assert pick(run(rich, "supplier_trend", commodity="steel"), *TREND) == [r for r in MARCH_WEEKS if r[0] != "S002"]
    assert pick(run(rich, "supplier_trend", MARCH_P02), *TREND) == [MARCH_WEEKS[1], MARCH_WEEKS[4]]


def test_trend_of_one_supplier(rich) -> None:
    assert pick(run(rich, "supplier_trend", MARCH_P01, grain="day", supplier_id="S002"), *TREND) == [
        ("S002", D(2026, 3, 2), 1, 1000, 10, 0),
        ("S002", D(2026, 3, 31), 1, 2000, 2000, 1),
    ]
    assert pick(run(rich, "supplier_trend", grain="month", supplier_id="S001", commodity="steel"), *TREND) == [
        ("S001", D(2026, 3, 1), 2, 15000, 70, 1)
    ]
    assert run(rich, "supplier_trend", supplier_id="S001", commodity="resin") == []


# --- supplier detail ------------------------------------------------------------------------


def test_parts_of_one_supplier_most_rejected_first(rich) -> None:
    columns = ("part_number", "lots", "units_received", "units_rejected")
    assert pick(run(rich, "supplier_parts", supplier_id="S001"), *columns) == [("PN2", 1, 5000, 50), ("PN1", 1, 10000, 20)]
    assert pick(run(rich, "supplier_parts", MARCH_P01, supplier_id="S001"), *columns) == [("PN1", 1, 10000, 20)]
    assert pick(run(rich, "supplier_parts", supplier_id="S002"), *columns) == [("PN7", 2, 3000, 2010)]
    assert run(rich, "supplier_parts", FEBRUARY, supplier_id="S003") == []  # lot 107 is in February's previous period


def test_scars_of_one_supplier_open_at_some_time_in_the_period(rich) -> None:
    rows = run(rich, "supplier_scars", MARCH_P02, supplier_id="S001")  # the plant does not apply to SCARs
    assert [row["scar_id"] for row in rows] == [204, 202, 201]  # not 203 (closed in February) nor 205 (April)
    assert rows[0] == {
        "scar_id": 204,
        "opened_date": D(2026, 3, 20),
        "due_date": D(2026, 3, 31),
        "closed_date": None,
        "scar_status": "open",
        "defect_code": "D09",
        "defect_description": "Flash",
        "description": "Flash on PN2",
        "lot_id": 101,
    }
    assert pick(rows[1:], "closed_date", "defect_code", "defect_description", "lot_id") == [
        (D(2026, 3, 31), "D01", "Scratch", 1),
        (None, None, None, None),
    ]
    assert [row["scar_id"] for row in run(rich, "supplier_scars", supplier_id="S002")] == [213, 212, 211]
    assert [row["scar_id"] for row in run(rich, "supplier_scars", FEBRUARY, supplier_id="S001")] == [201, 203]


def test_audits_of_one_supplier_up_to_the_end(rich) -> None:
    columns = ("audit_id", "audit_date", "score_pct", "finding_count")
    assert pick(run(rich, "supplier_audits", supplier_id="S001"), *columns) == [
        (302, D(2026, 3, 15), 85.5, 3),
        (301, D(2026, 1, 10), 70.0, 6),
    ]
    # Newest first; on the same day the higher id first (313 after 312 by id).
    assert [row["audit_id"] for row in run(rich, "supplier_audits", MARCH_P01, supplier_id="S002")] == [313, 312, 311]
    assert run(rich, "supplier_audits", supplier_id="S003") == []


def test_hostile_values_match_nothing(rich) -> None:
    hostile_plant = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), HOSTILE)
    assert run(rich, "supplier_lots_summary", hostile_plant) == []
    assert run(rich, "supplier_trend", hostile_plant) == []
    for name in ("supplier_lots_summary", "supplier_scar_summary", "supplier_latest_audit", "supplier_trend"):
        assert run(rich, name, commodity=HOSTILE) == [], name
    for name in ("supplier_parts", "supplier_scars", "supplier_audits", "supplier_trend"):
        assert run(rich, name, supplier_id=HOSTILE) == [], name
    assert len(run(rich, "suppliers", None)) == 3  # nothing was dropped


def test_the_cache_tells_commodities_and_suppliers_apart(rich) -> None:
    def lots(**params: Any) -> int:
        return int(rich.fetch("supplier_trend", MARCH, **params).frame["lots"].sum())

    assert (lots(), lots(commodity="resin"), lots(supplier_id="S003"), lots(commodity="resin")) == (5, 2, 1, 2)
    assert rich.queries_run == 3


# --- parameter validation (no database) -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("supplier_parts", {}, "Choose a supplier."),
        ("supplier_scars", {"supplier_id": None}, "Choose a supplier."),
        ("supplier_audits", {"supplier_id": ""}, "supplier_id must be a supplier code of 1 to 16 characters."),
        ("supplier_parts", {"supplier_id": "S" * 17}, "supplier_id must be"),
        ("supplier_scars", {"supplier_id": 1}, "supplier_id must be"),
        ("supplier_trend", {"supplier_id": ["S001"]}, "supplier_id must be"),
        ("supplier_trend", {"supplier_id": ""}, "supplier_id must be"),
        ("supplier_trend", {"grain": "fortnight"}, "Unknown grain"),
        ("supplier_lots_summary", {"commodity": ""}, "commodity must be a commodity name of 1 to 50 characters."),
        ("supplier_scar_summary", {"commodity": "x" * 51}, "commodity must be"),
        ("supplier_latest_audit", {"commodity": 3}, "commodity must be"),
        ("supplier_trend", {"commodity": ("steel",)}, "commodity must be"),
    ],
)
def test_bad_parameters_are_refused_before_any_sql(name: str, params: dict, message: str) -> None:
    with pytest.raises(InvalidFilter) as raised:
        DATASETS[name](TABLES, MARCH, **params)
    assert message in str(raised.value)


@pytest.mark.parametrize("name", [n for n in NEW_DATASETS if n != "suppliers"])
def test_filtered_datasets_need_a_period(name: str) -> None:
    with pytest.raises(InvalidFilter, match="needs a period"):
        DATASETS[name](TABLES, None, supplier_id="S001")


def test_values_at_the_length_limits_are_accepted_and_bound() -> None:
    supplier, commodity = "S" * 16, "c" * 50
    _, bound = compiled(DATASETS["supplier_trend"](TABLES, MARCH, supplier_id=supplier, commodity=commodity), sqlite.dialect())
    assert {supplier, commodity} <= set(bound.values())
    for name in ("supplier_parts", "supplier_scars", "supplier_audits"):
        assert supplier in compiled(DATASETS[name](TABLES, MARCH, supplier_id=supplier), sqlite.dialect())[1].values()


# --- SQL text -------------------------------------------------------------------------------


def compiled(statement, dialect) -> tuple[str, dict]:
    result = statement.compile(dialect=dialect)
    return str(result), result.params


def _duckdb_dialect():
    duckdb_engine = pytest.importorskip("duckdb_engine")
    return duckdb_engine.Dialect()


PLANT, COMMODITY, SUPPLIER = HOSTILE + "p", HOSTILE[:12] + "c", HOSTILE[:15]


def _every_builder(filters: Filters) -> list[tuple[Any, set[str]]]:
    """Each statement with the hostile values it must bind (and no others)."""
    return [
        (q.select_supplier_lots_summary(TABLES, filters, COMMODITY), {PLANT, COMMODITY}),
        (q.select_supplier_scar_summary(TABLES, filters, COMMODITY), {COMMODITY}),
        (q.select_supplier_latest_audit(TABLES, filters, COMMODITY), {COMMODITY}),
        (q.select_supplier_trend(TABLES, filters, "day", SUPPLIER, COMMODITY), {PLANT, COMMODITY, SUPPLIER}),
        (q.select_supplier_trend(TABLES, filters, "quarter"), {PLANT}),
        (q.select_supplier_parts(TABLES, filters, SUPPLIER), {PLANT, SUPPLIER}),
        (q.select_supplier_scars(TABLES, filters, SUPPLIER), {SUPPLIER}),
        (q.select_supplier_audits(TABLES, filters, SUPPLIER), {SUPPLIER}),
    ]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "duckdb"])
def test_every_builder_compiles_with_values_bound(dialect: str) -> None:
    chosen = {"sqlite": sqlite.dialect, "postgresql": postgresql.dialect, "duckdb": _duckdb_dialect}[dialect]()
    filters = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), PLANT)
    for statement, expected in _every_builder(filters):
        text, bound = compiled(statement, chosen)
        assert "OR 1=1" not in text and "2026" not in text
        assert {value for value in bound.values() if isinstance(value, str) and "1=1" in value} == expected, text
    assert compiled(q.select_suppliers(TABLES), chosen)[1] == {}


def test_no_commodity_reads_no_suppliers_table() -> None:
    """The suppliers table (perhaps mapped to another database) is read only for a commodity."""
    for builder in (q.select_supplier_lots_summary, q.select_supplier_scar_summary, q.select_supplier_latest_audit):
        assert "suppliers.commodity" not in compiled(builder(TABLES, MARCH, None), sqlite.dialect())[0]
        assert "suppliers.commodity" in compiled(builder(TABLES, MARCH, "steel"), sqlite.dialect())[0]


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("sqlite", "CAST(julianday(scars.closed_date) - julianday(scars.opened_date) AS INTEGER)"),
        ("postgresql", "(CAST(scars.closed_date AS DATE) - CAST(scars.opened_date AS DATE))"),
        ("duckdb", "(CAST(scars.closed_date AS DATE) - CAST(scars.opened_date AS DATE))"),
    ],
)
def test_days_between_per_dialect(dialect: str, sql: str) -> None:
    chosen = {"sqlite": sqlite.dialect, "postgresql": postgresql.dialect, "duckdb": _duckdb_dialect}[dialect]()
    scars = schema.scars
    assert compiled(sa.select(q.days_between(scars.c.closed_date, scars.c.opened_date)), chosen)[0].startswith(f"SELECT {sql}")


def test_the_supplier_datasets_run_on_duckdb(tmp_path) -> None:
    """The SQL also runs on DuckDB (date differences and the window function included)."""
    pytest.importorskip("duckdb_engine")
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'q.duckdb'}")
    needed = [schema.plants, schema.defect_codes, schema.suppliers, schema.supplier_lots, schema.scars, schema.supplier_audits]
    copy = sa.MetaData()
    for table in needed:  # DuckDB has no SERIAL: the ids are given explicitly
        for column in table.to_metadata(copy).primary_key.columns:
            column.autoincrement = False
    try:
        copy.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                schema.plants.insert(),
                [{"plant_id": p, "plant_name": p, "country": "DE", "region": "EMEA"} for p in ("P01", "P02")],
            )
            conn.execute(
                schema.defect_codes.insert(), [{"defect_code": "D01", "defect_description": "Scratch", "category_6m": "Method"}]
            )
            conn.execute(
                schema.suppliers.insert(),
                [{"supplier_id": "S001", "supplier_name": "Acme", "commodity": "steel", "country": "DE"}],
            )
            seed_lot = (1, "S001", "P01", "PN1", D(2026, 3, 5), D(2026, 3, 5), 10_000, 20, False, 0.0)
            measures = ("units_received", "units_rejected", "lot_rejected", "chargeback_eur")
            conn.execute(schema.supplier_lots.insert(), [dict(zip(LOT_COLUMNS + measures, seed_lot, strict=True))])
            _insert_rich_rows(conn)
            lots = conn.execute(q.select_supplier_lots_summary(TABLES, MARCH, None)).all()
            scars = conn.execute(q.select_supplier_scar_summary(TABLES, MARCH, None)).all()
            audits = conn.execute(q.select_supplier_latest_audit(TABLES, MARCH, "steel")).all()
            trend = conn.execute(q.select_supplier_trend(TABLES, MARCH, "week")).all()
            scar_list = conn.execute(q.select_supplier_scars(TABLES, MARCH, "S001")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in lots] == MARCH_LOTS
    assert [tuple(row) for row in scars] == MARCH_SCARS
    assert [tuple(row) for row in audits] == [("S001", D(2026, 3, 15), 85.5, 3)]
    assert [tuple(row) for row in trend] == MARCH_WEEKS
    assert [(row.scar_id, row.defect_description) for row in scar_list] == [(204, "Flash"), (202, "Scratch"), (201, None)]
