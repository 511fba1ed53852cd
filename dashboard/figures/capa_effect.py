"""The figure of one CAPA's effect: defects per 1,000 units per week of what the CAPA addresses,
with the windows compared shaded and the days it was opened, due and closed marked."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.figures.common import days, floats, iso, note, page_layout, rgba, series_colour, stamps
from dashboard.figures.empty import empty_spec
from dashboard.figures.theme import PALETTE, STATUS_COLOURS

HEIGHT = 380
BEFORE_FILL, AFTER_FILL = PALETTE[1], PALETTE[2]
MARK_COLOUR = STATUS_COLOURS["no_target"]


def _window(start: dt.date, end: dt.date, colour: str, label: str) -> tuple[dict, dict]:
    shape = {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": start.isoformat(),
        "x1": (end + dt.timedelta(days=1)).isoformat(),
        "y0": 0,
        "y1": 1,
        "fillcolor": rgba(colour, 0.12),
        "line": {"width": 0},
        "layer": "below",
    }
    return shape, note(label, start.isoformat(), 1.0, xref="x", xanchor="left", yanchor="bottom", font={"size": 12})


def _mark(day: dt.date, label: str, row: int) -> tuple[dict, dict]:
    shape = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": day.isoformat(),
        "x1": day.isoformat(),
        "y0": 0,
        "y1": 1,
        "line": {"color": MARK_COLOUR, "width": 1.5, "dash": "dot"},
    }
    text = f"{label} {day:%d %b}"
    return shape, note(text, day.isoformat(), 0.96 - 0.07 * row, xref="x", xanchor="left", font={"size": 12})


def effect_spec(
    weeks: pd.DataFrame,
    *,
    opened: dt.date,
    due: dt.date,
    closed: dt.date | None,
    scope: str,
    window_days: int,
    dark: bool = False,
) -> dict:
    """Weekly defects per 1,000 units (``weeks``: ``bucket_date``, ``units_inspected`` and
    ``defect_count`` per week), the window before opening and the one after closing shaded, and
    opened / due / closed marked."""
    if weeks.empty:
        return empty_spec(f"No units were inspected for {scope} around this CAPA.", dark=dark, height=HEIGHT)
    when = stamps(weeks["bucket_date"])
    x, labels, units = iso(when), days(when), floats(weeks, "units_inspected")
    found = np.nan_to_num(floats(weeks, "defect_count"))
    rate = np.where(units > 0, 1000 * np.nan_to_num(found) / np.where(units > 0, units, 1), np.nan)
    values = [None if np.isnan(v) else round(float(v), 3) for v in rate]
    hover = [
        f"Week of {label}: {v:,.2f} per 1,000 units ({int(c):,} defects in {int(u):,} units)"
        if v is not None
        else f"Week of {label}: no units"
        for label, v, c, u in zip(labels, values, found, np.nan_to_num(units), strict=True)
    ]
    shapes, notes = [], []
    for shape, text in (
        _window(opened - dt.timedelta(days=window_days), opened - dt.timedelta(days=1), BEFORE_FILL, "Before"),
        *(
            [_window(closed + dt.timedelta(days=1), closed + dt.timedelta(days=window_days), AFTER_FILL, "After")]
            if closed
            else []
        ),
        _mark(opened, "Opened", 0),
        _mark(due, "Due", 1),
        *([_mark(closed, "Closed", 2)] if closed else []),
    ):
        shapes.append(shape)
        notes.append(text)
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Defects per 1,000 units",
            "x": x,
            "y": values,
            "line": {"color": series_colour(dark), "width": 2},
            "hovertext": hover,
            "hoverinfo": "text",
        }
    ]
    layout = page_layout(
        f"Defects per 1,000 units per week, {scope}",
        dark,
        HEIGHT,
        legend=False,
        shapes=shapes,
        annotations=notes,
        xaxis={"type": "date", "range": [x[0], x[-1]] if len(x) > 1 else None},
        yaxis={"title": {"text": "per 1,000 units"}, "rangemode": "tozero"},
    )
    return {"data": data, "layout": layout}
