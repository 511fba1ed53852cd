"""The URL of a wall screen (``/wall``): parsed and validated, never raising.

Every bad value becomes a sentence (shown as a caption) and a safe default. The URL format:
``/wall?views=overview,defects|plant=P02|period=30d,suppliers&dwell=30&refresh=60&theme=dark``
— entries separated by commas, each a registered panel name with optional ``|key=value`` filters
(``period``, ``start``, ``end``, ``plant``) that override the wall-wide ones.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping

from dashboard.views.wall_panels import WALL_PANELS, WallPanels

FILTER_KEYS = ("period", "start", "end", "plant")
WALL_KEYS = ("views", "dwell", "refresh", "theme", *FILTER_KEYS)
OTHER_KEYS = ("display",)  # read before the wall: the display-link token of a signed-out screen
THEMES = ("dark", "light")
MAX_VIEWS = 12
DWELL_S = (1.0, 3600.0, 30.0)  # least, most, default
MAX_REFRESH_S = 3600.0
JITTER = (1.0, 1.2)  # the refresh interval is drawn from [refresh, 1.2 × refresh)


@dataclasses.dataclass(frozen=True)
class WallEntry:
    """One view of the playlist with its own filter values (raw, validated when built)."""

    view: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        """The entry as written in the URL, e.g. 'defects|plant=P02'."""
        return "|".join([self.view, *(f"{k}={v}" for k, v in self.params)])


@dataclasses.dataclass(frozen=True)
class WallConfig:
    """A validated wall URL."""

    entries: tuple[WallEntry, ...]
    dwell_s: float
    refresh_s: float
    min_refresh_s: float
    asked_refresh_s: float | None = None
    dark: bool = True
    defaults: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def theme(self) -> str:
        """'dark' or 'light'."""
        return "dark" if self.dark else "light"

    def refresh_text(self) -> str:
        """How often the data is refreshed, and why when it is not what the URL asked."""
        text = f"data refresh every {self.refresh_s:g} s"
        if self.asked_refresh_s is not None and self.asked_refresh_s < self.refresh_s:
            return f"{text} (the server's minimum; {self.asked_refresh_s:g} s was asked)"
        if self.asked_refresh_s is not None and self.asked_refresh_s > self.refresh_s:
            return f"{text} (the most allowed; {self.asked_refresh_s:g} s was asked)"
        return text

    def to_query(self) -> dict[str, str]:
        """URL parameters that reproduce this wall."""
        query = {
            "views": ",".join(e.text() for e in self.entries),
            "dwell": f"{self.dwell_s:g}",
            "refresh": f"{self.refresh_s:g}",
            "theme": self.theme,
        }
        return {**query, **dict(self.defaults)}


def _shown(value: str) -> str:
    printable = "".join(ch if ch.isprintable() else "?" for ch in value)
    return printable[:40] + ("…" if len(printable) > 40 else "")


def _text(params: Mapping[str, object], name: str, problems: list[str]) -> str | None:
    value = params.get(name)
    if isinstance(value, list | tuple):
        problems.append(f"'{name}' is given {len(value)} times; using the first.")
        value = value[0] if value else None
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"'{name}' is not text; ignored.")
        return None
    return value.strip() or None


def _seconds(raw: str | None, name: str, low: float, high: float, problems: list[str]) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw[:16])
    except ValueError:
        problems.append(f"{name}='{_shown(raw)}' is not a number of seconds; using the default.")
        return None
    if not low <= value <= high:  # also refuses nan and inf
        problems.append(f"{name}={_shown(raw)} is outside {low:g}–{high:g} s; using the default.")
        return None
    return value


def _entry(text: str, panels: WallPanels, problems: list[str]) -> WallEntry | None:
    name, *pairs = (part.strip() for part in text.split("|"))
    name = name.lower()
    if name not in panels:
        known = ", ".join(panels.names()) or "none"
        problems.append(f"Unknown view '{_shown(name)}'; skipped (known views: {known}).")
        return None
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or key not in FILTER_KEYS or not value:
            problems.append(f"'{_shown(pair)}' in the {name} view is not one of {', '.join(FILTER_KEYS)}=value; ignored.")
            continue
        params[key] = value[:64]
    return WallEntry(name, tuple(params.items()))


def parse_wall(params: Mapping[str, object], *, panels: WallPanels = WALL_PANELS, min_refresh_s: float) -> WallConfig:
    """Validate the wall URL's parameters (see the module docstring); never raises."""
    problems: list[str] = []
    for key in params:
        if key not in WALL_KEYS and key not in OTHER_KEYS:
            problems.append(f"Unknown parameter '{_shown(str(key))}'; ignored.")
    entries: list[WallEntry] = []
    raw_views = _text(params, "views", problems)
    for text in (raw_views or "").split(","):
        if text.strip() and (entry := _entry(text, panels, problems)) is not None:
            entries.append(entry)
    if len(entries) > MAX_VIEWS:
        problems.append(f"A wall shows at most {MAX_VIEWS} views; the last {len(entries) - MAX_VIEWS} were dropped.")
        entries = entries[:MAX_VIEWS]
    if not entries:
        if raw_views:
            problems.append("No known view in 'views'; showing every view.")
        entries = [WallEntry(name) for name in panels.names()[:MAX_VIEWS]]
    low, high, default = DWELL_S
    dwell = _seconds(_text(params, "dwell", problems), "dwell", low, high, problems) or default
    ceiling = max(MAX_REFRESH_S, min_refresh_s)
    asked = _seconds(_text(params, "refresh", problems), "refresh", 1.0, 86400.0, problems)
    refresh = min(max(asked if asked is not None else min_refresh_s, min_refresh_s), ceiling)
    theme = (_text(params, "theme", problems) or "dark").lower()
    if theme not in THEMES:
        problems.append(f"Unknown theme '{_shown(theme)}'; using dark (themes: dark, light).")
        theme = "dark"
    defaults = tuple((k, v[:64]) for k in FILTER_KEYS if (v := _text(params, k, problems)))
    return WallConfig(tuple(entries), dwell, refresh, min_refresh_s, asked, theme == "dark", defaults, tuple(problems))


def jittered_interval_ms(refresh_s: float, rng: random.Random | None = None) -> int:
    """The client's refresh interval: ``refresh_s`` plus 0–20 %, so screens drift apart instead of
    asking the server at the same moment (never faster than ``refresh_s``)."""
    low, high = JITTER
    return int(refresh_s * 1000 * (rng or random).uniform(low, high))
