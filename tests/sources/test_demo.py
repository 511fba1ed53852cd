"""The demo data set: loading, determinism, integrity, business rules and the planted stories.

Everything runs at the small scale with a fixed end date; one SQLite copy is shared by the
read-only checks of this module.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from dashboard.errors import ConfigError
from dashboard.sources import demo, demo_load, schema
from dashboard.sources.demo_plan import Coded

END = dt.date(2026, 11, 23)
T = schema.metadata.tables
KPI_IDS = [
    "first_pass_yield",
    "dpmo",
    "cost_of_poor_quality",
    "complaints_per_million",
    "nps",
    "supplier_ppm",
    "capa_on_time",
    "okr_progress",
    "open_major_findings",
]


def days_before(n: int) -> dt.date:
    return END - dt.timedelta(days=n)


class Db:
    """A small helper around one database URL."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, poolclass=NullPool)

    def scalar(self, statement: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(statement).scalar()

    def rows(self, statement: Any) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(statement)]

    def count(self, table: str, *where: Any) -> int:
        return self.scalar(sa.select(sa.func.count()).select_from(T[table]).where(*where))

    def dispose(self) -> None:
        self.engine.dispose()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Db, dict[str, int]]]:
    """The small demo in SQLite, written once for the read-only checks."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'quality.db'}"
    counts = demo.write_demo(url, "small", end_date=END, progress=False)
    db = Db(url)
    yield db, counts
    db.dispose()


def checksums(db: Db) -> dict[str, Any]:
    """Aggregates over every fact table that must not change between runs or databases."""
    d, v, s = T["defects"], T["production_volumes"], T["spc_measurements"]
    lots, fb, ci = T["supplier_lots"], T["customer_feedback"], T["okr_checkins"]
    result: dict[str, Any] = {"counts": {name: db.count(name) for name in schema.DATASETS}}
    result["defects_by_plant"] = [
        (p, int(n), int(c), round(float(cost), 2))
        for p, n, c, cost in db.rows(
            sa.select(d.c.plant_id, sa.func.count(), sa.func.sum(d.c.defect_count), sa.func.sum(d.c.cost_eur))
            .group_by(d.c.plant_id)
            .order_by(d.c.plant_id)
        )
    ]
    result["volumes_by_plant"] = [
        tuple(int(x) if i else x for i, x in enumerate(r))
        for r in db.rows(
            sa.select(
                v.c.plant_id,
                sa.func.sum(v.c.units_inspected),
                sa.func.sum(v.c.units_passed_first_time),
                sa.func.sum(v.c.units_shipped),
            )
            .group_by(v.c.plant_id)
            .order_by(v.c.plant_id)
        )
    ]
    result["spc"] = round(float(db.scalar(sa.select(sa.func.sum(s.c.value * s.c.subgroup_id)))), 3)
    result["spc_last"] = db.rows(
        sa.select(s.c.measurement_id, s.c.characteristic_id, s.c.measured_at, s.c.value)
        .order_by(s.c.measurement_id.desc())
        .limit(3)
    )
    result["lots"] = tuple(
        int(x) for x in db.rows(sa.select(sa.func.sum(lots.c.units_received), sa.func.sum(lots.c.units_rejected)))[0]
    )
    result["feedback"] = tuple(
        int(x or 0)
        for x in db.rows(
            sa.select(
                sa.func.sum(fb.c.nps_score),
                sa.func.sum(fb.c.csat_score),
                sa.func.sum(sa.case((fb.c.is_complaint, 1), else_=0)),
                sa.func.count(fb.c.comment_text),
                sa.func.sum(sa.func.length(fb.c.comment_text)),
            )
        )[0]
    )
    result["checkins"] = round(float(db.scalar(sa.select(sa.func.sum(ci.c.value)))), 4)
    result["first_defects"] = db.rows(sa.select(d).order_by(d.c.defect_id).limit(5))
    result["kpis"] = db.rows(sa.select(T["kpi_definitions"]).order_by(T["kpi_definitions"].c.display_order))
    result["capas"] = db.rows(sa.select(T["capas"]).order_by(T["capas"].c.capa_id))
    return result


# --- loading, determinism, databases ----------------------------------------------------------------


def test_counts_match_the_returned_dict(small: tuple[Db, dict[str, int]]) -> None:
    db, counts = small
    assert list(counts) == list(schema.DATASETS)
    assert {name: db.count(name) for name in schema.DATASETS} == counts
    assert 90_000 < counts["defects"] < 110_000
    assert counts["plants"] == 5 and counts["defect_codes"] == 30 and counts["suppliers"] == 60
    assert counts["kpi_definitions"] == 9


def test_same_seed_gives_the_same_data(small: tuple[Db, dict[str, int]], sqlite_url: str) -> None:
    db, _counts = small
    demo.write_demo(sqlite_url, "small", end_date=END, progress=False)
    again = Db(sqlite_url)
    try:
        assert checksums(again) == checksums(db)
    finally:
        again.dispose()


@pytest.mark.postgres
def test_postgresql_gets_the_same_data_with_constraints_and_indexes(
    small: tuple[Db, dict[str, int]], pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db, counts = small
    assert demo.write_demo(pg_url, "small", end_date=END, progress=False) == counts
    assert capsys.readouterr() == ("", "")  # progress=False prints nothing
    pg = Db(pg_url)
    try:
        assert checksums(pg) == checksums(db)
        inspector = sa.inspect(pg.engine)
        for table in schema.metadata.sorted_tables:
            expected_fks = {(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys}
            actual_fks = {(fk["constrained_columns"][0], fk["referred_table"]) for fk in inspector.get_foreign_keys(table.name)}
            assert actual_fks == expected_fks, table.name
            assert {i.name for i in table.indexes} <= {i["name"] for i in inspector.get_indexes(table.name)}
        with pg.engine.connect() as conn:  # ANALYZE ran: the planner knows the row counts
            estimate = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'defects'").scalar()
        assert estimate > 0.9 * counts["defects"]
    finally:
        pg.dispose()


def test_generic_loader_writes_what_the_fast_path_writes(tmp_path: Any) -> None:
    tables = demo.generate_tables("small", END)

    def head(columns: dict[str, Any], n: int = 300) -> dict[str, Any]:
        return {k: Coded(v.codes[:n], v.labels) if isinstance(v, Coded) else v[:n] for k, v in columns.items()}

    subset = {name: head(columns) for name, columns in tables.items()}
    dbs = []
    for name, loader in (("fast", demo_load._load_sqlite), ("generic", demo_load._load_generic)):
        engine = sa.create_engine(f"sqlite:///{tmp_path / name}.db", poolclass=NullPool)
        loader(engine, subset, lambda table, rows: None)
        engine.dispose()
        dbs.append(Db(f"sqlite:///{tmp_path / name}.db"))
    try:
        for table in schema.metadata.sorted_tables:
            key = list(table.primary_key.columns)
            with dbs[0].engine.connect() as a, dbs[1].engine.connect() as b:
                fast = a.execute(sa.select(table).order_by(*key)).all()
                generic = b.execute(sa.select(table).order_by(*key)).all()
                raw = "SELECT * FROM " + table.name + " ORDER BY " + ", ".join(c.name for c in key)
                assert a.exec_driver_sql(raw).all() == b.exec_driver_sql(raw).all(), table.name  # identical stored text
            assert fast == generic, table.name
            assert len(fast) == min(300, demo_load.table_length(tables[table.name]))
    finally:
        for db in dbs:
            db.dispose()


def test_unknown_scale_is_a_config_error(sqlite_url: str) -> None:
    with pytest.raises(ConfigError, match="huge"):
        demo.write_demo(sqlite_url, "huge", end_date=END, progress=False)
    with pytest.raises(ConfigError):
        demo.ensure_demo(sqlite_url, "huge")


def test_ensure_demo_writes_once(sqlite_url: str) -> None:
    assert demo.ensure_demo(sqlite_url, "small") is True
    db = Db(sqlite_url)
    try:
        assert db.count("kpi_definitions") == 9
        assert db.scalar(sa.select(sa.func.max(T["defects"].c.defect_date))) <= dt.date.today() - dt.timedelta(days=1)
    finally:
        db.dispose()
    assert demo.ensure_demo(sqlite_url, "small") is False


def test_cli_writes_and_prints_tables_and_story_dates(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'cli.db'}"
    assert demo.main(["--scale", "small", "--url", url, "--end-date", "2026-11-23", "--seed", "7", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    for name in schema.DATASETS:
        assert f"  {name} " in out
    for day in ("2026-07-26", "2026-05-24", "2026-09-09", "2026-01-27"):  # step, ramp, surge, CAPA
        assert day in out
    assert "2026-10-01  Story 3: key result 2026-Q4-T02-K1" in out


# --- integrity and business rules -------------------------------------------------------------------


def test_every_foreign_key_exists(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    for table in schema.metadata.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table.alias("parent")  # an alias, so that self-references are not correlated
            orphan = (
                sa.select(sa.func.count())
                .select_from(table)
                .where(fk.parent.is_not(None), ~sa.exists().where(parent.c[fk.column.name] == fk.parent))
            )
            assert db.scalar(orphan) == 0, f"{table.name}.{fk.parent.name}"


def test_business_rules(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    v, d, fb = T["production_volumes"], T["defects"], T["customer_feedback"]
    assert db.count("production_volumes", v.c.units_passed_first_time > v.c.units_inspected) == 0
    assert db.count("production_volumes", v.c.units_shipped > v.c.units_inspected) == 0
    assert db.count("production_volumes", v.c.units_inspected <= 0) == 0
    fpy = db.scalar(sa.select(100.0 * sa.func.sum(v.c.units_passed_first_time) / sa.func.sum(v.c.units_inspected)))
    assert 96.0 < fpy < 98.0
    assert db.count("customer_feedback", (fb.c.nps_score < 0) | (fb.c.nps_score > 10)) == 0
    assert db.count("customer_feedback", (fb.c.csat_score < 1) | (fb.c.csat_score > 5)) == 0
    assert db.count("customer_feedback", fb.c.nps_score.is_not(None)) > 1000
    christmas = (sa.extract("month", v.c.production_date) == 12) & (sa.extract("day", v.c.production_date) == 25)
    assert db.count("production_volumes", christmas) == 0
    assert db.count("defects", d.c.defect_count < 1) == 0
    assert db.count("defects", d.c.severity.not_in(schema.SEVERITIES)) == 0
    assert db.count("defect_codes", T["defect_codes"].c.category_6m.not_in(schema.SIX_M)) == 0
    produced = sa.exists().where(
        v.c.production_date == d.c.defect_date, v.c.line_id == d.c.line_id, v.c.product_id == d.c.product_id
    )
    assert db.count("defects", ~produced) == 0  # defects only where and when something was produced
    first, last = db.scalar(sa.select(sa.func.min(v.c.production_date))), db.scalar(sa.select(sa.func.max(d.c.defect_date)))
    start = END.replace(year=END.year - 3) + dt.timedelta(days=1)  # three years, end_date included
    assert start <= first <= start + dt.timedelta(days=7) and days_before(7) <= last <= END
    stages = dict(db.rows(sa.select(d.c.detection_stage, sa.func.count()).group_by(d.c.detection_stage)))
    assert stages["in-process"] > stages["final"] > stages["customer"] > 0


def test_kpi_definitions(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    k = T["kpi_definitions"]
    rows = db.rows(
        sa.select(
            k.c.kpi_id, k.c.direction, k.c.target, k.c.amber_threshold, k.c.red_threshold, k.c.formula, k.c.unit, k.c.view_path
        ).order_by(k.c.display_order)
    )
    assert [r[0] for r in rows] == KPI_IDS
    for kpi_id, direction, target, amber, red, _formula, _unit, view in rows:
        assert amber == target, kpi_id
        assert (red < amber) if direction == "higher" else (red > amber), kpi_id
        assert view.startswith("/")
    assert [r[5] for r in rows[:-1]] == [f"builtin:{kpi_id}" for kpi_id in KPI_IDS[:-1]]
    assert rows[-1][5].startswith("sql:SELECT COUNT(*) AS value FROM audit_findings WHERE finding_severity = 'major'")


def test_okrs_cover_the_last_four_quarters(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    o = T["okr_objectives"]
    quarters = [q for (q,) in db.rows(sa.select(o.c.quarter).distinct().order_by(o.c.quarter))]
    assert quarters == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    levels = dict(db.rows(sa.select(o.c.level, sa.func.count()).group_by(o.c.level)))
    assert levels["company"] < levels["department"] < levels["team"]
    kinds = {k for (k,) in db.rows(sa.select(T["okr_key_results"].c.kr_kind).distinct())}
    assert kinds == {"increase", "decrease", "band", "milestone"}


def test_awkward_comments_are_present(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    comments = {c for (c,) in db.rows(sa.select(T["customer_feedback"].c.comment_text))}
    assert None in comments and "" in comments and "<script>alert('xss')</script>" in comments
    assert "产品质量很好，但是交货时间太长。" in comments and "👍👍👍" in comments
    assert max(len(c) for c in comments if c) > 2000


# --- planted stories ----------------------------------------------------------------------------------


def defect_rate(
    db: Db, code: str, start: dt.date, stop: dt.date, *, line: str | None = None, plant: str | None = None, internal: bool = False
) -> float:
    """Defects of ``code`` per million units inspected, start <= date < stop."""
    d, v = T["defects"], T["production_volumes"]
    found = [d.c.defect_code == code, d.c.defect_date >= start, d.c.defect_date < stop]
    made = [v.c.production_date >= start, v.c.production_date < stop]
    if line:
        found.append(d.c.line_id == line)
        made.append(v.c.line_id == line)
    if plant:
        found.append(d.c.plant_id == plant)
        made.append(v.c.plant_id == plant)
    if internal:
        found.append(d.c.detection_stage != "customer")
    defects = db.scalar(sa.select(sa.func.sum(d.c.defect_count)).where(*found)) or 0
    return 1e6 * defects / db.scalar(sa.select(sa.func.sum(v.c.units_inspected)).where(*made))


def test_story_1_step_change_on_one_line(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    step = days_before(120)
    before = defect_rate(db, "D08", days_before(240), step, line="P02-L03")
    after = defect_rate(db, "D08", step, END + dt.timedelta(days=1), line="P02-L03")
    assert after > 2 * before
    s = T["spc_measurements"]

    def values(start: dt.date, stop: dt.date) -> list[float]:
        return [
            x
            for (x,) in db.rows(
                sa.select(s.c.value).where(
                    s.c.characteristic_id == "P02-L03-C1",
                    s.c.measured_at >= dt.datetime.combine(start, dt.time()),
                    s.c.measured_at < dt.datetime.combine(stop, dt.time()),
                )
            )
        ]

    old, new = values(days_before(240), step), values(step, END)
    assert (statistics.fmean(new) - statistics.fmean(old)) / statistics.stdev(old) > 1.2
    e = T["process_events"]
    assert db.count("process_events", e.c.event_date == step, e.c.line_id == "P02-L03") == 1


def test_story_2_degrading_supplier_and_a_tiny_one(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    lots = T["supplier_lots"]

    def ppm(supplier: str, start: dt.date, stop: dt.date) -> float:
        received, rejected = db.rows(
            sa.select(sa.func.sum(lots.c.units_received), sa.func.sum(lots.c.units_rejected)).where(
                lots.c.supplier_id == supplier, lots.c.received_date >= start, lots.c.received_date < stop
            )
        )[0]
        return 1e6 * rejected / received

    assert ppm("S017", days_before(29), END + dt.timedelta(days=1)) > 4 * ppm("S017", days_before(210), days_before(180))
    scars = T["scars"]
    opened = [day for (day,) in db.rows(sa.select(scars.c.opened_date).where(scars.c.supplier_id == "S017"))]
    assert opened and min(opened) >= days_before(60)
    tiny = db.rows(
        sa.select(lots.c.units_received, lots.c.units_rejected, lots.c.lot_rejected).where(lots.c.supplier_id == "S060")
    )
    assert len(tiny) == 2 and sum(r[2] for r in tiny) == 1
    # Raw PPM over the last 90 days ranks the tiny supplier worst; a shrunk estimate does not.
    recent = db.rows(
        sa.select(lots.c.supplier_id, sa.func.sum(lots.c.units_received), sa.func.sum(lots.c.units_rejected))
        .where(lots.c.received_date > days_before(90))
        .group_by(lots.c.supplier_id)
    )
    raw = {sid: rej / rec for sid, rec, rej in recent}
    pooled = sum(r[2] for r in recent) / sum(r[1] for r in recent)
    prior_units = 20_000
    shrunk = {sid: (rej + pooled * prior_units) / (rec + prior_units) for sid, rec, rej in recent}
    assert max(raw, key=raw.get) == "S060"
    assert max(shrunk, key=shrunk.get) != "S060"
    assert "S017" in sorted(shrunk, key=shrunk.get)[-3:]


def test_story_3_key_result_off_track_with_high_confidence(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    kr, ci = T["okr_key_results"], T["okr_checkins"]
    start, target, first, due = db.rows(
        sa.select(kr.c.start_value, kr.c.target_value, kr.c.start_date, kr.c.due_date).where(
            kr.c.key_result_id == "2026-Q4-T02-K1"
        )
    )[0]
    checkins = db.rows(
        sa.select(ci.c.checkin_date, ci.c.value, ci.c.confidence)
        .where(ci.c.key_result_id == "2026-Q4-T02-K1")
        .order_by(ci.c.checkin_date)
    )
    assert len(checkins) >= 6 and checkins[-1][0] <= END
    progress = [(value - start) / (target - start) for _day, value, _conf in checkins]
    ideal = ((checkins[-1][0] - first).days + 1) / ((due - first).days + 1)
    assert progress[-1] < ideal - 0.25  # well below the ideal line
    assert max(progress[3:]) - min(progress[3:]) < 0.1  # flat after the first weeks
    assert all(conf >= 8 for _day, _value, conf in checkins[-3:])  # ... while the owner stays confident


def test_story_4_complaint_surge_led_by_internal_defects(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    fb = T["customer_feedback"]

    def complaints(start: dt.date, stop: dt.date) -> int:
        return db.count(
            "customer_feedback",
            fb.c.is_complaint,
            fb.c.defect_code == "D12",
            fb.c.received_date >= start,
            fb.c.received_date < stop,
        )

    surge = complaints(days_before(75), days_before(47))
    assert surge >= 20 and surge > 3 * complaints(days_before(103), days_before(75))
    rise = days_before(96)
    assert defect_rate(db, "D12", rise, days_before(75), internal=True) > 1.8 * defect_rate(
        db, "D12", days_before(156), rise, internal=True
    )


def test_story_5_effective_capa(small: tuple[Db, dict[str, int]]) -> None:
    db, _counts = small
    c = T["capas"]
    closed = days_before(300)
    capa = db.rows(
        sa.select(c.c.effective, c.c.due_date).where(c.c.plant_id == "P01", c.c.defect_code == "D04", c.c.closed_date == closed)
    )
    assert capa == [(True, closed + dt.timedelta(days=10))]
    before = defect_rate(db, "D04", days_before(480), closed, plant="P01")
    after = defect_rate(db, "D04", closed + dt.timedelta(days=1), days_before(120), plant="P01")
    assert after < 0.5 * before


def test_generate_tables_is_repeatable_without_a_database() -> None:
    first, second = demo.generate_tables("small", END, seed=1), demo.generate_tables("small", END, seed=1)
    for name in ("defects", "spc_measurements", "customer_feedback"):
        for column, values in first[name].items():
            a = values[:] if isinstance(values, Coded) else values
            b = second[name][column][:] if isinstance(second[name][column], Coded) else second[name][column]
            assert np.array_equal(a, b), f"{name}.{column}"
