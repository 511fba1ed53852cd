"""The defects view's wall panel: four headline numbers, the trend, the Pareto and the u′ chart."""

from __future__ import annotations

from dashboard.datasets.interface import Repository
from dashboard.drill import DefectSlice
from dashboard.figures.wall import wall_figure
from dashboard.filters import Filters
from dashboard.views.defects import build_defects
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallChart, WallNumber, register_wall_panel

HEADLINES = {  # headline name in the view: label on the wall
    "Defects": "Defects",
    "Defects per million opportunities": "Defects per million opp.",
    "First-pass yield": "First-pass yield",
    "Cost of poor quality": "Cost of poor quality",
}


def defects_panel(filters: Filters, repo: Repository, style: PanelStyle) -> PanelContent:
    """Headline numbers, trend, Pareto and control chart of :func:`build_defects` (whole plant or all plants)."""
    view = build_defects(filters, DefectSlice(), repo)
    numbers = tuple(
        WallNumber(
            HEADLINES[h.name],
            h.value_text.removesuffix(" DPMO"),
            f"previous {h.previous_text.removesuffix(' DPMO')}" + (f" ({h.change_text})" if h.change_text else ""),
        )
        for h in view.headlines
        if h.name in HEADLINES
    )
    charts = (
        WallChart(f"Defects per {view.grain} (dashed: previous)", view.trend),
        WallChart("Pareto of defect codes (★ vital few)", view.pareto),
        WallChart("Defects per unit: u′ chart (◆ signals)", view.control),
    )
    return PanelContent(
        numbers=numbers,
        charts=tuple(WallChart(c.title, wall_figure(c.figure, dark=style.dark, font_px=style.font_px)) for c in charts),
        as_of=view.as_of,
        stale_since=view.as_of if view.stale else None,
        notes=view.problems,
    )


register_wall_panel("defects", "Defects", defects_panel, view_path="/defects", order=1, feeds=("defects", "production_volumes"))
