"""The planted demo stories show up in the views (small demo data in SQLite, end date 2026-11-23)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard.filters import Filters
from dashboard.views.overview import build_overview
from dashboard.views.process_control import build_process_control

END = dt.date(2026, 11, 23)
STEP_CHANGE = END - dt.timedelta(days=120)  # story 1 in data/README.md


@pytest.fixture
def repo(demo_repo):
    return demo_repo


def test_step_change_is_a_rule_violation_on_the_right_line_at_the_right_date(repo) -> None:
    year = Filters("12m", END - dt.timedelta(days=364), END, "P02")
    view = build_process_control(year, repo, characteristic_id="P02-L03-C1")
    row = next(r for r in view.rows if r.characteristic_id == "P02-L03-C1")
    assert row.status_key == "signal"
    runs_since = [
        dt.datetime.strptime(m.group(1), "%d %b %Y").date()
        for s in view.focus.signals
        if (m := re.search(r"in a row above the centre line since (\d+ \w+ \d{4})", s))
    ]
    assert runs_since, view.focus.signals[:5]
    assert min(abs((day - STEP_CHANGE).days) for day in runs_since) <= 7  # the run starts at the change
    assert "fixture" in str(view.focus.location.to_dict()["layout"]["annotations"]).lower()


def test_overview_tiles_carry_process_behaviour(repo) -> None:
    view = build_overview(Filters("90d", END - dt.timedelta(days=89), END), repo)
    texts = {t.kpi_id: t.behaviour for t in view.tiles}
    assert all(texts[k] for k in ("first_pass_yield", "dpmo", "nps", "supplier_ppm")), texts
    # DPMO is off target (amber) with no signal in its latest weeks: not capable, not a "bad week"
    assert texts["dpmo"].startswith("Stable but not capable of target")
    assert texts["first_pass_yield"].startswith("Routine variation")
    assert "-" not in texts["complaints_per_million"].split("(")[1].split(")")[0].replace(" – ", "")


def test_a_new_baseline_after_the_change_gives_new_limits(repo) -> None:
    year = Filters("12m", END - dt.timedelta(days=364), END, "P02")
    before = build_process_control(year, repo, characteristic_id="P02-L03-C1").focus
    after = build_process_control(year, repo, characteristic_id="P02-L03-C1", rebase=STEP_CHANGE + dt.timedelta(days=1))
    assert after.problems == ()
    assert after.focus.baseline_text.startswith("New baseline from")
    assert after.focus.limits_text != before.limits_text
    assert after.focus.signal_count < before.signal_count


def test_a_new_baseline_outside_the_period_is_explained(repo) -> None:
    year = Filters("12m", END - dt.timedelta(days=364), END, "P02")
    view = build_process_control(year, repo, characteristic_id="P02-L03-C1", rebase=END)
    assert view.focus is None and any("choose a date inside the period" in p for p in view.problems)


def test_the_degrading_supplier_falls_a_grade_and_the_tiny_one_is_not_worst(repo) -> None:
    from dashboard.views.suppliers import build_scorecard, build_supplier

    quarter = Filters("90d", END - dt.timedelta(days=89), END)
    view = build_scorecard(quarter, repo)
    rows = {r["supplier_id"]: r for r in view.rows}
    assert rows["S017"]["grade"] == "C (B → C)"  # story 2: falling grade
    assert rows["S060"]["rank"] != 1 and rows["S060"]["rank"] != len(rows)  # not ranked worst (nor best)
    assert rows["S017"]["rank"] == len(rows)
    assert "too little data" in rows["S060"]["ppm"]
    assert "Too little data to judge: S060." in view.summary
    assert "with enough data: S017" in view.summary
    year = Filters("12m", END - dt.timedelta(days=364), END)
    detail = build_supplier(year, repo, "S017")
    assert detail.signals and detail.signals[0].startswith("First: Western Electric")
    first = dt.datetime.strptime(detail.signals[0].rsplit(" on ", 1)[1], "%a %d %b %Y").date()
    assert first >= END - dt.timedelta(days=183)  # no signal before the degradation starts


def test_defects_drill_finds_the_step_change_from_its_week(repo) -> None:
    from dashboard.drill import DefectSlice
    from dashboard.views.defects import build_defects

    year = Filters("12m", END - dt.timedelta(days=364), END, "P02")
    view = build_defects(year, DefectSlice(line_id="P02-L03", defect_code="D08"), repo)
    assert view.signals[0] == "First: Western Electric 1: 1 point more than 3σ above the centre line on Week of 27 Jul 2026"


def test_the_complaint_surge_is_tied_to_d12_and_led_by_internal_defects(repo) -> None:
    from dashboard.views.voc import build_voc

    view = build_voc(Filters("12m", END - dt.timedelta(days=364), END), repo)
    assert view.code == "D12"  # story 4: the most complained-of code
    assert "D12 complaints follow its internal defect rate by about 3 weeks" in view.lag_text


def test_a_new_baseline_after_the_step_change_gives_the_u_chart_new_limits(repo) -> None:
    from dashboard.drill import DefectSlice
    from dashboard.views.defects import build_defects

    year = Filters("12m", END - dt.timedelta(days=364), END, "P02")
    d08 = DefectSlice(line_id="P02-L03", defect_code="D08")
    before = build_defects(year, d08, repo, grain="day")
    after = build_defects(year, d08, repo, grain="day", rebase=STEP_CHANGE)
    assert after.control_text.endswith("New limits from 26 Jul 2026 (a documented change), from the 25 production days after it.")

    def flagged_since_change(view) -> int:
        points = next(t for t in view.control["data"] if t.get("name") == "Flagged by a run rule")
        return sum(1 for x in points["x"] if x >= STEP_CHANGE.isoformat())

    # against the old limits the new level is a run of signals; against its own limits it is routine
    assert flagged_since_change(before) >= 20
    assert flagged_since_change(after) <= 5
    weekly = build_defects(year, d08, repo, rebase=STEP_CHANGE)  # only 17 weeks after the change
    assert weekly.control_text.startswith("A new baseline from 26 Jul 2026 needs 25 weeks after it")
