"""The named datasets views can ask for, and the query that builds each one.

A builder takes the source tables, the filters (or None) and keyword parameters, and
returns an executable SQLAlchemy statement. Parameters are validated here against
allow-lists before they reach a builder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.sql import Executable, FromClause

from dashboard.drill import DefectSlice, EffectScope
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.queries import (
    audits,
    capa,
    capa_detail,
    capa_effects,
    defects,
    freshness,
    okr,
    overview,
    review,
    spc,
    suppliers,
    voc,
)
from dashboard.queries.dialect import GRAINS
from dashboard.sources.schema import FEED_DATE_COLUMNS

Builder = Callable[..., Executable]


def _needs_filters(filters: Filters | None) -> Filters:
    if filters is None:
        raise InvalidFilter("This dataset needs a period.")
    return filters


def _grain(params: Mapping[str, Any]) -> str:
    grain = params.get("grain", "week")
    if grain not in GRAINS:
        raise InvalidFilter(f"Unknown grain '{grain}'; use one of {', '.join(GRAINS)}.")
    return grain


def _summary(builder: Callable[..., Executable]) -> Builder:
    def build(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
        return builder(tables, _needs_filters(filters), _grain(params))

    return build


def _kpi_sql(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    resolved = _needs_filters(filters)
    formula = params["formula"]
    if not formula.startswith("sql:"):
        raise InvalidFilter("Not a SQL-defined KPI.")
    return overview.kpi_sql_statement(formula[4:], resolved.start_date, resolved.end_exclusive, resolved.plant_id)


MAX_SUBGROUPS = 5000


def _count(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SUBGROUPS:
        raise InvalidFilter(f"{name} must be a whole number from 1 to {MAX_SUBGROUPS}.")
    return value


def _spc_measurements(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    characteristic = params.get("characteristic_id")
    if not isinstance(characteristic, str) or not characteristic:
        raise InvalidFilter("Choose a characteristic.")
    return spc.select_measurements(tables, _needs_filters(filters), characteristic, _count(params, "max_subgroups", 200))


def _spc_table(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    line_id = params.get("line_id")
    if line_id is not None and not isinstance(line_id, str):
        raise InvalidFilter("line_id must be a line code.")
    return spc.select_table_measurements(
        tables, _needs_filters(filters), _count(params, "baseline", 25), _count(params, "recent", 25), line_id
    )


DATASETS: dict[str, Builder] = {
    "plants": lambda tables, filters, **params: overview.select_plants(tables),
    "kpi_definitions": lambda tables, filters, **params: overview.select_kpi_definitions(tables),
    "production_summary": _summary(overview.select_production_summary),
    "defect_summary": _summary(overview.select_defect_summary),
    "feedback_summary": _summary(overview.select_feedback_summary),
    "supplier_summary": _summary(overview.select_supplier_summary),
    "capa_summary": _summary(overview.select_capa_summary),
    "key_results_at": lambda tables, filters, **params: overview.select_key_results_at(tables, _needs_filters(filters)),
    "kpi_sql": _kpi_sql,
    "spc_characteristics": lambda tables, filters, **params: spc.select_characteristics(tables, _needs_filters(filters)),
    "spc_measurements": _spc_measurements,
    "spc_table_measurements": _spc_table,
    "process_events": lambda tables, filters, **params: spc.select_process_events(tables, _needs_filters(filters)),
}


# --- Defects page ---------------------------------------------------------------------------

MAX_RECORD_OFFSET = 10_000_000
MAX_RECORD_LIMIT = 1000


def _slice(params: Mapping[str, Any]) -> DefectSlice:
    chosen = params.get("slice")
    if chosen is None:
        return DefectSlice()
    if not isinstance(chosen, DefectSlice):
        raise InvalidFilter("The defect slice is not valid; choose a line, product or defect code from the page.")
    for field in dataclasses.fields(DefectSlice):
        value = getattr(chosen, field.name)
        if value is not None and not isinstance(value, str):
            raise InvalidFilter(f"The defect slice's {field.name} must be a code.")
    return chosen


def _choice(params: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name, default)
    if not isinstance(value, str) or value not in allowed:
        raise InvalidFilter(f"Unknown {name} '{str(value)[:40]}'; use one of {', '.join(allowed)}.")
    return value


def _flag(params: Mapping[str, Any], name: str, default: bool) -> bool:
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise InvalidFilter(f"{name} must be true or false.")
    return value


def _whole(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidFilter(f"{name} must be a whole number from {low:,} to {high:,}.")
    return value


def _sliced(builder: Callable[..., Executable], *extra: Callable[[Mapping[str, Any]], Any]) -> Builder:
    """A builder of (tables, filters, slice, *extra) whose extra arguments are read and validated from params."""

    def build(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
        resolved = _needs_filters(filters)
        return builder(tables, resolved, _slice(params), *(read(params) for read in extra))

    return build


def _records_args(params: Mapping[str, Any]) -> tuple[str, bool]:
    return _choice(params, "sort", defects.RECORD_COLUMNS, "defect_date"), _flag(params, "descending", False)


def _defect_records(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    resolved, chosen = _needs_filters(filters), _slice(params)
    sort, descending = _records_args(params)
    offset = _whole(params, "offset", 0, 0, MAX_RECORD_OFFSET)
    limit = _whole(params, "limit", 100, 1, MAX_RECORD_LIMIT)
    return defects.select_defect_records(tables, resolved, chosen, sort, descending, offset, limit)


def _defect_export(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return defects.select_defect_export(tables, _needs_filters(filters), _slice(params), *_records_args(params))


DATASETS.update(
    {
        "lines": lambda tables, filters, **params: defects.select_lines(tables),
        "products": lambda tables, filters, **params: defects.select_products(tables),
        "defect_codes": lambda tables, filters, **params: defects.select_defect_codes(tables),
        "defect_trend": _sliced(defects.select_defect_trend, _grain),
        "production_trend": _sliced(defects.select_production_trend, _grain),
        "defect_breakdown": _sliced(
            defects.select_defect_breakdown,
            lambda params: _choice(params, "by", defects.BREAKDOWNS, "plant_id"),
            lambda params: _flag(params, "previous_keys", False),
        ),
        "production_breakdown": _sliced(
            defects.select_production_breakdown, lambda params: _choice(params, "by", defects.PRODUCTION_BREAKDOWNS, "plant_id")
        ),
        "defect_heatmap": _sliced(defects.select_defect_heatmap),
        "production_heatmap": _sliced(defects.select_production_heatmap),
        "defect_records": _defect_records,
        "defect_record_count": _sliced(defects.select_defect_record_count),
        "defect_export": _defect_export,
    }
)


# --- Supplier pages -------------------------------------------------------------------------

MAX_SUPPLIER_ID_LENGTH = 16  # schema: suppliers.supplier_id String(16)
MAX_COMMODITY_LENGTH = 50  # schema: suppliers.commodity String(50)


def _commodity(params: Mapping[str, Any]) -> str | None:
    value = params.get("commodity")
    if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= MAX_COMMODITY_LENGTH):
        raise InvalidFilter(f"commodity must be a commodity name of 1 to {MAX_COMMODITY_LENGTH} characters.")
    return value


def _supplier_id(params: Mapping[str, Any], *, required: bool) -> str | None:
    value = params.get("supplier_id")
    if value is None:
        if required:
            raise InvalidFilter("Choose a supplier.")
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_SUPPLIER_ID_LENGTH:
        raise InvalidFilter(f"supplier_id must be a supplier code of 1 to {MAX_SUPPLIER_ID_LENGTH} characters.")
    return value


def _by_commodity(builder: Callable[..., Executable]) -> Builder:
    def build(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
        return builder(tables, _needs_filters(filters), _commodity(params))

    return build


def _of_supplier(builder: Callable[..., Executable]) -> Builder:
    def build(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
        return builder(tables, _needs_filters(filters), _supplier_id(params, required=True))

    return build


def _supplier_trend(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return suppliers.select_supplier_trend(
        tables, _needs_filters(filters), _grain(params), _supplier_id(params, required=False), _commodity(params)
    )


DATASETS.update(
    {
        "supplier_lots_summary": _by_commodity(suppliers.select_supplier_lots_summary),
        "supplier_scar_summary": _by_commodity(suppliers.select_supplier_scar_summary),
        "supplier_latest_audit": _by_commodity(suppliers.select_supplier_latest_audit),
        "suppliers": lambda tables, filters, **params: suppliers.select_suppliers(tables),
        "supplier_trend": _supplier_trend,
        "supplier_parts": _of_supplier(suppliers.select_supplier_parts),
        "supplier_scars": _of_supplier(suppliers.select_supplier_scars),
        "supplier_audits": _of_supplier(suppliers.select_supplier_audits),
    }
)


# --- Voice-of-the-customer page -------------------------------------------------------------

MAX_VOC_SLICE_LENGTH = 32  # channel, region and product_id of the page's slice
MAX_DEFECT_CODE_LENGTH = 16  # schema: defect_codes.defect_code String(16)


def _optional_code(params: Mapping[str, Any], name: str, max_length: int) -> str | None:
    value = params.get(name)
    if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= max_length):
        raise InvalidFilter(f"{name} must be a code of 1 to {max_length} characters.")
    return value


def _voc_slice(params: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    channel, region, product_id = (_optional_code(params, name, MAX_VOC_SLICE_LENGTH) for name in voc.SLICES)
    return channel, region, product_id


def _voc_trend_by(params: Mapping[str, Any]) -> str | None:
    if params.get("by") is None:
        return None
    return _choice(params, "by", voc.TREND_BY, "channel")


def _feedback_trend(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return voc.select_feedback_trend(tables, _needs_filters(filters), _grain(params), _voc_trend_by(params), *_voc_slice(params))


def _feedback_breakdown(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    by = _choice(params, "by", voc.BREAKDOWNS, "channel")
    return voc.select_feedback_breakdown(tables, _needs_filters(filters), by, *_voc_slice(params))


def _complaints_by_code(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return voc.select_complaints_by_code(tables, _needs_filters(filters), *_voc_slice(params))


def _of_code(builder: Callable[..., Executable]) -> Builder:
    def build(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
        return builder(
            tables, _needs_filters(filters), _grain(params), _optional_code(params, "defect_code", MAX_DEFECT_CODE_LENGTH)
        )

    return build


def _shipped(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return voc.select_shipped(tables, _needs_filters(filters), _optional_code(params, "product_id", MAX_VOC_SLICE_LENGTH))


def _comments(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return voc.select_comments(tables, _needs_filters(filters), *_voc_slice(params), _flag(params, "complaint_only", False))


DATASETS.update(
    {
        "feedback_trend": _feedback_trend,
        "feedback_breakdown": _feedback_breakdown,
        "complaints_by_code": _complaints_by_code,
        "complaint_trend": _of_code(voc.select_complaint_trend),
        "internal_defect_trend": _of_code(voc.select_internal_defect_trend),
        "inspected_trend": _summary(voc.select_inspected_trend),
        "shipped": _shipped,
        "comments": _comments,
        "feedback_dimensions": lambda tables, filters, **params: voc.select_feedback_dimensions(tables),
    }
)


# --- OKR page ---------------------------------------------------------------------------------

QUARTER = re.compile(r"\d{4}-Q[1-4]")


def _quarter(params: Mapping[str, Any]) -> str:
    value = params.get("quarter")
    if not isinstance(value, str) or not QUARTER.fullmatch(value):
        raise InvalidFilter(f"Unknown quarter '{str(value)[:20]}'; use the form 2026-Q4.")
    return value


DATASETS.update(
    {
        "okr_quarters": lambda tables, filters, **params: okr.select_quarters(tables),
        "okr_objectives": lambda tables, filters, **params: okr.select_objectives(tables, _quarter(params)),
        "okr_key_results": lambda tables, filters, **params: okr.select_key_results(tables, _quarter(params)),
        "okr_checkins": lambda tables, filters, **params: okr.select_checkins(tables, _quarter(params)),
    }
)


# --- CAPA page ---------------------------------------------------------------------------------

MAX_OWNER_LENGTH = 100  # schema: capas.owner String(100)


def _capa_scope(params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    source = params.get("source")
    if source is not None:
        source = _choice(params, "source", capa.SOURCES, "internal")
    owner = params.get("owner")
    if owner is not None and (not isinstance(owner, str) or not 1 <= len(owner) <= MAX_OWNER_LENGTH):
        raise InvalidFilter(f"owner must be a name of 1 to {MAX_OWNER_LENGTH} characters.")
    return source, owner


def _capa_listing(params: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    return (_choice(params, "status", capa.STATUSES, "all"), *_capa_scope(params))


def _capa_order(params: Mapping[str, Any]) -> tuple[str, bool]:
    return _choice(params, "sort", capa.RECORD_COLUMNS, "days_late"), _flag(params, "descending", True)


def _capa_records(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    offset = _whole(params, "offset", 0, 0, MAX_RECORD_OFFSET)
    limit = _whole(params, "limit", 100, 1, MAX_RECORD_LIMIT)
    return capa.select_capa_records(tables, _needs_filters(filters), *_capa_listing(params), *_capa_order(params), offset, limit)


DATASETS.update(
    {
        "capa_status": lambda tables, filters, **params: capa.select_capa_status(
            tables, _needs_filters(filters), *_capa_scope(params)
        ),
        "capa_flow": lambda tables, filters, **params: capa.select_capa_flow(
            tables, _needs_filters(filters), _grain(params), *_capa_scope(params)
        ),
        "capa_ageing": lambda tables, filters, **params: capa.select_capa_ageing(
            tables, _needs_filters(filters), *_capa_scope(params)
        ),
        "capa_breakdown": lambda tables, filters, **params: capa.select_capa_breakdown(
            tables, _needs_filters(filters), _choice(params, "by", capa.BREAKDOWNS, "plant_id"), *_capa_scope(params)
        ),
        "capa_records": _capa_records,
        "capa_record_count": lambda tables, filters, **params: capa.select_capa_record_count(
            tables, _needs_filters(filters), *_capa_listing(params)
        ),
        "capa_export": lambda tables, filters, **params: capa.select_capa_export(
            tables, _needs_filters(filters), *_capa_listing(params), *_capa_order(params)
        ),
        "capa_owners": lambda tables, filters, **params: capa.select_capa_owners(tables),
    }
)


MAX_CAPA_ID = 2**31 - 1  # capas.capa_id is an INTEGER


def _capa_id(params: Mapping[str, Any]) -> int:
    return _whole(params, "capa_id", 0, 1, MAX_CAPA_ID)


def _effect_scope(params: Mapping[str, Any]) -> EffectScope:
    scope = params.get("scope")
    if not isinstance(scope, EffectScope):
        raise InvalidFilter("The CAPA's effect needs its plant, line, code and dates; open it from the CAPA list.")
    codes = (scope.plant_id, scope.line_id, scope.defect_code)
    if not isinstance(scope.plant_id, str) or not all(c is None or isinstance(c, str) for c in codes):
        raise InvalidFilter("The CAPA's plant, line and defect code must be codes.")
    dates = (scope.start, scope.before_end, scope.after_start, scope.end)
    if not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in dates):
        raise InvalidFilter("The CAPA's windows must be dates.")
    return scope


def _capas_on_slice(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    chosen, period = _slice(params), _needs_filters(filters)
    return capa_detail.select_capas_on_slice(
        tables, period.plant_id, chosen.line_id, chosen.defect_code, period.start_date, period.end_date
    )


def _today(params: Mapping[str, Any]) -> dt.date:
    today = params.get("today")
    if not isinstance(today, dt.date) or isinstance(today, dt.datetime):
        raise InvalidFilter("The CAPAs' effect needs today's date.")
    return today


def _capa_effects(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return capa_effects.select_capa_effects(tables, _needs_filters(filters), _today(params), *_capa_scope(params))


DATASETS.update(
    {
        "capa_effects": _capa_effects,
        "capa_one": lambda tables, filters, **params: capa_detail.select_capa_one(tables, _capa_id(params)),
        "capa_findings": lambda tables, filters, **params: capa_detail.select_capa_findings(tables, _capa_id(params)),
        "capa_effect_totals": lambda tables, filters, **params: capa_detail.select_effect_totals(tables, _effect_scope(params)),
        "capa_effect_weeks": lambda tables, filters, **params: capa_detail.select_effect_weeks(tables, _effect_scope(params)),
        "capas_on_slice": _capas_on_slice,
    }
)

# --- Leadership review ------------------------------------------------------------------------

DATASETS.update(
    {
        "overdue_capas": lambda tables, filters, **params: review.select_overdue_capas(tables, _needs_filters(filters)),
    }
)


# --- Freshness of the fed sources ----------------------------------------------------------------


def _feed_latest(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    feed = params.get("feed")
    if feed not in FEED_DATE_COLUMNS:
        raise InvalidFilter(f"Unknown feed '{str(feed)[:30]}'; use one of {', '.join(FEED_DATE_COLUMNS)}.")
    return freshness.select_feed_latest(tables, feed)


DATASETS["feed_latest"] = _feed_latest


# --- Audit findings page ---

MAX_CLAUSE_LENGTH = 16  # schema: audit_findings.iso_clause String(16)


def _optional_choice(params: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    return None if params.get(name) is None else _choice(params, name, allowed, allowed[0])


def _audit_narrowing(params: Mapping[str, Any]) -> tuple[str | None, str | None, str | None, str]:
    """(severity, audit type, clause, status) of the findings list, each checked."""
    clause = params.get("clause")
    if clause is not None and (not isinstance(clause, str) or not 1 <= len(clause) <= MAX_CLAUSE_LENGTH):
        raise InvalidFilter(f"clause must be an ISO clause of 1 to {MAX_CLAUSE_LENGTH} characters.")
    return (
        _optional_choice(params, "severity", audits.SEVERITIES),
        _optional_choice(params, "audit_type", audits.AUDIT_TYPES),
        clause,
        _choice(params, "status", audits.STATUSES, "open"),
    )


def _audit_sort(params: Mapping[str, Any]) -> tuple[str, bool]:
    return _choice(params, "sort", audits.RECORD_COLUMNS, "audit_date"), _flag(params, "descending", True)


def _audit_records(tables: Mapping[str, FromClause], filters: Filters | None, **params: Any) -> Executable:
    return audits.select_audit_records(
        tables,
        _needs_filters(filters),
        _audit_narrowing(params),
        *_audit_sort(params),
        _whole(params, "offset", 0, 0, MAX_RECORD_OFFSET),
        _whole(params, "limit", 100, 1, MAX_RECORD_LIMIT),
    )


DATASETS.update(
    {
        "audit_summary": lambda tables, filters, **params: audits.select_audit_summary(tables, _needs_filters(filters)),
        "audit_by_clause": lambda tables, filters, **params: audits.select_audit_by_clause(tables, _needs_filters(filters)),
        "audit_trend": lambda tables, filters, **params: audits.select_audit_trend(
            tables, _needs_filters(filters), _grain(params)
        ),
        "audit_backlog": lambda tables, filters, **params: audits.select_audit_backlog(tables, _needs_filters(filters)),
        "audit_clauses": lambda tables, filters, **params: audits.select_audit_clauses(tables),
        "audit_records": _audit_records,
        "audit_record_count": lambda tables, filters, **params: audits.select_audit_record_count(
            tables, _needs_filters(filters), _audit_narrowing(params)
        ),
        "audit_export": lambda tables, filters, **params: audits.select_audit_export(
            tables, _needs_filters(filters), _audit_narrowing(params), *_audit_sort(params)
        ),
    }
)
