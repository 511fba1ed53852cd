"""The OKR view on the small demo data (ending 2026-11-23) and an app store of its own."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.errors import InvalidInput
from dashboard.store.interface import CheckinEntry
from dashboard.store.sql import SqlAppStore
from dashboard.views.okr import build_okr, current_quarter, number_text, progress_text, tree_order
from dashboard.views.okr_detail import build_key_result, parse_checkin

END = dt.date(2026, 11, 23)
STORY = "2026-Q4-T02-K1"  # story 3: stalls at ~25 % while its owner stays confident


@pytest.fixture
def repo(demo_repo):
    return demo_repo


@pytest.fixture
def store(tmp_path):
    app_store = SqlAppStore(f"sqlite:///{tmp_path / 'store.db'}")
    app_store.upgrade()
    yield app_store
    app_store.dispose()


def test_the_planted_key_result_is_off_track_with_a_low_chance_and_a_confident_owner(repo, store) -> None:
    view = build_okr(None, None, repo, store, END)
    assert view.quarter == "2026-Q4" and view.quarters[0] == "2026-Q4"
    kr = view.key_result(STORY)
    assert kr is not None
    assert kr.status == "off track" and kr.forecast.probability < 0.05
    assert kr.confidence == "high"
    assert kr.disagreement == f"owner: high; data: {kr.forecast.probability * 100:.0f} %"
    assert 15 < kr.progress_pct < 40  # stalled at about a quarter of the way
    statuses = [k.status for o in view.objectives for k in o.key_results]
    assert statuses.count("on track") > statuses.count("off track")  # the story stands out


def test_the_tree_runs_company_department_team_with_weighted_roll_up(repo, store) -> None:
    view = build_okr("2026-Q4", None, repo, store, END)
    depths = {o.objective_id: o.depth for o in view.objectives}
    assert depths["2026-Q4-C1"] == 0 and depths["2026-Q4-D1"] == 1 and depths["2026-Q4-T01"] == 2
    order = [o.objective_id for o in view.objectives]
    assert order.index("2026-Q4-D1") < order.index("2026-Q4-T01") < order.index("2026-Q4-D2")  # depth first
    for objective in view.objectives:
        pairs = [(k.progress_pct, k.weight) for k in objective.key_results if k.progress_pct is not None]
        if pairs:
            expected = sum(p * w for p, w in pairs) / sum(w for _, w in pairs)
            assert objective.progress_pct == pytest.approx(expected)


def test_a_kpi_linked_key_result_takes_its_values_from_the_kpi(repo, store) -> None:
    view = build_okr("2026-Q4", None, repo, store, END)
    dpmo = view.key_result("2026-Q4-D1-K1")
    assert dpmo.kpi_id == "dpmo" and "KPI" in dpmo.source_text
    check_ins = view.checkins[view.checkins["key_result_id"] == "2026-Q4-D1-K1"]
    assert [d for d, _ in dpmo.values] != list(check_ins["checkin_date"])  # weekly KPI values, not check-ins
    assert all(day.weekday() == dpmo.values[0][0].weekday() for day, _ in dpmo.values)  # week ends
    assert 500 < dpmo.value < 3000 and "weekly KPI values" in dpmo.forecast.model


def test_the_team_filter_keeps_the_alignment_above_it(repo, store) -> None:
    view = build_okr("2026-Q4", "Machining Greenville", repo, store, END)
    ids = [o.objective_id for o in view.objectives]
    assert ids == ["2026-Q4-C1", "2026-Q4-D2", "2026-Q4-T02"]
    assert [o.key_results != () for o in view.objectives] == [False, False, True]


def test_unknown_quarter_and_team_fall_back_with_a_message(repo, store) -> None:
    view = build_okr("1999-Q1", "Nobody", repo, store, END)
    assert view.quarter == "2026-Q4" and view.team is None
    assert any("1999-Q1" in p for p in view.problems) and any("Nobody" in p for p in view.problems)


def test_recorded_checkins_join_the_source_ones_and_move_the_forecast(repo, store) -> None:
    before = build_okr("2026-Q4", None, repo, store, END).key_result(STORY)
    store.add_checkin(CheckinEntry(STORY, END, 1.8, 3, "Scrap finally down", "Ann"))
    view = build_okr("2026-Q4", None, repo, store, END)
    after = view.key_result(STORY)
    assert after.value == 1.8 and after.forecast.expected < before.forecast.expected
    detail = build_key_result(view, STORY, repo, END)
    assert detail.history[0].comment == "Scrap finally down" and detail.history[0].recorded_text.startswith("recorded")
    points = next(t for t in detail.burnup.to_dict()["data"] if t.get("name") == "Check-ins")
    assert points["y"][-1] == 1.8 and points["marker"]["symbol"][-1] == "diamond"


def test_the_detail_of_a_linked_key_result_has_a_kpi_control_chart(repo, store) -> None:
    view = build_okr("2026-Q4", None, repo, store, END)
    detail = build_key_result(view, "2026-Q4-D1-K1", repo, END, kpis=repo.fetch("kpi_definitions").frame)
    assert detail.kpi_chart is not None and not detail.value_needed
    assert "UCL" in str(detail.kpi_chart.to_dict()["layout"]["annotations"])
    with pytest.raises(InvalidInput, match="Unknown key result"):
        build_key_result(view, "nope", repo, END)


@pytest.fixture
def story(repo, store):
    return build_okr("2026-Q4", None, repo, store, END).key_result(STORY)


def _parse(row, **fields):
    values = {"date_text": "2026-11-20", "value_text": "2.4", "confidence_text": "7", "comment": "ok", "author": "anonymous"}
    return parse_checkin(row, **{**values, **fields}, today=END)


def test_a_valid_checkin_is_parsed(story) -> None:
    entry = _parse(story, comment="  <script>alert(1)</script>  ", confidence_text="high")
    assert entry == CheckinEntry(STORY, dt.date(2026, 11, 20), 2.4, 8, "<script>alert(1)</script>", "anonymous")
    assert _parse(story, confidence_text="", comment="").confidence is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value_text": "abc"}, "Value must be a number"),
        ({"value_text": ""}, "Value is required"),
        ({"value_text": "nan"}, "finite"),
        ({"date_text": "2026-09-30"}, "Date must lie between 01 Oct 2026 and 23 Nov 2026"),
        ({"date_text": "2026-11-24"}, "not the future"),
        ({"date_text": "20/11/2026"}, "Date must be a day"),
        ({"confidence_text": "11"}, "Confidence must be a whole number from 0 to 10"),
        ({"confidence_text": "7.5"}, "Confidence must be a whole number"),
        ({"confidence_text": "very"}, "Confidence must be a number"),
        ({"comment": "x" * 1001}, "keep it to 1,000"),
    ],
)
def test_invalid_checkins_name_the_field_and_the_rule(story, fields, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        _parse(story, **fields)


def test_a_milestone_takes_zero_or_one_and_a_linked_key_result_the_kpi_value(repo, store) -> None:
    view = build_okr("2026-Q4", None, repo, store, END)
    milestone = next(k for o in view.objectives for k in o.key_results if k.kind == "milestone")
    with pytest.raises(InvalidInput, match="1 \\(done\\) or 0"):
        _parse(milestone, value_text="0.5")
    assert _parse(milestone, value_text="1").value == 1.0
    linked = view.key_result("2026-Q4-D1-K1")
    assert (
        parse_checkin(
            linked,
            date_text="2026-11-20",
            value_text="999999",
            confidence_text="5",
            comment="",
            author="a",
            today=END,
            kpi_value=linked.value,
        ).value
        == linked.value
    )


def test_helpers() -> None:
    assert current_quarter(dt.date(2026, 11, 23)) == "2026-Q4" and current_quarter(dt.date(2026, 1, 1)) == "2026-Q1"
    assert number_text(1180.4, "ppm") == "1,180 ppm" and number_text(2.84, "%") == "2.84 %" and number_text(None, "%") == "–"
    assert number_text(7.0, "count") == "7" and number_text(float("nan"), "") == "–"
    assert progress_text(130.2) == "130 % (over-achieved)" and progress_text(-20) == "-20 %" and progress_text(None) == "–"
    frame = pd.DataFrame({"objective_id": ["T", "C", "D"], "parent_id": ["D", None, "C"]})
    assert [(r["objective_id"], d) for r, d in tree_order(frame)] == [("C", 0), ("D", 1), ("T", 2)]


def test_an_unreachable_app_store_leaves_the_source_checkins_and_says_so(repo) -> None:
    unreachable = SqlAppStore("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=1)
    view = build_okr("2026-Q4", None, repo, unreachable, END)
    assert view.key_result(STORY).status == "off track"
    assert any("left out until it answers" in p for p in view.problems)
