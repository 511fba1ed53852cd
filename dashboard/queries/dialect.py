"""Dialect differences, in one place: date bucketing and day arithmetic on SQLite, PostgreSQL and DuckDB.

``date_bucket(column, grain)`` is a SQL expression that compiles per dialect, so query
builders stay dialect-free. Buckets are the first day of the day / ISO week (Monday) /
month / quarter and come back as a date (SQLite returns ISO text; the dataset layer
parses it). ``days_between(later, earlier)`` is a whole number of days and ``days_after(column, n)``
a date ``n`` days later, so a join can compare dates row by row (each CAPA's own windows).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

GRAINS = ("day", "week", "month", "quarter")


class DateBucket(FunctionElement):
    """``date_bucket(column, grain)``: the first day of the bucket that contains ``column``."""

    type = Date()
    inherit_cache = True
    name = "date_bucket"

    def __init__(self, column: ColumnElement[Any], grain: str) -> None:
        if grain not in GRAINS:
            raise ValueError(f"unknown grain {grain!r}; expected one of {GRAINS}")
        self.grain = grain
        super().__init__(column)

    # The grain changes the SQL text, so it must be part of SQLAlchemy's statement cache key.
    _traverse_internals: ClassVar = [*FunctionElement._traverse_internals, ("grain", InternalTraversal.dp_string)]


def date_bucket(column: ColumnElement[Any], grain: str) -> DateBucket:
    """The start date of the ``grain`` bucket (day, week, month, quarter) of ``column``."""
    return DateBucket(column, grain)


def _argument(element: DateBucket, compiler: Any, **kw: Any) -> str:
    return compiler.process(next(iter(element.clauses)), **kw)


@compiles(DateBucket)
def _compile_default(element: DateBucket, compiler: Any, **kw: Any) -> str:
    # PostgreSQL, DuckDB and most other databases share date_trunc.
    column = _argument(element, compiler, **kw)
    return f"CAST(date_trunc('{element.grain}', {column}) AS DATE)"


@compiles(DateBucket, "sqlite")
def _compile_sqlite(element: DateBucket, compiler: Any, **kw: Any) -> str:
    column = _argument(element, compiler, **kw)
    if element.grain == "day":
        return f"date({column})"
    if element.grain == "week":
        # 'weekday 0' moves forward to Sunday (or stays); six days back is that ISO week's Monday.
        return f"date({column}, 'weekday 0', '-6 days')"
    if element.grain == "month":
        return f"date({column}, 'start of month')"
    return f"date({column}, 'start of month', '-' || ((CAST(strftime('%m', {column}) AS INTEGER) - 1) % 3) || ' months')"


# --- days between two dates, and a date moved by whole days ---------------------------------------


class DaysBetween(FunctionElement):
    """``days_between(later, earlier)``: whole days from ``earlier`` to ``later`` (an integer)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


def days_between(later: ColumnElement[Any], earlier: ColumnElement[Any]) -> DaysBetween:
    """The number of days from ``earlier`` to ``later`` (negative when ``later`` is earlier)."""
    return DaysBetween(later, earlier)


def _arguments(element: FunctionElement, compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(DaysBetween)
def _compile_days_default(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    # PostgreSQL and DuckDB (checked on 2.0: BIGINT) both give an integer for date - date.
    later, earlier = _arguments(element, compiler, **kw)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


@compiles(DaysBetween, "sqlite")
def _compile_days_sqlite(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    # SQLite keeps dates as ISO text; julianday() of two dates differs by a whole number.
    later, earlier = _arguments(element, compiler, **kw)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


class DaysAfter(FunctionElement):
    """``days_after(column, days)``: the date ``days`` whole days after ``column`` (before, when negative)."""

    type = Date()
    inherit_cache = True
    name = "days_after"

    def __init__(self, column: ColumnElement[Any], days: int) -> None:
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be a whole number, got {days!r}")
        self.days = days  # written into the SQL text: a whole number from the code, never from a request
        super().__init__(column)

    _traverse_internals: ClassVar = [*FunctionElement._traverse_internals, ("days", InternalTraversal.dp_plain_obj)]


def days_after(column: ColumnElement[Any], days: int) -> DaysAfter:
    """The date ``days`` days after ``column`` (a date column or a bound date)."""
    return DaysAfter(column, days)


@compiles(DaysAfter)
def _compile_after_default(element: DaysAfter, compiler: Any, **kw: Any) -> str:
    # date + integer is a date on PostgreSQL and DuckDB.
    (column,) = _arguments(element, compiler, **kw)
    return f"(CAST({column} AS DATE) + {int(element.days)})"


@compiles(DaysAfter, "sqlite")
def _compile_after_sqlite(element: DaysAfter, compiler: Any, **kw: Any) -> str:
    (column,) = _arguments(element, compiler, **kw)
    return f"date({column}, '{int(element.days):+d} days')"
