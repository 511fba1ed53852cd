"""Query builders for the leadership review: the CAPAs overdue at the end of the period.

A CAPA is overdue on the period's last day when it was opened by then, its due date lies
before that day, and it was not closed by then (no closed date, or one after the period).
The counts are window aggregates in SQL, so a long list still costs one bounded read.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Date, case, func, literal, or_, select
from sqlalchemy.sql import FromClause, Select

from dashboard.filters import Filters
from dashboard.queries.dialect import days_between

Tables = Mapping[str, FromClause]
MAX_OVERDUE_ROWS = 200


def select_overdue_capas(tables: Tables, filters: Filters, limit: int = MAX_OVERDUE_ROWS) -> Select:
    """CAPAs overdue on ``filters.end_date``, most overdue first (at most ``limit`` rows).

    Columns: ``capa_id``, ``plant_id``, ``line_id``, ``defect_code``, ``capa_source``, ``title``,
    ``owner``, ``opened_date``, ``due_date``, ``days_overdue`` (whole days from the due date to
    the period's last day), ``fell_due`` (1 when the due date lies inside the period), and on every
    row ``overdue_total`` and ``fell_due_total``: the counts over all overdue CAPAs, not only the
    rows returned. Narrowed to the filter's plant."""
    capas = tables["capas"]
    end = literal(filters.end_date, Date)
    fell_due = case((capas.c.due_date >= filters.start_date, 1), else_=0)
    conditions = [
        capas.c.opened_date <= filters.end_date,
        capas.c.due_date < filters.end_date,
        or_(capas.c.closed_date.is_(None), capas.c.closed_date > filters.end_date),
    ]
    if filters.plant_id is not None:
        conditions.append(capas.c.plant_id == filters.plant_id)
    return (
        select(
            capas.c.capa_id,
            capas.c.plant_id,
            capas.c.line_id,
            capas.c.defect_code,
            capas.c.capa_source,
            capas.c.title,
            capas.c.owner,
            capas.c.opened_date,
            capas.c.due_date,
            days_between(end, capas.c.due_date).label("days_overdue"),
            fell_due.label("fell_due"),
            func.count().over().label("overdue_total"),
            func.sum(fell_due).over().label("fell_due_total"),
        )
        .where(*conditions)
        .order_by(capas.c.due_date, capas.c.capa_id)
        .limit(limit)
    )
