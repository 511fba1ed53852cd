"""The suppliers view's wall panel: the five best and five worst ranked suppliers and the funnel plot."""

from __future__ import annotations

from dashboard.datasets.interface import Repository
from dashboard.figures.wall import wall_figure
from dashboard.filters import Filters
from dashboard.views.suppliers import build_scorecard
from dashboard.views.wall_panels import PanelContent, PanelStyle, WallChart, WallTable, register_wall_panel

SHOWN = 5
COLUMNS = (("rank", "Rank"), ("supplier", "Supplier"), ("grade", "Grade"), ("score", "Score"), ("adjusted_ppm", "Adj. PPM"))


def ranked_ends(rows: list[dict], shown: int = SHOWN) -> tuple[dict[str, str], ...]:
    """The ``shown`` best and ``shown`` worst ranked rows (all of them when there are few), with a
    gap row between; unranked suppliers (too little data) are left out."""
    ranked = sorted((r for r in rows if r.get("rank") is not None), key=lambda r: r["rank"])
    picked = ranked if len(ranked) <= 2 * shown else [*ranked[:shown], None, *ranked[-shown:]]
    gap = {key: "…" if key == "rank" else "" for key, _ in COLUMNS}
    return tuple(gap if r is None else {key: str(r.get(key, "")) for key, _ in COLUMNS} for r in picked)


def suppliers_panel(filters: Filters, repo: Repository, style: PanelStyle) -> PanelContent:
    """The scorecard of :func:`build_scorecard` reduced to its ends, and its funnel plot."""
    view = build_scorecard(filters, repo)
    ranked = sum(1 for r in view.rows if r.get("rank") is not None)
    title = f"Best and worst of {ranked} ranked suppliers" if ranked > 2 * SHOWN else f"{ranked} ranked suppliers"
    return PanelContent(
        table=WallTable(title, COLUMNS, ranked_ends(view.rows)),
        charts=(
            WallChart(
                "Funnel plot: PPM against units received", wall_figure(view.funnel, dark=style.dark, font_px=style.font_px)
            ),
        ),
        as_of=view.as_of,
        stale_since=view.as_of if view.stale else None,
        notes=view.problems,
    )


register_wall_panel("suppliers", "Suppliers", suppliers_panel, view_path="/suppliers", order=3, feeds=("supplier_lots",))
