"""The nine KPI definitions of the overview, with targets calibrated on the demo data.

Targets and thresholds were chosen so that, over the last 90 days of the demo, some tiles
are on target, some on watch and one or two call for action (see data/README.md). Every
KPI is a rate, so the same targets hold at every scale and for periods of any length.
"""

from __future__ import annotations

from dashboard.sources.demo_plan import Columns, rows_to_columns

OPEN_MAJOR_FINDINGS_SQL = (
    "SELECT COUNT(*) AS value FROM audit_findings WHERE finding_severity = 'major' AND audit_date < :end_date "
    "AND (closed_date IS NULL OR closed_date >= :end_date) AND (:plant_id IS NULL OR plant_id = :plant_id)"
)
COPQ_BUDGET_CUT = 0.05
COPQ_RED_OVER_BUDGET = 1.25

# kpi_id, name, formula, unit, direction, target, red threshold, owner, cadence, view, definition
KPIS = (
    (
        "first_pass_yield",
        "First-pass yield",
        "builtin:first_pass_yield",
        "pct",
        "higher",
        97.0,
        96.5,
        "Head of Quality",
        "daily",
        "/defects",
        "Share of inspected units that passed inspection the first time, without rework or scrap: units passed first time "
        "divided by units inspected, in per cent.",
    ),
    (
        "dpmo",
        "Defects per million opportunities",
        "builtin:dpmo",
        "dpmo",
        "lower",
        1000.0,
        1400.0,
        "Head of Quality",
        "weekly",
        "/defects",
        "How many defects we make per million chances to make one: defects found divided by (units inspected times the "
        "defect opportunities per unit), times one million.",
    ),
    (
        "cost_of_poor_quality",
        "Cost of poor quality",
        "builtin:cost_of_poor_quality",
        "pct",
        "lower",
        1.3,
        1.6,
        "Plant Controller",
        "monthly",
        "/defects",
        "What defects cost us in scrap, rework and warranty, as a share of what we produced: the cost of every defect "
        "recorded in the period divided by the standard cost of the units inspected, in per cent.",
    ),
    (
        "complaints_per_million",
        "Complaints per million units",
        "builtin:complaints_per_million",
        "per_million",
        "lower",
        150.0,
        200.0,
        "Head of Customer Service",
        "weekly",
        "/voc",
        "Customer complaints for every million units we shipped: number of complaints divided by units shipped, times one "
        "million.",
    ),
    (
        "nps",
        "Net Promoter Score",
        "builtin:nps",
        "score",
        "higher",
        25.0,
        15.0,
        "Head of Customer Service",
        "monthly",
        "/voc",
        "Whether customers would recommend us, from -100 to +100: the share of survey answers scoring 9-10 (promoters) minus "
        "the share scoring 0-6 (detractors), in percentage points.",
    ),
    (
        "supplier_ppm",
        "Supplier PPM",
        "builtin:supplier_ppm",
        "ppm",
        "lower",
        1250.0,
        1600.0,
        "Head of Supplier Quality",
        "weekly",
        "/suppliers",
        "Defective purchased parts per million received: units rejected at incoming inspection divided by units received, "
        "times one million.",
    ),
    (
        "capa_on_time",
        "CAPA on-time closure",
        "builtin:capa_on_time",
        "pct",
        "higher",
        85.0,
        65.0,
        "Head of Quality",
        "monthly",
        "/capa",
        "How reliably we finish corrective actions by their due date: CAPAs closed in the period on or before their due date "
        "divided by all CAPAs closed in the period, in per cent.",
    ),
    (
        "okr_progress",
        "OKR progress",
        "builtin:okr_progress",
        "pct",
        "higher",
        50.0,
        30.0,
        "Chief Operating Officer",
        "weekly",
        "/okr",
        "How far the current quarter's key results have come: the average progress of the key results, where 0 % is the start "
        "value and 100 % the target.",
    ),
    (
        "open_major_findings",
        "Open major audit findings",
        f"sql:{OPEN_MAJOR_FINDINGS_SQL}",
        "count",
        "lower",
        0.0,
        2.0,
        "Quality System Manager",
        "monthly",
        "/audits",
        "Major audit findings raised before the end of the period and not yet closed by then: a count of findings, where "
        "each one is a risk to our certification.",
    ),
)


def make_kpi_definitions() -> Columns:
    """kpi_definitions: exactly the nine KPIs above, in display order."""
    rows = []
    for order, (kpi_id, name, formula, unit, direction, target, red, owner, cadence, view, text) in enumerate(KPIS, start=1):
        rows.append((kpi_id, name, formula, unit, direction, target, target, red, owner, cadence, text, view, order))
    return rows_to_columns(
        rows,
        (
            "kpi_id",
            "kpi_name",
            "formula",
            "unit",
            "direction",
            "target",
            "amber_threshold",
            "red_threshold",
            "owner",
            "cadence",
            "definition",
            "view_path",
            "display_order",
        ),
    )
