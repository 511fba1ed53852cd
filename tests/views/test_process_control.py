"""The process-control view on the hand-made data (30 subgroups of 5 in March), SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.filters import Filters
from dashboard.metrics import spc
from dashboard.views.process_control import build_process_control, default_chart_type, runs

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_table_and_focus(repo) -> None:
    view = build_process_control(MARCH, repo)
    assert view.problems == ()
    (row,) = view.rows
    assert row.characteristic_id == "P01-L01-C1" and row.spec == "11.97 – 12.03" and row.unit == "mm"
    assert row.status_key in ("in_control", "signal") and row.status.startswith(("✓", "✕"))
    focus = view.focus
    assert focus.chart_type == "xbar_r"
    assert "first 25 subgroups" in focus.baseline_text
    assert "R̄/d2" in focus.limits_text
    location = focus.location.to_dict()
    assert location["data"], "the X̄ chart has traces"
    assert any("New fixture" in str(a.get("text", "")) for a in location["layout"].get("annotations", []))


def test_capability_needs_a_stable_study_of_enough_values(repo) -> None:
    focus = build_process_control(MARCH, repo).focus
    # 5 monitored subgroups x 5 values = 25 < 50 values: refused, with the reason
    assert focus.capability_refused and "50" in focus.capability_refused
    assert focus.capability_lines == ()


def test_a_short_period_has_too_few_subgroups(repo) -> None:
    week = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 7))
    view = build_process_control(week, repo)
    assert view.rows[0].status_key == "too_few" and "need at least" in view.rows[0].signal
    assert view.focus is None and any("need at least" in p for p in view.problems)


def test_unknown_characteristic_and_wrong_chart_type_give_messages(repo) -> None:
    view = build_process_control(MARCH, repo, characteristic_id="NOPE", chart_type="imr")
    assert any("Unknown characteristic 'NOPE'" in p for p in view.problems)
    assert any("does not fit subgroups of 5" in p for p in view.problems)
    assert view.focus.chart_type == "xbar_r"


def test_s_chart_on_request(repo) -> None:
    view = build_process_control(MARCH, repo, chart_type="xbar_s")
    assert view.focus.chart_type == "xbar_s" and "s̄/c4" in view.focus.limits_text


def test_no_characteristics_for_another_plant(repo) -> None:
    view = build_process_control(Filters("custom", MARCH.start_date, MARCH.end_date, "P02"), repo)
    assert view.rows == () and "No measured characteristics" in view.problems[0]


@pytest.mark.parametrize(("size", "chart"), [(1, "imr"), (5, "xbar_r"), (10, "xbar_r"), (12, "xbar_s")])
def test_default_chart_type(size: int, chart: str) -> None:
    assert default_chart_type(size) == chart


def test_runs_keep_the_last_flag_of_each_run() -> None:
    def flag(index: int, start: int, rule: str = "WE4") -> spc.RuleViolation:
        return spc.RuleViolation(index, index, rule, "we", 4, start, f"{rule} run from {start} at {index}")

    assert runs((flag(8, 1), flag(9, 1), flag(10, 1), flag(12, 12, "WE1"))) == ["WE1 run from 12 at 12", "WE4 run from 1 at 10"]


def test_unknown_chart_type_and_rules_are_named(repo) -> None:
    view = build_process_control(MARCH, repo, chart_type="pie", rules="astrology")
    assert any("Unknown chart type 'pie'" in p for p in view.problems)
    assert any("Unknown run rules 'astrology'" in p for p in view.problems)
    assert view.rules == "we" and view.focus.chart_type == "xbar_r"


def test_line_filter(repo) -> None:
    view = build_process_control(MARCH, repo, line_id="P01-L01")
    assert view.line_id == "P01-L01" and [r.characteristic_id for r in view.rows] == ["P01-L01-C1"]
    assert view.lines == (("P01-L01", "Line 1"),)
    unknown = build_process_control(MARCH, repo, line_id="P09-L99")
    assert unknown.line_id is None and any("Unknown line 'P09-L99'" in p for p in unknown.problems)


def test_baseline_size_is_a_choice_within_limits(repo) -> None:
    view = build_process_control(MARCH, repo, baseline_size=20)
    assert "the first 20 subgroups" in view.focus.baseline_text
    wrong = build_process_control(MARCH, repo, baseline_size=5)
    assert any("20 to 200 subgroups" in p for p in wrong.problems)
    assert "the first 25 subgroups" in wrong.focus.baseline_text
