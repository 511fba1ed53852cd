"""Defects-page datasets on SQLite and PostgreSQL, with every number worked out by hand.

On top of tests/seed.py (March: P01-L01 30 defects / 300 EUR and P02-L01 10 / 100 EUR of
D01 'Scratch', minor; February: P01-L01 50 / 500 EUR; 1000 units per line-day) ``rich``
adds a second line, product, codes and severities:

current period (1-31 March)                                  previous period (29 Jan - 28 Feb)
id   date    line     product code        severity  n  EUR   id   date    line     product code severity n  EUR
1    10 Mar  P01-L01  X1      D01 Method   minor   30  300   3    10 Feb  P01-L01  X1      D01  minor   50  500
2    10 Mar  P02-L01  X1      D01 Method   minor   10  100   105  20 Feb  P01-L02  X2      D02  major    7   70
101  17 Mar  P01-L02  X2      D02 Machine  major    5   50   108  25 Feb  P02-L02  X1      D01  minor    4   40
102  17 Mar  P01-L02  X2      D03 Material critical 8   80
103   2 Mar  P01-L01  X2      D02 Machine  minor    5   20   outside both: 1 April (99), 28 January (99)
104  31 Mar  P02-L01  X1      D03 Material major    2   40

Production in March: P01-L01 X1 1000 (10 Mar), P01-L01 X2 200 (2 Mar), P01-L02 X2 500 (17 Mar),
P02-L01 X1 1000 (10 Mar); February: P01-L01 X1 1000. X1 has 10 opportunities per unit, X2 4.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.datasets.registry import DATASETS
from dashboard.drill import DefectSlice
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.queries import defects as q
from dashboard.sources import schema
from tests.helpers import insert_rows, pick, plain_rows, repo_url

D = dt.date
TABLES = schema.metadata.tables

MARCH = Filters("custom", D(2026, 3, 1), D(2026, 3, 31))
MARCH_P01 = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P01")
HOSTILE = "P01' OR 1=1 --"
NEW_DATASETS = (
    "lines",
    "products",
    "defect_codes",
    "defect_trend",
    "production_trend",
    "defect_breakdown",
    "production_breakdown",
    "defect_heatmap",
    "production_heatmap",
    "defect_records",
    "defect_record_count",
    "defect_export",
)


def _insert_rich_rows(conn: sa.Connection) -> None:
    conn.execute(
        schema.lines.insert(),
        [
            {"line_id": "P01-L02", "plant_id": "P01", "line_name": "Line 2", "process_type": "machining"},
            {"line_id": "P02-L02", "plant_id": "P02", "line_name": "Line 2", "process_type": "moulding"},
        ],
    )
    conn.execute(
        schema.products.insert(),
        [
            {
                "product_id": "X2",
                "product_name": "Gadget",
                "product_family": "G",
                "opportunities_per_unit": 4,
                "unit_cost_eur": 2.0,
            }
        ],
    )
    conn.execute(
        schema.defect_codes.insert(),
        [
            {"defect_code": "D02", "defect_description": "Burr", "category_6m": "Machine"},
            {"defect_code": "D03", "defect_description": "Crack", "category_6m": "Material"},
        ],
    )
    volume = {"plant_id": "P01", "product_id": "X2"}
    conn.execute(
        schema.production_volumes.insert(),
        [
            {
                **volume,
                "production_id": 101,
                "production_date": D(2026, 3, 17),
                "line_id": "P01-L02",
                "units_inspected": 500,
                "units_passed_first_time": 480,
                "units_shipped": 470,
            },
            {
                **volume,
                "production_id": 102,
                "production_date": D(2026, 3, 2),
                "line_id": "P01-L01",
                "units_inspected": 200,
                "units_passed_first_time": 190,
                "units_shipped": 190,
            },
        ],
    )
    columns = ("defect_id", "defect_date", "plant_id", "line_id", "product_id", "defect_code", "severity", "defect_count")
    rows = [
        (101, D(2026, 3, 17), "P01", "P01-L02", "X2", "D02", "major", 5, 50.0, "in-process"),
        (102, D(2026, 3, 17), "P01", "P01-L02", "X2", "D03", "critical", 8, 80.0, "customer"),
        (103, D(2026, 3, 2), "P01", "P01-L01", "X2", "D02", "minor", 5, 20.0, "final"),
        (104, D(2026, 3, 31), "P02", "P02-L01", "X1", "D03", "major", 2, 40.0, "final"),
        (105, D(2026, 2, 20), "P01", "P01-L02", "X2", "D02", "major", 7, 70.0, "final"),
        (106, D(2026, 4, 1), "P01", "P01-L01", "X1", "D01", "minor", 99, 990.0, "final"),
        (107, D(2026, 1, 28), "P01", "P01-L01", "X1", "D01", "minor", 99, 990.0, "final"),
        (108, D(2026, 2, 25), "P02", "P02-L02", "X1", "D01", "minor", 4, 40.0, "final"),
    ]
    conn.execute(
        schema.defects.insert(),
        [{**dict(zip(columns, row[:8], strict=True)), "cost_eur": row[8], "detection_stage": row[9]} for row in rows],
    )


@pytest.fixture
def rich(repo, request: pytest.FixtureRequest, tmp_path):
    """The seeded repository with the extra rows of the module docstring."""
    insert_rows(repo, repo_url(repo, request, tmp_path), _insert_rich_rows)
    return repo


def run(repo, name: str, filters: Filters | None = MARCH, **params: Any) -> list[dict[str, Any]]:
    """Rows of a dataset (uncached), as plain Python values."""
    return plain_rows(repo.run_uncached(name, filters, **params), ("bucket_date", "defect_date"))


# --- trends ---------------------------------------------------------------------------------


def test_defect_trend_on_the_seed_has_both_periods(repo) -> None:
    rows = run(repo, "defect_trend", grain="month")
    assert pick(rows, "period", "bucket_date", "defect_count", "cost_eur", "records") == [
        ("current", D(2026, 3, 1), 40, 400.0, 2),
        ("previous", D(2026, 2, 1), 50, 500.0, 1),
    ]


def test_defect_trend_by_week_plant_and_slice(rich) -> None:
    assert pick(run(rich, "defect_trend", grain="month"), "period", "defect_count", "cost_eur", "records") == [
        ("current", 60, 590.0, 6),
        ("previous", 61, 610.0, 3),
    ]
    weekly = run(rich, "defect_trend", MARCH_P01, grain="week")
    assert pick(weekly, "period", "bucket_date", "defect_count", "records") == [
        ("current", D(2026, 3, 2), 5, 1),
        ("current", D(2026, 3, 9), 30, 1),
        ("current", D(2026, 3, 16), 13, 2),
        ("previous", D(2026, 2, 9), 50, 1),
        ("previous", D(2026, 2, 16), 7, 1),
    ]
    line = run(rich, "defect_trend", grain="month", slice=DefectSlice(line_id="P01-L02"))
    assert pick(line, "period", "defect_count", "cost_eur", "records") == [("current", 13, 130.0, 2), ("previous", 7, 70.0, 1)]


# (slice, current (defects, EUR, records), previous) of the month trend; one database for all cases.
SLICE_CASES = [
    (DefectSlice(product_id="X2"), (18, 150.0, 3), (7, 70.0, 1)),
    (DefectSlice(defect_code="D03"), (10, 120.0, 2), None),
    (DefectSlice(category_6m="Machine"), (10, 70.0, 2), (7, 70.0, 1)),
    (DefectSlice(severity="minor"), (45, 420.0, 3), (54, 540.0, 2)),
    (DefectSlice(line_id="P01-L01", product_id="X2", category_6m="Machine", severity="minor"), (5, 20.0, 1), None),
    (DefectSlice(category_6m="Environment"), None, None),
]


def test_every_slice_field_narrows_the_defects(rich) -> None:
    for chosen, current, previous in SLICE_CASES:
        rows = {
            row["period"]: (row["defect_count"], row["cost_eur"], row["records"])
            for row in run(rich, "defect_trend", grain="month", slice=chosen)
        }
        assert (rows.get("current"), rows.get("previous")) == (current, previous), chosen


def test_production_trend_is_narrowed_by_line_and_product_but_not_by_code(rich) -> None:
    columns = ("period", "bucket_date", "units_inspected", "units_passed_first_time", "units_shipped", "opportunities")
    everything = [("current", D(2026, 3, 1), 2700, 2630, 2610, 22800), ("previous", D(2026, 2, 1), 1000, 950, 950, 10000)]
    assert pick(run(rich, "production_trend", grain="month"), *columns) == everything
    not_narrowed = DefectSlice(defect_code="D02", category_6m="Machine", severity="major")
    assert pick(run(rich, "production_trend", grain="month", slice=not_narrowed), *columns) == everything
    product = run(rich, "production_trend", grain="month", slice=DefectSlice(product_id="X2"))
    assert pick(product, *columns) == [("current", D(2026, 3, 1), 700, 670, 660, 2800)]
    line = run(rich, "production_trend", MARCH_P01, grain="week", slice=DefectSlice(line_id="P01-L01"))
    assert pick(line, "period", "bucket_date", "units_inspected", "opportunities") == [
        ("current", D(2026, 3, 2), 200, 800),
        ("current", D(2026, 3, 9), 1000, 10000),
        ("previous", D(2026, 2, 9), 1000, 10000),
    ]


# --- breakdowns -----------------------------------------------------------------------------

BREAKDOWN_COLUMNS = ("key", "label", "defect_count", "cost_eur", "records", "prev_defect_count")
BREAKDOWN_CASES = {
    "plant_id": [("P01", "Alpha", 48, 450.0, 4, 57), ("P02", "Beta", 12, 140.0, 2, 4)],
    # P02-L02 had defects only in the previous period: not in the current Pareto
    "line_id": [
        ("P01-L01", "Line 1", 35, 320.0, 2, 50),
        ("P01-L02", "Line 2", 13, 130.0, 2, 7),
        ("P02-L01", "Line 1", 12, 140.0, 2, 0),
    ],
    "product_id": [("X1", "Widget", 42, 440.0, 3, 54), ("X2", "Gadget", 18, 150.0, 3, 7)],
    # D02 and D03 tie on 10: the key breaks the tie
    "defect_code": [("D01", "Scratch", 40, 400.0, 2, 54), ("D02", "Burr", 10, 70.0, 2, 7), ("D03", "Crack", 10, 120.0, 2, 0)],
    "category_6m": [
        ("Method", "Method", 40, 400.0, 2, 54),
        ("Machine", "Machine", 10, 70.0, 2, 7),
        ("Material", "Material", 10, 120.0, 2, 0),
    ],
    "severity": [
        ("minor", "minor", 45, 420.0, 3, 54),
        ("critical", "critical", 8, 80.0, 1, 0),
        ("major", "major", 7, 90.0, 2, 7),
    ],
}


def test_defect_breakdown_by_every_dimension(rich) -> None:
    assert set(BREAKDOWN_CASES) == set(q.BREAKDOWNS)
    for by, expected in BREAKDOWN_CASES.items():
        assert pick(run(rich, "defect_breakdown", by=by), *BREAKDOWN_COLUMNS) == expected, by


def test_defect_breakdown_keeps_previous_only_keys_when_asked(rich) -> None:
    # P02-L02 had defects only in the previous period: kept last, with no current defects
    lines = pick(run(rich, "defect_breakdown", by="line_id", previous_keys=True), *BREAKDOWN_COLUMNS)
    assert lines[:-1] == BREAKDOWN_CASES["line_id"]
    key, _, count, cost, records, previous = lines[-1]
    assert (key, count or 0, cost or 0, records or 0) == ("P02-L02", 0, 0, 0)
    assert previous > 0
    codes = pick(run(rich, "defect_breakdown", by="defect_code", previous_keys=True), *BREAKDOWN_COLUMNS)
    assert codes == BREAKDOWN_CASES["defect_code"]  # every code with earlier defects has some now


def test_defect_breakdown_within_a_slice_and_plant(rich) -> None:
    machine = run(rich, "defect_breakdown", by="line_id", slice=DefectSlice(category_6m="Machine"))
    assert pick(machine, *BREAKDOWN_COLUMNS) == [("P01-L01", "Line 1", 5, 20.0, 1, 0), ("P01-L02", "Line 2", 5, 50.0, 1, 7)]
    major = run(rich, "defect_breakdown", MARCH_P01, by="defect_code", slice=DefectSlice(severity="major"))
    assert pick(major, *BREAKDOWN_COLUMNS) == [("D02", "Burr", 5, 50.0, 1, 7)]


def test_production_breakdown_ignores_code_category_and_severity(rich) -> None:
    by_line = [("P01-L01", 1200, 10800), ("P01-L02", 500, 2000), ("P02-L01", 1000, 10000)]
    assert pick(run(rich, "production_breakdown", by="line_id"), "key", "units_inspected", "opportunities") == by_line
    narrowed = DefectSlice(defect_code="D03", category_6m="Material", severity="critical")
    assert pick(run(rich, "production_breakdown", by="line_id", slice=narrowed), "key", "units_inspected") == [
        (key, units) for key, units, _ in by_line
    ]
    assert pick(run(rich, "production_breakdown", MARCH_P01, by="product_id"), "key", "units_inspected", "opportunities") == [
        ("X1", 1000, 10000),
        ("X2", 700, 2800),
    ]
    assert pick(
        run(rich, "production_breakdown", by="plant_id", slice=DefectSlice(product_id="X1")), "key", "units_inspected"
    ) == [
        ("P01", 1000),
        ("P02", 1000),
    ]


# --- heatmaps -------------------------------------------------------------------------------


def test_heatmaps_are_per_line_and_week_of_the_current_period(rich) -> None:
    assert pick(run(rich, "defect_heatmap"), "line_id", "bucket_date", "defect_count") == [
        ("P01-L01", D(2026, 3, 2), 5),
        ("P01-L01", D(2026, 3, 9), 30),
        ("P01-L02", D(2026, 3, 16), 13),
        ("P02-L01", D(2026, 3, 9), 10),
        ("P02-L01", D(2026, 3, 30), 2),  # 31 March, the last day, counts
    ]
    assert pick(run(rich, "production_heatmap"), "line_id", "bucket_date", "units_inspected") == [
        ("P01-L01", D(2026, 3, 2), 200),
        ("P01-L01", D(2026, 3, 9), 1000),
        ("P01-L02", D(2026, 3, 16), 500),
        ("P02-L01", D(2026, 3, 9), 1000),
    ]
    critical = DefectSlice(severity="critical")
    assert pick(run(rich, "defect_heatmap", slice=critical), "line_id", "defect_count") == [("P01-L02", 8)]
    assert len(run(rich, "production_heatmap", slice=critical)) == 4
    assert pick(run(rich, "production_heatmap", MARCH_P01, slice=DefectSlice(product_id="X2")), "line_id", "units_inspected") == [
        ("P01-L01", 200),
        ("P01-L02", 500),
    ]


# --- records --------------------------------------------------------------------------------


def test_records_have_every_column_and_only_the_current_period(rich) -> None:
    rows = run(rich, "defect_records", sort="defect_id", descending=False, offset=0, limit=1000)
    assert [row["defect_id"] for row in rows] == [1, 2, 101, 102, 103, 104]
    assert list(rows[2]) == list(q.RECORD_COLUMNS)
    assert rows[2] == {
        "defect_id": 101,
        "defect_date": D(2026, 3, 17),
        "plant_id": "P01",
        "line_id": "P01-L02",
        "product_id": "X2",
        "defect_code": "D02",
        "defect_description": "Burr",
        "category_6m": "Machine",
        "severity": "major",
        "defect_count": 5,
        "cost_eur": 50.0,
        "detection_stage": "in-process",
    }


def test_records_are_paged_in_a_stable_order(rich) -> None:
    def ids(**params: Any) -> list[int]:
        return [row["defect_id"] for row in run(rich, "defect_records", sort="defect_count", **params)]

    # counts: 104→2, 101→5, 103→5, 102→8, 2→10, 1→30; 101 and 103 tie and are ordered by id
    assert ids(descending=False, offset=0, limit=10) == [104, 101, 103, 102, 2, 1]
    assert ids(descending=True, offset=0, limit=10) == [1, 2, 102, 103, 101, 104]
    assert ids(descending=False, offset=1, limit=2) == [101, 103]
    assert ids(descending=False, offset=2, limit=2) == [103, 102]
    assert ids(descending=True, offset=5, limit=2) == [104]
    assert ids(descending=True, offset=6, limit=2) == []
    pages = [ids(descending=False, offset=offset, limit=2) for offset in (0, 2, 4)]
    assert [defect_id for page in pages for defect_id in page] == ids(descending=False, offset=0, limit=10)


def test_records_sort_by_a_joined_column_and_follow_the_slice(rich) -> None:
    rows = run(rich, "defect_records", sort="defect_description", descending=False, offset=0, limit=10)
    assert pick(rows, "defect_description", "defect_id") == [
        ("Burr", 101),
        ("Burr", 103),
        ("Crack", 102),
        ("Crack", 104),
        ("Scratch", 1),
        ("Scratch", 2),
    ]
    narrowed = run(
        rich, "defect_records", MARCH_P01, slice=DefectSlice(category_6m="Machine"), sort="defect_date", offset=0, limit=10
    )
    assert pick(narrowed, "defect_id", "defect_date") == [(103, D(2026, 3, 2)), (101, D(2026, 3, 17))]


def test_record_count_and_export(rich) -> None:
    assert run(rich, "defect_record_count") == [{"records": 6, "defect_count": 60}]
    assert run(rich, "defect_record_count", MARCH_P01, slice=DefectSlice(product_id="X2")) == [{"records": 3, "defect_count": 18}]
    assert run(rich, "defect_record_count", slice=DefectSlice(defect_code="D99")) == [{"records": 0, "defect_count": 0}]
    export = run(rich, "defect_export", sort="cost_eur", descending=True)
    assert [row["defect_id"] for row in export] == [1, 2, 102, 101, 104, 103]
    assert list(export[0]) == list(q.RECORD_COLUMNS)


def test_hostile_slice_values_match_nothing(rich) -> None:
    for field in ("line_id", "product_id", "defect_code", "category_6m", "severity"):
        hostile = DefectSlice(**{field: HOSTILE})
        assert run(rich, "defect_breakdown", by="plant_id", slice=hostile) == []
        assert run(rich, "defect_records", slice=hostile, sort="defect_id", offset=0, limit=10) == []
        assert run(rich, "defect_record_count", slice=hostile) == [{"records": 0, "defect_count": 0}]
    assert run(rich, "production_trend", grain="month", slice=DefectSlice(line_id=HOSTILE)) == []
    assert run(rich, "defect_trend", Filters("custom", D(2026, 3, 1), D(2026, 3, 31), HOSTILE), grain="month") == []


def test_the_cache_tells_slices_apart(rich) -> None:
    everything = rich.fetch("defect_record_count", MARCH).frame
    line = rich.fetch("defect_record_count", MARCH, slice=DefectSlice(line_id="P01-L02")).frame
    same_line = rich.fetch("defect_record_count", MARCH, slice=DefectSlice(line_id="P01-L02")).frame
    assert (int(everything["records"][0]), int(line["records"][0]), int(same_line["records"][0])) == (6, 2, 2)
    assert rich.queries_run == 2


def test_dimension_lists(rich) -> None:
    assert run(rich, "lines", None) == [
        {"line_id": "P01-L01", "plant_id": "P01", "line_name": "Line 1", "process_type": "assembly"},
        {"line_id": "P01-L02", "plant_id": "P01", "line_name": "Line 2", "process_type": "machining"},
        {"line_id": "P02-L01", "plant_id": "P02", "line_name": "Line 1", "process_type": "assembly"},
        {"line_id": "P02-L02", "plant_id": "P02", "line_name": "Line 2", "process_type": "moulding"},
    ]
    assert pick(run(rich, "products", None), "product_id", "product_name", "product_family") == [
        ("X1", "Widget", "W"),
        ("X2", "Gadget", "G"),
    ]
    assert pick(run(rich, "defect_codes", None), "defect_code", "defect_description", "category_6m") == [
        ("D01", "Scratch", "Method"),
        ("D02", "Burr", "Machine"),
        ("D03", "Crack", "Material"),
    ]


# --- parameter validation (no database) -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("defect_breakdown", {"by": "colour"}, "Unknown by 'colour'; use one of plant_id, line_id, product_id, defect_code"),
        ("defect_breakdown", {"by": None}, "Unknown by"),
        ("defect_breakdown", {"by": "line_id", "previous_keys": "yes"}, "previous_keys must be true or false"),
        ("production_breakdown", {"by": "defect_code"}, "use one of plant_id, line_id, product_id."),
        ("defect_records", {"sort": "password"}, "Unknown sort 'password'; use one of defect_id, defect_date"),
        ("defect_export", {"sort": "defect_id; DROP TABLE defects"}, "Unknown sort"),
        ("defect_records", {"offset": -1}, "offset must be a whole number from 0 to 10,000,000"),
        ("defect_records", {"offset": 10_000_001}, "offset must be"),
        ("defect_records", {"offset": True}, "offset must be"),
        ("defect_records", {"offset": "0"}, "offset must be"),
        ("defect_records", {"limit": 0}, "limit must be a whole number from 1 to 1,000"),
        ("defect_records", {"limit": 5000}, "limit must be"),
        ("defect_records", {"limit": 10.0}, "limit must be"),
        ("defect_records", {"limit": True}, "limit must be"),
        ("defect_records", {"descending": 1}, "descending must be true or false"),
        ("defect_export", {"descending": "false"}, "descending must be true or false"),
        ("defect_trend", {"slice": "line=P01-L01"}, "The defect slice is not valid"),
        ("defect_heatmap", {"slice": {"line_id": "P01-L01"}}, "The defect slice is not valid"),
        ("production_heatmap", {"slice": DefectSlice(line_id=7)}, "line_id must be a code"),  # type: ignore[arg-type]
        ("defect_record_count", {"slice": DefectSlice(severity=["minor"])}, "severity must be a code"),  # type: ignore[arg-type]
        ("production_trend", {"grain": "fortnight"}, "Unknown grain"),
    ],
)
def test_bad_parameters_are_refused_before_any_sql(name: str, params: dict, message: str) -> None:
    with pytest.raises(InvalidFilter) as raised:
        DATASETS[name](TABLES, MARCH, **params)
    assert message in str(raised.value)


@pytest.mark.parametrize("name", [n for n in NEW_DATASETS if n not in ("lines", "products", "defect_codes")])
def test_filtered_datasets_need_a_period(name: str) -> None:
    with pytest.raises(InvalidFilter, match="needs a period"):
        DATASETS[name](TABLES, None)


def test_limits_at_the_edges_are_accepted() -> None:
    for params in ({"offset": 0, "limit": 1}, {"offset": 10_000_000, "limit": 1000}):
        _, bound = compiled(DATASETS["defect_records"](TABLES, MARCH, **params), sqlite.dialect())
        assert {params["limit"], params["offset"]} <= set(bound.values())


# --- SQL text -------------------------------------------------------------------------------


def compiled(statement, dialect) -> tuple[str, dict]:
    result = statement.compile(dialect=dialect)
    return str(result), result.params


def _duckdb_dialect():
    duckdb_engine = pytest.importorskip("duckdb_engine")
    return duckdb_engine.Dialect()


FULL_SLICE = DefectSlice(HOSTILE, HOSTILE + "p", HOSTILE + "c", HOSTILE + "m", HOSTILE + "s")


def _every_builder(filters: Filters) -> list:
    return [
        q.select_defect_trend(TABLES, filters, FULL_SLICE, "week"),
        q.select_production_trend(TABLES, filters, FULL_SLICE, "quarter"),
        *(q.select_defect_breakdown(TABLES, filters, FULL_SLICE, by) for by in q.BREAKDOWNS),
        *(q.select_production_breakdown(TABLES, filters, FULL_SLICE, by) for by in q.PRODUCTION_BREAKDOWNS),
        q.select_defect_heatmap(TABLES, filters, FULL_SLICE),
        q.select_production_heatmap(TABLES, filters, FULL_SLICE),
        *(q.select_defect_records(TABLES, filters, FULL_SLICE, sort, True, 20, 10) for sort in q.RECORD_COLUMNS),
        q.select_defect_export(TABLES, filters, FULL_SLICE, "cost_eur", False),
        q.select_defect_record_count(TABLES, filters, FULL_SLICE),
    ]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "duckdb"])
def test_every_builder_compiles_with_values_bound(dialect: str) -> None:
    chosen = {"sqlite": sqlite.dialect, "postgresql": postgresql.dialect, "duckdb": _duckdb_dialect}[dialect]()
    filters = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), HOSTILE + "plant")
    for statement in _every_builder(filters):
        text, bound = compiled(statement, chosen)
        assert "OR 1=1" not in text and "2026" not in text
        assert HOSTILE + "plant" in bound.values()
    for statement in (q.select_lines(TABLES), q.select_products(TABLES), q.select_defect_codes(TABLES)):
        assert compiled(statement, chosen)[1] == {}


def test_the_slice_reaches_defects_but_production_only_by_line_and_product() -> None:
    _, defect_params = compiled(q.select_defect_trend(TABLES, MARCH, FULL_SLICE, "week"), sqlite.dialect())
    _, volume_params = compiled(q.select_production_trend(TABLES, MARCH, FULL_SLICE, "week"), sqlite.dialect())
    assert {HOSTILE, HOSTILE + "p", HOSTILE + "c", HOSTILE + "m", HOSTILE + "s"} <= set(defect_params.values())
    assert {HOSTILE, HOSTILE + "p"} <= set(volume_params.values())
    assert not {HOSTILE + "c", HOSTILE + "m", HOSTILE + "s"} & set(volume_params.values())


def test_builders_refuse_unknown_columns_even_without_the_registry() -> None:
    with pytest.raises(ValueError, match="unknown breakdown"):
        q.select_defect_breakdown(TABLES, MARCH, None, "cost_eur")
    with pytest.raises(ValueError, match="unknown production breakdown"):
        q.select_production_breakdown(TABLES, MARCH, None, "severity")
    with pytest.raises(ValueError, match="unknown record column"):
        q.select_defect_records(TABLES, MARCH, None, "1", False, 0, 10)


def test_breakdown_and_records_run_on_duckdb(tmp_path) -> None:
    """The SQL also runs on DuckDB (a file with the canonical tables and a few rows)."""
    pytest.importorskip("duckdb_engine")
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'q.duckdb'}")
    needed = [schema.plants, schema.lines, schema.products, schema.defect_codes, schema.defects, schema.production_volumes]
    copy = sa.MetaData()
    for table in needed:  # DuckDB has no SERIAL: the ids are given explicitly
        for column in table.to_metadata(copy).primary_key.columns:
            column.autoincrement = False
    try:
        copy.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                schema.plants.insert(),
                [
                    {"plant_id": p, "plant_name": n, "country": "DE", "region": "EMEA"}
                    for p, n in (("P01", "Alpha"), ("P02", "Beta"))
                ],
            )
            conn.execute(
                schema.lines.insert(),
                [
                    {"line_id": f"{p}-L01", "plant_id": p, "line_name": "Line 1", "process_type": "assembly"}
                    for p in ("P01", "P02")
                ],
            )
            conn.execute(
                schema.products.insert(),
                [
                    {
                        "product_id": "X1",
                        "product_name": "Widget",
                        "product_family": "W",
                        "opportunities_per_unit": 10,
                        "unit_cost_eur": 5.0,
                    }
                ],
            )
            conn.execute(
                schema.defect_codes.insert(), [{"defect_code": "D01", "defect_description": "Scratch", "category_6m": "Method"}]
            )
            _insert_rich_rows(conn)
            conn.execute(
                schema.production_volumes.insert(),
                [
                    {
                        "production_id": 1,
                        "production_date": D(2026, 3, 10),
                        "plant_id": "P01",
                        "line_id": "P01-L01",
                        "product_id": "X1",
                        "units_inspected": 1000,
                        "units_passed_first_time": 970,
                        "units_shipped": 960,
                    }
                ],
            )
            breakdown = conn.execute(
                q.select_defect_breakdown(TABLES, MARCH, DefectSlice(category_6m="Machine"), "line_id")
            ).all()
            records = conn.execute(q.select_defect_records(TABLES, MARCH, None, "defect_count", True, 1, 2)).all()
            trend = conn.execute(q.select_production_trend(TABLES, MARCH_P01, None, "week")).all()
    finally:
        engine.dispose()
    assert [(r.key, int(r.defect_count), int(r.prev_defect_count)) for r in breakdown] == [("P01-L01", 5, 0), ("P01-L02", 5, 7)]
    assert [r.defect_id for r in records] == [103, 101]  # 102 (8), then 103 and 101 tie on 5: id descending
    assert [(r.bucket_date, int(r.units_inspected)) for r in trend] == [
        (D(2026, 3, 2), 200),
        (D(2026, 3, 9), 1000),
        (D(2026, 3, 16), 500),
    ]
