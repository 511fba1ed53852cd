"""The audit findings view on the hand-made findings of tests/queries/test_audits.py (SQLite and
PostgreSQL), its pure pieces, and the agreement of its open majors with the overview's tile."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dashboard.filters import Filters
from dashboard.queries import audits as queries
from dashboard.views.audit_records import (
    AUDIT_TYPES,
    RECORD_COLUMNS,
    SEVERITIES,
    STATUSES,
    AuditSelection,
    clause_key,
    export_name,
    parse_selection,
    record_count,
    record_page,
    sort_of,
)
from dashboard.views.audits import build_audits, grain_for, list_title
from dashboard.views.overview import build_overview
from tests.helpers import insert_rows, repo_url
from tests.queries.test_audits import MARCH, MARCH_P01, MARCH_P02, insert_findings
from tests.views.conftest import DEMO_END

D = dt.date
CLAUSES = ("4.4", "6.1", "7.2", "8.5.1", "8.7", "9.2", "10.2")


@pytest.fixture
def findings(repo, request: pytest.FixtureRequest, tmp_path):
    """The seeded repository (SQLite, then PostgreSQL) with the hand-made findings."""
    insert_rows(repo, repo_url(repo, request, tmp_path), insert_findings)
    return repo


def headlines(view) -> dict[str, tuple[str, str]]:
    return {h.key: (h.value_text, h.detail) for h in view.headlines}


def test_headline_numbers_of_march(findings) -> None:
    view = build_audits(MARCH, findings)
    assert (view.open_findings, view.open_majors, view.closed) == (7, 4, 4)
    assert view.raised == {"major": 2, "minor": 1, "observation": 1}
    assert view.mean_days_to_close == pytest.approx((58 + 80 + 1 + 15) / 4)
    assert view.capa_share == pytest.approx(2 / 3)  # 103 and 109 of 1, 103 and 109
    assert headlines(view) == {
        "open": ("7", "4 major · 3 minor"),
        "open-majors": ("4", "Oldest raised 90 days before the period's end"),
        "raised": ("4", "2 major · 1 minor · 1 observation"),
        "closed": ("4", "1 major · 2 minor · 1 observation"),
        "days-to-close": ("38", "Of the 4 findings closed in the period"),
        "capa": ("67 %", "2 of 3 raised in the period (majors 1 of 2)"),
    }
    assert view.list_title == "Open on 31 Mar 2026: 7 findings" and view.record_count == 7
    assert view.clauses == CLAUSES and view.problems == () and view.note is None
    assert view.grain == "week"


def test_headline_numbers_of_one_plant(findings) -> None:
    view = build_audits(MARCH_P01, findings)
    assert headlines(view)["open"] == ("4", "2 major · 2 minor")
    assert headlines(view)["open-majors"] == ("2", "Oldest raised 44 days before the period's end")
    assert headlines(view)["days-to-close"] == ("32", "Of the 3 findings closed in the period")  # (80 + 15 + 1) / 3
    assert headlines(view)["capa"] == ("50 %", "1 of 2 raised in the period (majors 0 of 1)")


def test_the_selection_narrows_the_list_only(findings) -> None:
    view = build_audits(MARCH, findings, severity="major", clause="8.5.1", status="all")
    assert view.selection == AuditSelection(severity="major", clause="8.5.1", status="all")
    assert view.list_title == "Open at some time in the period · major · clause 8.5.1: 2 findings"
    assert view.open_findings == 7  # the numbers stay those of the period and plant
    page = record_page(MARCH, view.selection, findings, sort="finding_id", descending=False, offset=0, limit=10)
    assert [r["finding_id"] for r in page.rows] == [1, 102] and page.total == 2
    assert page.rows[0]["audit_date"] == "2026-03-01" and page.rows[1]["capa_id"] is None


def test_unknown_values_give_messages_and_the_nearest_list(findings) -> None:
    view = build_audits(MARCH, findings, severity="fatal", audit_type=3, clause="<b>9.9</b>", status="late")
    assert view.selection == AuditSelection()
    assert view.problems == (
        "Unknown severity 'fatal'; use one of observation, minor, major. Showing every severity.",
        "Unknown audit type '3'; use one of internal, customer, certification. Showing every audit type.",
        "Unknown clause '<b>9.9</b>'; use one of 4.4, 6.1, 7.2, 8.5.1, 8.7, 9.2, 10.2. Showing every clause.",
        "Unknown status 'late'; use one of open, raised, closed, all. Showing the findings open at the end of the period.",
    )
    assert view.record_count == 7


def test_a_period_without_findings_says_so(findings) -> None:
    view = build_audits(Filters("custom", D(2020, 1, 1), D(2020, 12, 31)), findings)
    assert view.note and "No audit finding was raised, closed or open in this period" in view.note
    assert headlines(view)["open-majors"] == ("0", "None open")
    assert headlines(view)["days-to-close"] == ("–", "None closed in the period")
    assert headlines(view)["capa"][0] == "–"
    texts = [a["text"] for f in (view.by_clause, view.trend, view.backlog) for a in f.layout.annotations]
    assert texts == [
        "No findings were raised in this period.",
        "No findings were raised in this period.",
        "No finding was open at the end of this period.",
    ]
    assert view.grain == "month" and view.list_title == "Open on 31 Dec 2020: 0 findings"


# --- the overview's tile and the page agree -------------------------------------------------


def tile_value(filters: Filters, repo) -> int:
    (tile,) = [t for t in build_overview(filters, repo).tiles if t.kpi_id == "open_major_findings"]
    return int(tile.value)


def agree(filters: Filters, repo) -> int:
    view = build_audits(filters, repo)
    listed = record_count(filters, AuditSelection(severity="major"), repo)
    assert tile_value(filters, repo) == view.open_majors == listed, filters
    return view.open_majors


def test_open_majors_equal_the_tile_on_the_hand_made_findings(findings) -> None:
    """Findings raised on the last day (103) and the day after (104), closed on the last day
    (112) and the day after (102): any other reading of 'open at the end' gives another count."""
    assert agree(MARCH, findings) == 4
    assert agree(MARCH_P01, findings) == 2
    assert agree(MARCH_P02, findings) == 2
    assert agree(Filters("custom", D(2026, 3, 1), D(2026, 3, 30)), findings) == 4  # 112 open, 103 not yet
    assert agree(Filters("custom", D(2026, 4, 1), D(2026, 4, 1), "P02"), findings) == 3  # 103, 104, 110


@pytest.mark.parametrize("period", ["30d", "90d", "ytd", "12m"])
def test_open_majors_equal_the_tile_on_the_demo(demo_repo, period: str) -> None:
    from dashboard.filters import resolve_period

    start, end = resolve_period(period, DEMO_END)
    counts = [agree(Filters(period, start, end, plant), demo_repo) for plant in (None, "P01", "P02", "P04")]
    assert counts[0] >= 1 and counts[0] >= max(counts[1:])


# --- pure pieces ----------------------------------------------------------------------------


def test_the_views_allow_lists_are_the_queries() -> None:
    assert (SEVERITIES, AUDIT_TYPES, tuple(STATUSES)) == (queries.SEVERITIES, queries.AUDIT_TYPES, queries.STATUSES)
    assert tuple(RECORD_COLUMNS) == queries.RECORD_COLUMNS


def test_parse_selection() -> None:
    parsed = parse_selection({"severity": " major ", "type": "customer", "clause": "8.7", "status": "closed"}, CLAUSES)
    assert parsed == parse_selection(parsed.selection.to_query(), CLAUSES)
    assert parsed.selection.to_query() == {"severity": "major", "type": "customer", "clause": "8.7", "status": "closed"}
    assert AuditSelection().to_query() == {} and parse_selection({}, CLAUSES).problems == ()
    long = parse_selection({"severity": "x" * 100 + "\x00"}, CLAUSES).problems[0]
    assert long.startswith("Unknown severity '" + "x" * 40 + "…'")
    assert parse_selection({"clause": "8.7"}, ()).problems == (
        "Unknown clause '8.7': there are no findings yet. Showing every clause.",
    )
    assert parse_selection({"severity": ["major"]}, CLAUSES).selection.severity is None


def test_list_titles_grains_and_names() -> None:
    chosen = AuditSelection(severity="minor", audit_type="internal", clause="7.2", status="raised")
    assert list_title(MARCH, chosen, 1) == "Raised in the period · minor · internal audits · clause 7.2: 1 finding"
    assert list_title(MARCH, AuditSelection(status="closed"), 1200) == "Closed in the period: 1,200 findings"
    days = [(D(2026, 3, 1), D(2026, 5, 31)), (D(2026, 3, 1), D(2026, 6, 1)), (D(2024, 1, 1), D(2025, 12, 31))]
    assert [grain_for(Filters("custom", a, b)) for a, b in days] == ["week", "month", "month"]
    assert grain_for(Filters("custom", D(2023, 1, 1), D(2025, 12, 31))) == "quarter"
    assert export_name(MARCH_P02, dataclasses.replace(chosen, clause="<7/2>")) == (
        "audit-findings_2026-03-01_2026-03-31_P02_minor_internal_-7-2-_raised.csv"
    )
    assert sorted(["10.2", "8.5.10", "8.5.2", "4.4", "8.5"], key=clause_key) == ["4.4", "8.5", "8.5.2", "8.5.10", "10.2"]


def test_sort_of_the_grid() -> None:
    assert sort_of(None) == ("audit_date", True)
    assert sort_of([{"colId": "days_open", "sort": "asc"}]) == ("days_open", False)
    from dashboard.errors import InvalidFilter

    for bad in ([{"colId": "title", "sort": "asc"}], [{"colId": "days_open", "sort": "up"}]):
        with pytest.raises(InvalidFilter, match="cannot be sorted"):
            sort_of(bad)


def test_a_page_holds_a_bounded_number_of_rows(findings) -> None:
    from dashboard.errors import InvalidFilter

    with pytest.raises(InvalidFilter, match="A page holds 1 to 1000 findings"):
        record_page(MARCH, AuditSelection(), findings, sort="audit_date", descending=True, offset=0, limit=1001)


def test_the_wall_panel_shows_the_backlog_and_acts_on_open_majors(findings) -> None:
    from dashboard.views.audits_wall import audits_panel
    from dashboard.views.wall_panels import PanelStyle

    content = audits_panel(MARCH, findings, PanelStyle(dark=True, font_px=30))
    numbers = {n.label: (n.value_text, n.status.key if n.status else None) for n in content.numbers}
    assert numbers == {
        "Open findings": ("7", None),
        "Open major findings": ("4", "act"),
        "Raised in the period": ("4", None),
    }
    assert [c.title.split(" (")[0] for c in content.charts] == ["Open findings by age", "Findings raised by ISO clause"]
    assert all(c.figure["layout"]["showlegend"] is False for c in content.charts)  # the caption names the colours
    quiet = audits_panel(Filters("custom", D(2020, 1, 1), D(2020, 1, 31)), findings, PanelStyle())
    assert {n.label: n.status.key for n in quiet.numbers if n.status} == {"Open major findings": "good"}
    assert quiet.notes and quiet.notes[0].startswith("No audit finding")
