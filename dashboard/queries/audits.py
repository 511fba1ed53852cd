"""Query builders for the audit findings page: headline counts, findings by clause, raised per
bucket, the open backlog's age, and the records behind them.

A finding is *open at the end of the period* when it was raised before the day after the
period's last day and was not closed by then (no closed date, or one on or after that day):
exactly the overview's "Open major audit findings" KPI for the major ones. It is *raised in
the period* by its audit date and *closed in the period* by its closed date. Every count is
narrowed to the filter's plant. Everything is aggregated in SQL except the records (one page,
or a streamed export).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, null, or_, select, type_coerce
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.elements import ColumnElement

from dashboard.filters import Filters
from dashboard.queries.dialect import date_bucket, days_between
from dashboard.queries.periods import in_current_period

Tables = Mapping[str, FromClause]

SEVERITIES = ("observation", "minor", "major")
AUDIT_TYPES = ("internal", "customer", "certification")
# open: open at the period's end; raised / closed: in the period; all: open at some time in it.
STATUSES = ("open", "raised", "closed", "all")
# Upper bounds (days, inclusive) of the backlog's age bands; the last band has none.
AGE_BANDS = (30, 90, 180)
RECORD_COLUMNS = (
    "finding_id",
    "plant_id",
    "audit_date",
    "audit_type",
    "iso_clause",
    "finding_severity",
    "status",
    "closed_date",
    "days_open",
    "capa_id",
)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _open_at_end(findings: FromClause, filters: Filters) -> ColumnElement[bool]:
    """Raised by the period's end and not closed by then (closed on the last day counts as closed)."""
    closed = findings.c.closed_date
    return and_(findings.c.audit_date < filters.end_exclusive, or_(closed.is_(None), closed >= filters.end_exclusive))


def _raised(findings: FromClause, filters: Filters) -> ColumnElement[bool]:
    return in_current_period(findings.c.audit_date, filters)


def _closed_in_period(findings: FromClause, filters: Filters) -> ColumnElement[bool]:
    return and_(findings.c.audit_date < filters.end_exclusive, in_current_period(findings.c.closed_date, filters))


def _active(findings: FromClause, filters: Filters) -> ColumnElement[bool]:
    """Open at some time in the period: raised in it, closed in it, or open at its end."""
    closed = findings.c.closed_date
    return and_(
        findings.c.audit_date < filters.end_exclusive,
        or_(findings.c.audit_date >= filters.start_date, closed.is_(None), closed >= filters.start_date),
    )


def _plant(findings: FromClause, filters: Filters) -> list[ColumnElement[bool]]:
    return [] if filters.plant_id is None else [findings.c.plant_id == filters.plant_id]


def _age_at_end(findings: FromClause, filters: Filters) -> ColumnElement[int]:
    """Whole days from the audit to the period's last day (0 for a finding raised on it)."""
    return days_between(literal(filters.end_date, Date), findings.c.audit_date)


def select_audit_summary(tables: Tables, filters: Filters) -> Select:
    """Per severity with a finding open at some time in the period: findings raised in it, open
    at its end, closed in it, the days those closed in it took (their sum), findings raised in
    it with a CAPA, and the age in days of the oldest finding open at its end (null when none)."""
    findings = tables["audit_findings"]
    open_at_end, raised, closed = (
        _open_at_end(findings, filters),
        _raised(findings, filters),
        _closed_in_period(findings, filters),
    )
    took = days_between(findings.c.closed_date, findings.c.audit_date)
    return (
        select(
            findings.c.finding_severity,
            _count_if(raised).label("raised"),
            _count_if(open_at_end).label("open_at_end"),
            _count_if(closed).label("closed"),
            func.coalesce(func.sum(case((closed, took), else_=0)), 0).label("days_to_close_sum"),
            _count_if(and_(raised, findings.c.capa_id.is_not(None))).label("raised_with_capa"),
            func.max(case((open_at_end, _age_at_end(findings, filters)), else_=null())).label("oldest_open_days"),
        )
        .where(_active(findings, filters), *_plant(findings, filters))
        .group_by(findings.c.finding_severity)
        .order_by(findings.c.finding_severity)
    )


def select_audit_by_clause(tables: Tables, filters: Filters) -> Select:
    """Findings raised in the period per (ISO clause, severity), with ``clause_total`` (the
    clause's findings of every severity); the clause with most findings first."""
    findings = tables["audit_findings"]
    count = func.count()
    clause_total = func.sum(count).over(partition_by=findings.c.iso_clause)
    return (
        select(
            findings.c.iso_clause,
            findings.c.finding_severity,
            count.label("findings"),
            clause_total.label("clause_total"),
        )
        .where(_raised(findings, filters), *_plant(findings, filters))
        .group_by(findings.c.iso_clause, findings.c.finding_severity)
        .order_by(clause_total.desc(), findings.c.iso_clause, findings.c.finding_severity)
    )


def select_audit_trend(tables: Tables, filters: Filters, grain: str) -> Select:
    """Findings raised in the period per (bucket of ``grain``, audit type)."""
    findings = tables["audit_findings"]
    bucket = date_bucket(findings.c.audit_date, grain).label("bucket_date")
    return (
        select(bucket, findings.c.audit_type, func.count().label("findings"))
        .where(_raised(findings, filters), *_plant(findings, filters))
        .group_by(bucket, findings.c.audit_type)
        .order_by(bucket, findings.c.audit_type)
    )


def select_audit_backlog(tables: Tables, filters: Filters) -> Select:
    """Findings open at the end of the period per (age band, severity). ``age_band`` is 0 for
    0-30 days old on the period's last day, 1 for 31-90, 2 for 91-180 and 3 beyond."""
    findings = tables["audit_findings"]
    age = _age_at_end(findings, filters)
    band = case(*((age <= limit, index) for index, limit in enumerate(AGE_BANDS)), else_=len(AGE_BANDS)).label("age_band")
    return (
        select(band, findings.c.finding_severity, func.count().label("findings"))
        .where(_open_at_end(findings, filters), *_plant(findings, filters))
        .group_by(band, findings.c.finding_severity)
        .order_by(band, findings.c.finding_severity)
    )


def select_audit_clauses(tables: Tables) -> Select:
    """Every ISO clause that has a finding (the allow-list of the page's clause)."""
    findings = tables["audit_findings"]
    return select(findings.c.iso_clause).distinct().order_by(findings.c.iso_clause)


def _list_where(
    findings: FromClause,
    filters: Filters,
    severity: str | None,
    audit_type: str | None,
    clause: str | None,
    status: str,
) -> list[ColumnElement[bool]]:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
    chosen = {
        "open": _open_at_end,
        "raised": _raised,
        "closed": _closed_in_period,
        "all": _active,
    }[status](findings, filters)
    conditions = [chosen, *_plant(findings, filters)]
    for column, value in ((findings.c.finding_severity, severity), (findings.c.audit_type, audit_type)):
        if value is not None:
            conditions.append(column == value)
    if clause is not None:
        conditions.append(findings.c.iso_clause == clause)
    return conditions


def _records(tables: Tables, filters: Filters, narrowing: tuple, sort: str, descending: bool) -> Select:
    if sort not in RECORD_COLUMNS:
        raise ValueError(f"unknown record column {sort!r}; expected one of {RECORD_COLUMNS}")
    findings = tables["audit_findings"]
    open_at_end = _open_at_end(findings, filters)
    end = literal(filters.end_date, Date)
    columns: dict[str, ColumnElement[Any]] = {
        name: findings.c[name] for name in RECORD_COLUMNS if name not in ("status", "closed_date", "days_open")
    }
    # The state on the period's last day: a closing date after it is not shown yet.
    columns["status"] = case((open_at_end, literal("open")), else_=literal("closed"))
    columns["closed_date"] = type_coerce(case((open_at_end, null()), else_=findings.c.closed_date), Date)
    columns["days_open"] = case(
        (open_at_end, days_between(end, findings.c.audit_date)),
        else_=days_between(findings.c.closed_date, findings.c.audit_date),
    )
    sort_column, tie_breaker = columns[sort], findings.c.finding_id
    order = [sort_column.desc().nulls_last(), tie_breaker.desc()] if descending else [sort_column.nulls_last(), tie_breaker]
    if sort == "finding_id":
        order = order[1:]
    return (
        select(*(columns[name].label(name) for name in RECORD_COLUMNS))
        .where(*_list_where(findings, filters, *narrowing))
        .order_by(*order)
    )


def select_audit_records(
    tables: Tables,
    filters: Filters,
    narrowing: tuple[str | None, str | None, str | None, str],
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> Select:
    """One page of the findings listed for ``narrowing`` = (severity, audit type, clause,
    status), sorted by ``sort`` (one of RECORD_COLUMNS) then by ``finding_id``."""
    return _records(tables, filters, narrowing, sort, descending).offset(offset).limit(limit)


def select_audit_export(
    tables: Tables, filters: Filters, narrowing: tuple[str | None, str | None, str | None, str], sort: str, descending: bool
) -> Select:
    """Every finding listed for ``narrowing``, in the records table's order (streamed export only)."""
    return _records(tables, filters, narrowing, sort, descending)


def select_audit_record_count(
    tables: Tables, filters: Filters, narrowing: tuple[str | None, str | None, str | None, str]
) -> Select:
    """One row: the number of findings listed for ``narrowing``."""
    findings = tables["audit_findings"]
    return select(func.count().label("findings")).where(*_list_where(findings, filters, *narrowing))
