"""Numbers as people read them, by the unit a KPI declares."""

from __future__ import annotations

import datetime as dt

UNIT_LABELS = {
    "pct": "%",
    "ppm": "ppm",
    "dpmo": "DPMO",
    "eur": "EUR",
    "per_million": "per million",
    "score": "",
    "count": "",
    "ratio": "",
    "sigma": "σ",
}


def format_value(value: float | None, unit: str) -> str:
    """'97.3 %', '1,234 ppm', '€48.2k', '+42', '–' for no value."""
    if value is None:
        return "–"
    if unit == "pct":
        return f"{value:.2f} %" if abs(value) < 10 else f"{value:.1f} %"
    if unit in ("ppm", "dpmo", "per_million"):
        return f"{value:,.0f} {UNIT_LABELS[unit]}"
    if unit == "eur":
        return _money(value)
    if unit == "score":
        return f"{value:+.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "sigma":
        return f"{value:.2f} σ"
    return f"{value:,.3g}"


def format_change(change: float | None, unit: str) -> str:
    """A signed change: '+0.4 pts', '−120 ppm', '+€3.1k'."""
    if change is None:
        return "–"
    size = abs(change)
    if unit == "pct":
        digits = 2 if size < 0.1 else 1
        sign = "±" if round(size, digits) == 0 else "+" if change > 0 else "−"
        return f"{sign}{size:.{digits}f} pts"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if unit == "eur":
        return sign + _money(size)
    if unit == "score":
        return f"{sign}{size:.0f}"
    return sign + format_value(size, unit)


def _money(value: float) -> str:
    size = abs(value)
    sign = "-" if value < 0 else ""
    if size >= 1e6:
        return f"{sign}€{size / 1e6:.2f}M"
    if size >= 1e3:
        return f"{sign}€{size / 1e3:.1f}k"
    return f"{sign}€{size:,.0f}"


def format_time(moment: dt.datetime | None) -> str:
    """'HH:MM' in UTC with the date when it is not today: '07:40 UTC' or '22 Nov 07:40 UTC'."""
    if moment is None:
        return "–"
    moment = moment.astimezone(dt.UTC)
    if moment.date() == dt.datetime.now(dt.UTC).date():
        return f"{moment:%H:%M} UTC"
    return f"{moment:%d %b %H:%M} UTC"
