"""The defects view on the hand-made data (tests/seed.py), on SQLite and PostgreSQL.

March 2026, all plants: 40 defects on 2,000 units of 10 opportunities each, so DPMO 2,000,
20 per 1,000 units, FPY (970 + 990) / 2,000 = 98.0 %, cost 400 EUR. February: 50 defects on
1,000 units: DPMO 5,000, FPY 95.0 %.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.drill import DefectSlice
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.views.defects import build_defects, crumbs_for, load_dimensions

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def headline(view, name: str):
    return next(h for h in view.headlines if h.name.startswith(name))


def test_headline_numbers_match_the_hand_computed_values(repo) -> None:
    view = build_defects(MARCH, DefectSlice(), repo)
    assert headline(view, "Defects").value_text == "40"
    assert headline(view, "Defects").previous_text == "50"
    assert headline(view, "Defects per million").value_text == "2,000 DPMO"
    assert headline(view, "Defects per million").previous_text == "5,000 DPMO"
    assert headline(view, "Defects per 1,000").value_text == "20"
    assert headline(view, "First-pass yield").value_text == "98.0 %"
    assert headline(view, "First-pass yield").previous_text == "95.0 %"
    assert headline(view, "Cost of poor quality").value_text == "€400"
    assert view.record_count == 2
    assert view.level == "plant"
    assert [c.label for c in view.crumbs] == ["All plants"]


def test_the_drill_levels_and_breadcrumb(repo) -> None:
    plant = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "P01")
    view = build_defects(plant, DefectSlice(line_id="P01-L01"), repo)
    assert view.level == "product"
    assert view.breakdown_by == "product_id"
    assert [c.label for c in view.crumbs] == ["All plants", "P01 · Alpha", "P01-L01 · Line 1"]
    assert view.crumbs[1].query == {"period": "custom", "start": "2026-03-01", "end": "2026-03-31", "plant": "P01"}
    assert headline(view, "Defects").value_text == "30"
    records = build_defects(plant, DefectSlice(line_id="P01-L01", defect_code="D01", severity="minor"), repo)
    assert records.level == "records"
    assert records.breakdown is None
    assert headline(records, "First-pass yield").name == "First-pass yield (all defects)"
    assert records.crumbs[-1].query["code"] == "D01" and records.crumbs[-1].query["severity"] == "minor"


def test_figures_are_plotly_json_and_the_pareto_names_the_vital_few(repo) -> None:
    view = build_defects(MARCH, DefectSlice(), repo)
    for figure in (view.trend, view.pareto, view.heatmap, view.breakdown, view.control, view.forecast):
        assert isinstance(figure, dict) and "layout" in figure
    assert view.pareto_text.startswith("1 of 1 code (D01 Scratch)")
    breakdown = view.breakdown["data"][0]
    assert sorted(breakdown["customdata"]) == ["P01", "P02"]  # what a click drills into


def test_too_little_history_is_said_not_charted(repo) -> None:
    view = build_defects(MARCH, DefectSlice(), repo)
    assert "needs at least 30 production days" in view.control_text
    assert "forecast" in view.forecast_text.lower() or "points" in view.forecast_text


def test_a_warm_view_is_served_from_the_cache(repo) -> None:
    build_defects(MARCH, DefectSlice(), repo, measure="dpmo")
    queries = repo.queries_run
    again = build_defects(MARCH, DefectSlice(), repo, measure="dpmo")
    assert repo.queries_run == queries
    assert again.trend["layout"]["title"]["text"].startswith("Defects per million opportunities")


@pytest.mark.parametrize(
    ("option", "value"), [("grain", "year"), ("measure", "mood"), ("pareto_by", "colour"), ("pareto_value", "x")]
)
def test_unknown_options_are_refused_with_a_sentence(repo, option: str, value: str) -> None:
    with pytest.raises(InvalidFilter, match=f"'{value}'; use one of"):
        build_defects(MARCH, DefectSlice(), repo, **{option: value})


def test_dimensions_are_the_allow_lists(repo) -> None:
    dims = load_dimensions(repo)
    assert dims.lines == {"P01-L01": "P01", "P02-L01": "P02"}
    assert dims.products == frozenset({"X1"})
    assert dims.codes == {"D01": "Method"}


def test_breadcrumb_keeps_side_filters_on_every_step() -> None:
    filters = Filters("90d", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "P02")
    crumbs = crumbs_for(filters, DefectSlice(line_id="P02-L03", category_6m="Machine"), {"P02": "Greenville"})
    assert [c.label for c in crumbs] == ["All plants", "P02 · Greenville", "P02-L03"]
    assert all(c.query["category"] == "Machine" and c.query["period"] == "90d" for c in crumbs)
    assert "plant" not in crumbs[0].query


def test_an_empty_previous_period_and_empty_slices_draw_empty_states(repo) -> None:
    quarter = Filters("90d", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    view = build_defects(quarter, DefectSlice(), repo)  # nothing at all in the previous 90 days
    assert headline(view, "Defects").previous_text == "0"
    assert headline(view, "Defects per million").previous_text == "–"
    empty = build_defects(MARCH, DefectSlice(severity="critical"), repo)
    assert empty.record_count == 0
    assert empty.pareto_text == "No defects for these filters."
