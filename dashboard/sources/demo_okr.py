"""OKRs for the last four quarters: a company -> department -> team tree, key results and weekly check-ins.

The tables are tiny (hundreds of rows), so they are built row by row for readability.
Story 3 is the current quarter's key result ``<quarter>-T02-K1``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.sources.demo_plan import Columns, Plan, last_quarters, quarter_bounds, quarter_label, rows_to_columns

OWNERS = (
    "Anna Schmidt",
    "Carlos Ramírez",
    "Li Wei",
    "Petra Novák",
    "James Carter",
    "Priya Nair",
    "Tomás Herrera",
    "Mei Chen",
    "Jana Dvořáková",
    "Michael O'Brien",
    "Sofia Rossi",
    "Kenji Sato",
    "Aisha Khan",
    "Lukas Weber",
)
# id, parent, level, team, title
OBJECTIVES = (
    ("C1", None, "company", "Leadership", "Delight customers with defect-free deliveries"),
    ("C2", None, "company", "Leadership", "Build a capable, lean supply base"),
    ("D1", "C1", "department", "Quality", "Cut internal defects and their cost"),
    ("D2", "C1", "department", "Manufacturing", "Run stable, capable processes"),
    ("D3", "C2", "department", "Supply Chain", "Make incoming quality predictable"),
    ("D4", "C1", "department", "Customer Service", "Resolve complaints fast and learn from them"),
    ("T01", "D1", "team", "Quality Stuttgart", "Make SMT soldering robust"),
    ("T02", "D2", "team", "Machining Greenville", "Get Greenville machining back to capability"),
    ("T03", "D2", "team", "Moulding Brno", "Stabilise injection moulding"),
    ("T04", "D1", "team", "SMT Suzhou", "World-class SMT yield in Suzhou"),
    ("T05", "D2", "team", "Assembly Monterrey", "Error-proof assembly in Monterrey"),
    ("T06", "D3", "team", "Supplier Quality", "Faster, firmer supplier corrective actions"),
    ("T07", "D3", "team", "Purchasing", "Reduce single-source risk"),
    ("T08", "D4", "team", "Complaint Handling", "Close the loop on every complaint"),
)
# objective, kind, title, start, target, band low, band high, unit, kpi_id, weight
KEY_RESULTS = (
    ("C1", "increase", "Raise first-pass yield from 97.2 % to 97.8 %", 97.2, 97.8, None, None, "%", "first_pass_yield", 2.0),
    (
        "C1",
        "decrease",
        "Cut complaints from 90 to 60 per million units shipped",
        90,
        60,
        None,
        None,
        "per_million",
        "complaints_per_million",
        1.0,
    ),
    ("C1", "increase", "Lift NPS from 25 to 35", 25, 35, None, None, "score", "nps", 1.0),
    ("C2", "decrease", "Bring supplier PPM from 1,600 below 1,200", 1600, 1200, None, None, "ppm", "supplier_ppm", 2.0),
    ("C2", "milestone", "Dual-source the five riskiest single-source parts", None, None, None, None, None, None, 1.0),
    ("D1", "decrease", "Reduce DPMO from 1,300 to 1,000", 1300, 1000, None, None, "dpmo", "dpmo", 1.0),
    ("D1", "increase", "Close 90 % of CAPAs on time", 75, 90, None, None, "%", "capa_on_time", 1.0),
    ("D1", "decrease", "Close all open major audit findings", 3, 0, None, None, "count", "open_major_findings", 1.0),
    ("D2", "band", "Keep OEE between 75 % and 85 % on every line", None, None, 75, 85, "%", None, 1.0),
    ("D2", "increase", "Critical characteristics with Cpk >= 1.33: from 70 % to 90 %", 70, 90, None, None, "%", None, 1.0),
    ("D2", "milestone", "Roll out standard work on all assembly lines", None, None, None, None, None, None, 1.0),
    ("D3", "decrease", "Cut late deliveries from 12 % to 6 %", 12, 6, None, None, "%", None, 1.0),
    ("D3", "increase", "Audit 15 suppliers on site", 0, 15, None, None, "count", None, 1.0),
    ("D4", "decrease", "Median complaint response time from 4 to 2 days", 4, 2, None, None, "days", None, 1.0),
    ("D4", "increase", "8D report within 30 days for 95 % of complaints", 70, 95, None, None, "%", None, 1.0),
    ("T01", "decrease", "Cut the solder-bridge rate from 900 to 450 ppm", 900, 450, None, None, "ppm", None, 1.0),
    ("T01", "milestone", "Qualify the new AOI inspection program", None, None, None, None, None, None, 1.0),
    ("T02", "decrease", "Cut the scrap rate on Greenville machining from 3.2 % to 1.8 %", 3.2, 1.8, None, None, "%", None, 2.0),
    ("T02", "increase", "Train 20 operators on SPC", 0, 20, None, None, "count", None, 1.0),
    ("T03", "decrease", "Reduce short shots by 30 % (index, last quarter = 100)", 100, 70, None, None, "index", None, 1.0),
    ("T03", "band", "Keep mould temperature between 60 and 70 °C", None, None, 60, 70, "°C", None, 1.0),
    ("T04", "increase", "Raise SMT first-pass yield from 97.5 % to 98.5 %", 97.5, 98.5, None, None, "%", None, 1.0),
    ("T04", "milestone", "Install nitrogen reflow on line 3", None, None, None, None, None, None, 1.0),
    ("T05", "decrease", "Halve missing-fastener defects (index, last quarter = 100)", 100, 50, None, None, "index", None, 1.0),
    ("T05", "increase", "Raise the 5S audit score from 60 to 80", 60, 80, None, None, "score", None, 1.0),
    ("T06", "increase", "Close 90 % of SCARs within 30 days", 60, 90, None, None, "%", None, 1.0),
    ("T06", "increase", "Complete 10 supplier process audits", 0, 10, None, None, "count", None, 1.0),
    ("T07", "milestone", "Sign quality agreements with all castings suppliers", None, None, None, None, None, None, 1.0),
    ("T07", "decrease", "Cut single-source parts from 40 to 25", 40, 25, None, None, "count", None, 1.0),
    ("T08", "decrease", "Reduce the complaint backlog from 80 to 20", 80, 20, None, None, "count", None, 1.0),
    ("T08", "increase", "Map 95 % of complaints to a defect code", 80, 95, None, None, "%", None, 1.0),
)
STORY_KR = ("T02", 0)  # story 3: the scrap-rate key result of the current quarter
ON_TRACK_COMMENTS = (
    "On track.",
    "Good progress this week.",
    "Ahead of plan thanks to the new fixture.",
    "MES data confirms the trend.",
    "Update: 50% → 60% ✔",
    "<i>fine</i>, see the shared deck",
)
AT_RISK_COMMENTS = (
    "Slower than planned, waiting for parts.",
    "Blocked by a supplier delay.",
    "Needs support from maintenance.",
    "Re-planning with the team next week.",
)
STORY_COMMENTS = (
    "On track, the new fixture is settling in.",
    "Small delay, still confident we get there.",
    "Scrap is stable, expecting the drop next month.",
    "Confident - the team is on it.",
)


def _checkin_days(first: dt.date, last: dt.date, end: dt.date, rng: np.random.Generator) -> list[dt.date]:
    days = []
    for week in range(1, 14):
        day = first + dt.timedelta(days=7 * week - 1 + int(rng.integers(-1, 2)))
        if day <= min(last, end):
            days.append(day)
    return days


def _value(kind: str, template: tuple, progress: float, rng: np.random.Generator, done_at: float, elapsed: float) -> float:
    start, target, low, high = template[3:7]
    if kind == "milestone":
        return 1.0 if elapsed >= done_at else 0.0
    if kind == "band":
        middle, half = (low + high) / 2, (high - low) / 2
        return round(middle + half * (0.6 if progress >= 0.5 else 1.3) * float(rng.choice([-1, 1])) * rng.random(), 1)
    value = start + progress * (target - start)
    return float(round(value)) if template[7] == "count" else round(value, 2)


def make_okrs(rng: np.random.Generator, plan: Plan) -> dict[str, Columns]:
    """okr_objectives, okr_key_results and okr_checkins for the last four quarters."""
    objectives, key_results, checkins = [], [], []
    quarters = last_quarters(plan.end)
    for year, quarter in quarters:
        label = quarter_label(year, quarter)
        first, last = quarter_bounds(year, quarter)
        current = (year, quarter) == quarters[-1]
        owner_of = dict(zip((o[0] for o in OBJECTIVES), rng.permutation(len(OWNERS)), strict=True))
        for code, parent, level, team, title in OBJECTIVES:
            objectives.append(
                (f"{label}-{code}", f"{label}-{parent}" if parent else None, level, team, title, OWNERS[owner_of[code]], label)
            )
        numbers: dict[str, int] = {}
        for template in KEY_RESULTS:
            objective, kind = template[0], template[1]
            numbers[objective] = numbers.get(objective, 0) + 1
            kr_id = f"{label}-{objective}-K{numbers[objective]}"
            owner = OWNERS[owner_of[objective]] if rng.random() < 0.6 else OWNERS[int(rng.integers(0, len(OWNERS)))]
            key_results.append(
                (kr_id, f"{label}-{objective}", template[2], kind, *template[3:8], template[9], owner, first, last, template[8])
            )
            story = current and (objective, numbers[objective] - 1) == STORY_KR
            achieved = float(np.clip(rng.normal(1.05, 0.12), 0.1, 1.3))
            bend, done_at = rng.uniform(0.8, 1.1), rng.uniform(0.4, 1.0) if achieved >= 0.7 else 2.0
            for day in _checkin_days(first, last, plan.end, rng):
                elapsed = ((day - first).days + 1) / ((last - first).days + 1)
                if story:  # flattens after three weeks at ~25 % while the owner stays confident
                    progress = min(elapsed / 0.23, 1.0) * 0.25 + rng.normal(0, 0.02)
                    confidence, comment = int(rng.integers(8, 10)), STORY_COMMENTS[int(rng.integers(0, len(STORY_COMMENTS)))]
                else:
                    progress = achieved * elapsed**bend + rng.normal(0, 0.03)
                    on_track = progress / max(elapsed, 0.1)
                    confidence = int(np.clip(round(3 + 5 * on_track + rng.normal(0, 1)), 1, 10))
                    pool = ON_TRACK_COMMENTS if on_track >= 0.8 else AT_RISK_COMMENTS
                    comment = pool[int(rng.integers(0, len(pool)))] if rng.random() < 0.6 else None
                value = _value(kind, template, progress, rng, done_at, elapsed)
                author = owner if rng.random() < 0.8 else OWNERS[int(rng.integers(0, len(OWNERS)))]
                checkins.append((kr_id, day, value, confidence, comment, author))
    checkin_columns = ("key_result_id", "checkin_date", "value", "confidence", "comment", "author")
    return {
        "okr_objectives": rows_to_columns(
            objectives, ("objective_id", "parent_id", "level", "team", "title", "owner", "quarter")
        ),
        "okr_key_results": rows_to_columns(
            key_results,
            (
                "key_result_id",
                "objective_id",
                "title",
                "kr_kind",
                "start_value",
                "target_value",
                "band_low",
                "band_high",
                "unit",
                "weight",
                "owner",
                "start_date",
                "due_date",
                "kpi_id",
            ),
        ),
        "okr_checkins": {"checkin_id": np.arange(1, len(checkins) + 1), **rows_to_columns(checkins, checkin_columns)},
    }
