"""The CAPA page's view on the hand-made CAPAs of tests/queries/test_capa.py (March 2026), and its
parsing of the page's URL parameters and record links."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.queries import capa as queries
from dashboard.views.capa import AGE_BANDS, SOURCES, STATUSES, CapaScope, build_capa, parse_scope
from dashboard.views.capa_records import capa_export_name, capa_record_page, defects_link, sort_of
from dashboard.views.capa_wall import capa_panel
from dashboard.views.wall_panels import PanelStyle
from tests.helpers import insert_rows, repo_url
from tests.queries.test_capa import MARCH, insert_capas

OWNERS = ("Ann", "Ben", "Q")


@pytest.fixture
def rich(repo, request: pytest.FixtureRequest, tmp_path):
    insert_rows(repo, repo_url(repo, request, tmp_path), insert_capas)
    return repo


def test_the_view_and_the_queries_agree_on_their_vocabulary() -> None:
    assert SOURCES == queries.SOURCES
    assert tuple(STATUSES) == queries.STATUSES
    assert len(AGE_BANDS) == len(queries.AGE_LIMITS) + 1


def test_the_cards_tell_the_period_against_target_and_the_one_before(rich) -> None:
    view = build_capa(MARCH, rich, CapaScope())
    cards = {card.name: card for card in view.cards}
    on_time = cards["Closed on time"]
    assert on_time.value_text == "50.0 %"
    # Exact (Clopper-Pearson) 95 % interval of 2 of 4: 6.8 % to 93.2 %.
    assert on_time.detail == "2 of 4 closed by their due date; 95 % interval 7–93 %; target 90 %; previous period 0.0 %"
    assert (on_time.status, on_time.lists) == ("act", "late")  # 50 % is below the red threshold, 70 %
    assert (cards["Open on 31 Mar 2026"].value_text, cards["Open on 31 Mar 2026"].detail) == ("3", "previous period 5")
    overdue = cards["Overdue on 31 Mar 2026"]
    assert (overdue.value_text, overdue.status, overdue.lists) == ("2", "act", "overdue")
    assert (cards["Opened"].value_text, cards["Opened"].detail, cards["Opened"].lists) == ("2", "previous period 3", "")
    assert (cards["Mean days to close"].value_text, cards["Mean days to close"].detail) == ("33", "previous period 45")
    assert cards["Verified effective"].value_text == "50.0 %"
    assert cards["Verified effective"].detail == "1 of 2 checked; 2 closed awaiting the check"
    assert view.summary == (
        "On 31 Mar 2026, 3 CAPAs were open and 2 overdue. "
        "4 were closed in the period, 2 on time (50.0 % against a target of 90 %)."
    )
    assert view.listed == 7


def test_the_figures_carry_the_counts(rich) -> None:
    view = build_capa(MARCH, rich, CapaScope(by="owner", grain="week", status="overdue"))
    flow = {trace["name"]: trace for trace in view.flow["data"]}
    assert flow["Closed on time"]["y"] == [1, 0, 1, 0, 0] and flow["Closed late"]["y"] == [0, 0, 0, 1, 1]
    assert flow["% closed on time"]["y"] == [100.0, None, 100.0, 0.0, 0.0]  # no closure: a gap, not 0 %
    assert view.flow["layout"]["shapes"][0]["y0"] == 90.0
    ageing = {trace["name"]: trace["y"] for trace in view.ageing["data"]}
    assert ageing == {"Not yet due": [1, 0, 0, 0, 0], "Overdue": [0, 0, 1, 0, 1]}
    bars = {trace["name"]: dict(zip(trace["y"], trace["x"], strict=True)) for trace in view.breakdown["data"]}
    assert bars == {"Overdue": {"Ann": 1, "Ben": 1, "Q": 0}, "Not yet due": {"Ann": 1, "Ben": 0, "Q": 0}}
    assert view.breakdown["data"][0]["customdata"] == ["Ann", "Ben", "Q"]  # a click names the owner
    assert view.listed == 2


def test_an_empty_period_says_so(rich) -> None:
    may = Filters("custom", dt.date(2027, 5, 1), dt.date(2027, 5, 31), "P02")
    view = build_capa(may, rich, CapaScope(source="supplier"))
    assert view.summary == "On 31 May 2027, 0 CAPAs were open and 0 overdue. None was closed in the period."
    assert {card.name: card.value_text for card in view.cards}["Closed on time"] == "–"
    for figure in (view.flow, view.ageing, view.breakdown):
        assert figure["data"] == [] and figure["layout"]["annotations"][0]["text"].startswith("No CAPA")


def test_plants_are_named_in_the_breakdown(rich) -> None:
    view = build_capa(MARCH, rich, CapaScope())
    # Most overdue first, then most open: P02 (2 open, 1 overdue) above P01 (1 open, 1 overdue).
    assert view.breakdown["layout"]["yaxis"]["ticktext"] == ["P02 · Beta", "P01 · Alpha"]


@pytest.mark.parametrize(
    ("params", "scope", "problems"),
    [
        ({}, CapaScope(), ()),
        (
            {"source": "audit", "owner": "Ben", "status": "late", "by": "owner", "grain": "week"},
            CapaScope("audit", "Ben", "late", "owner", "week"),
            (),
        ),
        ({"source": " ", "owner": ""}, CapaScope(), ()),
        (
            {"source": "vendor"},
            CapaScope(),
            ("Unknown source 'vendor'; use one of internal, audit, complaint, supplier. Showing every source.",),
        ),
        ({"owner": "Zed"}, CapaScope(), ("Unknown owner 'Zed'; choose one from the owner bars. Showing every owner.",)),
        (
            {"status": "lost", "by": 3},
            CapaScope(),
            ("Unknown status 'lost'; use one of all, open, overdue, closed, late. Showing every CAPA active in the period.",),
        ),
        ({"grain": "x" * 500}, CapaScope(), (f"Unknown grain '{'x' * 40}'; use one of week, month, quarter. Showing months.",)),
    ],
)
def test_the_url_is_parsed_to_the_nearest_valid_view(params: dict, scope: CapaScope, problems: tuple) -> None:
    assert parse_scope(params, OWNERS) == (scope, problems)


def test_only_choices_that_differ_from_the_defaults_go_into_the_url() -> None:
    assert CapaScope().to_query() == {}
    assert CapaScope(owner="Ann", grain="week").to_query() == {"owner": "Ann", "grain": "week"}
    assert CapaScope(source="audit", owner="Ann").narrowing() == {"source": "audit", "owner": "Ann"}


def test_a_capa_links_to_its_defects_and_only_with_plain_codes() -> None:
    row = {"plant_id": "P01", "line_id": "P01-L01", "defect_code": "D01"}
    assert defects_link(MARCH, row) == (
        "[D01 on P01-L01](/defects?period=custom&start=2026-03-01&end=2026-03-31&plant=P01&line=P01-L01&code=D01)"
    )
    assert defects_link(MARCH, {**row, "line_id": None}) == (
        "[D01](/defects?period=custom&start=2026-03-01&end=2026-03-31&plant=P01&code=D01)"
    )
    assert defects_link(MARCH, {"plant_id": "P01", "line_id": None, "defect_code": None}) == ""
    assert defects_link(MARCH, {**row, "defect_code": "D1](javascript:alert(1))"}) == ""
    assert defects_link(MARCH, {**row, "plant_id": "P 1"}) == ""


def test_a_record_page_reads_as_people_read_it(rich) -> None:
    page = capa_record_page(MARCH, CapaScope(status="closed"), rich, sort="capa_id", descending=False, offset=0, limit=10)
    assert page.total == 4
    assert [(r["capa_id"], r["effective"], r["closed_date"]) for r in page.rows] == [
        (1, "", "2026-03-15"),
        (2, "", "2026-03-25"),
        (13, "Yes", "2026-03-31"),
        (14, "No", "2026-03-01"),
    ]
    assert page.rows[2]["defects"].startswith("[D01 on P01-L01](/defects?")
    with pytest.raises(InvalidFilter, match="A page holds 1 to 1000 CAPAs"):
        capa_record_page(MARCH, CapaScope(), rich, sort="capa_id", descending=False, offset=0, limit=1001)


def test_the_grid_sort_model_is_checked() -> None:
    assert sort_of(None) == ("days_late", True)
    assert sort_of([{"colId": "opened_date", "sort": "asc"}]) == ("opened_date", False)
    with pytest.raises(InvalidFilter, match="cannot be sorted"):
        sort_of([{"colId": "defects", "sort": "asc"}])


def test_the_export_is_named_after_what_it_holds() -> None:
    p02 = Filters("custom", MARCH.start_date, MARCH.end_date, "P02")
    assert capa_export_name(p02, CapaScope(owner="Anna Schmidt", status="overdue")) == (
        "capa_2026-03-01_2026-03-31_P02_Anna-Schmidt_overdue.csv"
    )
    assert capa_export_name(MARCH, CapaScope()) == "capa_2026-03-01_2026-03-31.csv"


def test_the_wall_panel_shows_the_numbers_and_the_most_overdue(rich) -> None:
    content = capa_panel(MARCH, rich, PanelStyle(dark=True, font_px=30))
    numbers = {n.label: (n.value_text, n.status.key if n.status else None) for n in content.numbers}
    assert numbers == {"CAPAs closed on time": ("50.0 %", "act"), "Open CAPAs": ("3", "no_target"), "Overdue CAPAs": ("2", "act")}
    assert content.table is not None and content.table.title == "Overdue CAPAs"
    assert [(r["capa_id"], r["days_late"], r["owner"]) for r in content.table.rows] == [("16", "181", "Ben"), ("11", "39", "Ann")]
    (chart,) = content.charts
    assert chart.figure["layout"]["showlegend"] is False
    assert "#000000" not in str(chart.figure["data"])  # no black line on the dark wall
