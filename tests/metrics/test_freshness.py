"""Cadences and lateness: a copy is late once it is older than one cadence period."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.metrics.freshness import cadence_period, is_late, record_late, shortest_cadence

NOW = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        ("daily", dt.timedelta(days=1)),
        (" Weekly ", dt.timedelta(days=7)),
        ("monthly", dt.timedelta(days=31)),
        ("quarterly", dt.timedelta(days=92)),
        ("hourly", dt.timedelta(hours=1)),
        ("fortnightly", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_cadence_period(cadence: object, expected: dt.timedelta | None) -> None:
    assert cadence_period(cadence) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("age", "cadence", "late"),
    [
        (dt.timedelta(hours=23, minutes=59), "daily", False),
        (dt.timedelta(days=1), "daily", False),  # exactly one period old is still on time
        (dt.timedelta(days=1, seconds=1), "daily", True),
        (dt.timedelta(days=6), "weekly", False),
        (dt.timedelta(days=8), "weekly", True),
        (dt.timedelta(days=30), "monthly", False),
        (dt.timedelta(days=32), "monthly", True),
        (dt.timedelta(days=400), "never", False),  # unknown cadence: nothing to compare with
        (dt.timedelta(days=400), None, False),
    ],
)
def test_is_late(age: dt.timedelta, cadence: str | None, late: bool) -> None:
    assert is_late(NOW - age, cadence, NOW) is late


def test_no_time_is_never_late_and_naive_times_are_utc() -> None:
    assert is_late(None, "daily", NOW) is False
    naive = (NOW - dt.timedelta(days=2)).replace(tzinfo=None)
    assert is_late(naive, "daily", NOW) is True
    assert is_late(naive, "weekly", NOW.replace(tzinfo=None)) is False


def test_shortest_cadence() -> None:
    assert shortest_cadence(["monthly", "Daily", "weekly"]) == "daily"
    assert shortest_cadence(["monthly", None, "sometimes"]) == "monthly"
    assert shortest_cadence([None, "sometimes"], "weekly") == "weekly"
    assert shortest_cadence([]) is None


NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("latest", "cadence", "late"),
    [
        (dt.date(2026, 11, 23), "daily", False),  # yesterday's records: on time
        (dt.date(2026, 11, 22), "daily", True),  # the day before: a day is missing
        (dt.date(2026, 11, 18), "weekly", False),
        (dt.date(2026, 11, 16), "weekly", True),
        (dt.datetime(2026, 11, 24, 11, 30, tzinfo=dt.UTC), "hourly", False),
        (dt.datetime(2026, 11, 24, 10, 30), "hourly", True),  # naive: taken as UTC
        (None, "daily", True),  # an empty feed
        (dt.date(2020, 1, 1), "fortnightly", False),  # an unknown cadence is never late
    ],
)
def test_record_late(latest, cadence: str, late: bool) -> None:
    assert record_late(latest, cadence, NOON) is late
