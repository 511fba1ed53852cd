"""Query builders for one CAPA (/capa/<id>): the CAPA with its names, and the audit findings
that raised it. Its effect on defects reads the defects page's trend queries."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.sql import FromClause, Select

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
