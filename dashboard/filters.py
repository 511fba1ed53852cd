"""The global filter: a frozen, normalised value object parsed from URL parameters.

Relative periods ("last 90 days") are resolved against a given ``today`` before anything
else sees them, so two requests on the same day share one cache key. Every value is
checked against an allow-list; a bad value becomes a message and a safe default, never
an exception in a page and never a query parameter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping

PERIODS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "qtd": "Quarter to date",
    "ytd": "Year to date",
    "12m": "Last 12 months",
    "custom": "Custom range",
}
DEFAULT_PERIOD = "90d"
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_PARAM_LENGTH = 64


@dataclasses.dataclass(frozen=True)
class Filters:
    """A resolved filter. Both dates are inclusive."""

    period: str
    start_date: dt.date
    end_date: dt.date
    plant_id: str | None = None

    @property
    def days(self) -> int:
        """Number of days covered."""
        return (self.end_date - self.start_date).days + 1

    @property
    def end_exclusive(self) -> dt.date:
        """The day after ``end_date``: queries use ``date < end_exclusive``."""
        return self.end_date + dt.timedelta(days=1)

    def previous(self) -> Filters:
        """The period of the same length immediately before this one."""
        end = self.start_date - dt.timedelta(days=1)
        return dataclasses.replace(self, period="custom", start_date=end - dt.timedelta(days=self.days - 1), end_date=end)

    def cache_token(self) -> str:
        """A stable text form of the resolved values (not the label) for cache keys."""
        return f"{self.start_date.isoformat()}..{self.end_date.isoformat()}|plant={self.plant_id or '*'}"

    def to_query(self) -> dict[str, str]:
        """URL parameters that reproduce this filter (relative periods stay relative)."""
        query: dict[str, str] = {"period": self.period}
        if self.period == "custom":
            query["start"] = self.start_date.isoformat()
            query["end"] = self.end_date.isoformat()
        if self.plant_id:
            query["plant"] = self.plant_id
        return query

    def label(self) -> str:
        """Human-readable period, e.g. 'Last 90 days (26 Aug 2026 – 23 Nov 2026)'."""
        span = f"{self.start_date:%d %b %Y} – {self.end_date:%d %b %Y}"
        if self.period == "custom":
            return span
        return f"{PERIODS[self.period]} ({span})"


@dataclasses.dataclass(frozen=True)
class ParsedFilters:
    """The filter that will be used, and what was wrong with the input (if anything)."""

    filters: Filters
    problems: tuple[str, ...] = ()


def resolve_period(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Concrete (start, end) dates of a relative period ending on ``today``."""
    if period == "7d":
        return today - dt.timedelta(days=6), today
    if period == "30d":
        return today - dt.timedelta(days=29), today
    if period == "90d":
        return today - dt.timedelta(days=89), today
    if period == "qtd":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if period == "ytd":
        return dt.date(today.year, 1, 1), today
    if period == "12m":
        return today - dt.timedelta(days=364), today
    raise ValueError(f"not a relative period: {period!r}")


def _text(params: Mapping[str, object], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if not isinstance(value, str):
        return "\x00invalid"
    value = value.strip()
    return value or None


def _shown(value: str) -> str:
    """A bad value, shortened and made printable, for a message."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in value)
    return printable[:40] + ("…" if len(printable) > 40 else "")


def _parse_date(raw: str | None, name: str, problems: list[str]) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw[:MAX_PARAM_LENGTH])
    except ValueError:
        problems.append(f"'{_shown(raw)}' is not a date for {name}; use YYYY-MM-DD.")
        return None


def parse_filters(
    params: Mapping[str, object],
    *,
    today: dt.date,
    plants: Collection[str],
    max_span_days: int,
) -> ParsedFilters:
    """Validate URL/callback parameters ``period``, ``start``, ``end`` and ``plant``.

    ``plants`` is the allow-list of plant codes (from the plants dimension table).
    Unknown parameters are ignored. Returns the filter to use and a message for each
    value that was rejected or corrected.
    """
    problems: list[str] = []
    period = _text(params, "period") or DEFAULT_PERIOD
    if period not in PERIODS:
        problems.append(f"Unknown period '{_shown(period)}'; showing {PERIODS[DEFAULT_PERIOD].lower()}.")
        period = DEFAULT_PERIOD

    if period == "custom":
        start = _parse_date(_text(params, "start"), "start", problems)
        end = _parse_date(_text(params, "end"), "end", problems)
        if start is None or end is None:
            if not problems:
                problems.append("A custom range needs both a start and an end date.")
            period = DEFAULT_PERIOD
            start, end = resolve_period(period, today)
    else:
        start, end = resolve_period(period, today)

    if end > today:
        problems.append(f"The end date cannot be in the future; using {today.isoformat()}.")
        end = today
    if start < EARLIEST_DATE:
        problems.append(f"The start date cannot be before {EARLIEST_DATE.isoformat()}.")
        start = EARLIEST_DATE
    if start > end:
        problems.append("The start date is after the end date; the dates were swapped.")
        start, end = end, start
    if (end - start).days + 1 > max_span_days:
        start = end - dt.timedelta(days=max_span_days - 1)
        problems.append(f"A period can span at most {max_span_days} days; it now starts {start.isoformat()}.")

    plant = _text(params, "plant")
    if plant is not None and plant not in plants:
        problems.append(f"Unknown plant '{_shown(plant)}'; showing all plants.")
        plant = None

    return ParsedFilters(Filters(period, start, end, plant), tuple(problems))
