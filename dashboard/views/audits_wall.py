"""The audit findings' wall panel: open findings and open majors (a risk to certification),
findings raised in the period, the backlog's age and the findings by ISO clause."""

from __future__ import annotations

from dashboard.datasets.interface import Repository
from dashboard.figures.wall import wall_figure
from dashboard.filters import Filters
from dashboard.metrics.status import Status
from dashboard.views.audits import build_audits
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallChart, WallNumber, register_wall_panel

SHOWN = {"open": "Open findings", "open-majors": "Open major findings", "raised": "Raised in the period"}
KEY = "red major, orange minor, blue observation"  # the figures' severity colours, as words


def audits_panel(filters: Filters, repo: Repository, style: PanelStyle) -> PanelContent:
    """Three headline numbers of :func:`build_audits` (an open major is to act on), the backlog
    by age and severity, and the findings raised by clause and severity."""
    view = build_audits(filters, repo)
    numbers = tuple(
        WallNumber(
            SHOWN[h.key],
            h.value_text,
            h.detail,
            Status("act" if view.open_majors else "good") if h.key == "open-majors" else None,
        )
        for h in view.headlines
        if h.key in SHOWN
    )
    charts = (
        WallChart(f"Open findings by age ({KEY})", view.backlog.to_plotly_json()),
        WallChart(f"Findings raised by ISO clause ({KEY})", view.by_clause.to_plotly_json()),
    )
    return PanelContent(
        numbers=numbers,
        charts=tuple(WallChart(c.title, wall_figure(c.figure, dark=style.dark, font_px=style.font_px)) for c in charts),
        as_of=view.as_of,
        stale_since=view.as_of if view.stale else None,
        notes=(view.note,) if view.note else (),
    )


register_wall_panel("audits", "Audit findings", audits_panel, view_path="/audits", order=6)
