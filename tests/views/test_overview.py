"""The overview view on the hand-made data, on SQLite and PostgreSQL: numbers computed by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.errors import DataUnavailable
from dashboard.filters import Filters
from dashboard.views.overview import build_overview, sparkline_grain
from tests.helpers import repository_for
from tests.seed import seed

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))

EXPECTED = {  # kpi_id: (value, previous, status)
    "first_pass_yield": (98.0, 95.0, "good"),
    "dpmo": (2000.0, 5000.0, "good"),
    "cost_of_poor_quality": (4.0, 10.0, "good"),
    "complaints_per_million": (1 / 1950 * 1e6, None, "act"),
    "nps": (40.0, None, "good"),
    "supplier_ppm": (2000.0, None, "watch"),
    "capa_on_time": (50.0, None, "act"),
    "okr_progress": (60.0, 20.0, "watch"),
    "open_major_findings": (1.0, 0.0, "watch"),
}


def test_tiles_show_the_hand_computed_values(repo) -> None:
    view = build_overview(MARCH, repo)
    tiles = {tile.kpi_id: tile for tile in view.tiles}
    assert list(tiles) == list(EXPECTED)
    for kpi_id, (value, previous, status) in EXPECTED.items():
        tile = tiles[kpi_id]
        assert tile.value == pytest.approx(value), kpi_id
        assert tile.status.key == status, kpi_id
        if previous is None:
            assert tile.delta.change is None, kpi_id
        else:
            assert tile.delta.change == pytest.approx(value - previous), kpi_id
        assert tile.as_of is not None and not tile.stale and tile.problem is None


def test_text_and_direction_of_change(repo) -> None:
    tiles = {tile.kpi_id: tile for tile in build_overview(MARCH, repo).tiles}
    assert tiles["first_pass_yield"].value_text == "98.0 %"
    assert tiles["first_pass_yield"].delta_text == "+3.0 pts" and tiles["first_pass_yield"].delta.word == "better"
    assert tiles["dpmo"].delta.word == "better"  # lower is better
    assert "σ" in tiles["dpmo"].detail
    assert tiles["cost_of_poor_quality"].value_text == "4.00 %"
    assert tiles["cost_of_poor_quality"].detail == "€400 on €10,000 production cost"
    assert tiles["nps"].value_text == "+40"


def test_plant_filter_changes_the_numbers(repo) -> None:
    p02 = Filters("custom", MARCH.start_date, MARCH.end_date, "P02")
    tiles = {tile.kpi_id: tile for tile in build_overview(p02, repo).tiles}
    assert tiles["first_pass_yield"].value == pytest.approx(99.0)
    assert tiles["open_major_findings"].value == 0
    assert tiles["nps"].value is None and tiles["nps"].status.key == "no_data"


def test_a_period_without_data_shows_no_data_not_zero(repo) -> None:
    empty = Filters("custom", dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    tiles = {tile.kpi_id: tile for tile in build_overview(empty, repo).tiles}
    assert tiles["first_pass_yield"].value is None
    assert tiles["first_pass_yield"].value_text == "No data"
    assert tiles["first_pass_yield"].status.key == "no_data"


def test_no_kpi_definitions_is_an_explained_empty_state(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url, kpis=False)
    view = build_overview(MARCH, repository_for(url))
    assert view.tiles == () and "kpi_definitions" in view.problems[0]


def test_unreachable_database_is_a_message_not_an_exception(tmp_path) -> None:
    view = build_overview(MARCH, repository_for(f"sqlite:///{tmp_path / 'missing.db'}"))
    assert view.tiles == () and view.problems


class _Broken:
    def fetch(self, name, filters=None, **params):
        raise DataUnavailable("Cannot reach the quality database.")

    def fetch_many(self, requests):
        return [DataUnavailable("Cannot reach the quality database.") for _ in requests]


def test_view_needs_only_the_repository_interface() -> None:
    view = build_overview(MARCH, _Broken())
    assert view.problems == ("Cannot reach the quality database.",)


@pytest.mark.parametrize(("days", "grain"), [(7, "day"), (31, "day"), (90, "week"), (365, "month")])
def test_sparkline_grain(days: int, grain: str) -> None:
    end = dt.date(2026, 3, 31)
    assert sparkline_grain(Filters("custom", end - dt.timedelta(days=days - 1), end)) == grain


def test_complete_buckets_drop_partial_weeks() -> None:
    from dashboard.views.overview import complete_buckets

    weeks = [dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 23), dt.date(2026, 3, 30)]
    series = pd.Series([1.0, 2.0, 3.0, 4.0], index=weeks)
    kept = complete_buckets(series, "week", MARCH)
    assert list(kept.index) == [dt.date(2026, 3, 2), dt.date(2026, 3, 23)]  # 23 Feb and 30 Mar stick out
    months = pd.Series([1.0], index=[dt.date(2026, 3, 1)])
    assert len(complete_buckets(months, "month", MARCH)) == 1


@pytest.mark.parametrize(
    ("recorded", "current", "previous"),
    [
        ([], 60.0, 20.0),
        ([(dt.date(2026, 3, 25), 90.0)], 90.0, 20.0),  # newer than the source's 20 March check-in
        ([(dt.date(2026, 3, 10), 90.0)], 60.0, 20.0),  # older: the source's value stands
        ([(dt.date(2026, 2, 20), 30.0)], 60.0, 30.0),  # the previous period's latest
        ([(dt.date(2026, 3, 20), 70.0)], 70.0, 20.0),  # same day: the dashboard's, recorded later
    ],
)
def test_okr_progress_counts_checkins_recorded_in_the_dashboard(repo, tmp_path, recorded, current, previous) -> None:
    from dashboard.store.interface import CheckinEntry
    from dashboard.store.sql import SqlAppStore

    store = SqlAppStore(f"sqlite:///{tmp_path / 'store.db'}")
    store.upgrade()
    for day, value in recorded:
        store.add_checkin(CheckinEntry("K1", day, value, None, None, "ann"))
    tile = next(t for t in build_overview(MARCH, repo, store=store).tiles if t.kpi_id == "okr_progress")
    assert tile.value == pytest.approx(current)
    assert tile.delta.change == pytest.approx(current - previous)
    store.dispose()


def test_okr_progress_without_a_reachable_store_uses_the_sources(repo) -> None:
    from dashboard.store.sql import SqlAppStore

    unreachable = SqlAppStore("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=1)
    tile = next(t for t in build_overview(MARCH, repo, store=unreachable).tiles if t.kpi_id == "okr_progress")
    assert tile.value == pytest.approx(60.0)
