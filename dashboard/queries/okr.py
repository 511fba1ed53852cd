"""OKR queries: the quarters on record, a quarter's objectives and key results, and their
check-ins (tens of objectives, hundreds of check-ins a quarter: a bounded series)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, select
from sqlalchemy.sql import FromClause

Tables = Mapping[str, FromClause]


def select_quarters(tables: Tables) -> Select:
    """Every quarter that has objectives, newest first."""
    objectives = tables["okr_objectives"]
    return select(objectives.c.quarter).distinct().order_by(objectives.c.quarter.desc())


def select_objectives(tables: Tables, quarter: str) -> Select:
    """The quarter's objectives (tree order is built from ``parent_id``)."""
    objectives = tables["okr_objectives"]
    return select(objectives).where(objectives.c.quarter == quarter).order_by(objectives.c.objective_id)


def select_key_results(tables: Tables, quarter: str) -> Select:
    """The quarter's key results with their objective's team."""
    krs, objectives = tables["okr_key_results"], tables["okr_objectives"]
    return (
        select(krs, objectives.c.team)
        .join(objectives, objectives.c.objective_id == krs.c.objective_id)
        .where(objectives.c.quarter == quarter)
        .order_by(krs.c.key_result_id)
    )


def select_checkins(tables: Tables, quarter: str) -> Select:
    """Check-ins recorded in the source for the quarter's key results, oldest first."""
    checkins, krs, objectives = tables["okr_checkins"], tables["okr_key_results"], tables["okr_objectives"]
    return (
        select(checkins)
        .join(krs, krs.c.key_result_id == checkins.c.key_result_id)
        .join(objectives, objectives.c.objective_id == krs.c.objective_id)
        .where(objectives.c.quarter == quarter)
        .order_by(checkins.c.key_result_id, checkins.c.checkin_date, checkins.c.checkin_id)
    )
