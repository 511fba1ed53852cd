"""Quality-system records: CAPAs, audit findings, the risk register and documented process events.

Small tables (hundreds of rows), built row by row. Stories 1, 4 and 5 each get a CAPA and
a process event so that the views can explain what happened.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.sources import demo_plan as plan_
from dashboard.sources.demo_dims import PLANTS, PROCESS_TYPES, Dims
from dashboard.sources.demo_okr import OWNERS
from dashboard.sources.demo_plan import Columns, Plan, rows_to_columns

ISO_CLAUSES = {
    "4.4": "process interactions not defined",
    "6.1": "risks not reviewed",
    "7.1.5": "gauge calibration overdue",
    "7.2": "operator qualification not recorded",
    "7.5.3": "uncontrolled work instruction",
    "8.3.4": "design review records missing",
    "8.4.1": "supplier evaluation out of date",
    "8.5.1": "control plan not followed",
    "8.5.2": "traceability gap",
    "8.7": "nonconforming parts not segregated",
    "9.1.1": "KPI not reviewed",
    "9.2": "internal audit overdue",
    "10.2": "corrective action not verified",
}
FINDINGS_PER_AUDIT = {"internal": 2.0, "customer": 2.5, "certification": 3.5}
SEVERITY_SHARE = (("observation", 0.5), ("minor", 0.4), ("major", 0.1))
CLOSE_DAYS = {"observation": (7, 45), "minor": (14, 90), "major": (30, 120)}
ROUTINE_CAPAS_PER_MONTH = 6.0
VERIFY_AFTER_DAYS = 60  # effectiveness is checked about two months after closure
RISK_TITLES = (
    "Single-source supplier for {commodity}",
    "Fixture wear on {line}",
    "Key operator leaving on {line}",
    "Gauge R&R not done for {line}",
    "Customer audit failure at {plant}",
    "Obsolete component on {line}",
    "Humidity control in the {plant} store",
    "Changeover errors on {line}",
    "Late PPAP for new product at {plant}",
)
EVENTS = (  # kind, description, process type of the line it happens on
    ("process-change", "Preventive maintenance overhaul of the line", "machining"),
    ("process-change", "New shift pattern (3 x 8 h)", "assembly"),
    ("supplier-change", "Resin grade changed to the supplier's new formulation", "moulding"),
    ("process-change", "AOI software update", "smt"),
    ("process-change", "New operator cohort trained and released", "welding"),
    ("process-change", "Moved to the new paint booth", "painting"),
    ("supplier-change", "Second source for fasteners approved", "assembly"),
    ("process-change", "Reflow oven profile re-qualified", "smt"),
)


def _date(plan: Plan, index: int) -> dt.date:
    return plan.start + dt.timedelta(days=int(index))


def _findings(rng: np.random.Generator, plan: Plan) -> list[list]:
    """[plant, day, type, clause, severity, closed day or None] per finding, by audit date."""
    audits = []
    for plant in range(len(PLANTS)):
        audits += [(plant, int(d), "internal") for d in range(int(rng.integers(0, 91)), plan.n_days, 91)]
        audits += [(plant, int(d), "customer") for d in rng.integers(0, plan.n_days, int(rng.poisson(6)))]
        audits += [(plant, int(d), "certification") for d in range(int(rng.integers(0, 365)), plan.n_days, 365)]
    audits.append((1, plan.back(20), "certification"))  # a recent certification audit at P02 with open majors
    findings = []
    for plant, day, kind in sorted(audits, key=lambda a: (a[1], a[0])):
        count = 2 if (plant, day) == (1, plan.back(20)) else int(rng.poisson(FINDINGS_PER_AUDIT[kind]))
        for _ in range(count):
            clause = list(ISO_CLAUSES)[int(rng.integers(0, len(ISO_CLAUSES)))]
            severity = (
                "major"
                if (plant, day) == (1, plan.back(20))
                else SEVERITY_SHARE[int(np.searchsorted(np.cumsum([s for _, s in SEVERITY_SHARE]), rng.random()))][0]
            )
            closed = day + int(rng.integers(*CLOSE_DAYS[severity]))
            findings.append([plant, day, kind, clause, severity, closed if closed < plan.n_days else None])
    return findings


def _close(rng: np.random.Generator, plan: Plan, opened: int) -> tuple[int, int | None, bool | None]:
    """Due day, closed day (None while open) and effectiveness of a routine CAPA."""
    span = int(rng.integers(30, 91))
    closed = opened + int(np.ceil(span * np.exp(rng.normal(np.log(0.75), 0.3))))
    if closed >= plan.n_days:
        return opened + span, None, None
    effective = bool(rng.random() < 0.8) if closed <= plan.n_days - 1 - VERIFY_AFTER_DAYS else None
    return opened + span, closed, effective


def _story_capas(plan: Plan, dims: Dims) -> list[tuple]:
    """(plant, line, code, source, title, opened, due, closed, effective, finding) for stories 1, 4 and 5."""
    step, capa, surge = plan.back(plan_.STEP_DAYS), plan.back(plan_.CAPA_DAYS), plan.back(plan_.SURGE_DAYS)
    step_line = dims.index_of("line", plan_.STEP_LINE)
    return [
        (
            int(dims.line_plant[step_line]),
            step_line,
            plan_.STEP_CODE,
            "internal",
            "Bore diameter out of tolerance on P02-L03 since the fixture change",
            step + 15,
            step + 75,
            None,
            None,
            None,
        ),
        (
            2,
            None,
            plan_.SURGE_CODE,
            "complaint",
            "Seal leaks reported by customers: containment and root cause",
            surge + 5,
            surge + 35,
            surge + 31,
            None,
            None,
        ),
        (
            dims.index_of("plant", plan_.CAPA_PLANT),
            None,
            plan_.CAPA_CODE,
            "internal",
            "Eliminate solder bridges on the Stuttgart SMT lines (stencil redesign)",
            capa - 75,
            capa + 10,
            capa,
            True,
            None,
        ),
    ]


def make_capas_and_findings(rng: np.random.Generator, plan: Plan, dims: Dims) -> dict[str, Columns]:
    """capas (routine, audit-driven and story CAPAs) and audit_findings linked to them."""
    findings = _findings(rng, plan)
    capas = _story_capas(plan, dims)
    for number, (plant, day, _kind, clause, severity, _closed, *_rest) in enumerate(findings):
        if severity == "major" or (severity == "minor" and rng.random() < 0.3):
            opened = day + int(rng.integers(3, 11))
            if opened < plan.n_days:
                due, closed, effective = _close(rng, plan, opened)
                capas.append(
                    (
                        plant,
                        None,
                        None,
                        "audit",
                        f"Audit finding {clause}: {ISO_CLAUSES[clause]}",
                        opened,
                        due,
                        closed,
                        effective,
                        number,
                    )
                )
    sources = ("internal", "internal", "internal", "complaint", "complaint", "supplier")
    for opened in np.sort(rng.integers(0, plan.n_days, int(rng.poisson(ROUTINE_CAPAS_PER_MONTH * plan.n_days / 30.44)))):
        line = int(rng.integers(0, len(dims.line_ids)))
        mix = dims.code_mix[dims.line_type[line]]
        code = dims.code_ids[int(np.searchsorted(np.cumsum(mix), rng.random() * 0.999999))]
        description = dims.tables["defect_codes"]["defect_description"][int(code[1:]) - 1].lower()
        due, closed, effective = _close(rng, plan, int(opened))
        capas.append(
            (
                int(dims.line_plant[line]),
                line,
                code,
                sources[int(rng.integers(0, len(sources)))],
                f"Reduce {description} on {dims.line_ids[line]}",
                int(opened),
                due,
                closed,
                effective,
                None,
            )
        )
    capas.sort(key=lambda c: (c[5], c[0], c[4]))
    capa_of_finding = {c[9]: capa_id for capa_id, c in enumerate(capas, start=1) if c[9] is not None}
    capa_rows = [
        (
            capa_id,
            dims.plant_ids[c[0]],
            None if c[1] is None else dims.line_ids[c[1]],
            c[2],
            c[3],
            c[4],
            OWNERS[(capa_id * 7) % len(OWNERS)],
            _date(plan, c[5]),
            _date(plan, c[6]),
            None if c[7] is None else _date(plan, c[7]),
            c[8],
        )
        for capa_id, c in enumerate(capas, start=1)
    ]
    finding_rows = [
        (
            number + 1,
            dims.plant_ids[f[0]],
            _date(plan, f[1]),
            f[2],
            f[3],
            f[4],
            None if f[5] is None else _date(plan, f[5]),
            capa_of_finding.get(number),
        )
        for number, f in enumerate(findings)
    ]
    return {
        "capas": rows_to_columns(
            capa_rows,
            (
                "capa_id",
                "plant_id",
                "line_id",
                "defect_code",
                "capa_source",
                "title",
                "owner",
                "opened_date",
                "due_date",
                "closed_date",
                "effective",
            ),
        ),
        "audit_findings": rows_to_columns(
            finding_rows,
            ("finding_id", "plant_id", "audit_date", "audit_type", "iso_clause", "finding_severity", "closed_date", "capa_id"),
        ),
    }


def make_risks(rng: np.random.Generator, plan: Plan, dims: Dims) -> Columns:
    """The risk register: ~40 FMEA-scored risks with review dates around end_date."""
    rows = [
        (
            1,
            None,
            f"Supplier {plan_.RAMP_SUPPLIER} castings quality degrading (single source)",
            8,
            7,
            4,
            OWNERS[1],
            plan.end + dt.timedelta(days=14),
        )
    ]
    commodities = sorted(set(dims.tables["suppliers"]["commodity"]))
    for risk_id in range(2, 41):
        plant = int(rng.integers(0, len(PLANTS)))
        line = dims.line_ids[plant * 8 + int(rng.integers(0, 8))]
        title = RISK_TITLES[int(rng.integers(0, len(RISK_TITLES)))].format(
            commodity=commodities[int(rng.integers(0, len(commodities)))].lower(), line=line, plant=PLANTS[plant][1]
        )
        company_wide = title.startswith("Single-source")
        rows.append(
            (
                risk_id,
                None if company_wide else dims.plant_ids[plant],
                title,
                int(rng.integers(2, 11)),
                int(rng.integers(1, 9)),
                int(rng.integers(1, 9)),
                OWNERS[int(rng.integers(0, len(OWNERS)))],
                plan.end + dt.timedelta(days=int(rng.integers(-30, 121))),
            )
        )
    return rows_to_columns(rows, ("risk_id", "plant_id", "title", "severity", "occurrence", "detection", "owner", "review_date"))


def make_process_events(rng: np.random.Generator, plan: Plan, dims: Dims) -> Columns:
    """Documented changes: one per planted story plus a few routine ones."""
    step_line = plan_.STEP_LINE
    rows = [
        (
            plan.back(plan_.STEP_DAYS),
            step_line[:3],
            step_line,
            "supplier-change",
            "New fixture supplier for the bore-machining fixture (FX-22); first fixtures released to production",
        ),
        (
            plan.back(plan_.CAPA_DAYS),
            plan_.CAPA_PLANT,
            None,
            "capa-action",
            "Stencil redesign and reflow profile update on all SMT lines (solder-bridge CAPA), verified effective",
        ),
        (
            plan.back(plan_.SURGE_DAYS) + 10,
            "P03",
            None,
            "capa-action",
            "Seal leaks: 100 % leak test at final inspection and a new seal lot (containment)",
        ),
        (
            plan.back(plan_.SCAR_DAYS[0]),
            "P01",
            None,
            "supplier-change",
            f"Supplier {plan_.RAMP_SUPPLIER}: SCAR issued, incoming castings on 100 % inspection",
        ),
    ]
    for kind, description, process in EVENTS:
        candidates = np.flatnonzero(dims.line_type == PROCESS_TYPES.index(process))
        line = int(candidates[int(rng.integers(0, len(candidates)))])
        rows.append(
            (int(rng.integers(0, plan.n_days)), dims.plant_ids[dims.line_plant[line]], dims.line_ids[line], kind, description)
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows_to_columns(
        [(i, _date(plan, r[0]), *r[1:]) for i, r in enumerate(rows, start=1)],
        ("event_id", "event_date", "plant_id", "line_id", "event_kind", "description"),
    )
