"""Mapping datasets onto a company's own tables and SELECTs, and checking the mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.errors import ConfigError
from dashboard.filters import Filters
from dashboard.sources.check import check_sources, format_reports
from dashboard.sources.engines import make_source_engine
from dashboard.sources.mapping import Sources, load_mappings
from tests.helpers import repository_for, settings_for
from tests.seed import seed

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[datasets.widgets]\ntable = 'x'", "unknown dataset"),
        ("[datasets.defects]\ntable = 'x'\nquery = 'SELECT 1'", "exactly one of"),
        ("[datasets.defects]\ndatabase = 'mes'\ntable = 'x'", "database 'mes' is not defined"),
        ("[datasets.defects]\ntable = 'x'\n[datasets.defects.columns]\nshoe_size = 'y'", "shoe_size not in the canonical"),
        ("[datasets.defects\n", "not valid TOML"),
        ("[datasets.defects]\ndatabase = 'x'", "needs 'table' or 'query'"),
        ("[datasets.defects]\ncadence = 'fortnightly'", "cadence must be one of"),
        ("[datasets.plants]\ncadence = 'daily'", "for a fed table"),
    ],
)
def test_bad_mapping_files_are_refused_with_the_reason(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_mappings(write(tmp_path, toml))


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_mappings(tmp_path / "nope.toml")


RENAME = """
CREATE TABLE {schema}nonconformance AS
SELECT defect_id AS nc_id, defect_date AS nc_date, plant_id, line_id, product_id, defect_code AS nc_code,
       severity, defect_count AS qty, cost_eur, detection_stage
FROM defects
"""


def _company_database(url: str, schema_name: str | None) -> None:
    seed(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if schema_name:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema_name}")
        conn.exec_driver_sql(RENAME.format(schema=f"{schema_name}." if schema_name else ""))
        conn.exec_driver_sql("DROP TABLE defects")
    engine.dispose()


MAPPING = """
[datasets.defects]
table = "{table}"
[datasets.defects.columns]
defect_id = "nc_id"
defect_date = "nc_date"
defect_code = "nc_code"
defect_count = "qty"

[datasets.supplier_lots]
query = '''
SELECT lot_id, supplier_id, plant_id, part_number, received_date, due_date,
       units_received * 2 AS units_received, units_rejected, lot_rejected, chargeback_eur
FROM supplier_lots
'''
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_overview_datasets_read_through_a_mapping(backend: str, tmp_path: Path, request) -> None:
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'q.db'}"
    schema_name = "mes" if backend == "postgresql" else None
    _company_database(url, schema_name)
    table = f"{schema_name}.nonconformance" if schema_name else "nonconformance"
    mapping = write(tmp_path, MAPPING.format(table=table))
    repo = repository_for(url, sources_file=str(mapping))
    defects = repo.fetch("defect_summary", MARCH, grain="month").frame
    assert defects[defects["period"] == "current"]["defect_count"].sum() == 40
    lots = repo.fetch("supplier_summary", MARCH, grain="month").frame
    assert lots["units_received"].sum() == 20_000  # the SELECT doubled it
    reports = {r.dataset: r for r in check_sources(repo.sources)}
    assert all(r.ok for r in reports.values()), format_reports(list(reports.values()))
    repo.sources.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_check_sources_names_what_is_missing(backend: str, tmp_path: Path, request) -> None:
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'q.db'}"
    _company_database(url, None)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE risks")
        conn.exec_driver_sql("ALTER TABLE nonconformance DROP COLUMN severity")
    engine.dispose()
    mapping = write(
        tmp_path,
        MAPPING.format(table="nonconformance").replace("units_received * 2 AS units_received", "'many' AS units_received"),
    )
    settings = settings_for(url, sources_file=str(mapping))
    sources = Sources(make_source_engine(url, settings), load_mappings(mapping), None)
    reports = {r.dataset: r for r in check_sources(sources)}
    text = format_reports(list(reports.values()))
    assert reports["risks"].problems == ("table risks does not exist",)
    assert "missing column severity" in reports["defects"].problems
    assert any("units_received holds str" in p for p in reports["supplier_lots"].problems)
    assert reports["plants"].ok
    assert "FAIL defects" in text and "datasets OK." in text
    sources.dispose()


def test_check_sources_cli_exit_code(tmp_path: Path, monkeypatch, capsys) -> None:
    from dashboard.__main__ import main

    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    assert main(["check-sources"]) == 0
    assert "All 21 datasets OK." in capsys.readouterr().out
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE risks")
    engine.dispose()
    assert main(["check-sources"]) == 1
    assert "FAIL risks" in capsys.readouterr().out


def test_datasets_in_different_databases_cannot_be_joined(tmp_path: Path) -> None:
    from dashboard.queries.overview import select_production_summary

    a, b = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    seed(a)
    seed(b)
    mapping = write(tmp_path, f'[databases]\nerp = "{b}"\n[datasets.products]\ntable = "products"\ndatabase = "erp"\n')
    settings = settings_for(a)
    sources = Sources(make_source_engine(a, settings), load_mappings(mapping), lambda url: make_source_engine(url, settings))
    with pytest.raises(ConfigError, match="different databases"):
        sources.engine_for(select_production_summary(sources.tables(), MARCH, "week"))
    sources.dispose()


def test_a_feed_declares_its_cadence_and_keeps_its_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    path = write(tmp_path, "[datasets.customer_feedback]\ncadence = 'weekly'")
    repo = repository_for(url, sources_file=str(path))
    assert repo.sources.cadence("customer_feedback") == "weekly" and repo.sources.cadence("defects") == "daily"
    frame = repo.fetch("feed_latest", feed="customer_feedback").frame
    assert frame["cadence"].tolist() == ["weekly"]
    assert str(frame["latest"].iloc[0])[:10] == "2026-03-11"  # the canonical table, read as it is
    repo.sources.dispose()
