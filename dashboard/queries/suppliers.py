"""Query builders for the supplier scorecard and supplier detail pages.

Incoming lots are narrowed by the global filter's plant (the receiving plant,
``supplier_lots.plant_id``) and, optionally, by commodity (``suppliers.commodity``). SCARs
and supplier audits have no plant: the plant filter does not apply to them, only the period
and the commodity. The suppliers table is read only when a commodity is chosen, so the
pages also work when it is mapped to another database than the lots.

Everything is aggregated in SQL except the detail page's SCAR and audit lists (tens of rows
per supplier). Lot summaries return a 'current' and a 'previous' period (the same number of
days immediately before); everything else is about the current period, or the state at its
last day. Ratios (PPM, on-time rate, days to close) are computed from the sums in the
metrics layer, so a ratio is never averaged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.elements import ColumnElement

from dashboard.filters import Filters
from dashboard.queries.dialect import date_bucket, days_between
from dashboard.queries.periods import in_both_periods, in_current_period, period_label

Tables = Mapping[str, FromClause]


# --- shared conditions --------------------------------------------------------------------------


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _in_commodity(tables: Tables, supplier_column: ColumnElement[Any], commodity: str | None) -> list[ColumnElement[bool]]:
    """The supplier is of ``commodity`` (no condition, and no read of suppliers, for None)."""
    if commodity is None:
        return []
    suppliers = tables["suppliers"]
    of_commodity = select(suppliers.c.supplier_id).where(suppliers.c.commodity == commodity)
    return [supplier_column.in_(of_commodity.scalar_subquery())]


def _lot_where(
    tables: Tables, filters: Filters, commodity: str | None = None, supplier_id: str | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on lots for the plant, the commodity and the supplier (each when given)."""
    lots = tables["supplier_lots"]
    conditions = _in_commodity(tables, lots.c.supplier_id, commodity)
    if filters.plant_id is not None:
        conditions.append(lots.c.plant_id == filters.plant_id)
    if supplier_id is not None:
        conditions.append(lots.c.supplier_id == supplier_id)
    return conditions


def _on_time(lots: FromClause) -> ColumnElement[bool]:
    return lots.c.received_date <= lots.c.due_date


def _scar_relevant(scars: FromClause, filters: Filters) -> ColumnElement[bool]:
    """Opened by the period's end and not closed before its start: open at some time in the period.

    That is every SCAR opened in the period, open at its start, or closed in it."""
    return and_(
        scars.c.opened_date < filters.end_exclusive,
        or_(scars.c.closed_date.is_(None), scars.c.closed_date >= filters.start_date),
    )


# --- scorecard ----------------------------------------------------------------------------------


def select_supplier_lots_summary(tables: Tables, filters: Filters, commodity: str | None) -> Select:
    """Per (supplier, period) with lots: lots, units received and rejected, rejected lots,
    lots received on or before their due date, and chargebacks (EUR)."""
    lots = tables["supplier_lots"]
    period = period_label(lots.c.received_date, filters).label("period")
    return (
        select(
            lots.c.supplier_id,
            period,
            func.count().label("lots"),
            func.sum(lots.c.units_received).label("units_received"),
            func.sum(lots.c.units_rejected).label("units_rejected"),
            _count_if(lots.c.lot_rejected).label("lots_rejected"),
            _count_if(_on_time(lots)).label("lots_on_time"),
            func.sum(lots.c.chargeback_eur).label("chargeback_eur"),
        )
        .where(in_both_periods(lots.c.received_date, filters), *_lot_where(tables, filters, commodity))
        .group_by(lots.c.supplier_id, period)
        .order_by(lots.c.supplier_id, period)
    )


def select_supplier_scar_summary(tables: Tables, filters: Filters, commodity: str | None) -> Select:
    """Per supplier with a SCAR open at some time in the current period: SCARs opened in it,
    open at its last day (closed on the last day counts as closed), open and past their due
    date then, closed in it, and the days those closed in it took (their sum).

    SCARs have no plant: the plant filter does not apply."""
    scars = tables["scars"]
    opened, closed = scars.c.opened_date, scars.c.closed_date
    closed_in_period = in_current_period(closed, filters)
    open_at_end = and_(opened < filters.end_exclusive, or_(closed.is_(None), closed >= filters.end_exclusive))
    return (
        select(
            scars.c.supplier_id,
            _count_if(in_current_period(opened, filters)).label("scars_opened"),
            _count_if(open_at_end).label("scars_open"),
            _count_if(and_(open_at_end, scars.c.due_date < filters.end_date)).label("scars_overdue"),
            _count_if(closed_in_period).label("scars_closed"),
            func.sum(case((closed_in_period, days_between(closed, opened)), else_=0)).label("days_to_close_sum"),
        )
        .where(_scar_relevant(scars, filters), *_in_commodity(tables, scars.c.supplier_id, commodity))
        .group_by(scars.c.supplier_id)
        .order_by(scars.c.supplier_id)
    )


def select_supplier_latest_audit(tables: Tables, filters: Filters, commodity: str | None) -> Select:
    """Per supplier audited on or before the period's last day: the latest such audit (on one
    day, the highest audit id), its score (%) and findings. Audits have no plant."""
    audits = tables["supplier_audits"]
    rank = func.row_number().over(
        partition_by=audits.c.supplier_id, order_by=(audits.c.audit_date.desc(), audits.c.audit_id.desc())
    )
    ranked = (
        select(
            audits.c.supplier_id,
            audits.c.audit_date,
            audits.c.score_pct,
            audits.c.finding_count,
            rank.label("audit_rank"),
        )
        .where(audits.c.audit_date < filters.end_exclusive, *_in_commodity(tables, audits.c.supplier_id, commodity))
        .subquery("ranked_audits")
    )
    return (
        select(ranked.c.supplier_id, ranked.c.audit_date, ranked.c.score_pct, ranked.c.finding_count)
        .where(ranked.c.audit_rank == 1)
        .order_by(ranked.c.supplier_id)
    )


def select_suppliers(tables: Tables) -> Select:
    """Every supplier (the allow-list of the detail page's supplier)."""
    suppliers = tables["suppliers"]
    return select(suppliers.c.supplier_id, suppliers.c.supplier_name, suppliers.c.commodity, suppliers.c.country).order_by(
        suppliers.c.supplier_id
    )


def select_supplier_trend(
    tables: Tables, filters: Filters, grain: str, supplier_id: str | None = None, commodity: str | None = None
) -> Select:
    """Lots, units received and rejected, and lots on time per (supplier, bucket) of the current
    period; only ``supplier_id`` when given (sparklines of every supplier; one supplier's p chart)."""
    lots = tables["supplier_lots"]
    bucket = date_bucket(lots.c.received_date, grain).label("bucket_date")
    return (
        select(
            lots.c.supplier_id,
            bucket,
            func.count().label("lots"),
            func.sum(lots.c.units_received).label("units_received"),
            func.sum(lots.c.units_rejected).label("units_rejected"),
            _count_if(_on_time(lots)).label("lots_on_time"),
        )
        .where(in_current_period(lots.c.received_date, filters), *_lot_where(tables, filters, commodity, supplier_id))
        .group_by(lots.c.supplier_id, bucket)
        .order_by(lots.c.supplier_id, bucket)
    )


# --- supplier detail ----------------------------------------------------------------------------


def select_supplier_parts(tables: Tables, filters: Filters, supplier_id: str) -> Select:
    """Lots, units received and rejected per part number of one supplier in the current period,
    most units rejected first."""
    lots = tables["supplier_lots"]
    units_rejected = func.sum(lots.c.units_rejected).label("units_rejected")
    return (
        select(
            lots.c.part_number,
            func.count().label("lots"),
            func.sum(lots.c.units_received).label("units_received"),
            units_rejected,
        )
        .where(in_current_period(lots.c.received_date, filters), *_lot_where(tables, filters, supplier_id=supplier_id))
        .group_by(lots.c.part_number)
        .order_by(units_rejected.desc(), lots.c.part_number)
    )


def select_supplier_scars(tables: Tables, filters: Filters, supplier_id: str) -> Select:
    """One supplier's SCARs open at some time in the current period (opened in it, or opened
    before and still open at its start), newest first, with the defect code's description.

    SCARs have no plant: the plant filter does not apply."""
    scars, codes = tables["scars"], tables["defect_codes"]
    return (
        select(
            scars.c.scar_id,
            scars.c.opened_date,
            scars.c.due_date,
            scars.c.closed_date,
            scars.c.scar_status,
            scars.c.defect_code,
            codes.c.defect_description,
            scars.c.description,
            scars.c.lot_id,
        )
        .select_from(scars.outerjoin(codes, scars.c.defect_code == codes.c.defect_code))
        .where(scars.c.supplier_id == supplier_id, _scar_relevant(scars, filters))
        .order_by(scars.c.opened_date.desc(), scars.c.scar_id.desc())
    )


def select_supplier_audits(tables: Tables, filters: Filters, supplier_id: str) -> Select:
    """Every audit of one supplier up to the period's last day, newest first (as the SCAR list).
    Audits have no plant."""
    audits = tables["supplier_audits"]
    return (
        select(audits.c.audit_id, audits.c.audit_date, audits.c.score_pct, audits.c.finding_count)
        .where(audits.c.supplier_id == supplier_id, audits.c.audit_date < filters.end_exclusive)
        .order_by(audits.c.audit_date.desc(), audits.c.audit_id.desc())
    )
