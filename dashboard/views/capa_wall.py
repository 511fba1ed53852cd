"""The CAPA view's wall panel: on-time closure, open and overdue CAPAs, the closures chart and
the most overdue CAPAs with where they are and who owns them (for the quality office's screen)."""

from __future__ import annotations

from dashboard.datasets.interface import Repository
from dashboard.figures.wall import wall_figure
from dashboard.filters import Filters
from dashboard.metrics.status import Status
from dashboard.views.capa import CapaScope, build_capa
from dashboard.views.capa_records import capa_record_page
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallChart, WallNumber, WallTable, register_wall_panel

SHOWN = 6
NAME_CHARACTERS = 24  # a column of the wall's table holds a code or a name, read from across the room
COLUMNS = (
    ("capa_id", "CAPA"),
    ("plant_id", "Plant"),
    ("line_id", "Line"),
    ("defect_code", "Code"),
    ("owner", "Owner"),
    ("days_late", "Days past due"),
)


def _short(text: object) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= NAME_CHARACTERS else text[: NAME_CHARACTERS - 1] + "…"


def capa_panel(filters: Filters, repo: Repository, style: PanelStyle) -> PanelContent:
    """The numbers and closures chart of :func:`build_capa` and the most overdue CAPAs."""
    view = build_capa(filters, repo, CapaScope())
    numbers = tuple(
        WallNumber(label, card.value_text, card.detail.split("; ")[-1], Status(card.status))
        for prefix, label in (
            ("Closed on time", "CAPAs closed on time"),
            ("Open on", "Open CAPAs"),
            ("Overdue on", "Overdue CAPAs"),
        )
        for card in view.cards
        if card.name.startswith(prefix)
    )
    overdue = capa_record_page(
        filters, CapaScope(status="overdue"), repo, sort="days_late", descending=True, offset=0, limit=SHOWN
    )
    rows = tuple({key: _short(row.get(key)) for key, _ in COLUMNS} for row in overdue.rows)
    title = f"Most overdue: {len(rows)} of {overdue.total}" if overdue.total > len(rows) else "Overdue CAPAs"
    chart = WallChart("CAPAs closed on time and late, opened, and % on time", view.flow)
    return PanelContent(
        numbers=numbers,
        charts=(WallChart(chart.title, wall_figure(chart.figure, dark=style.dark, font_px=style.font_px)),),
        table=WallTable(title, COLUMNS, rows) if rows else None,
        as_of=view.as_of,
        stale_since=view.as_of if view.stale else None,
    )


register_wall_panel("capa", "CAPA", capa_panel, view_path="/capa", order=5)
