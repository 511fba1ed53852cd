"""Query builders for the CAPA page (/capa): corrective and preventive actions.

The page's statuses are taken on the period's last day (``end``): a CAPA is *open* when it was
opened by ``end`` and not closed by then, *overdue* when it is open and its due date lies
before ``end``; it is *closed on time* when its closed date is on or before its due date. The
period's *closed* CAPAs are those closed inside it: the overview's "CAPA on-time closure" tile
counts the same ones, so both show the same percentage.

Narrowed by the global plant filter and, optionally, by source (internal, audit, complaint,
supplier) and owner. Everything is counted in SQL; only a page of records travels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.elements import ColumnElement

from dashboard.filters import Filters
from dashboard.queries.dialect import date_bucket
from dashboard.queries.periods import in_current_period
from dashboard.queries.suppliers import days_between

Tables = Mapping[str, FromClause]

SOURCES = ("internal", "audit", "complaint", "supplier")
# The list's status filter: every CAPA active in the period, or those with one status.
STATUSES = ("all", "open", "overdue", "closed", "late")
BREAKDOWNS = ("plant_id", "capa_source", "owner")
# Ages of the open CAPAs on the period's last day, in days since opened: band i holds the ages up
# to AGE_LIMITS[i] (after the band before); the last band holds everything older.
AGE_LIMITS = (30, 60, 90, 180)
RECORD_COLUMNS = (
    "capa_id",
    "status",
    "days_late",
    "plant_id",
    "line_id",
    "defect_code",
    "capa_source",
    "title",
    "owner",
    "opened_date",
    "due_date",
    "closed_date",
    "days_open",
    "effective",
)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def narrowed(capas: FromClause, filters: Filters, source: str | None, owner: str | None) -> list[ColumnElement[bool]]:
    """The CAPA page's narrowing: the filter's plant, and the source and owner when chosen."""
    conditions = []
    if filters.plant_id is not None:
        conditions.append(capas.c.plant_id == filters.plant_id)
    if source is not None:
        conditions.append(capas.c.capa_source == source)
    if owner is not None:
        conditions.append(capas.c.owner == owner)
    return conditions


def _open_at(capas: FromClause, end: Any) -> ColumnElement[bool]:
    return and_(capas.c.opened_date <= end, or_(capas.c.closed_date.is_(None), capas.c.closed_date > end))


def _overdue_at(capas: FromClause, end: Any) -> ColumnElement[bool]:
    return and_(_open_at(capas, end), capas.c.due_date < end)


def _closed_in(capas: FromClause, filters: Filters) -> ColumnElement[bool]:
    return in_current_period(capas.c.closed_date, filters)


def _measures(capas: FromClause, filters: Filters, prefix: str) -> list[ColumnElement[Any]]:
    closed = _closed_in(capas, filters)
    checked = and_(closed, capas.c.effective.is_not(None))
    days_to_close = case((closed, days_between(capas.c.closed_date, capas.c.opened_date)), else_=None)
    return [
        _count_if(in_current_period(capas.c.opened_date, filters)).label(prefix + "opened"),
        _count_if(closed).label(prefix + "closed"),
        _count_if(and_(closed, capas.c.closed_date <= capas.c.due_date)).label(prefix + "closed_on_time"),
        func.sum(days_to_close).label(prefix + "days_to_close_sum"),
        _count_if(checked).label(prefix + "checked"),
        _count_if(and_(checked, capas.c.effective.is_(True))).label(prefix + "effective"),
        _count_if(_open_at(capas, filters.end_date)).label(prefix + "open_at_end"),
        _count_if(_overdue_at(capas, filters.end_date)).label(prefix + "overdue_at_end"),
    ]


def select_capa_status(tables: Tables, filters: Filters, source: str | None, owner: str | None) -> Select:
    """One row of counts for the period and, prefixed ``prev_``, for the period before it:
    ``opened``, ``closed``, ``closed_on_time``, ``days_to_close_sum`` (of the closed ones; NULL
    when none), ``checked`` (closed ones whose effectiveness was checked), ``effective``,
    ``open_at_end`` and ``overdue_at_end`` (on each period's last day)."""
    capas = tables["capas"]
    previous = filters.previous()
    return select(*_measures(capas, filters, ""), *_measures(capas, previous, "prev_")).where(
        capas.c.opened_date < filters.end_exclusive, *narrowed(capas, filters, source, owner)
    )


def select_capa_flow(tables: Tables, filters: Filters, grain: str, source: str | None, owner: str | None) -> Select:
    """Per ``grain`` bucket of the period: CAPAs ``opened``, ``closed`` and ``closed_on_time``
    (a bucket appears when anything was opened or closed in it)."""
    capas = tables["capas"]
    where = narrowed(capas, filters, source, owner)
    on_time = case((capas.c.closed_date <= capas.c.due_date, 1), else_=0)
    events = union_all(
        select(
            date_bucket(capas.c.opened_date, grain).label("bucket_date"),
            literal(1).label("opened"),
            literal(0).label("closed"),
            literal(0).label("on_time"),
        ).where(in_current_period(capas.c.opened_date, filters), *where),
        select(
            date_bucket(capas.c.closed_date, grain).label("bucket_date"),
            literal(0).label("opened"),
            literal(1).label("closed"),
            on_time.label("on_time"),
        ).where(_closed_in(capas, filters), *where),
    ).subquery()
    return (
        select(
            events.c.bucket_date,
            func.sum(events.c.opened).label("opened"),
            func.sum(events.c.closed).label("closed"),
            func.sum(events.c.on_time).label("closed_on_time"),
        )
        .group_by(events.c.bucket_date)
        .order_by(events.c.bucket_date)
    )


def select_capa_ageing(tables: Tables, filters: Filters, source: str | None, owner: str | None) -> Select:
    """The CAPAs open on the period's last day by age band (``band``: 0 .. len(AGE_LIMITS)) and
    ``overdue`` (1 or 0): ``capas`` per (band, overdue)."""
    capas = tables["capas"]
    end = literal(filters.end_date, Date)
    age = days_between(end, capas.c.opened_date)
    band = case(*((age <= limit, index) for index, limit in enumerate(AGE_LIMITS)), else_=len(AGE_LIMITS))
    overdue = case((capas.c.due_date < filters.end_date, 1), else_=0)
    return (
        select(band.label("band"), overdue.label("overdue"), func.count().label("capas"))
        .where(_open_at(capas, filters.end_date), *narrowed(capas, filters, source, owner))
        .group_by(band, overdue)
        .order_by(band, overdue)
    )


def select_capa_breakdown(tables: Tables, filters: Filters, by: str, source: str | None, owner: str | None) -> Select:
    """Per plant, source or owner (``key``): ``open_at_end``, ``overdue_at_end``, ``closed`` and
    ``closed_on_time`` in the period, for every key with a CAPA active in the period."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; expected one of {BREAKDOWNS}")
    capas = tables["capas"]
    key = capas.c[by]
    closed = _closed_in(capas, filters)
    return (
        select(
            key.label("key"),
            _count_if(_open_at(capas, filters.end_date)).label("open_at_end"),
            _count_if(_overdue_at(capas, filters.end_date)).label("overdue_at_end"),
            _count_if(closed).label("closed"),
            _count_if(and_(closed, capas.c.closed_date <= capas.c.due_date)).label("closed_on_time"),
        )
        .where(_active(capas, filters), *narrowed(capas, filters, source, owner))
        .group_by(key)
        .order_by(key)
    )


def closed_by(capas: FromClause, end: Any) -> ColumnElement[bool]:
    """Closed on or before ``end``."""
    return and_(capas.c.closed_date.is_not(None), capas.c.closed_date <= end)


def status_on(capas: FromClause, end: Any) -> ColumnElement[str]:
    """A CAPA's status on ``end``: Closed on time, Closed late, Overdue or Open."""
    closed_by_end = closed_by(capas, end)
    return case(
        (and_(closed_by_end, capas.c.closed_date <= capas.c.due_date), literal("Closed on time")),
        (closed_by_end, literal("Closed late")),
        (capas.c.due_date < end, literal("Overdue")),
        else_=literal("Open"),
    )


def _active(capas: FromClause, filters: Filters) -> ColumnElement[bool]:
    """Opened by the period's end and not closed before its start."""
    return and_(
        capas.c.opened_date < filters.end_exclusive,
        or_(capas.c.closed_date.is_(None), capas.c.closed_date >= filters.start_date),
    )


def _status_condition(capas: FromClause, filters: Filters, status: str) -> ColumnElement[bool]:
    if status == "open":
        return _open_at(capas, filters.end_date)
    if status == "overdue":
        return _overdue_at(capas, filters.end_date)
    if status == "closed":
        return _closed_in(capas, filters)
    if status == "late":
        return and_(_closed_in(capas, filters), capas.c.closed_date > capas.c.due_date)
    if status == "all":
        return _active(capas, filters)
    raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")


def _records(
    tables: Tables, filters: Filters, status: str, source: str | None, owner: str | None, sort: str, descending: bool
) -> Select:
    if sort not in RECORD_COLUMNS:
        raise ValueError(f"unknown record column {sort!r}; expected one of {RECORD_COLUMNS}")
    capas = tables["capas"]
    end = literal(filters.end_date, Date)
    closed_by_end = closed_by(capas, filters.end_date)
    until = case((closed_by_end, capas.c.closed_date), else_=end)
    status_text = status_on(capas, filters.end_date)
    columns: dict[str, ColumnElement[Any]] = {
        "capa_id": capas.c.capa_id,
        "status": status_text,
        "days_late": days_between(until, capas.c.due_date),
        "plant_id": capas.c.plant_id,
        "line_id": capas.c.line_id,
        "defect_code": capas.c.defect_code,
        "capa_source": capas.c.capa_source,
        "title": capas.c.title,
        "owner": capas.c.owner,
        "opened_date": capas.c.opened_date,
        "due_date": capas.c.due_date,
        # A CAPA closed after the period's end was still open on its last day.
        "closed_date": case((closed_by_end, capas.c.closed_date), else_=None),
        "days_open": days_between(until, capas.c.opened_date),
        "effective": case((closed_by_end, capas.c.effective), else_=None),
    }
    sort_column, tie_breaker = columns[sort], capas.c.capa_id
    order = [sort_column.desc().nulls_last(), tie_breaker.desc()] if descending else [sort_column.nulls_last(), tie_breaker]
    if sort == "capa_id":
        order = order[1:]
    return (
        select(*(column.label(name) for name, column in columns.items()))
        .where(_status_condition(capas, filters, status), *narrowed(capas, filters, source, owner))
        .order_by(*order)
    )


def select_capa_records(
    tables: Tables,
    filters: Filters,
    status: str,
    source: str | None,
    owner: str | None,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> Select:
    """One page of the CAPAs with ``status`` (see STATUSES; "all" is every CAPA active in the
    period), as they stood on the period's last day, sorted by ``sort`` then ``capa_id``.

    ``days_late`` is the days from the due date to the closed date, or to the period's last day
    for one still open (negative: days to spare); ``days_open`` likewise from the opened date."""
    return _records(tables, filters, status, source, owner, sort, descending).offset(offset).limit(limit)


def select_capa_export(
    tables: Tables, filters: Filters, status: str, source: str | None, owner: str | None, sort: str, descending: bool
) -> Select:
    """Every row of :func:`select_capa_records`, in its order (for streamed export only)."""
    return _records(tables, filters, status, source, owner, sort, descending)


def select_capa_record_count(tables: Tables, filters: Filters, status: str, source: str | None, owner: str | None) -> Select:
    """One row: ``records``, the number of rows :func:`select_capa_records` pages through."""
    capas = tables["capas"]
    return select(func.count().label("records")).where(
        _status_condition(capas, filters, status), *narrowed(capas, filters, source, owner)
    )


def select_capa_owners(tables: Tables) -> Select:
    """Every owner with a CAPA (the allow-list of the owner filter)."""
    capas = tables["capas"]
    return select(capas.c.owner).distinct().order_by(capas.c.owner)
