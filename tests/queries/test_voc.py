"""Voice-of-the-customer datasets on SQLite and PostgreSQL, every number worked out by hand.

tests/seed.py has six pieces of feedback, all on 11 March at P01, product X1, region EMEA,
CSAT 4 and a comment: ids 1-5 surveys with NPS 10, 10, 9, 8, 3 (comment 'ok'), id 6 an email
complaint mapped to D01 'Scratch' with no NPS (comment '<script>alert(1)</script> scratched').
``rich`` adds product X2 'Gadget', codes D02 'Burr' and D03 'Crack', and these rows. The current
period is 1-31 March 2026, the previous 29 Jan - 28 Feb; the lead window of the complaint and
internal defect trends starts 120 days before 1 March, on 1 November 2025 (by week: Monday
27 October; by quarter: 1 October).

feedback  date         channel  region    plant product NPS CSAT complaint code comment   period
101       2 Mar (Mon)  web      Americas  P02   X1       6   3   yes       D02  yes       current
102       2 Mar        web      Americas  P02   X1       7   5   no        -    -         current
103       20 Mar       phone    APAC      P01   X2       -   1   yes       D02  yes       current
104       31 Mar       survey   EMEA      P01   X2       0   2   yes       -    yes       current (last day), not mapped
105       1 Mar (Sun)  email    EMEA      -     -        -   -   yes       D03  -         current (first day)
106       20 Feb       survey   EMEA      P01   X1       9   5   no        -    yes       previous
107       28 Feb       email    Americas  P02   X1       -   -   yes       D02  yes       previous (last day)
108       29 Jan       phone    EMEA      P01   X1       -   -   yes       D03  -         previous (first day)
109       1 Apr        survey   EMEA      P01   X1      10   -   yes       D02  yes       after
110       28 Jan       phone    EMEA      P01   X1       -   -   yes       D02  -         lead window only
111       15 Nov 2025  web      EMEA      P01   X1       -   -   yes       D02  -         lead window
112       31 Oct 2025  web      EMEA      P01   X1       -   -   yes       D02  -         lead window by week/quarter
113       26 Oct 2025  web      EMEA      P01   X1       -   -   yes       D03  -         lead window by quarter

defects (D02, line P0x-L01, X1)        production (X1, line P0x-L01)
id   date         plant stage       n   date         plant inspected shipped
201  15 Nov 2025  P01   in-process  7   15 Nov 2025  P01   2000      1900
202  20 Nov 2025  P01   customer  100   31 Oct 2025  P01    500       500
203  31 Oct 2025  P01   final       4   28 Feb 2026  P02    300       250
204  5 Mar 2026   P02   final       3   1 Mar 2026   P02    400       380
205  1 Apr 2026   P01   final      99   1 Apr 2026   P01    777       777
(and the seed: D01 final 30 at P01 and 10 at P02 on 10 March, 50 at P01 on 10 February;
production 1000 inspected on 10 March at P01 (960 shipped) and P02 (990), and on 10 February
at P01 (950).)
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
from dashboard.queries import voc as q
from dashboard.sources import schema
from tests.helpers import insert_rows, pick, plain_rows, repo_url

D = dt.date
TABLES = schema.metadata.tables

MARCH = Filters("custom", D(2026, 3, 1), D(2026, 3, 31))
MARCH_P01 = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), "P01")
HOSTILE = "EMEA' OR 1=1 --"
DATE_COLUMNS = ("bucket_date", "received_date")
NEW_DATASETS = (
    "feedback_trend",
    "feedback_breakdown",
    "complaints_by_code",
    "complaint_trend",
    "internal_defect_trend",
    "inspected_trend",
    "shipped",
    "comments",
    "feedback_dimensions",
)

FEEDBACK_COLUMNS = ("feedback_id", "received_date", "channel", "region", "plant_id", "product_id")
FEEDBACK_MEASURES = ("nps_score", "csat_score", "is_complaint", "defect_code", "comment_text")
FEEDBACK = [
    (101, D(2026, 3, 2), "web", "Americas", "P02", "X1", 6, 3, True, "D02", "Burr on edge"),
    (102, D(2026, 3, 2), "web", "Americas", "P02", "X1", 7, 5, False, None, None),
    (103, D(2026, 3, 20), "phone", "APAC", "P01", "X2", None, 1, True, "D02", "Sharp burr"),
    (104, D(2026, 3, 31), "survey", "EMEA", "P01", "X2", 0, 2, True, None, "Broken"),
    (105, D(2026, 3, 1), "email", "EMEA", None, None, None, None, True, "D03", None),
    (106, D(2026, 2, 20), "survey", "EMEA", "P01", "X1", 9, 5, False, None, "Great"),
    (107, D(2026, 2, 28), "email", "Americas", "P02", "X1", None, None, True, "D02", "Burr again"),
    (108, D(2026, 1, 29), "phone", "EMEA", "P01", "X1", None, None, True, "D03", None),
    (109, D(2026, 4, 1), "survey", "EMEA", "P01", "X1", 10, None, True, "D02", "Later"),
    (110, D(2026, 1, 28), "phone", "EMEA", "P01", "X1", None, None, True, "D02", None),
    (111, D(2025, 11, 15), "web", "EMEA", "P01", "X1", None, None, True, "D02", None),
    (112, D(2025, 10, 31), "web", "EMEA", "P01", "X1", None, None, True, "D02", None),
    (113, D(2025, 10, 26), "web", "EMEA", "P01", "X1", None, None, True, "D03", None),
]
DEFECTS = [
    (201, D(2025, 11, 15), "P01", "in-process", 7),
    (202, D(2025, 11, 20), "P01", "customer", 100),
    (203, D(2025, 10, 31), "P01", "final", 4),
    (204, D(2026, 3, 5), "P02", "final", 3),
    (205, D(2026, 4, 1), "P01", "final", 99),
]
PRODUCTION = [
    (201, D(2025, 11, 15), "P01", 2000, 1900),
    (202, D(2025, 10, 31), "P01", 500, 500),
    (203, D(2026, 2, 28), "P02", 300, 250),
    (204, D(2026, 3, 1), "P02", 400, 380),
    (205, D(2026, 4, 1), "P01", 777, 777),
]


def _insert_rich_rows(conn: sa.Connection) -> None:
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
    columns = FEEDBACK_COLUMNS + FEEDBACK_MEASURES
    conn.execute(schema.customer_feedback.insert(), [dict(zip(columns, row, strict=True)) for row in FEEDBACK])
    conn.execute(
        schema.defects.insert(),
        [
            {
                "defect_id": defect_id,
                "defect_date": day,
                "plant_id": plant,
                "line_id": f"{plant}-L01",
                "product_id": "X1",
                "defect_code": "D02",
                "severity": "minor",
                "defect_count": count,
                "cost_eur": 1.0,
                "detection_stage": stage,
            }
            for defect_id, day, plant, stage, count in DEFECTS
        ],
    )
    conn.execute(
        schema.production_volumes.insert(),
        [
            {
                "production_id": production_id,
                "production_date": day,
                "plant_id": plant,
                "line_id": f"{plant}-L01",
                "product_id": "X1",
                "units_inspected": inspected,
                "units_passed_first_time": inspected,
                "units_shipped": shipped,
            }
            for production_id, day, plant, inspected, shipped in PRODUCTION
        ],
    )


@pytest.fixture
def rich(repo, request: pytest.FixtureRequest, tmp_path):
    """The seeded repository with the extra rows of the module docstring."""
    insert_rows(repo, repo_url(repo, request, tmp_path), _insert_rich_rows)
    return repo


def run(repo, name: str, filters: Filters | None = MARCH, **params: Any) -> list[dict[str, Any]]:
    """Rows of a dataset (uncached), as plain Python values."""
    return plain_rows(repo.run_uncached(name, filters, **params), DATE_COLUMNS)


MEASURES = (
    "responses",
    "promoters",
    "passives",
    "detractors",
    "csat_responses",
    "csat_sum",
    "csat_satisfied",
    "complaints",
    "feedback",
)


# --- NPS and CSAT trend ---------------------------------------------------------------------


def test_feedback_trend_on_the_seed(repo) -> None:
    # NPS 10, 10, 9, 8, 3: 3 promoters, 1 passive, 1 detractor; six CSAT 4s; one complaint.
    assert pick(run(repo, "feedback_trend", grain="month"), "period", "bucket_date", *MEASURES) == [
        ("current", D(2026, 3, 1), 5, 3, 1, 1, 6, 24, 6, 1, 6)
    ]


MARCH_MONTHS = [
    # NPS 10, 10, 9 | 8, 7 | 6, 3, 0: the 6/7 and 8/9 boundaries; CSAT 4 x6, 3, 5, 1, 2 (105 has none)
    ("current", D(2026, 3, 1), 8, 3, 2, 3, 10, 35, 7, 5, 11),
    ("previous", D(2026, 1, 1), 0, 0, 0, 0, 0, 0, 0, 1, 1),  # 108 only: a complaint, no scores
    ("previous", D(2026, 2, 1), 1, 1, 0, 0, 1, 5, 1, 1, 2),  # 106 (NPS 9, CSAT 5) and 107
]


def test_feedback_trend_counts_nps_buckets_at_the_boundaries(rich) -> None:
    assert pick(run(rich, "feedback_trend", grain="month"), "period", "bucket_date", *MEASURES) == MARCH_MONTHS
    assert pick(run(rich, "feedback_trend", grain="month", by=None), "period", "bucket_date", *MEASURES) == MARCH_MONTHS
    assert "key" not in run(rich, "feedback_trend", grain="month")[0]


def test_feedback_trend_by_channel_and_product(rich) -> None:
    assert pick(run(rich, "feedback_trend", grain="month", by="channel"), "period", "bucket_date", "key", *MEASURES) == [
        ("current", D(2026, 3, 1), "email", 0, 0, 0, 0, 1, 4, 1, 2, 2),
        ("current", D(2026, 3, 1), "phone", 0, 0, 0, 0, 1, 1, 0, 1, 1),
        ("current", D(2026, 3, 1), "survey", 6, 3, 1, 2, 6, 22, 5, 1, 6),
        ("current", D(2026, 3, 1), "web", 2, 0, 1, 1, 2, 8, 1, 1, 2),
        ("previous", D(2026, 1, 1), "phone", 0, 0, 0, 0, 0, 0, 0, 1, 1),
        ("previous", D(2026, 2, 1), "email", 0, 0, 0, 0, 0, 0, 0, 1, 1),
        ("previous", D(2026, 2, 1), "survey", 1, 1, 0, 0, 1, 5, 1, 0, 1),
    ]
    rows = run(rich, "feedback_trend", grain="month", by="product_id")
    assert pick([r for r in rows if r["period"] == "current"], "key", *MEASURES) == [
        ("X1", 7, 3, 2, 2, 8, 32, 7, 2, 8),
        ("X2", 1, 0, 0, 1, 2, 3, 0, 2, 2),
        (None, 0, 0, 0, 0, 0, 0, 0, 1, 1),  # 105: no product, last
    ]


def test_feedback_trend_by_week_plant_and_slice(rich) -> None:
    assert pick(run(rich, "feedback_trend", grain="week", channel="web"), "period", "bucket_date", *MEASURES) == [
        ("current", D(2026, 3, 2), 2, 0, 1, 1, 2, 8, 1, 1, 2)
    ]
    weekly = run(rich, "feedback_trend", MARCH_P01, grain="week", region="EMEA")
    assert pick(weekly, "period", "bucket_date", "responses", "detractors", "complaints", "feedback") == [
        ("current", D(2026, 3, 9), 5, 1, 1, 6),
        ("current", D(2026, 3, 30), 1, 1, 1, 1),  # 104; 105 has no plant
        ("previous", D(2026, 1, 26), 0, 0, 1, 1),
        ("previous", D(2026, 2, 16), 1, 0, 0, 1),
    ]
    by_region = run(rich, "feedback_trend", grain="month", by="region", product_id="X2")
    assert pick(by_region, "period", "key", "responses", "csat_sum", "feedback") == [
        ("current", "APAC", 0, 1, 1),
        ("current", "EMEA", 1, 2, 1),
    ]
    assert run(rich, "feedback_trend", channel="fax") == []


# --- NPS by channel, region, product and plant ------------------------------------------------


def test_feedback_breakdown_by_each_key_most_feedback_first(rich) -> None:
    columns = ("key", "label", *MEASURES)
    assert pick(run(rich, "feedback_breakdown", by="channel"), *columns) == [
        ("survey", "survey", 6, 3, 1, 2, 6, 22, 5, 1, 6),
        ("email", "email", 0, 0, 0, 0, 1, 4, 1, 2, 2),
        ("web", "web", 2, 0, 1, 1, 2, 8, 1, 1, 2),
        ("phone", "phone", 0, 0, 0, 0, 1, 1, 0, 1, 1),
    ]
    assert run(rich, "feedback_breakdown") == run(rich, "feedback_breakdown", by="channel")
    assert pick(run(rich, "feedback_breakdown", by="plant_id"), *columns) == [
        ("P01", "Alpha", 6, 3, 1, 2, 8, 27, 6, 3, 8),
        ("P02", "Beta", 2, 0, 1, 1, 2, 8, 1, 1, 2),
        (None, None, 0, 0, 0, 0, 0, 0, 0, 1, 1),
    ]
    assert pick(run(rich, "feedback_breakdown", by="product_id"), "key", "label", "responses", "feedback") == [
        ("X1", "Widget", 7, 8),
        ("X2", "Gadget", 1, 2),
        (None, None, 0, 1),
    ]
    assert pick(run(rich, "feedback_breakdown", by="region"), "key", "label", "responses", "feedback") == [
        ("EMEA", "EMEA", 6, 8),
        ("Americas", "Americas", 2, 2),
        ("APAC", "APAC", 0, 1),
    ]


def test_feedback_breakdown_by_plant_and_slice(rich) -> None:
    assert pick(run(rich, "feedback_breakdown", by="channel", region="EMEA"), "key", "feedback", "complaints") == [
        ("survey", 6, 1),
        ("email", 2, 2),
    ]
    assert pick(run(rich, "feedback_breakdown", MARCH_P01, by="channel", region="EMEA"), "key", "feedback") == [
        ("survey", 6),
        ("email", 1),  # 105 has no plant
    ]
    assert pick(run(rich, "feedback_breakdown", by="plant_id", channel="web", product_id="X1"), "key", "feedback") == [("P02", 2)]


# --- complaints -----------------------------------------------------------------------------


def test_complaints_by_code_with_the_previous_period(rich) -> None:
    columns = ("key", "label", "complaints", "prev_complaints")
    assert pick(run(rich, "complaints_by_code"), *columns) == [
        ("D02", "Burr", 2, 1),  # 101, 103; 107 in February (109 is after, 110 before both)
        ("D01", "Scratch", 1, 0),
        ("D03", "Crack", 1, 1),  # 105; 108 on the previous period's first day
        (None, "not mapped", 1, 0),  # 104
    ]
    # At P01, D03 has a complaint in the previous period only (108): left out.
    assert pick(run(rich, "complaints_by_code", MARCH_P01), *columns) == [
        ("D01", "Scratch", 1, 0),
        ("D02", "Burr", 1, 0),
        (None, "not mapped", 1, 0),
    ]
    assert pick(run(rich, "complaints_by_code", channel="email"), *columns) == [
        ("D01", "Scratch", 1, 0),
        ("D03", "Crack", 1, 0),
    ]
    assert pick(run(rich, "complaints_by_code", region="Americas", product_id="X1"), *columns) == [("D02", "Burr", 1, 1)]


def test_complaints_by_code_on_the_seed(repo) -> None:
    assert pick(run(repo, "complaints_by_code"), "key", "label", "complaints", "prev_complaints") == [("D01", "Scratch", 1, 0)]


def test_complaint_trend_reaches_back_into_the_lead_window(rich) -> None:
    assert q.lead_window_start(MARCH, "day") == D(2025, 11, 1)
    assert q.lead_window_start(MARCH, "week") == D(2025, 10, 27)
    assert q.lead_window_start(MARCH, "month") == D(2025, 11, 1)
    assert q.lead_window_start(MARCH, "quarter") == D(2025, 10, 1)
    trend = "bucket_date", "complaints"
    assert pick(run(rich, "complaint_trend", grain="month"), *trend) == [
        (D(2025, 11, 1), 1),  # 111; 112 (31 October) is before the window
        (D(2026, 1, 1), 2),
        (D(2026, 2, 1), 1),
        (D(2026, 3, 1), 5),  # 109 (1 April) is after the period
    ]
    assert pick(run(rich, "complaint_trend", grain="week"), *trend) == [
        (D(2025, 10, 27), 1),  # 112; 113 (Sunday 26 October) is in the week before
        (D(2025, 11, 10), 1),
        (D(2026, 1, 26), 2),
        (D(2026, 2, 23), 2),  # 107 (28 Feb) and 105 (Sunday 1 March)
        (D(2026, 3, 2), 1),
        (D(2026, 3, 9), 1),
        (D(2026, 3, 16), 1),
        (D(2026, 3, 30), 1),
    ]
    assert pick(run(rich, "complaint_trend", grain="quarter"), *trend) == [(D(2025, 10, 1), 3), (D(2026, 1, 1), 8)]


def test_complaint_trend_of_one_code_and_plant(rich) -> None:
    trend = "bucket_date", "complaints"
    assert pick(run(rich, "complaint_trend", grain="month", defect_code="D02"), *trend) == [
        (D(2025, 11, 1), 1),
        (D(2026, 1, 1), 1),
        (D(2026, 2, 1), 1),
        (D(2026, 3, 1), 2),
    ]
    assert pick(run(rich, "complaint_trend", MARCH_P01, grain="month"), *trend) == [
        (D(2025, 11, 1), 1),
        (D(2026, 1, 1), 2),
        (D(2026, 3, 1), 3),
    ]
    assert run(rich, "complaint_trend", grain="month", defect_code="D99") == []


def test_internal_defect_trend_over_the_same_window(rich) -> None:
    trend = "bucket_date", "defect_count"
    # 202 was found by the customer: not an internal defect; 205 is after the period.
    assert pick(run(rich, "internal_defect_trend", grain="month", defect_code="D02"), *trend) == [
        (D(2025, 11, 1), 7),
        (D(2026, 3, 1), 3),
    ]
    assert pick(run(rich, "internal_defect_trend", grain="week", defect_code="D02"), *trend) == [
        (D(2025, 10, 27), 4),
        (D(2025, 11, 10), 7),
        (D(2026, 3, 2), 3),
    ]
    assert pick(run(rich, "internal_defect_trend", grain="month"), *trend) == [
        (D(2025, 11, 1), 7),
        (D(2026, 2, 1), 50),
        (D(2026, 3, 1), 43),
    ]
    assert pick(run(rich, "internal_defect_trend", MARCH_P01, grain="month", defect_code="D01"), *trend) == [
        (D(2026, 2, 1), 50),
        (D(2026, 3, 1), 30),
    ]


def test_inspected_trend_over_the_same_window(rich) -> None:
    trend = "bucket_date", "units_inspected"
    assert pick(run(rich, "inspected_trend", grain="month"), *trend) == [
        (D(2025, 11, 1), 2000),
        (D(2026, 2, 1), 1300),
        (D(2026, 3, 1), 2400),
    ]
    assert pick(run(rich, "inspected_trend", grain="week"), *trend) == [
        (D(2025, 10, 27), 500),
        (D(2025, 11, 10), 2000),
        (D(2026, 2, 9), 1000),
        (D(2026, 2, 23), 700),
        (D(2026, 3, 9), 2000),
    ]
    assert pick(run(rich, "inspected_trend", MARCH_P01, grain="month"), *trend) == [
        (D(2025, 11, 1), 2000),
        (D(2026, 2, 1), 1000),
        (D(2026, 3, 1), 1000),
    ]


def test_units_shipped_in_both_periods(rich) -> None:
    shipped = "units_shipped", "prev_units_shipped"
    assert pick(run(rich, "shipped"), *shipped) == [(960 + 990 + 380, 950 + 250)]
    assert pick(run(rich, "shipped", MARCH_P01), *shipped) == [(960, 950)]
    assert pick(run(rich, "shipped", product_id="X1"), *shipped) == [(2330, 1200)]
    assert pick(run(rich, "shipped", product_id="X2"), *shipped) == [(0, 0)]  # none: 0, not NULL


def test_units_shipped_on_the_seed(repo) -> None:
    assert pick(run(repo, "shipped"), "units_shipped", "prev_units_shipped") == [(1950, 950)]


# --- comments and allow-lists ---------------------------------------------------------------


def test_comments_of_the_current_period_newest_first(rich) -> None:
    rows = run(rich, "comments")
    assert [row["feedback_id"] for row in rows] == [104, 103, 6, 5, 4, 3, 2, 1, 101]
    assert rows[0] == {
        "feedback_id": 104,
        "received_date": D(2026, 3, 31),
        "channel": "survey",
        "region": "EMEA",
        "plant_id": "P01",
        "product_id": "X2",
        "nps_score": 0,
        "csat_score": 2,
        "is_complaint": True,
        "defect_code": None,
        "comment_text": "Broken",
    }
    assert rows[2]["comment_text"] == "<script>alert(1)</script> scratched"  # untrusted text travels as written
    assert [row["feedback_id"] for row in run(rich, "comments", complaint_only=True)] == [104, 103, 6, 101]
    assert [row["feedback_id"] for row in run(rich, "comments", complaint_only=False, channel="web")] == [101]
    assert [row["feedback_id"] for row in run(rich, "comments", MARCH_P01, product_id="X2")] == [104, 103]
    assert [row["feedback_id"] for row in run(rich, "comments", region="Americas", complaint_only=True)] == [101]


def test_feedback_dimensions_ignore_the_filters(rich) -> None:
    expected = [
        ("channel", "email"),
        ("channel", "phone"),
        ("channel", "survey"),
        ("channel", "web"),
        ("region", "APAC"),
        ("region", "Americas"),
        ("region", "EMEA"),
    ]
    rows = pick(run(rich, "feedback_dimensions", None), "dimension", "value")
    assert sorted(rows) == expected  # the order of values is the database's collation
    assert [row[0] for row in rows] == [row[0] for row in expected]
    assert pick(run(rich, "feedback_dimensions", MARCH_P01), "dimension", "value") == rows


def test_hostile_values_match_nothing(rich) -> None:
    hostile_plant = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), HOSTILE)
    for name in (*NEW_DATASETS[:6], "comments"):
        assert run(rich, name, hostile_plant) == [], name
    assert pick(run(rich, "shipped", hostile_plant), "units_shipped", "prev_units_shipped") == [(0, 0)]
    for slice_name in ("channel", "region", "product_id"):
        for name in ("feedback_trend", "feedback_breakdown", "complaints_by_code", "comments"):
            assert run(rich, name, **{slice_name: HOSTILE}) == [], (name, slice_name)
    for name in ("complaint_trend", "internal_defect_trend"):
        assert run(rich, name, defect_code=HOSTILE[:16]) == [], name
    assert len(run(rich, "comments")) == 9  # nothing was dropped


def test_the_cache_tells_slices_apart(rich) -> None:
    def feedback(**params: Any) -> int:
        return int(rich.fetch("feedback_breakdown", MARCH, **params).frame["feedback"].sum())

    assert (feedback(), feedback(channel="web"), feedback(region="EMEA"), feedback(channel="web")) == (11, 2, 8, 2)
    assert rich.queries_run == 3


# --- parameter validation (no database) -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("feedback_trend", {"by": "plant_id"}, "Unknown by 'plant_id'; use one of channel, region, product_id."),
        ("feedback_trend", {"by": ""}, "Unknown by"),
        ("feedback_trend", {"by": ["channel"]}, "Unknown by"),
        ("feedback_trend", {"grain": "fortnight"}, "Unknown grain"),
        ("feedback_breakdown", {"by": None}, "Unknown by"),
        ("feedback_breakdown", {"by": "severity"}, "use one of channel, region, product_id, plant_id."),
        ("feedback_trend", {"channel": ""}, "channel must be a code of 1 to 32 characters."),
        ("feedback_breakdown", {"region": "r" * 33}, "region must be a code of 1 to 32 characters."),
        ("complaints_by_code", {"product_id": 7}, "product_id must be"),
        ("comments", {"channel": ("web",)}, "channel must be"),
        ("comments", {"complaint_only": "yes"}, "complaint_only must be true or false."),
        ("comments", {"complaint_only": 1}, "complaint_only must be true or false."),
        ("complaint_trend", {"defect_code": "D" * 17}, "defect_code must be a code of 1 to 16 characters."),
        ("internal_defect_trend", {"defect_code": ""}, "defect_code must be"),
        ("internal_defect_trend", {"grain": "year"}, "Unknown grain"),
        ("inspected_trend", {"grain": "year"}, "Unknown grain"),
        ("shipped", {"product_id": "x" * 33}, "product_id must be"),
    ],
)
def test_bad_parameters_are_refused_before_any_sql(name: str, params: dict, message: str) -> None:
    with pytest.raises(InvalidFilter) as raised:
        DATASETS[name](TABLES, MARCH, **params)
    assert message in str(raised.value)


@pytest.mark.parametrize("name", [n for n in NEW_DATASETS if n != "feedback_dimensions"])
def test_filtered_datasets_need_a_period(name: str) -> None:
    with pytest.raises(InvalidFilter, match="needs a period"):
        DATASETS[name](TABLES, None)


def test_builders_refuse_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown trend breakdown"):
        q.select_feedback_trend(TABLES, MARCH, "week", "plant_id")
    with pytest.raises(ValueError, match="unknown breakdown"):
        q.select_feedback_breakdown(TABLES, MARCH, "comment_text")


def test_values_at_the_length_limits_are_accepted_and_bound() -> None:
    channel, region, product, code = "c" * 32, "r" * 32, "p" * 32, "d" * 16
    slice_params = {"channel": channel, "region": region, "product_id": product}
    for name in ("feedback_trend", "feedback_breakdown", "complaints_by_code", "comments"):
        _, bound = compiled(DATASETS[name](TABLES, MARCH, **slice_params), sqlite.dialect())
        assert {channel, region, product} <= set(bound.values()), name
    for name in ("complaint_trend", "internal_defect_trend"):
        assert code in compiled(DATASETS[name](TABLES, MARCH, defect_code=code), sqlite.dialect())[1].values()


# --- SQL text -------------------------------------------------------------------------------


def compiled(statement, dialect) -> tuple[str, dict]:
    result = statement.compile(dialect=dialect)
    return str(result), result.params


def _duckdb_dialect():
    duckdb_engine = pytest.importorskip("duckdb_engine")
    return duckdb_engine.Dialect()


PLANT, CHANNEL, REGION, PRODUCT, CODE = (HOSTILE + suffix for suffix in ("p", "c", "r", "x", ""))


def _every_builder(filters: Filters) -> list[tuple[Any, set[str]]]:
    """Each statement with the hostile values it must bind (and no others)."""
    sliced = (CHANNEL, REGION, PRODUCT)
    return [
        (q.select_feedback_trend(TABLES, filters, "day", None, *sliced), {PLANT, *sliced}),
        (q.select_feedback_trend(TABLES, filters, "quarter", "product_id"), {PLANT}),
        (q.select_feedback_breakdown(TABLES, filters, "plant_id", *sliced), {PLANT, *sliced}),
        (q.select_feedback_breakdown(TABLES, filters, "region"), {PLANT}),
        (q.select_complaints_by_code(TABLES, filters, *sliced), {PLANT, *sliced}),
        (q.select_complaint_trend(TABLES, filters, "week", CODE), {PLANT, CODE}),
        (q.select_complaint_trend(TABLES, filters, "month"), {PLANT}),
        (q.select_internal_defect_trend(TABLES, filters, "week", CODE), {PLANT, CODE}),
        (q.select_inspected_trend(TABLES, filters, "quarter"), {PLANT}),
        (q.select_shipped(TABLES, filters, PRODUCT), {PLANT, PRODUCT}),
        (q.select_comments(TABLES, filters, *sliced, complaint_only=True), {PLANT, *sliced}),
    ]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "duckdb"])
def test_every_builder_compiles_with_values_bound(dialect: str) -> None:
    chosen = {"sqlite": sqlite.dialect, "postgresql": postgresql.dialect, "duckdb": _duckdb_dialect}[dialect]()
    filters = Filters("custom", D(2026, 3, 1), D(2026, 3, 31), PLANT)
    for statement, expected in _every_builder(filters):
        text, bound = compiled(statement, chosen)
        assert "OR 1=1" not in text and "2026" not in text and "2025" not in text
        assert {value for value in bound.values() if isinstance(value, str) and "1=1" in value} == expected, text
    assert compiled(q.select_feedback_dimensions(TABLES), chosen)[1] == {}


def test_the_lead_window_starts_on_a_bucket_boundary_and_is_bound() -> None:
    _, bound = compiled(q.select_complaint_trend(TABLES, MARCH, "week"), sqlite.dialect())
    assert set(bound.values()) >= {D(2025, 10, 27), D(2026, 4, 1)}
    assert q.lead_window_start(Filters("custom", D(2026, 7, 15), D(2026, 7, 31)), "quarter") == D(2026, 1, 1)


def _as_date(value: Any) -> Any:
    """ISO date text (SQLite) as a date; anything else unchanged."""
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        return D.fromisoformat(value)
    return value


def test_the_voc_datasets_run_on_duckdb_as_on_sqlite(tmp_path) -> None:
    """Every builder gives the same rows on DuckDB as on SQLite (rich rows only, no seed)."""
    pytest.importorskip("duckdb_engine")
    needed = [
        schema.plants,
        schema.lines,
        schema.products,
        schema.defect_codes,
        schema.customer_feedback,
        schema.defects,
        schema.production_volumes,
    ]
    copy = sa.MetaData()
    for table in needed:  # DuckDB has no SERIAL: the ids are given explicitly
        for column in table.to_metadata(copy).primary_key.columns:
            column.autoincrement = False
    results = {}
    for url in (f"sqlite:///{tmp_path / 'q.db'}", f"duckdb:///{tmp_path / 'q.duckdb'}"):
        engine = sa.create_engine(url)
        try:
            copy.create_all(engine)
            with engine.begin() as conn:
                conn.execute(
                    schema.plants.insert(),
                    [{"plant_id": p, "plant_name": p, "country": "DE", "region": "EMEA"} for p in ("P01", "P02")],
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
                _insert_rich_rows(conn)
                statements = [
                    q.select_feedback_trend(TABLES, MARCH, "week", "channel"),
                    q.select_feedback_trend(TABLES, MARCH, "quarter"),
                    q.select_feedback_breakdown(TABLES, MARCH, "product_id"),
                    q.select_complaints_by_code(TABLES, MARCH),
                    q.select_complaint_trend(TABLES, MARCH, "week"),
                    q.select_internal_defect_trend(TABLES, MARCH, "month", "D02"),
                    q.select_inspected_trend(TABLES, MARCH, "week"),
                    q.select_shipped(TABLES, MARCH),
                    q.select_comments(TABLES, MARCH),
                    q.select_feedback_dimensions(TABLES),
                ]
                results[engine.dialect.name] = [
                    [tuple(_as_date(value) for value in row) for row in conn.execute(s).all()] for s in statements
                ]
        finally:
            engine.dispose()
    assert results["duckdb"] == results["sqlite"]
    by_code = results["duckdb"][3]
    assert by_code == [("D02", "Burr", 2, 1), ("D03", "Crack", 1, 1), (None, "not mapped", 1, 0)]
    assert results["duckdb"][7] == [(380, 250)]
