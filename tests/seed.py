"""A tiny hand-made data set whose KPI values are computed by hand in the tests.

March 2026 (all plants): FPY 98.0 %, DPMO 2,000, COPQ 400 EUR = 4 % of 10,000 EUR production cost, 1 complaint on 1,950 units
shipped, NPS 40 (3 promoters, 1 detractor of 5), supplier PPM 2,000, CAPA on time 50 %,
OKR progress 60 %, 1 open major finding. February (the previous period): FPY 95 %,
DPMO 5,000, COPQ 500 EUR = 10 % of 5,000 EUR.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dashboard.sources import schema

D = dt.date
KPI_ROWS = [
    ("first_pass_yield", "First-pass yield", "builtin:first_pass_yield", "pct", "higher", 97.0, 97.0, 95.0, "/defects"),
    ("dpmo", "Defects per million opportunities", "builtin:dpmo", "dpmo", "lower", 2500.0, 2500.0, 5000.0, "/defects"),
    (
        "cost_of_poor_quality",
        "Cost of poor quality",
        "builtin:cost_of_poor_quality",
        "pct",
        "lower",
        5.0,
        5.0,
        8.0,
        "/defects",
    ),
    (
        "complaints_per_million",
        "Complaints per million units",
        "builtin:complaints_per_million",
        "per_million",
        "lower",
        100.0,
        100.0,
        400.0,
        "/voc",
    ),
    ("nps", "Net Promoter Score", "builtin:nps", "score", "higher", 30.0, 30.0, 0.0, "/voc"),
    ("supplier_ppm", "Supplier PPM", "builtin:supplier_ppm", "ppm", "lower", 1500.0, 1500.0, 3000.0, "/suppliers"),
    ("capa_on_time", "CAPA on-time closure", "builtin:capa_on_time", "pct", "higher", 90.0, 90.0, 70.0, "/capa"),
    ("okr_progress", "OKR progress", "builtin:okr_progress", "pct", "higher", 70.0, 70.0, 50.0, "/okr"),
    (
        "open_major_findings",
        "Open major audit findings",
        "sql:SELECT COUNT(*) AS value FROM audit_findings WHERE finding_severity = 'major' AND audit_date < :end_date "
        "AND (closed_date IS NULL OR closed_date >= :end_date) AND (:plant_id IS NULL OR plant_id = :plant_id)",
        "count",
        "lower",
        0.0,
        0.0,
        2.0,
        "/audits",
    ),
]


def seed(url: str, *, kpis: bool = True) -> None:
    """Create the canonical schema at ``url`` and fill it with the hand-made rows."""
    engine = sa.create_engine(url)
    schema.metadata.drop_all(engine)
    schema.metadata.create_all(engine)
    t = schema.metadata.tables
    with engine.begin() as conn:
        conn.execute(
            t["plants"].insert(),
            [
                {"plant_id": "P01", "plant_name": "Alpha", "country": "DE", "region": "EMEA"},
                {"plant_id": "P02", "plant_name": "Beta", "country": "US", "region": "Americas"},
            ],
        )
        conn.execute(
            t["lines"].insert(),
            [
                {"line_id": "P01-L01", "plant_id": "P01", "line_name": "Line 1", "process_type": "assembly"},
                {"line_id": "P02-L01", "plant_id": "P02", "line_name": "Line 1", "process_type": "assembly"},
            ],
        )
        conn.execute(
            t["products"].insert(),
            [
                {
                    "product_id": "X1",
                    "product_name": "Widget",
                    "product_family": "W",
                    "opportunities_per_unit": 10,
                    "unit_cost_eur": 5.0,
                }
            ],
        )
        conn.execute(
            t["defect_codes"].insert(), [{"defect_code": "D01", "defect_description": "Scratch", "category_6m": "Method"}]
        )
        conn.execute(
            t["production_volumes"].insert(),
            [
                {
                    "production_date": D(2026, 3, 10),
                    "plant_id": "P01",
                    "line_id": "P01-L01",
                    "product_id": "X1",
                    "units_inspected": 1000,
                    "units_passed_first_time": 970,
                    "units_shipped": 960,
                },
                {
                    "production_date": D(2026, 3, 10),
                    "plant_id": "P02",
                    "line_id": "P02-L01",
                    "product_id": "X1",
                    "units_inspected": 1000,
                    "units_passed_first_time": 990,
                    "units_shipped": 990,
                },
                {
                    "production_date": D(2026, 2, 10),
                    "plant_id": "P01",
                    "line_id": "P01-L01",
                    "product_id": "X1",
                    "units_inspected": 1000,
                    "units_passed_first_time": 950,
                    "units_shipped": 950,
                },
            ],
        )
        defect = {"line_id": "P01-L01", "product_id": "X1", "defect_code": "D01", "severity": "minor", "detection_stage": "final"}
        conn.execute(
            t["defects"].insert(),
            [
                {**defect, "defect_date": D(2026, 3, 10), "plant_id": "P01", "defect_count": 30, "cost_eur": 300.0},
                {
                    **defect,
                    "defect_date": D(2026, 3, 10),
                    "plant_id": "P02",
                    "line_id": "P02-L01",
                    "defect_count": 10,
                    "cost_eur": 100.0,
                },
                {**defect, "defect_date": D(2026, 2, 10), "plant_id": "P01", "defect_count": 50, "cost_eur": 500.0},
            ],
        )
        survey = {
            "received_date": D(2026, 3, 11),
            "channel": "survey",
            "region": "EMEA",
            "plant_id": "P01",
            "product_id": "X1",
            "csat_score": 4,
            "is_complaint": False,
            "defect_code": None,
            "comment_text": "ok",
        }
        conn.execute(
            t["customer_feedback"].insert(),
            [
                *({**survey, "nps_score": score} for score in (10, 10, 9, 8, 3)),
                {
                    **survey,
                    "channel": "email",
                    "nps_score": None,
                    "is_complaint": True,
                    "defect_code": "D01",
                    "comment_text": "<script>alert(1)</script> scratched",
                },
            ],
        )
        conn.execute(
            t["suppliers"].insert(), [{"supplier_id": "S001", "supplier_name": "Acme", "commodity": "steel", "country": "DE"}]
        )
        conn.execute(
            t["supplier_lots"].insert(),
            [
                {
                    "supplier_id": "S001",
                    "plant_id": "P01",
                    "part_number": "PN1",
                    "received_date": D(2026, 3, 5),
                    "due_date": D(2026, 3, 5),
                    "units_received": 10_000,
                    "units_rejected": 20,
                    "lot_rejected": False,
                    "chargeback_eur": 0.0,
                }
            ],
        )
        capa = {"plant_id": "P01", "capa_source": "internal", "title": "Fix", "owner": "Q", "opened_date": D(2026, 2, 1)}
        conn.execute(
            t["capas"].insert(),
            [
                {**capa, "due_date": D(2026, 3, 20), "closed_date": D(2026, 3, 15)},
                {**capa, "due_date": D(2026, 3, 20), "closed_date": D(2026, 3, 25)},
            ],
        )
        conn.execute(
            t["audit_findings"].insert(),
            [
                {
                    "plant_id": "P01",
                    "audit_date": D(2026, 3, 1),
                    "audit_type": "internal",
                    "iso_clause": "8.5.1",
                    "finding_severity": "major",
                    "closed_date": None,
                },
            ],
        )
        conn.execute(
            t["okr_objectives"].insert(),
            [
                {
                    "objective_id": "O1",
                    "parent_id": None,
                    "level": "company",
                    "team": "Quality",
                    "title": "Better",
                    "owner": "Q",
                    "quarter": "2026-Q1",
                }
            ],
        )
        conn.execute(
            t["okr_key_results"].insert(),
            [
                {
                    "key_result_id": "K1",
                    "objective_id": "O1",
                    "title": "Up",
                    "kr_kind": "increase",
                    "start_value": 0.0,
                    "target_value": 100.0,
                    "weight": 1.0,
                    "owner": "Q",
                    "start_date": D(2026, 1, 1),
                    "due_date": D(2026, 3, 31),
                }
            ],
        )
        conn.execute(
            t["okr_checkins"].insert(),
            [
                {"key_result_id": "K1", "checkin_date": D(2026, 2, 15), "value": 20.0, "confidence": 7, "author": "Q"},
                {"key_result_id": "K1", "checkin_date": D(2026, 3, 20), "value": 60.0, "confidence": 7, "author": "Q"},
            ],
        )
        conn.execute(
            t["spc_characteristics"].insert(),
            [
                {
                    "characteristic_id": "P01-L01-C1",
                    "line_id": "P01-L01",
                    "product_id": "X1",
                    "characteristic_name": "Bore",
                    "unit": "mm",
                    "lsl": 11.97,
                    "usl": 12.03,
                    "target": 12.0,
                    "subgroup_size": 5,
                }
            ],
        )
        # 30 subgroups of 5 in March, one a day; values repeat a fixed pattern around 12.000 mm.
        pattern = (0.004, -0.003, 0.001, -0.002, 0.0)
        conn.execute(
            t["spc_measurements"].insert(),
            [
                {
                    "characteristic_id": "P01-L01-C1",
                    "subgroup_id": day,
                    "value": 12.0 + pattern[(day + i) % 5] * (1 + day % 3),
                    "measured_at": dt.datetime(2026, 3, day, 8, i),
                }
                for day in range(1, 31)
                for i in range(5)
            ],
        )
        conn.execute(
            t["process_events"].insert(),
            [
                {
                    "event_date": D(2026, 3, 16),
                    "plant_id": "P01",
                    "line_id": "P01-L01",
                    "event_kind": "process-change",
                    "description": "New fixture",
                }
            ],
        )
        if kpis:
            conn.execute(
                t["kpi_definitions"].insert(),
                [
                    {
                        "kpi_id": k,
                        "kpi_name": n,
                        "formula": f,
                        "unit": u,
                        "direction": d,
                        "target": tg,
                        "amber_threshold": a,
                        "red_threshold": r,
                        "owner": "Quality",
                        "cadence": "monthly",
                        "definition": f"{n}, defined for tests.",
                        "view_path": v,
                        "display_order": i,
                    }
                    for i, (k, n, f, u, d, tg, a, r, v) in enumerate(KPI_ROWS)
                ],
            )
    engine.dispose()
