"""Query builders for the defects page: trends, Pareto breakdowns, heatmaps and records.

Every builder takes the global filter (period, plant) and a :class:`DefectSlice` (line,
product, defect code, 6M category, severity; ``None`` means all). Defects are narrowed by
the whole slice; production volumes, the denominator of every rate, only by plant, line
and product (a defect code has no production of its own).

Everything is aggregated in SQL except :func:`select_defect_records` (one page of rows)
and :func:`select_defect_export` (streamed). Trends return a 'current' and a 'previous'
period (the same number of days immediately before); breakdowns the current period, plus
the previous period's defect count for Pareto rank changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.elements import ColumnElement

from dashboard.drill import DefectSlice
from dashboard.filters import Filters
from dashboard.queries.dialect import date_bucket
from dashboard.queries.periods import in_both_periods, in_current_period, is_current, period_label

Tables = Mapping[str, FromClause]

BREAKDOWNS = ("plant_id", "line_id", "product_id", "defect_code", "category_6m", "severity")
PRODUCTION_BREAKDOWNS = ("plant_id", "line_id", "product_id")
RECORD_COLUMNS = (
    "defect_id",
    "defect_date",
    "plant_id",
    "line_id",
    "product_id",
    "defect_code",
    "defect_description",
    "category_6m",
    "severity",
    "defect_count",
    "cost_eur",
    "detection_stage",
)


def _where(
    source: FromClause, filters: Filters, slice: DefectSlice | None, codes: FromClause | None = None
) -> list[ColumnElement[bool]]:
    """Conditions for plant, line and product; with ``codes`` (the defect_codes table) also
    defect code, severity and 6M category, which only the defects table has."""
    chosen = slice or DefectSlice()
    conditions: list[ColumnElement[bool]] = []
    if filters.plant_id is not None:
        conditions.append(source.c.plant_id == filters.plant_id)
    if chosen.line_id is not None:
        conditions.append(source.c.line_id == chosen.line_id)
    if chosen.product_id is not None:
        conditions.append(source.c.product_id == chosen.product_id)
    if codes is None:
        return conditions
    if chosen.defect_code is not None:
        conditions.append(source.c.defect_code == chosen.defect_code)
    if chosen.severity is not None:
        conditions.append(source.c.severity == chosen.severity)
    if chosen.category_6m is not None:
        in_category = select(codes.c.defect_code).where(codes.c.category_6m == chosen.category_6m)
        conditions.append(source.c.defect_code.in_(in_category.scalar_subquery()))
    return conditions


def _sum_if(condition: ColumnElement[bool], value: Any) -> ColumnElement[Any]:
    return func.sum(case((condition, value), else_=0))


def _trend(source: FromClause, date_column: ColumnElement[Any], filters: Filters, grain: str, where, measures) -> Select:
    period = period_label(date_column, filters).label("period")
    bucket = date_bucket(date_column, grain).label("bucket_date")
    return (
        select(period, bucket, *measures)
        .select_from(source)
        .where(in_both_periods(date_column, filters), *where)
        .group_by(period, bucket)
        .order_by(period, bucket)
    )


def select_defect_trend(tables: Tables, filters: Filters, slice: DefectSlice | None, grain: str) -> Select:
    """Defects, their cost (EUR) and the number of records per (period, bucket)."""
    defects = tables["defects"]
    return _trend(
        defects,
        defects.c.defect_date,
        filters,
        grain,
        _where(defects, filters, slice, tables["defect_codes"]),
        [
            func.sum(defects.c.defect_count).label("defect_count"),
            func.sum(defects.c.cost_eur).label("cost_eur"),
            func.count().label("records"),
        ],
    )


def _production_measures(volumes: FromClause, products: FromClause) -> list[ColumnElement[Any]]:
    return [
        func.sum(volumes.c.units_inspected).label("units_inspected"),
        func.sum(volumes.c.units_passed_first_time).label("units_passed_first_time"),
        func.sum(volumes.c.units_shipped).label("units_shipped"),
        func.sum(volumes.c.units_inspected * products.c.opportunities_per_unit).label("opportunities"),
    ]


def select_production_trend(tables: Tables, filters: Filters, slice: DefectSlice | None, grain: str) -> Select:
    """Units inspected, passed first time, shipped, and defect opportunities per (period, bucket).

    Narrowed by plant, line and product only: the denominator of the slice's rates."""
    volumes, products = tables["production_volumes"], tables["products"]
    return _trend(
        volumes.join(products, volumes.c.product_id == products.c.product_id),
        volumes.c.production_date,
        filters,
        grain,
        _where(volumes, filters, slice),
        _production_measures(volumes, products),
    )


def _breakdown_key(tables: Tables, by: str) -> tuple[FromClause, ColumnElement[Any], ColumnElement[Any]]:
    """The FROM clause (defects with the dimension that names the key), the key and its label."""
    defects = tables["defects"]
    if by == "severity":
        return defects, defects.c.severity, defects.c.severity
    if by == "category_6m":
        codes = tables["defect_codes"]
        source = defects.outerjoin(codes, defects.c.defect_code == codes.c.defect_code)
        return source, codes.c.category_6m, codes.c.category_6m
    dimension, name = {
        "plant_id": ("plants", "plant_name"),
        "line_id": ("lines", "line_name"),
        "product_id": ("products", "product_name"),
        "defect_code": ("defect_codes", "defect_description"),
    }[by]
    table = tables[dimension]
    key = defects.c[by]
    return defects.outerjoin(table, key == table.c[by]), key, func.coalesce(table.c[name], key)


def select_defect_breakdown(
    tables: Tables, filters: Filters, slice: DefectSlice | None, by: str, previous_keys: bool = False
) -> Select:
    """Defects, cost (EUR) and records of the current period per ``by`` (one of BREAKDOWNS),
    largest first, with ``prev_defect_count``: the same key's defects in the previous period.

    Keys with no defect record in the current period are left out, unless ``previous_keys``:
    then a key with defects in the previous period only is kept too (with zero current
    defects, last), so the previous period's ranks can be told in full."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; expected one of {BREAKDOWNS}")
    defects = tables["defects"]
    source, key, label = _breakdown_key(tables, by)
    current = is_current(defects.c.defect_date, filters)
    defect_count = _sum_if(current, defects.c.defect_count).label("defect_count")
    records = _sum_if(current, 1).label("records")
    key, label = key.label("key"), label.label("label")
    return (
        select(
            key,
            label,
            defect_count,
            _sum_if(current, defects.c.cost_eur).label("cost_eur"),
            records,
            _sum_if(~current, defects.c.defect_count).label("prev_defect_count"),
        )
        .select_from(source)
        .where(in_both_periods(defects.c.defect_date, filters), *_where(defects, filters, slice, tables["defect_codes"]))
        .group_by(key, label)
        .having(or_(records > 0, _sum_if(~current, 1) > 0) if previous_keys else records > 0)
        .order_by(defect_count.desc(), key)
    )


def select_production_breakdown(tables: Tables, filters: Filters, slice: DefectSlice | None, by: str) -> Select:
    """Units inspected and defect opportunities of the current period per plant, line or product."""
    if by not in PRODUCTION_BREAKDOWNS:
        raise ValueError(f"unknown production breakdown {by!r}; expected one of {PRODUCTION_BREAKDOWNS}")
    volumes, products = tables["production_volumes"], tables["products"]
    key = volumes.c[by].label("key")
    return (
        select(
            key,
            func.sum(volumes.c.units_inspected).label("units_inspected"),
            func.sum(volumes.c.units_inspected * products.c.opportunities_per_unit).label("opportunities"),
        )
        .select_from(volumes.join(products, volumes.c.product_id == products.c.product_id))
        .where(in_current_period(volumes.c.production_date, filters), *_where(volumes, filters, slice))
        .group_by(key)
        .order_by(key)
    )


def select_defect_heatmap(tables: Tables, filters: Filters, slice: DefectSlice | None) -> Select:
    """Defects per line and week of the current period."""
    defects = tables["defects"]
    bucket = date_bucket(defects.c.defect_date, "week").label("bucket_date")
    return (
        select(defects.c.line_id, bucket, func.sum(defects.c.defect_count).label("defect_count"))
        .where(in_current_period(defects.c.defect_date, filters), *_where(defects, filters, slice, tables["defect_codes"]))
        .group_by(defects.c.line_id, bucket)
        .order_by(defects.c.line_id, bucket)
    )


def select_production_heatmap(tables: Tables, filters: Filters, slice: DefectSlice | None) -> Select:
    """Units inspected per line and week of the current period."""
    volumes = tables["production_volumes"]
    bucket = date_bucket(volumes.c.production_date, "week").label("bucket_date")
    return (
        select(volumes.c.line_id, bucket, func.sum(volumes.c.units_inspected).label("units_inspected"))
        .where(in_current_period(volumes.c.production_date, filters), *_where(volumes, filters, slice))
        .group_by(volumes.c.line_id, bucket)
        .order_by(volumes.c.line_id, bucket)
    )


def _records(tables: Tables, filters: Filters, slice: DefectSlice | None, sort: str, descending: bool) -> Select:
    if sort not in RECORD_COLUMNS:
        raise ValueError(f"unknown record column {sort!r}; expected one of {RECORD_COLUMNS}")
    defects, codes = tables["defects"], tables["defect_codes"]
    columns = {
        name: (codes.c[name] if name in ("defect_description", "category_6m") else defects.c[name]) for name in RECORD_COLUMNS
    }
    sort_column, tie_breaker = columns[sort], defects.c.defect_id
    # Descending is the exact reverse of ascending; NULLs (unknown codes) go last either way.
    order = [sort_column.desc().nulls_last(), tie_breaker.desc()] if descending else [sort_column.nulls_last(), tie_breaker]
    if sort == "defect_id":
        order = order[1:]
    return (
        select(*(column.label(name) for name, column in columns.items()))
        .select_from(defects.outerjoin(codes, defects.c.defect_code == codes.c.defect_code))
        .where(in_current_period(defects.c.defect_date, filters), *_where(defects, filters, slice, codes))
        .order_by(*order)
    )


def select_defect_records(
    tables: Tables, filters: Filters, slice: DefectSlice | None, sort: str, descending: bool, offset: int, limit: int
) -> Select:
    """One page of the current period's defect records, sorted by ``sort`` (one of
    RECORD_COLUMNS) then by ``defect_id``, so pages never overlap or skip a row."""
    return _records(tables, filters, slice, sort, descending).offset(offset).limit(limit)


def select_defect_export(tables: Tables, filters: Filters, slice: DefectSlice | None, sort: str, descending: bool) -> Select:
    """Every defect record of the current period, in the records table's order (for streamed export only)."""
    return _records(tables, filters, slice, sort, descending)


def select_defect_record_count(tables: Tables, filters: Filters, slice: DefectSlice | None) -> Select:
    """One row: the number of defect records of the current period and their defects (0 when none)."""
    defects = tables["defects"]
    return select(func.count().label("records"), func.coalesce(func.sum(defects.c.defect_count), 0).label("defect_count")).where(
        in_current_period(defects.c.defect_date, filters), *_where(defects, filters, slice, tables["defect_codes"])
    )


def select_lines(tables: Tables) -> Select:
    """Every line with its plant (the allow-list of the drill path's line level)."""
    lines = tables["lines"]
    return select(lines.c.line_id, lines.c.plant_id, lines.c.line_name, lines.c.process_type).order_by(lines.c.line_id)


def select_products(tables: Tables) -> Select:
    """Every product (the allow-list of the drill path's product level)."""
    products = tables["products"]
    return select(products.c.product_id, products.c.product_name, products.c.product_family).order_by(products.c.product_id)


def select_defect_codes(tables: Tables) -> Select:
    """Every defect code with its 6M category (the allow-list of the code and category levels)."""
    codes = tables["defect_codes"]
    return select(codes.c.defect_code, codes.c.defect_description, codes.c.category_6m).order_by(codes.c.defect_code)
