"""Wall mode (``/wall``): the panels a screen shows.

``build_wall`` builds each panel of a validated playlist (:mod:`dashboard.views.wall_url`) from
the registry (:mod:`dashboard.views.wall_panels`) through the cached repository, and marks each
one late (older than its cadence) or stale (a last good copy while the database is down).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pandas as pd

from dashboard.datasets.interface import Repository
from dashboard.errors import DashboardError
from dashboard.filters import parse_filters
from dashboard.metrics.freshness import is_late, record_late, shortest_cadence
from dashboard.views.wall_panels import WALL_PANELS, PanelContent, PanelStyle, WallPanels
from dashboard.views.wall_url import WallConfig, WallEntry

log = logging.getLogger(__name__)
BASE_WIDTH, BASE_HEIGHT, BASE_FONT_PX = 1920, 1080, 24


def style_for(viewport: object, dark: bool) -> PanelStyle:
    """The chart style for a screen of ``viewport`` ({"w": px, "h": px} from the browser, forgeable):
    24 px chart text at 1920×1080, scaled with the smaller side ratio (48 px at 3840×2160)."""
    width, height = BASE_WIDTH, BASE_HEIGHT
    if isinstance(viewport, dict):
        w, h = viewport.get("w"), viewport.get("h")
        if isinstance(w, int | float) and isinstance(h, int | float) and w > 0 and h > 0:
            width, height = min(max(float(w), 320.0), 7680.0), min(max(float(h), 240.0), 4320.0)
    scale = min(width / BASE_WIDTH, height / BASE_HEIGHT)
    return PanelStyle(dark=dark, font_px=int(min(max(round(BASE_FONT_PX * scale), 12), 96)))


@dataclasses.dataclass(frozen=True)
class WallPanelView:
    """One panel of the playlist, ready to draw."""

    entry: WallEntry
    title: str
    scope: str
    content: PanelContent
    cadence: str
    late: bool
    error: str | None = None
    late_feeds: tuple[str, ...] = ()

    @property
    def as_of(self) -> dt.datetime | None:
        """When the panel's data was read."""
        return self.content.as_of

    @property
    def stale_since(self) -> dt.datetime | None:
        """When the last good copy shown was read, if the database is down."""
        return self.content.stale_since


@dataclasses.dataclass(frozen=True)
class WallView:
    """The whole wall: its panels and every message about its URL."""

    config: WallConfig
    panels: tuple[WallPanelView, ...]
    problems: tuple[str, ...] = ()

    @property
    def stale_since(self) -> dt.datetime | None:
        """The oldest last-good copy on the screen, if any panel shows one."""
        times = [p.stale_since for p in self.panels if p.stale_since is not None]
        return min(times) if times else None


def _plants(repo: Repository, problems: list[str]) -> list[str]:
    try:
        return list(repo.fetch("plants").frame["plant_id"])
    except DashboardError as error:
        problems.append(str(error))
        return []


def _view_cadences(repo: Repository, view_path: str | None) -> list[object]:
    if view_path is None:
        return []
    try:
        kpis = repo.fetch("kpi_definitions").frame
    except DashboardError:
        return []
    return list(kpis.loc[kpis["view_path"] == view_path, "cadence"])


FEED_NAMES = {
    "defects": "defects",
    "production_volumes": "production",
    "spc_measurements": "measurements",
    "supplier_lots": "supplier lots",
    "customer_feedback": "customer feedback",
}


def late_feeds(feeds: tuple[str, ...], repo: Repository, reference: dt.datetime) -> tuple[str, ...]:
    """ "defects 20 Nov (daily)" for each fed source whose newest record is older than its declared
    cadence (the date is the newest record's)."""
    notes = []
    for feed in feeds:
        try:
            frame = repo.fetch("feed_latest", feed=feed).frame
        except DashboardError:
            continue  # unreachable: the stale banner says so
        latest = frame["latest"].iloc[0] if len(frame) else None
        cadence = str(frame["cadence"].iloc[0]) if len(frame) else None
        if latest is not None and not isinstance(latest, dt.date):
            latest = None if pd.isna(latest) else pd.Timestamp(latest).to_pydatetime()
        if record_late(latest, cadence, reference):
            newest = "no records" if latest is None else f"{latest:%d %b}"
            notes.append(f"{FEED_NAMES.get(feed, feed)} {newest} ({cadence})")
    return tuple(notes)


def build_wall(
    config: WallConfig,
    repo: Repository,
    *,
    today: dt.date,
    max_span_days: int,
    now: dt.datetime,
    style: PanelStyle,
    panels: WallPanels = WALL_PANELS,
) -> WallView:
    """Every panel of ``config``'s playlist; a panel that fails says so and the others still show."""
    problems = list(config.problems)
    plants = _plants(repo, problems)
    # With DASHBOARD_TODAY pinned (demo, tests) a feed is judged at the end of that day.
    reference = now if today >= now.date() else dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    built = []
    for entry in config.entries:
        spec = panels.get(entry.view)
        if spec is None:  # unregistered since the URL was parsed
            continue
        parsed = parse_filters(
            {**dict(config.defaults), **dict(entry.params)}, today=today, plants=plants, max_span_days=max_span_days
        )
        problems.extend(f"{spec.title}: {p}" for p in parsed.problems)
        filters = parsed.filters
        error = None
        try:
            content = spec.builder(filters, repo, style)
        except DashboardError as failure:
            content, error = PanelContent(), str(failure)
        except Exception:  # one broken panel must not blank an unattended screen
            log.exception("Wall panel %s failed", entry.view)
            content, error = PanelContent(), "This panel failed; the details are in the server log."
        cadence = shortest_cadence([*_view_cadences(repo, spec.view_path), *(n.cadence for n in content.numbers)], spec.cadence)
        numbers = tuple(
            dataclasses.replace(n, late=is_late(n.as_of or content.as_of, n.cadence or cadence, now)) for n in content.numbers
        )
        content = dataclasses.replace(content, numbers=numbers)
        problems.extend(f"{spec.title}: {note}" for note in content.notes)
        feeds_late = late_feeds(spec.feeds, repo, reference)
        late = is_late(content.as_of, cadence, now) or any(n.late for n in numbers) or bool(feeds_late)
        scope = f"{'plant ' + filters.plant_id if filters.plant_id else 'all plants'} · {filters.label()}"
        built.append(WallPanelView(entry, spec.title, scope, content, cadence or spec.cadence, late, error, feeds_late))
    return WallView(config, tuple(built), tuple(dict.fromkeys(problems)))
