"""Dialect differences, in one place: date bucketing on SQLite, PostgreSQL and DuckDB.

``date_bucket(column, grain)`` is a SQL expression that compiles per dialect, so query
builders stay dialect-free. Buckets are the first day of the day / ISO week (Monday) /
month / quarter and come back as a date (SQLite returns ISO text; the dataset layer
parses it).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Date
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
