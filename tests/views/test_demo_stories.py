"""The planted demo stories show up in the views (small demo data in SQLite, end date 2026-11-23)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard.filters import Filters
from dashboard.sources.demo import write_demo
from dashboard.views.overview import build_overview
from dashboard.views.process_control import build_process_control
from tests.helpers import repository_for

END = dt.date(2026, 11, 23)
STEP_CHANGE = END - dt.timedelta(days=120)  # story 1 in data/README.md


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'quality.db'}"
    write_demo(url, "small", end_date=END, progress=False)
    repository = repository_for(url, today=END.isoformat())
    yield repository
    repository.sources.dispose()


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
