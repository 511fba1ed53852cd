"""Wall mode's URL (parse_wall) and the wall view (build_wall): validation, fallbacks, lateness,
stale copies and a failing panel, on a registry of test panels and on the hand-made data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import pytest

from dashboard.datasets.interface import Dataset, DatasetRequest
from dashboard.errors import DashboardError, DataUnavailable
from dashboard.filters import Filters
from dashboard.metrics.status import Status
from dashboard.views.wall import build_wall, style_for
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallNumber, WallPanels, load_wall_panels
from dashboard.views.wall_url import MAX_VIEWS, WallConfig, WallEntry, jittered_interval_ms, parse_wall
from tests.helpers import repository_for
from tests.seed import seed

TODAY = dt.date(2026, 3, 31)


def _empty(filters: Filters, repo: Any, style: PanelStyle) -> PanelContent:
    return PanelContent()


def panels() -> WallPanels:
    registry = WallPanels()
    registry.register("overview", "Overview", _empty, order=0)
    registry.register("defects", "Defects", _empty, view_path="/defects", order=1)
    registry.register("voc", "Customers", _empty, view_path="/voc", order=4)
    return registry


def parse(query: dict[str, object], min_refresh_s: float = 60.0) -> WallConfig:
    return parse_wall(query, panels=panels(), min_refresh_s=min_refresh_s)


def test_defaults_show_every_view_in_order() -> None:
    config = parse({})
    assert [e.view for e in config.entries] == ["overview", "defects", "voc"]
    assert (config.dwell_s, config.refresh_s, config.theme, config.problems) == (30.0, 60.0, "dark", ())
    assert config.refresh_text() == "data refresh every 60 s"


def test_a_playlist_with_per_view_filters() -> None:
    config = parse(
        {
            "views": "overview|plant=P01, defects|period=30d|plant=P02 ,voc",
            "dwell": "12",
            "refresh": "120",
            "theme": "Light",
            "period": "12m",
        }
    )
    assert config.entries == (
        WallEntry("overview", (("plant", "P01"),)),
        WallEntry("defects", (("period", "30d"), ("plant", "P02"))),
        WallEntry("voc"),
    )
    assert (config.dwell_s, config.refresh_s, config.dark, config.defaults, config.problems) == (
        12.0,
        120.0,
        False,
        (("period", "12m"),),
        (),
    )
    again = parse(config.to_query())
    assert again.entries == config.entries and again.defaults == config.defaults


def test_the_same_view_may_appear_twice_with_different_filters() -> None:
    config = parse({"views": "defects|plant=P01,defects|plant=P02"})
    assert [e.params for e in config.entries] == [(("plant", "P01"),), (("plant", "P02"),)]


@pytest.mark.parametrize(
    ("query", "views", "message"),
    [
        ({"views": "overview,nope"}, ["overview"], "Unknown view 'nope'; skipped (known views: overview, defects, voc)."),
        ({"views": "nope,<script>"}, ["overview", "defects", "voc"], "No known view in 'views'; showing every view."),
        (
            {"views": "defects|line=L1"},
            ["defects"],
            "'line=L1' in the defects view is not one of period, start, end, plant=value",
        ),
        ({"views": "defects|plant"}, ["defects"], "'plant' in the defects view is not one of"),
        ({"views": ",,overview,,"}, ["overview"], None),
        ({"views": ["overview", "voc"]}, ["overview"], "'views' is given 2 times; using the first."),
    ],
)
def test_bad_playlists_fall_back_with_a_message(query: dict[str, object], views: list[str], message: str | None) -> None:
    config = parse(query)
    assert [e.view for e in config.entries] == views
    if message is None:
        assert config.problems == ()
    else:
        assert any(p.startswith(message) for p in config.problems), config.problems


def test_at_most_twelve_views() -> None:
    config = parse({"views": ",".join(["overview"] * (MAX_VIEWS + 3))})
    assert len(config.entries) == MAX_VIEWS
    assert config.problems == (f"A wall shows at most {MAX_VIEWS} views; the last 3 were dropped.",)


@pytest.mark.parametrize(
    ("query", "field", "value", "message"),
    [
        ({"dwell": "0.5"}, "dwell_s", 30.0, "dwell=0.5 is outside 1–3600 s; using the default."),
        ({"dwell": "abc"}, "dwell_s", 30.0, "dwell='abc' is not a number of seconds; using the default."),
        ({"dwell": "nan"}, "dwell_s", 30.0, "dwell=nan is outside 1–3600 s; using the default."),
        ({"dwell": "1"}, "dwell_s", 1.0, None),
        ({"theme": "neon"}, "theme", "dark", "Unknown theme 'neon'; using dark (themes: dark, light)."),
        ({"colour": "red"}, "theme", "dark", "Unknown parameter 'colour'; ignored."),
        ({"display": "a-token"}, "theme", "dark", None),  # a display link's token is not the wall's to judge
        ({"refresh": "inf"}, "refresh_s", 60.0, "refresh=inf is outside 1–86400 s; using the default."),
    ],
)
def test_bad_values_fall_back_with_a_message(query: dict[str, object], field: str, value: object, message: str | None) -> None:
    config = parse(query)
    assert getattr(config, field) == value
    assert config.problems == ((message,) if message else ())


def test_the_server_minimum_refresh_wins_and_the_caption_says_so() -> None:
    fast = parse({"refresh": "5"}, min_refresh_s=60)
    assert fast.refresh_s == 60 and fast.asked_refresh_s == 5
    assert fast.refresh_text() == "data refresh every 60 s (the server's minimum; 5 s was asked)"
    slow = parse({"refresh": "7200"}, min_refresh_s=60)
    assert slow.refresh_s == 3600
    assert slow.refresh_text() == "data refresh every 3600 s (the most allowed; 7200 s was asked)"
    assert parse({"refresh": "90"}, min_refresh_s=60).refresh_s == 90


def test_jitter_never_goes_below_the_refresh_and_spreads_screens() -> None:
    rng = random.Random(7)
    intervals = [jittered_interval_ms(60, rng) for _ in range(200)]
    assert min(intervals) >= 60_000 and max(intervals) < 72_000
    assert len(set(intervals)) > 150


@pytest.mark.parametrize(
    ("viewport", "font_px"),
    [
        ({"w": 1920, "h": 1080}, 24),
        ({"w": 3840, "h": 2160}, 48),
        ({"w": 3840, "h": 1080}, 24),  # the smaller ratio wins: text must fit the height
        ({"w": 1280, "h": 720}, 16),
        (None, 24),
        ({"w": "1e9", "h": 1080}, 24),
        ({"w": 1e9, "h": 1e9}, 96),
        ({"w": -5, "h": 1080}, 24),
    ],
)
def test_chart_text_follows_the_screen(viewport: object, font_px: int) -> None:
    assert style_for(viewport, dark=True) == PanelStyle(dark=True, font_px=font_px)


# --- build_wall --------------------------------------------------------------------------------


class StaleRepository:
    """A repository whose every dataset is a last good copy read at ``read_at``."""

    def __init__(self, inner: Any, read_at: dt.datetime) -> None:
        self._inner, self._read_at = inner, read_at

    def _stale(self, result: Dataset | DashboardError) -> Dataset | DashboardError:
        if isinstance(result, DashboardError):
            return result
        return dataclasses.replace(result, stale=True, fetched_at=self._read_at, problem="Cannot reach the quality database.")

    def fetch(self, name: str, filters: Filters | None = None, **params: Any) -> Dataset:
        return self._stale(self._inner.fetch(name, filters, **params))  # type: ignore[return-value]

    def fetch_many(self, requests: Sequence[DatasetRequest]) -> list[Dataset | DashboardError]:
        return [self._stale(r) for r in self._inner.fetch_many(requests)]

    def derived(self, name: str, sources: Sequence[Dataset], params: Any, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        return self._inner.derived(name, sources, params, compute)

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.stream(*args, **kwargs)


MONTHLY_FEEDS = "\n".join(
    f'[datasets.{feed}]\ncadence = "monthly"' for feed in ("defects", "production_volumes", "supplier_lots", "customer_feedback")
)


@pytest.fixture
def seeded(tmp_path):
    """The hand-made data (a few records in March 2026), declared as monthly feeds."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    sources = tmp_path / "sources.toml"
    sources.write_text(MONTHLY_FEEDS, encoding="utf-8")
    repository = repository_for(url, sources_file=str(sources))
    yield repository
    repository.sources.dispose()


def test_a_feed_whose_newest_record_is_older_than_its_cadence_makes_its_panels_late(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    daily = repository_for(url)  # every feed daily by default; today is 31 March
    march = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    view = build(parse_wall(march, min_refresh_s=60, panels=load_wall_panels()), daily, dt.datetime.now(dt.UTC))
    late = {p.entry.view: p.late_feeds for p in view.panels}
    assert all(p.late for p in view.panels if p.entry.view not in ("capa", "audits"))
    assert late["capa"] == late["audits"] == ()  # records people keep, not feeds with a cadence
    assert late["suppliers"] == ("supplier lots 05 Mar (daily)",)
    assert late["voc"] == ("customer feedback 11 Mar (daily)",)
    assert len(late["overview"]) == 4 and len(late["defects"]) == 2
    daily.sources.dispose()


def build(config: WallConfig, repo: Any, now: dt.datetime, registry: WallPanels | None = None):
    return build_wall(
        config, repo, today=TODAY, max_span_days=1100, now=now, style=PanelStyle(), panels=registry or load_wall_panels()
    )


def test_every_registered_panel_builds_on_the_hand_made_data(seeded) -> None:
    march = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    config = parse_wall(march, min_refresh_s=60, panels=load_wall_panels())
    view = build(config, seeded, dt.datetime.now(dt.UTC))
    assert [p.entry.view for p in view.panels] == ["overview", "defects", "suppliers", "voc", "capa", "audits"]
    assert all(p.error is None and p.as_of is not None and not p.late for p in view.panels), view.panels
    assert view.stale_since is None and view.problems == ()
    numbers = {n.label: n for n in view.panels[0].content.numbers}
    assert numbers["First-pass yield"].value_text == "98.0 %" and numbers["First-pass yield"].status == Status("good")
    assert numbers["Net Promoter Score"].value_text == "+40"
    assert view.panels[0].scope == "all plants · 01 Mar 2026 – 31 Mar 2026"
    assert view.panels[1].cadence == "monthly"  # the defects KPIs' cadence (tests/seed.py)
    assert {n.label: n.value_text for n in view.panels[1].content.numbers}["Defects per million opp."] == "2,000"
    assert view.panels[2].content.table is not None and view.panels[2].content.table.rows[0]["supplier"].startswith("S001")
    assert next(n.value_text for n in view.panels[3].content.numbers) == "+40"


def test_per_view_filters_and_their_messages(seeded) -> None:
    query = {"views": "overview|plant=P02,overview|plant=NOPE", "period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    view = build(parse_wall(query, min_refresh_s=60, panels=load_wall_panels()), seeded, dt.datetime.now(dt.UTC))
    first, second = view.panels
    assert first.scope.startswith("plant P02 · ") and second.scope.startswith("all plants · ")
    assert {n.label: n.value_text for n in first.content.numbers}["First-pass yield"] == "99.0 %"
    assert view.problems == ("Overview: Unknown plant 'NOPE'; showing all plants.",)


def test_data_older_than_its_cadence_is_late(seeded) -> None:
    config = parse_wall({"views": "overview,defects"}, min_refresh_s=60, panels=load_wall_panels())
    fresh = build(config, seeded, dt.datetime.now(dt.UTC))
    read = fresh.panels[0].as_of
    assert read is not None and not any(p.late for p in fresh.panels)
    later = build(config, seeded, read + dt.timedelta(days=32))  # the seed's KPIs are reviewed monthly
    assert all(p.late for p in later.panels)
    assert all(n.late for n in later.panels[0].content.numbers)
    almost = build(config, seeded, read + dt.timedelta(days=30))
    assert not any(p.late for p in almost.panels)


def test_a_last_good_copy_marks_the_wall_stale_since_it_was_read(seeded) -> None:
    read_at = dt.datetime(2026, 3, 31, 7, 40, tzinfo=dt.UTC)
    config = parse_wall({"views": "overview,defects,suppliers,voc"}, min_refresh_s=60, panels=load_wall_panels())
    view = build(config, StaleRepository(seeded, read_at), read_at + dt.timedelta(hours=2))
    assert view.stale_since == read_at
    assert all(p.stale_since == read_at and p.error is None and not p.late for p in view.panels)
    assert {n.label: n.value_text for n in view.panels[0].content.numbers}["First-pass yield"] != "No data"


def test_a_failing_panel_says_so_and_the_others_still_show(seeded, caplog) -> None:
    registry = WallPanels()

    def unavailable(filters: Filters, repo: Any, style: PanelStyle) -> PanelContent:
        raise DataUnavailable("Cannot reach the quality database; check that it is running.")

    def broken(filters: Filters, repo: Any, style: PanelStyle) -> PanelContent:
        raise ZeroDivisionError("a bug")

    def fine(filters: Filters, repo: Any, style: PanelStyle) -> PanelContent:
        return PanelContent(numbers=(WallNumber("Answer", "42", cadence="daily"),), as_of=dt.datetime(2026, 3, 30, tzinfo=dt.UTC))

    registry.register("down", "Down", unavailable, order=0)
    registry.register("bug", "Bug", broken, order=1)
    registry.register("fine", "Fine", fine, cadence="weekly", order=2)
    config = parse_wall({}, panels=registry, min_refresh_s=60)
    view = build(config, seeded, dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC), registry)
    down, bug, ok = view.panels
    assert down.error == "Cannot reach the quality database; check that it is running."
    assert bug.error == "This panel failed; the details are in the server log."
    assert "Wall panel bug failed" in caplog.text
    assert ok.error is None and ok.cadence == "daily"  # the number's own cadence is shorter than the panel's
    assert ok.late and ok.content.numbers[0].late  # read 36 hours ago, expected daily


def test_the_overview_panel_shows_twelve_tiles_and_counts_the_rest(seeded, monkeypatch) -> None:
    from dashboard.views import overview_wall
    from dashboard.views.overview import build_overview

    real = build_overview(Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31)), seeded)
    many = dataclasses.replace(real, tiles=real.tiles * 2)  # 18 tiles
    monkeypatch.setattr(overview_wall, "build_overview", lambda filters, repo: many)
    content = overview_wall.overview_panel(real.filters, seeded, PanelStyle())
    assert len(content.numbers) == 12
    assert content.notes == ("6 more KPIs on the overview page (/).",)
