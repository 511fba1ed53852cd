"""Overview query builders: input -> SQL -> bound parameters (table-driven, no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.datasets.registry import DATASETS
from dashboard.drill import EffectScope
from dashboard.filters import Filters
from dashboard.queries import overview
from dashboard.sources import schema

TABLES = schema.metadata.tables
MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))
MARCH_P01 = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31), "P01")


def sql(statement, dialect=None) -> tuple[str, dict]:
    compiled = statement.compile(dialect=dialect or sqlite.dialect())
    return " ".join(str(compiled).split()), compiled.params


CASES = [
    (
        overview.select_defect_summary(TABLES, MARCH_P01, "week"),
        "SELECT CASE WHEN (defects.defect_date >= ?) THEN ? ELSE ? END AS period, "
        "date(defects.defect_date, 'weekday 0', '-6 days') AS bucket_date, sum(defects.defect_count) AS defect_count, "
        "sum(defects.cost_eur) AS cost_eur FROM defects WHERE defects.defect_date >= ? AND defects.defect_date < ? "
        "AND defects.plant_id = ? GROUP BY CASE WHEN (defects.defect_date >= ?) THEN ? ELSE ? END, "
        "date(defects.defect_date, 'weekday 0', '-6 days') ORDER BY period, bucket_date",
        {
            "defect_date_1": dt.date(2026, 3, 1),
            "param_1": "current",
            "param_2": "previous",
            "defect_date_2": dt.date(2026, 1, 29),
            "defect_date_3": dt.date(2026, 4, 1),
            "plant_id_1": "P01",
        },
    ),
    (
        overview.select_supplier_summary(TABLES, MARCH, "month"),
        "SELECT CASE WHEN (supplier_lots.received_date >= ?) THEN ? ELSE ? END AS period, "
        "date(supplier_lots.received_date, 'start of month') AS bucket_date, "
        "sum(supplier_lots.units_received) AS units_received, "
        "sum(supplier_lots.units_rejected) AS units_rejected FROM supplier_lots WHERE supplier_lots.received_date >= ? "
        "AND supplier_lots.received_date < ? GROUP BY CASE WHEN (supplier_lots.received_date >= ?) THEN ? ELSE ? END, "
        "date(supplier_lots.received_date, 'start of month') ORDER BY period, bucket_date",
        {
            "received_date_1": dt.date(2026, 3, 1),
            "param_1": "current",
            "param_2": "previous",
            "received_date_2": dt.date(2026, 1, 29),
            "received_date_3": dt.date(2026, 4, 1),
        },
    ),
    (
        overview.kpi_sql_statement(
            "SELECT COUNT(*) FROM audit_findings WHERE audit_date < :end_date AND (:plant_id IS NULL OR plant_id = :plant_id)",
            MARCH.start_date,
            MARCH.end_exclusive,
            None,
        ),
        "SELECT COUNT(*) FROM audit_findings WHERE audit_date < ? AND (? IS NULL OR plant_id = ?)",
        {"end_date": dt.date(2026, 4, 1), "plant_id": None},
    ),
    (
        overview.select_plants(TABLES),
        "SELECT plants.plant_id, plants.plant_name FROM plants ORDER BY plants.plant_id",
        {},
    ),
]


@pytest.mark.parametrize(("statement", "expected_sql", "expected_params"), CASES)
def test_builder_produces_sql_and_params(statement, expected_sql: str, expected_params: dict) -> None:
    assert sql(statement) == (expected_sql, expected_params)


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_user_values_are_always_bound_never_in_the_sql_text(name: str, dialect) -> None:
    hostile = "P01'; DROP TABLE defects; --"
    filters = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31), hostile)
    params = {"grain": "week"}
    if name == "kpi_sql":
        params = {"formula": "sql:SELECT 1 WHERE :plant_id IS NOT NULL"}
    if name == "spc_measurements":
        params = {"characteristic_id": hostile}
    if name in ("supplier_parts", "supplier_scars", "supplier_audits"):
        params = {"supplier_id": "S001"}  # required: no supplier makes sense as a default
    if name == "feed_latest":
        params = {"feed": "defects"}  # the newest record of a whole feed: no filter applies
    if name.startswith("okr_"):
        params = {"quarter": "2026-Q1"}  # OKRs are chosen by quarter, not by the period or plant
    if name in ("capa_one", "capa_findings"):
        params = {"capa_id": 987654}  # one CAPA, whatever the period or plant
    if name.startswith("capa_effect_"):  # one CAPA's plant, line, code and windows, not the page's filter
        day = dt.date(2026, 3, 9)
        params = {"scope": EffectScope(hostile, hostile, hostile, day, day, day, day)}
    if name == "capa_effects":  # the period's CAPAs, their windows from their own dates up to today
        params = {"today": dt.date(2026, 3, 9), "owner": hostile}
    text, bound = sql(DATASETS[name](TABLES, filters, **params), dialect)
    assert "DROP TABLE" not in text and "2026-03" not in text and "2026-Q1" not in text
    if name.startswith("okr_") and name != "okr_quarters":
        assert "2026-Q1" in bound.values()
    if name in ("capa_one", "capa_findings"):
        assert "987654" not in text and 987654 in bound.values()
    if name.startswith("capa_effect"):
        assert dt.date(2026, 3, 9) in bound.values()
    if (
        # suppliers and feedback_dimensions ignore the filters;
        # SCARs and supplier audits have no plant, so the plant filter does not apply
        name
        not in (
            "plants",
            "kpi_definitions",
            "key_results_at",
            "lines",
            "products",
            "defect_codes",
            "suppliers",
            "supplier_scar_summary",
            "supplier_latest_audit",
            "supplier_scars",
            "supplier_audits",
            "feedback_dimensions",
            "feed_latest",
            "okr_quarters",
            "okr_objectives",
            "okr_key_results",
            "okr_checkins",
            "capa_owners",
            "audit_clauses",
            "capa_one",
            "capa_findings",
        )
        or name == "spc_measurements"
    ):
        assert hostile in bound.values()


def test_the_previous_period_is_the_same_length_just_before() -> None:
    _, params = sql(overview.select_production_summary(TABLES, MARCH, "day"))
    assert params["production_date_2"] == dt.date(2026, 1, 29)  # 31 days before 1 March
    assert params["production_date_3"] == dt.date(2026, 4, 1)  # end is exclusive


@pytest.mark.parametrize("quarter", [None, 2026, "2026-Q5", "2026-Q1'; DROP TABLE okr_objectives; --"])
def test_a_malformed_quarter_is_refused_before_any_sql(quarter: object) -> None:
    from dashboard.errors import InvalidFilter

    with pytest.raises(InvalidFilter, match="use the form 2026-Q4"):
        DATASETS["okr_objectives"](TABLES, None, quarter=quarter)


@pytest.mark.parametrize("feed", [None, "okr_checkins", "defects; DROP TABLE defects"])
def test_an_unknown_feed_is_refused_before_any_sql(feed: object) -> None:
    from dashboard.errors import InvalidFilter

    with pytest.raises(InvalidFilter, match="Unknown feed"):
        DATASETS["feed_latest"](TABLES, None, feed=feed)


def test_unknown_grain_is_refused_before_any_sql() -> None:
    from dashboard.errors import InvalidFilter

    with pytest.raises(InvalidFilter, match="Unknown grain"):
        DATASETS["defect_summary"](TABLES, MARCH, grain="fortnight")


def test_sql_kpi_binds_only_the_parameters_it_uses() -> None:
    text, params = sql(overview.kpi_sql_statement("SELECT 42 AS value", MARCH.start_date, MARCH.end_exclusive, "P01"))
    assert (text, params) == ("SELECT 42 AS value", {})
