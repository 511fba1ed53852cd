"""The CAPA page's "did they work?" block: the CAPAs closed in the period against their defect
data (:mod:`dashboard.views.capa_effects`), a headline, a sentence and a sortable grid whose CAPA
numbers open each one's page."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from dashboard.pages._shared import CAPA_LINK_COLUMN
from dashboard.views.capa_effects import CapaEffects
from dashboard.views.records import capa_link

P = "capa-effects-"
VERDICT_TEXT = {
    "fell": "Fell",
    "no clear change": "No clear change",
    "rose": "Rose",
    "nothing to compare": "Nothing to compare",
    "too little data": "Too little data",
    "too soon": "Too soon",
}
COLUMNS = [
    {"field": "capa_id", "headerName": "CAPA", "minWidth": 80, "flex": 1, **CAPA_LINK_COLUMN},
    {"field": "closed", "headerName": "Closed", "minWidth": 110, "flex": 1},
    {"field": "addresses", "headerName": "Addresses", "minWidth": 170, "flex": 2},
    {"field": "title", "headerName": "Title", "minWidth": 200, "flex": 3, "tooltipField": "title"},
    {"field": "before", "headerName": "Per 1,000 before", "minWidth": 100, "flex": 1, "type": "numericColumn"},
    {"field": "after", "headerName": "Per 1,000 after", "minWidth": 100, "flex": 1, "type": "numericColumn"},
    {"field": "change", "headerName": "Change (95 % interval)", "minWidth": 170, "flex": 2},
    {"field": "verdict", "headerName": "The data says", "minWidth": 140, "flex": 1},
    {"field": "recorded", "headerName": "Recorded check", "minWidth": 120, "flex": 1},
    {"field": "note", "headerName": "", "minWidth": 220, "flex": 3, "tooltipField": "note", "sortable": False},
]
AUTO_HEIGHT_ROWS = 8  # more rows scroll inside the grid


def _headline(effects: CapaEffects) -> html.Div:
    share = effects.share
    value = "–" if share is None else f"{effects.fell:,} of {effects.judged:,}"
    detail = (
        "no CAPA closed in the period could be judged yet"
        if share is None
        else f"judged CAPAs whose defect rate fell after closing ({share:.0f} %)"
    )
    flagged = len(effects.second_look)
    return html.Div(
        [
            html.Div("Fell after closing, by the data", className="small text-muted"),
            html.Div(value, id=P + "value", className="h3 mb-0"),
            html.Div(detail, className="small"),
            html.Div(
                f"{flagged:,} recorded effective without a clear fall" if flagged else "No recorded check is contradicted",
                className="small " + ("text-danger" if flagged else "text-success"),
            ),
        ],
        className="border rounded p-2 h-100",
    )


def effects_block(effects: CapaEffects | None, query: dict[str, str]) -> html.Div | None:
    """The block, or None when the page was built without the effects (no ``today``)."""
    if effects is None:
        return None
    rows = [
        {
            "capa_id": row.capa_id,
            "capa_link": capa_link(row.capa_id, query),
            "closed": row.closed,
            "addresses": row.addresses,
            "title": row.title,
            "before": row.before,
            "after": row.after,
            "change": row.change,
            "verdict": VERDICT_TEXT[row.verdict],
            "recorded": row.recorded,
            "note": row.note,
        }
        for row in effects.rows
    ]
    small = len(rows) <= AUTO_HEIGHT_ROWS
    grid = dag.AgGrid(
        id=P + "grid",
        columnDefs=COLUMNS,
        rowData=rows,
        defaultColDef={"resizable": True, "sortable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions={"tooltipShowDelay": 300, **({"domLayout": "autoHeight"} if small else {})},
        style={} if small else {"height": "340px"},
        className="ag-theme-quartz",
    )
    return html.Div(
        [
            html.H2("Did they work? The CAPAs closed in the period, against their defect data", className="h5 mt-3 mb-1"),
            html.P(effects.sentence, id=P + "sentence", className="small mb-2"),
            # Nothing closed to judge: the sentence says so, without an empty headline or grid.
            dbc.Row([dbc.Col(_headline(effects), xl=2), dbc.Col(grid, xl=10)], className="g-2") if rows else None,
        ],
        id=P + "block",
    )
