"""The overview's wall panel: one big number per KPI with its status in words, target and read time."""

from __future__ import annotations

from dashboard.datasets.interface import Repository
from dashboard.filters import Filters
from dashboard.views.overview import KpiTile, build_overview
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallNumber, register_wall_panel

MAX_TILES = 12  # three rows of four at 97 px numbers still fit 1920×1080


def _number(tile: KpiTile) -> WallNumber:
    note = tile.target_text
    if tile.delta.word != "no comparison":
        note += f" · {tile.delta_text} ({tile.delta.word})"
    return WallNumber(tile.name, tile.value_text, note, tile.status, tile.as_of, tile.cadence)


def overview_panel(filters: Filters, repo: Repository, style: PanelStyle) -> PanelContent:
    """The KPI tiles of :func:`build_overview` as headline numbers (no sparklines: few elements);
    the first ``MAX_TILES`` fit a screen, the rest are counted in a note."""
    view = build_overview(filters, repo)
    hidden = len(view.tiles) - MAX_TILES
    more = (f"{hidden} more KPI{'s' if hidden > 1 else ''} on the overview page (/).",) if hidden > 0 else ()
    return PanelContent(
        numbers=tuple(_number(t) for t in view.tiles[:MAX_TILES]),
        as_of=view.as_of,
        stale_since=view.stale_since,
        notes=(*view.problems, *more),
    )


register_wall_panel(
    "overview",
    "Overview",
    overview_panel,
    view_path="/",
    order=0,
    feeds=("defects", "production_volumes", "supplier_lots", "customer_feedback"),
)
