"""The canonical schema: one SQLAlchemy ``MetaData`` for the whole product.

Every view reads these tables (or a user's tables mapped onto them, see ``mapping``).
Table comments state the grain; column comments state meaning and unit. ``docs/data-dictionary.md``
is generated from this module (``python -m dashboard data-dictionary``) and a test keeps it current.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from dashboard.drill import SEVERITIES as SEVERITIES  # re-exported: the demo and its tests use it
from dashboard.drill import SIX_M

metadata = MetaData()


plants = Table(
    "plants",
    metadata,
    Column("plant_id", String(16), primary_key=True, comment="Plant code, e.g. P01"),
    Column("plant_name", String(100), nullable=False, comment="Display name"),
    Column("country", String(2), nullable=False, comment="ISO 3166-1 alpha-2 country code"),
    Column("region", String(32), nullable=False, comment="Sales region (EMEA, Americas, APAC)"),
    comment="One row per manufacturing plant.",
)

lines = Table(
    "lines",
    metadata,
    Column("line_id", String(16), primary_key=True, comment="Line code, e.g. P01-L03"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=False, comment="Plant the line belongs to"),
    Column("line_name", String(100), nullable=False, comment="Display name"),
    Column("process_type", String(32), nullable=False, comment="Assembly, machining, moulding, ..."),
    comment="One row per production line.",
)

products = Table(
    "products",
    metadata,
    Column("product_id", String(16), primary_key=True, comment="Product (part) number"),
    Column("product_name", String(100), nullable=False, comment="Display name"),
    Column("product_family", String(50), nullable=False, comment="Product family"),
    Column("opportunities_per_unit", Integer, nullable=False, comment="Defect opportunities per unit (for DPMO)"),
    Column("unit_cost_eur", Float, nullable=False, comment="Standard cost of one unit, EUR"),
    comment="One row per product.",
)

defect_codes = Table(
    "defect_codes",
    metadata,
    Column("defect_code", String(16), primary_key=True, comment="Defect code, e.g. D07"),
    Column("defect_description", String(200), nullable=False, comment="What the defect is"),
    Column("category_6m", String(16), nullable=False, comment="Ishikawa 6M category: " + ", ".join(SIX_M)),
    CheckConstraint(f"category_6m IN ({', '.join(repr(m) for m in SIX_M)})", name="ck_defect_codes_6m"),
    comment="One row per defect code.",
)

defects = Table(
    "defects",
    metadata,
    Column("defect_id", Integer, primary_key=True, comment="Nonconformance record id"),
    Column("defect_date", Date, nullable=False, comment="Date the defect was detected"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=False, comment="Plant"),
    Column("line_id", ForeignKey("lines.line_id"), nullable=False, comment="Line"),
    Column("product_id", ForeignKey("products.product_id"), nullable=False, comment="Product"),
    Column("defect_code", ForeignKey("defect_codes.defect_code"), nullable=False, comment="Defect code"),
    Column("severity", String(16), nullable=False, comment="minor, major or critical"),
    Column("defect_count", Integer, nullable=False, comment="Number of defects recorded (>= 1)"),
    Column("cost_eur", Float, nullable=False, comment="Cost of poor quality of this record (scrap, rework), EUR"),
    Column("detection_stage", String(16), nullable=False, comment="in-process, final or customer"),
    Index("ix_defects_date_plant", "defect_date", "plant_id"),
    Index("ix_defects_line_date", "line_id", "defect_date"),
    comment="One row per nonconformance record (a defect code found on a line on a day).",
)

production_volumes = Table(
    "production_volumes",
    metadata,
    Column("production_id", Integer, primary_key=True, comment="Row id"),
    Column("production_date", Date, nullable=False, comment="Production day"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=False, comment="Plant"),
    Column("line_id", ForeignKey("lines.line_id"), nullable=False, comment="Line"),
    Column("product_id", ForeignKey("products.product_id"), nullable=False, comment="Product"),
    Column("units_inspected", Integer, nullable=False, comment="Units inspected, units"),
    Column("units_passed_first_time", Integer, nullable=False, comment="Units passing without rework, units"),
    Column("units_shipped", Integer, nullable=False, comment="Units shipped to customers, units"),
    UniqueConstraint("production_date", "line_id", "product_id", name="uq_production_day_line_product"),
    Index("ix_production_date_plant", "production_date", "plant_id"),
    # One line over a window (a CAPA's effect, a line's trend), as ix_defects_line_date for defects.
    Index("ix_production_line_date", "line_id", "production_date"),
    comment="One row per line, product and production day.",
)

process_events = Table(
    "process_events",
    metadata,
    Column("event_id", Integer, primary_key=True, comment="Event id"),
    Column("event_date", Date, nullable=False, comment="Date of the change"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=False, comment="Plant"),
    Column("line_id", ForeignKey("lines.line_id"), nullable=True, comment="Line, if the event is line-specific"),
    Column("event_kind", String(32), nullable=False, comment="process-change, capa-action, supplier-change"),
    Column("description", String(300), nullable=False, comment="What changed"),
    comment="One row per documented process change, CAPA action or supplier change.",
)

spc_characteristics = Table(
    "spc_characteristics",
    metadata,
    Column("characteristic_id", String(24), primary_key=True, comment="Characteristic code"),
    Column("line_id", ForeignKey("lines.line_id"), nullable=False, comment="Line where it is measured"),
    Column("product_id", ForeignKey("products.product_id"), nullable=True, comment="Product, if product-specific"),
    Column("characteristic_name", String(100), nullable=False, comment="What is measured"),
    Column("unit", String(16), nullable=False, comment="Measurement unit, e.g. mm"),
    Column("lsl", Float, nullable=True, comment="Lower specification limit (from the drawing), in unit"),
    Column("usl", Float, nullable=True, comment="Upper specification limit (from the drawing), in unit"),
    Column("target", Float, nullable=True, comment="Nominal value, in unit"),
    Column("subgroup_size", Integer, nullable=False, comment="Measurements per subgroup (1 = individuals)"),
    comment="One row per measured characteristic; spec limits are data, never derived from measurements.",
)

spc_measurements = Table(
    "spc_measurements",
    metadata,
    Column("measurement_id", Integer, primary_key=True, comment="Row id"),
    Column("characteristic_id", ForeignKey("spc_characteristics.characteristic_id"), nullable=False, comment="Characteristic"),
    Column("measured_at", DateTime, nullable=False, comment="Time of measurement (UTC)"),
    Column("subgroup_id", Integer, nullable=False, comment="Subgroup sequence number within the characteristic"),
    Column("value", Float, nullable=False, comment="Measured value, in the characteristic's unit"),
    Index("ix_spc_char_subgroup", "characteristic_id", "subgroup_id"),
    comment="One row per individual measurement.",
)

suppliers = Table(
    "suppliers",
    metadata,
    Column("supplier_id", String(16), primary_key=True, comment="Supplier code, e.g. S014"),
    Column("supplier_name", String(100), nullable=False, comment="Display name"),
    Column("commodity", String(50), nullable=False, comment="Commodity group"),
    Column("country", String(2), nullable=False, comment="ISO 3166-1 alpha-2 country code"),
    comment="One row per supplier.",
)

supplier_lots = Table(
    "supplier_lots",
    metadata,
    Column("lot_id", Integer, primary_key=True, comment="Incoming lot id"),
    Column("supplier_id", ForeignKey("suppliers.supplier_id"), nullable=False, comment="Supplier"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=False, comment="Receiving plant"),
    Column("part_number", String(32), nullable=False, comment="Purchased part number"),
    Column("received_date", Date, nullable=False, comment="Date received"),
    Column("due_date", Date, nullable=False, comment="Promised delivery date"),
    Column("units_received", Integer, nullable=False, comment="Units received, units"),
    Column("units_rejected", Integer, nullable=False, comment="Units rejected at incoming inspection, units"),
    Column("lot_rejected", Boolean, nullable=False, comment="Whole lot rejected"),
    Column("chargeback_eur", Float, nullable=False, comment="Cost of poor quality charged back, EUR"),
    Index("ix_lots_date_supplier", "received_date", "supplier_id"),
    comment="One row per incoming lot.",
)

scars = Table(
    "scars",
    metadata,
    Column("scar_id", Integer, primary_key=True, comment="Supplier corrective action request id"),
    Column("supplier_id", ForeignKey("suppliers.supplier_id"), nullable=False, comment="Supplier"),
    Column("lot_id", ForeignKey("supplier_lots.lot_id"), nullable=True, comment="Lot that triggered it"),
    Column("defect_code", ForeignKey("defect_codes.defect_code"), nullable=True, comment="Defect code"),
    Column("opened_date", Date, nullable=False, comment="Date opened"),
    Column("due_date", Date, nullable=False, comment="Date a response is due"),
    Column("closed_date", Date, nullable=True, comment="Date closed (empty while open)"),
    Column("scar_status", String(16), nullable=False, comment="open or closed"),
    Column("description", String(300), nullable=False, comment="Problem statement"),
    comment="One row per SCAR.",
)

supplier_audits = Table(
    "supplier_audits",
    metadata,
    Column("audit_id", Integer, primary_key=True, comment="Audit id"),
    Column("supplier_id", ForeignKey("suppliers.supplier_id"), nullable=False, comment="Supplier"),
    Column("audit_date", Date, nullable=False, comment="Date of the audit"),
    Column("score_pct", Float, nullable=False, comment="Audit score, 0-100 %"),
    Column("finding_count", Integer, nullable=False, comment="Findings raised"),
    comment="One row per supplier audit.",
)

customer_feedback = Table(
    "customer_feedback",
    metadata,
    Column("feedback_id", Integer, primary_key=True, comment="Feedback id"),
    Column("received_date", Date, nullable=False, comment="Date received"),
    Column("channel", String(16), nullable=False, comment="survey, email, phone, web or social"),
    Column("region", String(32), nullable=False, comment="Customer region"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=True, comment="Plant that made the product"),
    Column("product_id", ForeignKey("products.product_id"), nullable=True, comment="Product, if known"),
    Column("nps_score", Integer, nullable=True, comment="Likelihood to recommend, 0-10 (surveys only)"),
    Column("csat_score", Integer, nullable=True, comment="Satisfaction, 1-5"),
    Column("is_complaint", Boolean, nullable=False, comment="Feedback is a complaint"),
    Column(
        "defect_code", ForeignKey("defect_codes.defect_code"), nullable=True, comment="Defect code the complaint was mapped to"
    ),
    Column("comment_text", Text, nullable=True, comment="Free text as written by the customer (untrusted)"),
    Index("ix_feedback_date", "received_date"),
    comment="One row per piece of customer feedback (survey answer, complaint, review).",
)

okr_objectives = Table(
    "okr_objectives",
    metadata,
    Column("objective_id", String(24), primary_key=True, comment="Objective id"),
    Column("parent_id", ForeignKey("okr_objectives.objective_id"), nullable=True, comment="Parent objective"),
    Column("level", String(16), nullable=False, comment="company, department or team"),
    Column("team", String(50), nullable=False, comment="Owning team"),
    Column("title", String(200), nullable=False, comment="Objective"),
    Column("owner", String(100), nullable=False, comment="Owner"),
    Column("quarter", String(7), nullable=False, comment="Quarter, e.g. 2026-Q4"),
    comment="One row per objective.",
)

okr_key_results = Table(
    "okr_key_results",
    metadata,
    Column("key_result_id", String(24), primary_key=True, comment="Key result id"),
    Column("objective_id", ForeignKey("okr_objectives.objective_id"), nullable=False, comment="Objective"),
    Column("title", String(200), nullable=False, comment="Key result"),
    Column("kr_kind", String(16), nullable=False, comment="increase, decrease, band or milestone"),
    Column("start_value", Float, nullable=True, comment="Value at the start of the quarter"),
    Column("target_value", Float, nullable=True, comment="Target value"),
    Column("band_low", Float, nullable=True, comment="Lower edge of the band (kind band)"),
    Column("band_high", Float, nullable=True, comment="Upper edge of the band (kind band)"),
    Column("unit", String(16), nullable=True, comment="Unit of the values"),
    Column("weight", Float, nullable=False, comment="Weight in the objective's roll-up"),
    Column("owner", String(100), nullable=False, comment="Owner"),
    Column("start_date", Date, nullable=False, comment="First day of the key result"),
    Column("due_date", Date, nullable=False, comment="Due date"),
    Column("kpi_id", ForeignKey("kpi_definitions.kpi_id"), nullable=True, comment="KPI the value comes from, if linked"),
    comment="One row per key result.",
)

okr_checkins = Table(
    "okr_checkins",
    metadata,
    Column("checkin_id", Integer, primary_key=True, comment="Check-in id"),
    Column("key_result_id", ForeignKey("okr_key_results.key_result_id"), nullable=False, comment="Key result"),
    Column("checkin_date", Date, nullable=False, comment="Date the value refers to"),
    Column("value", Float, nullable=False, comment="Value at that date, in the key result's unit"),
    Column("confidence", Integer, nullable=True, comment="Owner confidence 0-10"),
    Column("comment", String(1000), nullable=True, comment="Owner comment (untrusted text)"),
    Column("author", String(100), nullable=False, comment="Who checked in"),
    comment="One row per check-in.",
)

capas = Table(
    "capas",
    metadata,
    Column("capa_id", Integer, primary_key=True, comment="CAPA id"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=False, comment="Plant"),
    Column("line_id", ForeignKey("lines.line_id"), nullable=True, comment="Line, if specific"),
    Column("defect_code", ForeignKey("defect_codes.defect_code"), nullable=True, comment="Defect code addressed"),
    Column("capa_source", String(16), nullable=False, comment="internal, audit, complaint or supplier"),
    Column("title", String(200), nullable=False, comment="Problem statement"),
    Column("owner", String(100), nullable=False, comment="Owner"),
    Column("opened_date", Date, nullable=False, comment="Date opened"),
    Column("due_date", Date, nullable=False, comment="Date closure is due"),
    Column("closed_date", Date, nullable=True, comment="Date closed (empty while open)"),
    Column("effective", Boolean, nullable=True, comment="Effectiveness verified (empty until checked)"),
    comment="One row per corrective / preventive action.",
)

audit_findings = Table(
    "audit_findings",
    metadata,
    Column("finding_id", Integer, primary_key=True, comment="Finding id"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=False, comment="Plant"),
    Column("audit_date", Date, nullable=False, comment="Date of the audit"),
    Column("audit_type", String(16), nullable=False, comment="internal, customer or certification"),
    Column("iso_clause", String(16), nullable=False, comment="ISO 9001 clause, e.g. 8.5.1"),
    Column("finding_severity", String(16), nullable=False, comment="observation, minor or major"),
    Column("closed_date", Date, nullable=True, comment="Date closed (empty while open)"),
    Column("capa_id", ForeignKey("capas.capa_id"), nullable=True, comment="CAPA raised for it"),
    comment="One row per audit finding.",
)

risks = Table(
    "risks",
    metadata,
    Column("risk_id", Integer, primary_key=True, comment="Risk id"),
    Column("plant_id", ForeignKey("plants.plant_id"), nullable=True, comment="Plant, if specific"),
    Column("title", String(200), nullable=False, comment="Risk"),
    Column("severity", Integer, nullable=False, comment="FMEA severity 1-10"),
    Column("occurrence", Integer, nullable=False, comment="FMEA occurrence 1-10"),
    Column("detection", Integer, nullable=False, comment="FMEA detection 1-10"),
    Column("owner", String(100), nullable=False, comment="Owner"),
    Column("review_date", Date, nullable=False, comment="Next review date"),
    comment="One row per risk in the risk register (RPN = severity x occurrence x detection).",
)

kpi_definitions = Table(
    "kpi_definitions",
    metadata,
    Column("kpi_id", String(32), primary_key=True, comment="KPI id, e.g. first_pass_yield"),
    Column("kpi_name", String(100), nullable=False, comment="Tile title"),
    Column("formula", Text, nullable=False, comment="builtin:<metric> or sql:<SELECT returning one value>"),
    Column("unit", String(16), nullable=False, comment="pct, ppm, dpmo, per_million, eur, count, ratio, score or sigma"),
    Column("direction", String(8), nullable=False, comment="higher or lower (which is better)"),
    Column("target", Float, nullable=True, comment="Target value, in unit"),
    Column("amber_threshold", Float, nullable=True, comment="Worse than this: amber (watch)"),
    Column("red_threshold", Float, nullable=True, comment="Worse than this: red (act)"),
    Column("owner", String(100), nullable=False, comment="Accountable owner"),
    Column("cadence", String(16), nullable=False, comment="daily, weekly, monthly or quarterly review"),
    Column("definition", Text, nullable=False, comment="Plain-language definition shown in the info panel"),
    Column("view_path", String(64), nullable=False, comment="Drill-down page, e.g. /defects"),
    Column("display_order", Integer, nullable=False, comment="Tile order on the overview"),
    CheckConstraint("direction IN ('higher', 'lower')", name="ck_kpi_direction"),
    comment="One row per KPI shown on the overview; KPIs are data, not code.",
)

DATASETS: tuple[str, ...] = tuple(metadata.tables)

# Fact tables that other systems keep filling, with the column that dates each record: how fresh
# a source's data is (its newest record) is read from these. The expected cadence of each feed is
# "daily" unless the sources file declares another (``cadence = "weekly"`` under its dataset).
FEED_DATE_COLUMNS = {
    "defects": "defect_date",
    "production_volumes": "production_date",
    "spc_measurements": "measured_at",
    "supplier_lots": "received_date",
    "customer_feedback": "received_date",
}
FEED_CADENCES = ("hourly", "daily", "weekly", "monthly", "quarterly")
DEFAULT_FEED_CADENCE = "daily"
