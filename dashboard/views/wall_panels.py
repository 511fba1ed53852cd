"""Wall panels: what each view shows on a wall screen (``/wall``), registered next to the view.

A view offers a panel by registering a builder, in its own module or one beside it::

    register_wall_panel("defects", "Defects", defects_panel, view_path="/defects", order=1)

The wall reads this registry only. :func:`load_wall_panels` imports every module of
``dashboard.views`` once, so a registration anywhere in the package is found: adding a view to
the wall never means editing the wall page.

A builder takes the view's filter, the repository and the screen's :class:`PanelStyle`, and
returns :class:`PanelContent` (big numbers, a few charts, at most one table), built from the
view's own ``build_*`` function.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import pkgutil
import re
from collections.abc import Callable

from dashboard.datasets.interface import Repository
from dashboard.filters import Filters
from dashboard.metrics.freshness import cadence_period
from dashboard.metrics.status import Status

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclasses.dataclass(frozen=True)
class PanelStyle:
    """How the screen draws charts: the theme and the chart font size in pixels."""

    dark: bool = True
    font_px: int = 24


@dataclasses.dataclass(frozen=True)
class WallNumber:
    """A headline number. ``cadence`` and ``as_of``, when given, override the panel's for lateness."""

    label: str
    value_text: str
    note: str = ""
    status: Status | None = None
    as_of: dt.datetime | None = None
    cadence: str | None = None
    late: bool = False


@dataclasses.dataclass(frozen=True)
class WallChart:
    """A chart: a short caption and a Plotly figure as JSON (already styled for the wall)."""

    title: str
    figure: dict


@dataclasses.dataclass(frozen=True)
class WallTable:
    """A small table: (key, header) columns and rows of text."""

    title: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[dict[str, str], ...]


@dataclasses.dataclass(frozen=True)
class PanelContent:
    """What a panel builder returns. ``stale_since`` is set when the data is a last good copy."""

    numbers: tuple[WallNumber, ...] = ()
    charts: tuple[WallChart, ...] = ()
    table: WallTable | None = None
    as_of: dt.datetime | None = None
    stale_since: dt.datetime | None = None
    notes: tuple[str, ...] = ()


PanelBuilder = Callable[[Filters, Repository, PanelStyle], PanelContent]


@dataclasses.dataclass(frozen=True)
class WallPanelSpec:
    """A registered panel. ``view_path`` finds the view's KPI cadences; ``cadence`` is the fallback;
    ``feeds`` are the fed sources whose newest records the panel shows (checked for lateness)."""

    name: str
    title: str
    builder: PanelBuilder
    view_path: str | None = None
    cadence: str = "daily"
    order: int = 100
    feeds: tuple[str, ...] = ()


class WallPanels:
    """A registry of wall panels by name (the name is what the ``views`` URL parameter lists)."""

    def __init__(self) -> None:
        self._specs: dict[str, WallPanelSpec] = {}

    def register(
        self,
        name: str,
        title: str,
        builder: PanelBuilder,
        *,
        view_path: str | None = None,
        cadence: str = "daily",
        order: int = 100,
        feeds: tuple[str, ...] = (),
    ) -> PanelBuilder:
        """Add or replace the panel ``name``; returns ``builder`` (usable as a decorator's result)."""
        if not NAME_PATTERN.match(name):
            raise ValueError(f"A wall panel name must be lower-case letters, digits, - or _ (1-32): {name!r}")
        if cadence_period(cadence) is None:
            raise ValueError(f"Unknown cadence {cadence!r} for the wall panel {name!r}")
        self._specs[name] = WallPanelSpec(name, title, builder, view_path, cadence, order, tuple(feeds))
        return builder

    def get(self, name: str) -> WallPanelSpec | None:
        """The panel ``name``, or None."""
        return self._specs.get(name)

    def names(self) -> tuple[str, ...]:
        """Every panel name, in display order (``order``, then name)."""
        return tuple(sorted(self._specs, key=lambda n: (self._specs[n].order, n)))

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __len__(self) -> int:
        return len(self._specs)


WALL_PANELS = WallPanels()
_loaded: list[bool] = []


def register_wall_panel(
    name: str,
    title: str,
    builder: PanelBuilder,
    *,
    view_path: str | None = None,
    cadence: str = "daily",
    order: int = 100,
    feeds: tuple[str, ...] = (),
) -> PanelBuilder:
    """Register a panel with the wall (see the module docstring)."""
    return WALL_PANELS.register(name, title, builder, view_path=view_path, cadence=cadence, order=order, feeds=feeds)


def load_wall_panels() -> WallPanels:
    """The registry after importing every ``dashboard.views`` module (once per process)."""
    if not _loaded:
        package = importlib.import_module("dashboard.views")
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"dashboard.views.{module.name}")
        _loaded.append(True)
    return WALL_PANELS
