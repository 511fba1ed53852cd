"""Query builders for one CAPA (/capa/<id>): the CAPA with its names, the audit findings that
raised it, and its effect: the defects and units inspected of what it addresses in the windows
before it opened and after it closed, and per week around it. Everything is summed in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select, true, union_all
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.elements import ColumnElement

from dashboard.drill import EffectScope
from dashboard.queries.capa import closed_by, status_on
from dashboard.queries.dialect import date_bucket

Tables = Mapping[str, FromClause]


def select_capa_one(tables: Tables, capa_id: int) -> Select:
    """The CAPA ``capa_id`` (no row when there is none), with its plant's name and its defect
    code's description."""
    capas, plants, codes = tables["capas"], tables["plants"], tables["defect_codes"]
    return (
        select(
            capas.c.capa_id,
            capas.c.plant_id,
            plants.c.plant_name,
            capas.c.line_id,
            capas.c.defect_code,
            codes.c.defect_description,
            capas.c.capa_source,
            capas.c.title,
            capas.c.owner,
            capas.c.opened_date,
            capas.c.due_date,
            capas.c.closed_date,
            capas.c.effective,
        )
        .select_from(
            capas.outerjoin(plants, plants.c.plant_id == capas.c.plant_id).outerjoin(
                codes, codes.c.defect_code == capas.c.defect_code
            )
        )
        .where(capas.c.capa_id == capa_id)
    )


def select_capa_findings(tables: Tables, capa_id: int) -> Select:
    """The audit findings whose CAPA is ``capa_id``, newest audit first."""
    findings = tables["audit_findings"]
    return (
        select(
            findings.c.finding_id,
            findings.c.audit_date,
            findings.c.audit_type,
            findings.c.iso_clause,
            findings.c.finding_severity,
            findings.c.closed_date,
        )
        .where(findings.c.capa_id == capa_id)
        .order_by(findings.c.audit_date.desc(), findings.c.finding_id.desc())
    )


def _defect_rows(tables: Tables, scope: EffectScope) -> tuple[FromClause, list[ColumnElement[bool]]]:
    defects = tables["defects"]
    where = [defects.c.plant_id == scope.plant_id, defects.c.defect_date >= scope.start, defects.c.defect_date <= scope.end]
    if scope.line_id is not None:
        where.append(defects.c.line_id == scope.line_id)
    if scope.defect_code is not None:
        where.append(defects.c.defect_code == scope.defect_code)
    return defects, where


def _unit_rows(tables: Tables, scope: EffectScope) -> tuple[FromClause, list[ColumnElement[bool]]]:
    volumes = tables["production_volumes"]
    where = [
        volumes.c.plant_id == scope.plant_id,
        volumes.c.production_date >= scope.start,
        volumes.c.production_date <= scope.end,
    ]
    if scope.line_id is not None:
        where.append(volumes.c.line_id == scope.line_id)
    return volumes, where


def square_sum(
    tables: Tables,
    defect_where: list[ColumnElement[bool]],
    unit_where: list[ColumnElement[bool]],
    outer: FromClause | None = None,
) -> Select:
    """The sum over days with units of defects² / units: with the window's totals it gives the
    day counts' Pearson chi-square (see :func:`dashboard.metrics.effect.dispersion`). The defect
    rows (``defect_where``) and the production rows (``unit_where``) of the window are stacked
    and summed per day in one subquery: joining a per-day subquery of each made SQLite build
    one again for every row of the other. ``outer``: the enclosing query's table the conditions
    refer to (for a subquery per row of it)."""
    defects, volumes = tables["defects"], tables["production_volumes"]
    correlated = [outer] if outer is not None else []
    zero = literal(0)
    stacked = union_all(
        select(defects.c.defect_date.label("day"), defects.c.defect_count.label("y"), zero.label("u"))
        .where(*defect_where)
        .correlate(*correlated),
        select(volumes.c.production_date.label("day"), zero.label("y"), volumes.c.units_inspected.label("u"))
        .where(*unit_where)
        .correlate(*correlated),
    ).subquery("window_rows")
    per_day = (
        select(func.sum(stacked.c.y).label("y"), func.sum(stacked.c.u).label("u"))
        .group_by(stacked.c.day)
        .correlate(*correlated)
        .subquery("window_days")
    )
    y, u = cast(per_day.c.y, Float), cast(per_day.c.u, Float)
    return select(func.coalesce(func.sum(y * y / u), 0.0)).where(per_day.c.u > 0).correlate(*correlated)


def select_effect_totals(tables: Tables, scope: EffectScope) -> Select:
    """One row: the defects, the units inspected, the days with units inspected and the sum over
    those days of defects² / units (``*_sq``), before (``before_*``) and after (``after_*``)."""
    defects, d_where = _defect_rows(tables, scope)
    volumes, v_where = _unit_rows(tables, scope)
    windows = {"before": (scope.start, scope.before_end), "after": (scope.after_start, scope.end)}

    def in_window(column: ColumnElement[Any], window: str) -> ColumnElement[bool]:
        low, high = windows[window]
        return and_(column >= low, column <= high)

    found = (
        select(
            *(
                func.coalesce(func.sum(case((in_window(defects.c.defect_date, w), defects.c.defect_count), else_=0)), 0).label(
                    f"{w}_defects"
                )
                for w in windows
            )
        )
        .where(*d_where)
        .subquery()
    )
    day = volumes.c.production_date
    inspected = (
        select(
            *(
                func.coalesce(func.sum(case((in_window(day, w), volumes.c.units_inspected), else_=0)), 0).label(f"{w}_units")
                for w in windows
            ),
            *(
                func.count(func.distinct(case((and_(in_window(day, w), volumes.c.units_inspected > 0), day), else_=None))).label(
                    f"{w}_days"
                )
                for w in windows
            ),
        )
        .where(*v_where)
        .subquery()
    )

    def squares(window: str) -> ColumnElement[float]:
        d_window = [*d_where, in_window(defects.c.defect_date, window)]
        v_window = [*v_where, in_window(volumes.c.production_date, window)]
        return square_sum(tables, d_window, v_window).scalar_subquery().label(f"{window}_sq")

    return select(*found.c, *inspected.c, *(squares(w) for w in windows)).select_from(found.join(inspected, true()))


def select_effect_weeks(tables: Tables, scope: EffectScope) -> Select:
    """Per ISO week from ``start`` to ``end`` with units inspected: ``bucket_date``,
    ``units_inspected`` and ``defect_count`` (0 in a week without defects)."""
    defects, d_where = _defect_rows(tables, scope)
    volumes, v_where = _unit_rows(tables, scope)
    d_week = date_bucket(defects.c.defect_date, "week").label("bucket_date")
    v_week = date_bucket(volumes.c.production_date, "week").label("bucket_date")
    found = select(d_week, func.sum(defects.c.defect_count).label("defect_count")).where(*d_where).group_by(d_week).subquery()
    inspected = (
        select(v_week, func.sum(volumes.c.units_inspected).label("units_inspected")).where(*v_where).group_by(v_week).subquery()
    )
    return (
        select(
            inspected.c.bucket_date,
            inspected.c.units_inspected,
            func.coalesce(found.c.defect_count, 0).label("defect_count"),
        )
        .select_from(inspected.outerjoin(found, found.c.bucket_date == inspected.c.bucket_date))
        .order_by(inspected.c.bucket_date)
    )


MAX_MENTIONED = 5  # CAPAs named on the defects page


def select_capas_on_slice(
    tables: Tables, plant_id: str | None, line_id: str | None, defect_code: str | None, start: dt.date, end: dt.date
) -> Select:
    """The CAPAs that address a defects page's line and/or code, active between ``start`` and
    ``end`` (opened by the end, not closed before the start), with their status on ``end``:
    a CAPA on the line (any code, or this one) or on the plant as a whole for this code. Open
    ones first, the most overdue first; then the latest closed. At most :data:`MAX_MENTIONED`,
    each row carrying the number of all of them (``total``)."""
    capas = tables["capas"]
    where = [capas.c.opened_date <= end, or_(capas.c.closed_date.is_(None), capas.c.closed_date >= start)]
    if plant_id is not None:
        where.append(capas.c.plant_id == plant_id)
    if line_id is not None:
        where.append(or_(capas.c.line_id == line_id, and_(capas.c.line_id.is_(None), capas.c.defect_code.is_not(None))))
    if defect_code is not None:
        where.append(capas.c.defect_code == defect_code)
    closed_by_end = closed_by(capas, end)
    status = status_on(capas, end)
    still_open = case((closed_by_end, 1), else_=0)
    closed = case((closed_by_end, capas.c.closed_date), else_=None)
    return (
        select(
            capas.c.capa_id,
            status.label("status"),
            capas.c.title,
            capas.c.line_id,
            capas.c.defect_code,
            capas.c.opened_date,
            capas.c.due_date,
            closed.label("closed_date"),
            func.count().over().label("total"),
        )
        .where(*where)
        .order_by(still_open, case((closed_by_end, None), else_=capas.c.due_date), closed.desc(), capas.c.capa_id)
        .limit(MAX_MENTIONED)
    )
