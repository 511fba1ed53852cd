"""Query builders for process control: characteristics and bounded series of measurements.

Control charts need individual measurements (ranges and standard deviations come from
them), so these queries return raw rows, but only for a bounded number of subgroups:
the most recent ``max_subgroups`` of one characteristic, or, for the overview table, the
first ``baseline`` and last ``recent`` subgroups of each characteristic in the period.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql import FromClause, Select

from dashboard.filters import Filters

Tables = Mapping[str, FromClause]


def _in_period(column, filters: Filters):
    return and_(column >= filters.start_date, column < filters.end_exclusive)


def select_characteristics(tables: Tables, filters: Filters) -> Select:
    """Every measured characteristic (of the plant, if filtered), with its line and spec limits."""
    chars, lines = tables["spc_characteristics"], tables["lines"]
    stmt = (
        select(
            chars.c.characteristic_id,
            chars.c.characteristic_name,
            chars.c.unit,
            chars.c.lsl,
            chars.c.usl,
            chars.c.target,
            chars.c.subgroup_size,
            chars.c.product_id,
            lines.c.line_id,
            lines.c.line_name,
            lines.c.plant_id,
        )
        .select_from(chars.join(lines, chars.c.line_id == lines.c.line_id))
        .order_by(lines.c.plant_id, lines.c.line_id, chars.c.characteristic_id)
    )
    if filters.plant_id is not None:
        stmt = stmt.where(lines.c.plant_id == filters.plant_id)
    return stmt


def select_measurements(tables: Tables, filters: Filters, characteristic_id: str, max_subgroups: int) -> Select:
    """Measurements of one characteristic in the period: its last ``max_subgroups`` subgroups."""
    m = tables["spc_measurements"]
    recent = (
        select(m.c.subgroup_id)
        .where(m.c.characteristic_id == characteristic_id, _in_period(m.c.measured_at, filters))
        .group_by(m.c.subgroup_id)
        .order_by(m.c.subgroup_id.desc())
        .limit(max_subgroups)
    )
    return (
        select(m.c.subgroup_id, m.c.measured_at, m.c.value)
        .where(m.c.characteristic_id == characteristic_id, m.c.subgroup_id.in_(recent.scalar_subquery()))
        .order_by(m.c.subgroup_id, m.c.measured_at, m.c.measurement_id)
    )


def select_table_measurements(tables: Tables, filters: Filters, baseline: int, recent: int, line_id: str | None = None) -> Select:
    """For every characteristic (of the plant, or of one line): measurements of the first
    ``baseline`` and the last ``recent`` subgroups in the period, enough to set limits and judge
    the latest state."""
    m, chars, lines = tables["spc_measurements"], tables["spc_characteristics"], tables["lines"]
    in_scope = select(chars.c.characteristic_id).select_from(chars.join(lines, chars.c.line_id == lines.c.line_id))
    if filters.plant_id is not None:
        in_scope = in_scope.where(lines.c.plant_id == filters.plant_id)
    if line_id is not None:
        in_scope = in_scope.where(lines.c.line_id == line_id)
    subgroups = (
        select(m.c.characteristic_id, m.c.subgroup_id)
        .where(_in_period(m.c.measured_at, filters), m.c.characteristic_id.in_(in_scope.scalar_subquery()))
        .group_by(m.c.characteristic_id, m.c.subgroup_id)
        .subquery("subgroups")
    )
    ranked = select(
        subgroups.c.characteristic_id,
        subgroups.c.subgroup_id,
        func.row_number().over(partition_by=subgroups.c.characteristic_id, order_by=subgroups.c.subgroup_id).label("first_rank"),
        func.row_number()
        .over(partition_by=subgroups.c.characteristic_id, order_by=subgroups.c.subgroup_id.desc())
        .label("last_rank"),
    ).subquery("ranked")
    return (
        select(m.c.characteristic_id, m.c.subgroup_id, m.c.measured_at, m.c.value)
        .select_from(
            m.join(ranked, and_(m.c.characteristic_id == ranked.c.characteristic_id, m.c.subgroup_id == ranked.c.subgroup_id))
        )
        .where(or_(ranked.c.first_rank <= baseline, ranked.c.last_rank <= recent))
        .order_by(m.c.characteristic_id, m.c.subgroup_id, m.c.measured_at)
    )


def select_process_events(tables: Tables, filters: Filters) -> Select:
    """Documented process changes, CAPA actions and supplier changes in the period."""
    events = tables["process_events"]
    stmt = (
        select(events.c.event_date, events.c.plant_id, events.c.line_id, events.c.event_kind, events.c.description)
        .where(_in_period(events.c.event_date, filters))
        .order_by(events.c.event_date)
    )
    if filters.plant_id is not None:
        stmt = stmt.where(events.c.plant_id == filters.plant_id)
    return stmt
