"""The current period and the one before it, as SQL conditions on a date column.

Pages compare a period with the previous period of the same length (``Filters.previous()``);
one query reads both and labels each row 'current' or 'previous'.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, literal
from sqlalchemy.sql.elements import ColumnElement

from dashboard.filters import Filters


def is_current(column: ColumnElement[Any], filters: Filters) -> ColumnElement[bool]:
    """True for dates in the current period (within the window of :func:`in_both_periods`)."""
    return column >= filters.start_date


def period_label(column: ColumnElement[Any], filters: Filters) -> ColumnElement[str]:
    """'current' or 'previous' for a date inside :func:`in_both_periods`."""
    return case((is_current(column, filters), literal("current")), else_=literal("previous"))


def in_both_periods(column: ColumnElement[Any], filters: Filters) -> ColumnElement[bool]:
    """The previous period's first day up to the current period's last day."""
    return and_(column >= filters.previous().start_date, column < filters.end_exclusive)


def in_current_period(column: ColumnElement[Any], filters: Filters) -> ColumnElement[bool]:
    """The current period only."""
    return and_(column >= filters.start_date, column < filters.end_exclusive)
