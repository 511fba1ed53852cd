"""How old data may be: the expected cadence of a source, and whether a copy is late.

A KPI definition declares its review ``cadence`` (daily, weekly, monthly, quarterly; see
``kpi_definitions.cadence``). A copy of the data is *late* when it was read from the database
longer ago than one cadence period: a daily figure read yesterday morning is late today. A fed
source (defects, production, lots, feedback, measurements) declares the cadence its records
arrive at; it is late when its newest record is older than that (:func:`record_late`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

CADENCES: dict[str, dt.timedelta] = {
    "hourly": dt.timedelta(hours=1),
    "daily": dt.timedelta(days=1),
    "weekly": dt.timedelta(days=7),
    "monthly": dt.timedelta(days=31),
    "quarterly": dt.timedelta(days=92),
}


def cadence_period(cadence: str | None) -> dt.timedelta | None:
    """The longest a copy may be kept for ``cadence`` ('Daily' and ' daily ' count), or None when unknown."""
    if not isinstance(cadence, str):
        return None
    return CADENCES.get(cadence.strip().lower())


def shortest_cadence(cadences: Iterable[object], default: str | None = None) -> str | None:
    """The known cadence with the shortest period among ``cadences``, else ``default``."""
    known = [c.strip().lower() for c in cadences if cadence_period(c) is not None]  # type: ignore[arg-type]
    return min(known, key=lambda c: CADENCES[c]) if known else default


def is_late(as_of: dt.datetime | None, cadence: str | None, now: dt.datetime) -> bool:
    """True when data read at ``as_of`` is older than one ``cadence`` period at ``now``.

    Unknown cadences and missing times are never late (there is nothing to compare with).
    Naive datetimes are taken as UTC.
    """
    period = cadence_period(cadence)
    if as_of is None or period is None:
        return False
    return _utc(now) - _utc(as_of) > period


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def record_late(latest: dt.date | dt.datetime | None, cadence: str | None, reference: dt.datetime) -> bool:
    """True when a feed's newest record (``latest``) is older than one ``cadence`` period at
    ``reference``: a daily feed whose newest record is from the day before yesterday is late.

    A record dated by day counts as of the end of that day. An empty feed (None) is late; an
    unknown cadence never is.
    """
    period = cadence_period(cadence)
    if period is None:
        return False
    if latest is None:
        return True
    if isinstance(latest, dt.datetime):
        newest = _utc(latest)
    else:
        newest = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return _utc(reference) - newest > period
