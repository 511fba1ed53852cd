"""The voice-of-the-customer wall panel: NPS, CSAT and complaints per million, the NPS trend and themes."""

from __future__ import annotations

from dashboard.datasets.interface import Repository
from dashboard.figures.wall import wall_figure
from dashboard.filters import Filters
from dashboard.views.voc import build_voc
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallChart, WallNumber, register_wall_panel

HEADLINES = {  # headline name in the view: label on the wall
    "Net Promoter Score": "Net Promoter Score",
    "CSAT (4-5 of 5)": "CSAT (4-5 of 5)",
    "Complaints per million units shipped": "Complaints per million shipped",
}


def _number(label: str, value: str, note: str) -> WallNumber:
    """A headline with its sample size moved from the value ('87.5 % (n = 120)') into the note."""
    value, _, size = value.partition(" (n = ")
    return WallNumber(label, value, f"n = {size.rstrip(')')}; {note}" if size else note)


def voc_panel(filters: Filters, repo: Repository, style: PanelStyle) -> PanelContent:
    """Headlines, the weekly NPS and the comment themes of :func:`build_voc`."""
    view = build_voc(filters, repo)
    numbers = tuple(_number(HEADLINES[name], value, note) for name, value, note in view.headlines if name in HEADLINES)
    charts = (
        WallChart("Net Promoter Score per week (shaded: 95 % interval)", view.nps_trend),
        WallChart("Themes in the comments: number and share negative", view.themes),
    )
    return PanelContent(
        numbers=numbers,
        charts=tuple(WallChart(c.title, wall_figure(c.figure, dark=style.dark, font_px=style.font_px)) for c in charts),
        as_of=view.as_of,
        stale_since=view.as_of if view.stale else None,
        notes=view.problems,
    )


register_wall_panel("voc", "Customers", voc_panel, view_path="/voc", order=4, feeds=("customer_feedback",))
