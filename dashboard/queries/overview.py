"""Query builders for the overview's KPI tiles.

Each ``select_*_summary`` returns one row per (period, bucket): ``period`` is 'current'
or 'previous' (the same number of days immediately before), ``bucket_date`` the first
day of the sparkline bucket. Sums only: ratios are computed from them in the metrics
layer, so a ratio is never averaged. Rows: at most 2 x the number of buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, String, bindparam, case, func, select, text
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.elements import ColumnElement, TextClause

from dashboard.filters import Filters
from dashboard.queries.dialect import date_bucket
from dashboard.queries.periods import in_both_periods, period_label

Tables = Mapping[str, FromClause]


def _summary(
    source: FromClause,
    date_column: ColumnElement[Any],
    filters: Filters,
    grain: str,
    measures: list[ColumnElement[Any]],
    plant_column: ColumnElement[Any] | None,
) -> Select:
    period = period_label(date_column, filters).label("period")
    bucket = date_bucket(date_column, grain).label("bucket_date")
    stmt = select(period, bucket, *measures).select_from(source).where(in_both_periods(date_column, filters))
    if filters.plant_id is not None and plant_column is not None:
        stmt = stmt.where(plant_column == filters.plant_id)
    return stmt.group_by(period, bucket).order_by(period, bucket)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def select_production_summary(tables: Tables, filters: Filters, grain: str) -> Select:
    """Units inspected, passed first time, shipped; defect opportunities; standard cost of the units made."""
    volumes, products = tables["production_volumes"], tables["products"]
    source = volumes.join(products, volumes.c.product_id == products.c.product_id)
    return _summary(
        source,
        volumes.c.production_date,
        filters,
        grain,
        [
            func.sum(volumes.c.units_inspected).label("units_inspected"),
            func.sum(volumes.c.units_passed_first_time).label("units_passed_first_time"),
            func.sum(volumes.c.units_shipped).label("units_shipped"),
            func.sum(volumes.c.units_inspected * products.c.opportunities_per_unit).label("opportunities"),
            func.sum(volumes.c.units_inspected * products.c.unit_cost_eur).label("production_cost_eur"),
        ],
        volumes.c.plant_id,
    )


def select_defect_summary(tables: Tables, filters: Filters, grain: str) -> Select:
    """Defects found and their cost of poor quality (EUR)."""
    defects = tables["defects"]
    return _summary(
        defects,
        defects.c.defect_date,
        filters,
        grain,
        [
            func.sum(defects.c.defect_count).label("defect_count"),
            func.sum(defects.c.cost_eur).label("cost_eur"),
        ],
        defects.c.plant_id,
    )


def select_feedback_summary(tables: Tables, filters: Filters, grain: str) -> Select:
    """Survey responses split into promoters / detractors, and complaints."""
    feedback = tables["customer_feedback"]
    score = feedback.c.nps_score
    return _summary(
        feedback,
        feedback.c.received_date,
        filters,
        grain,
        [
            func.count(score).label("nps_responses"),
            _count_if(score >= 9).label("promoters"),
            _count_if(score <= 6).label("detractors"),
            _count_if(feedback.c.is_complaint).label("complaints"),
        ],
        feedback.c.plant_id,
    )


def select_supplier_summary(tables: Tables, filters: Filters, grain: str) -> Select:
    """Units received from suppliers and units rejected at incoming inspection."""
    lots = tables["supplier_lots"]
    return _summary(
        lots,
        lots.c.received_date,
        filters,
        grain,
        [
            func.sum(lots.c.units_received).label("units_received"),
            func.sum(lots.c.units_rejected).label("units_rejected"),
        ],
        lots.c.plant_id,
    )


def select_capa_summary(tables: Tables, filters: Filters, grain: str) -> Select:
    """CAPAs closed, and how many of them were closed by their due date."""
    capas = tables["capas"]
    closed = capas.c.closed_date
    return _summary(
        capas,
        closed,
        filters,
        grain,
        [
            func.count().label("capas_closed"),
            _count_if(closed <= capas.c.due_date).label("capas_closed_on_time"),
        ],
        capas.c.plant_id,
    )


def select_key_results_at(tables: Tables, filters: Filters) -> Select:
    """Key results active on the period's last day, with the latest check-in by then.

    Also returns the latest value by the previous period's last day, for the delta, and the
    dates of both values (so check-ins recorded in the dashboard can take over when newer).
    One row per key result (tens of rows).
    """
    krs, checkins = tables["okr_key_results"], tables["okr_checkins"]

    def latest_value(as_of: Any, name: str) -> Any:
        latest = (
            select(checkins.c.value)
            .where(checkins.c.key_result_id == krs.c.key_result_id, checkins.c.checkin_date <= as_of)
            .order_by(checkins.c.checkin_date.desc(), checkins.c.checkin_id.desc())
            .limit(1)
            .scalar_subquery()
        )
        return latest.label(name)

    def latest_date(as_of: Any, name: str) -> Any:
        latest = (
            select(func.max(checkins.c.checkin_date))
            .where(checkins.c.key_result_id == krs.c.key_result_id, checkins.c.checkin_date <= as_of)
            .scalar_subquery()
        )
        return latest.label(name)

    return (
        select(
            krs.c.key_result_id,
            krs.c.kr_kind,
            krs.c.start_value,
            krs.c.target_value,
            krs.c.band_low,
            krs.c.band_high,
            krs.c.weight,
            latest_value(filters.end_date, "current_value"),
            latest_value(filters.previous().end_date, "previous_value"),
            latest_date(filters.end_date, "current_checkin_date"),
            latest_date(filters.previous().end_date, "previous_checkin_date"),
        )
        .where(krs.c.start_date <= filters.end_date, krs.c.due_date >= filters.end_date)
        .order_by(krs.c.key_result_id)
    )


def select_kpi_definitions(tables: Tables) -> Select:
    """Every KPI definition, in display order."""
    kpis = tables["kpi_definitions"]
    return select(kpis).order_by(kpis.c.display_order, kpis.c.kpi_id)


def select_plants(tables: Tables) -> Select:
    """Plant codes and names (the allow-list for the plant filter)."""
    plants = tables["plants"]
    return select(plants.c.plant_id, plants.c.plant_name).order_by(plants.c.plant_id)


def kpi_sql_statement(formula_sql: str, start: Any, end_exclusive: Any, plant_id: str | None) -> TextClause:
    """A SQL-defined KPI: its SELECT with ``:start_date``, ``:end_date`` (exclusive), ``:plant_id`` bound."""
    statement = text(formula_sql)
    values = {"start_date": (start, Date), "end_date": (end_exclusive, Date), "plant_id": (plant_id, String)}
    used = [bindparam(name, value, type_=type_) for name, (value, type_) in values.items() if name in statement._bindparams]
    return statement.bindparams(*used)
