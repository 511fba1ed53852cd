"""Small pieces the page figures share: safe text, colours, dates for a plotly axis, notes and
the page layout (title top left, legend along the bottom, margins scaled to the template)."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from dashboard.figures.theme import PALETTE, template, template_json

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def plain(value: object) -> str:
    """``value`` as text that plotly shows literally (its titles and hovers read HTML)."""
    return escape(str(value), quote=False)


def series_colour(dark: bool) -> str:
    """The measured values' colour: blue, or sky blue on the dark wall-screen template (as the control chart)."""
    return PALETTE[5] if dark else PALETTE[0]


def rgba(colour: str, alpha: float) -> str:
    """'#RRGGBB' with an alpha, for fills."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    """``frame[column]`` as floats (NaN where missing or not a number, all NaN without the column)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def stamps(values: object) -> pd.DatetimeIndex:
    """Dates or times as a timezone-naive index (wall-clock, as recorded)."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Series(values, dtype=object).reset_index(drop=True)))
    return index.tz_localize(None) if index.tz is not None else index


def iso(index: pd.DatetimeIndex) -> list[str]:
    """Dates for a plotly date axis: the day alone when every stamp is at midnight."""
    daily = bool((index.normalize() == index).all())
    text = np.datetime_as_string(index.to_numpy(dtype="datetime64[s]"), unit="D" if daily else "s")
    return [t.replace("T", " ") for t in text.tolist()]


def days(index: pd.DatetimeIndex) -> list[str]:
    """Dates as people read them, "3 Aug 2026" (built in bulk: strftime per point is slow)."""
    parts = zip(index.day.tolist(), index.month.tolist(), index.year.tolist(), strict=True)
    return [f"{day} {MONTHS[month - 1]} {year}" for day, month, year in parts]


def note(text: str, x: object, y: object, *, xref: str = "paper", yref: str = "paper", **options: object) -> dict:
    """An annotation without an arrow (x and y in plot fractions unless told)."""
    return {"text": text, "x": x, "xref": xref, "y": y, "yref": yref, "showarrow": False, **options}


def page_layout(title: str, dark: bool, height: int, *, legend: bool = True, right: int = 24, **more: object) -> dict:
    """The layout of a page figure: template, title top left, horizontal legend along the bottom
    (listed in trace order, so stacked bars read bottom first), margins scaled to the font."""
    scale = template(dark).layout.font.size / 13
    return {
        "template": template_json(dark),
        "height": height,
        "title": {"text": plain(title), "x": 0, "xref": "paper", "xanchor": "left"},
        "margin": {"l": round(72 * scale), "r": round(right * scale), "t": round(72 * scale), "b": round(96 * scale)},
        "hovermode": "closest",
        "showlegend": legend,
        "legend": {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom", "traceorder": "normal"},
        **more,
    }
