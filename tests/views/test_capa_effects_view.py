"""Did the CAPAs closed in a period work? On the hand-made story of the one-CAPA tests (SQLite and
PostgreSQL) and on the small demo data: the set-wise query gives every CAPA exactly the sums its
own page gives, and each verdict is the verdict of its page."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.drill import EffectScope
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters, resolve_period
from dashboard.sources import schema
from dashboard.views.capa import CapaScope, build_capa
from dashboard.views.capa_detail import WINDOW_DAYS, build_capa_detail
from dashboard.views.capa_effects import capa_effects
from tests.helpers import insert_rows, repo_url
from tests.views.test_capa_detail_view import TODAY, insert_story

D = dt.date
JUNE_JULY = Filters("custom", D(2026, 6, 1), TODAY, None)
LINE_ROW = {"plant_id": "P01", "line_id": "P01-L01", "product_id": "X1"}
SQUARES = ("before_sq", "after_sq")  # the sum over days with units of defects² / units
SUMS = ("before_defects", "after_defects", "before_units", "after_units", "before_days", "after_days")


def insert_more(conn) -> None:
    """CAPA 14 on D02 at P01-L01, recorded effective, closed 5 June: D02 had no defect before and
    77 on 10 June, all on one day: a cluster, not a clear rise, once the spread of the days is allowed
    for. CAPA 15 is at plant P02, which inspected nothing, and from a supplier."""
    capa = {"capa_source": "internal", "owner": "Bo", "opened_date": D(2026, 5, 1), "due_date": D(2026, 6, 30)}
    conn.execute(
        schema.capas.insert(),
        [
            {
                **capa,
                "capa_id": 14,
                "plant_id": "P01",
                "line_id": "P01-L01",
                "defect_code": "D02",
                "title": "No more dents",
                "closed_date": D(2026, 6, 5),
                "effective": True,
            },
            {
                **capa,
                "capa_id": 15,
                "plant_id": "P02",
                "line_id": None,
                "defect_code": "D01",
                "capa_source": "supplier",
                "title": "Supplier scratches",
                "closed_date": D(2026, 6, 5),
                "effective": None,
            },
        ],
    )


@pytest.fixture
def story(repo, request: pytest.FixtureRequest, tmp_path):
    url = repo_url(repo, request, tmp_path)
    insert_rows(repo, url, insert_story)
    insert_rows(repo, url, insert_more)
    return repo


def _effects_frame(repo, filters: Filters, today: dt.date = TODAY, **narrow) -> pd.DataFrame:
    return repo.fetch("capa_effects", filters, today=today, **narrow).frame


def _own_sums(repo, row: pd.Series, today: dt.date) -> dict[str, float]:
    """The sums of the CAPA's own page (its capa_effect_totals dataset)."""
    opened, closed = pd.Timestamp(row["opened_date"]).date(), pd.Timestamp(row["closed_date"]).date()
    line = None if pd.isna(row["line_id"]) else row["line_id"]
    code = None if pd.isna(row["defect_code"]) else row["defect_code"]
    scope = EffectScope(
        row["plant_id"],
        line,
        code,
        opened - dt.timedelta(days=WINDOW_DAYS),
        opened - dt.timedelta(days=1),
        closed + dt.timedelta(days=1),
        min(today, closed + dt.timedelta(days=WINDOW_DAYS)),
    )
    totals = repo.fetch("capa_effect_totals", scope=scope).frame
    return {k: float(totals[k].iloc[0]) for k in (*SUMS, *SQUARES)}


def _same_sums(row: pd.Series, own: dict[str, float]) -> bool:
    """The counts exactly; the sums of defects² / units (floating point, summed in another order) closely."""
    return {k: float(row[k]) for k in SUMS} == {k: own[k] for k in SUMS} and all(
        float(row[k]) == pytest.approx(own[k], rel=1e-9) for k in SQUARES
    )


def test_each_capa_closed_in_the_period_gets_the_sums_of_its_own_page(story) -> None:
    frame = _effects_frame(story, JUNE_JULY)
    # 12 names no line or code and 11 is open; the seed's CAPAs name neither.
    assert frame["capa_id"].tolist() == [13, 14, 15, 10]  # the latest closed first, then by number
    for _, row in frame.iterrows():
        assert _same_sums(row, _own_sums(story, row, TODAY)), row["capa_id"]
    ten = frame.set_index("capa_id").loc[10]
    assert [int(ten[k]) for k in SUMS] == [330, 120, 27_000, 30_000, 27, 30]
    # 25 days of 10² / 1,000, one of 50² / 1,000 and one of 30² / 1,000; after, 30 days of 4² / 1,000.
    assert (ten["before_sq"], ten["after_sq"]) == (pytest.approx(2.5 + 2.5 + 0.9), pytest.approx(0.48))


def test_the_verdicts_are_those_of_each_capas_page(story) -> None:
    effects = capa_effects(_effects_frame(story, JUNE_JULY), TODAY)
    by_id = {row.capa_id: row for row in effects.rows}
    assert {i: r.verdict for i, r in by_id.items()} == {10: "fell", 13: "too soon", 14: "no clear change", 15: "too little data"}
    ten = build_capa_detail("10", story, TODAY).effect
    assert (by_id[10].before, by_id[10].after) == (round(ten.before_per_thousand, 2), round(ten.after_per_thousand, 2))
    assert (
        by_id[10].change == f"{ten.change_pct:+.0f} % ({100 * (ten.ratio_low - 1):+.0f} to {100 * (ten.ratio_high - 1):+.0f} %)"
    )
    assert by_id[14].change == "up from none"
    # Recorded effective while the data shows no clear fall: first in the list, and named.
    assert effects.rows[0].capa_id == 14 and effects.rows[0].note.startswith("Worth a second look")
    assert effects.second_look == (14,)
    assert (effects.judged, effects.fell, effects.share) == (2, 1, 50.0)
    assert effects.sentence.startswith("4 CAPAs closed in the period name a line or a defect code. 2 could be judged")
    assert "the rate fell after 1, showed no clear change after 1 and rose after 0" in effects.sentence
    assert (
        "1 closed less than 28 days ago" in effects.sentence
        and "1 had fewer than 20 production days on a side" in effects.sentence
    )
    assert "Recorded as effective but no clear fall in the data: #14, worth a second look." in effects.sentence
    assert effects.sentence.endswith("even if none had changed anything, up to about 0.1 of these 2 would show a fall by chance.")


def test_the_page_narrows_them_like_its_other_numbers(story) -> None:
    assert _effects_frame(story, JUNE_JULY, source="supplier")["capa_id"].tolist() == [15]
    assert _effects_frame(story, JUNE_JULY, owner="Ann")["capa_id"].tolist() == [13, 10]
    p02 = Filters("custom", D(2026, 6, 1), TODAY, "P02")
    assert _effects_frame(story, p02)["capa_id"].tolist() == [15]
    view = build_capa(Filters("custom", D(2026, 7, 21), TODAY, None), story, CapaScope(), TODAY)
    assert view.effects.rows == () and view.effects.share is None
    assert view.effects.sentence.startswith("No CAPA that names a line or a defect code was closed in the period")


def test_the_after_window_stops_at_today(story) -> None:
    """As of 30 June, CAPA 10's window after closing holds 2 to 30 June only: 29 production days."""
    june = Filters("custom", D(2026, 6, 1), D(2026, 6, 30), None)
    row = _effects_frame(story, june, today=D(2026, 6, 30)).set_index("capa_id").loc[10]
    assert (int(row["after_defects"]), int(row["after_units"]), int(row["after_days"])) == (4 * 29, 29_000, 29)
    tomorrow = _effects_frame(story, june, today=D(2026, 6, 1))  # closed on the 1st: nothing after it yet
    assert int(tomorrow.set_index("capa_id").loc[10]["after_units"]) == 0


def test_the_capa_page_carries_them_only_when_asked(story) -> None:
    assert build_capa(JUNE_JULY, story, CapaScope()).effects is None  # the wall panel
    view = build_capa(JUNE_JULY, story, CapaScope(), TODAY)
    assert view.effects.fell == 1
    # The recorded check's card says what the data says next to it.
    card = next(c for c in view.cards if c.name == "Verified effective")
    assert card.detail.endswith("; by the defect data, 1 of 2 fell")
    assert (
        "by the defect data"
        not in next(c for c in build_capa(JUNE_JULY, story, CapaScope()).cards if c.name == "Verified effective").detail
    )


@pytest.mark.parametrize("today", [None, "2026-07-31", dt.datetime(2026, 7, 31, 12)])
def test_the_dataset_needs_a_date_for_today(story, today) -> None:
    with pytest.raises(InvalidFilter, match="today's date"):
        story.fetch("capa_effects", JUNE_JULY, today=today)


def test_on_the_demo_every_capa_of_a_year_matches_its_own_page(demo_repo) -> None:
    """Story 5's CAPA on D04 at P01 fell, like its page says; and every CAPA's sums are its page's."""
    today = dt.date(2026, 11, 23)
    start, end = resolve_period("12m", today)
    frame = _effects_frame(demo_repo, Filters("12m", start, end, None), today)
    assert len(frame) > 30
    for _, row in frame.iterrows():
        assert _same_sums(row, _own_sums(demo_repo, row, today)), row["capa_id"]
    effects = capa_effects(frame, today)
    story5 = [r for r in effects.rows if r.addresses == "D04 at plant P01"]
    assert [r.verdict for r in story5] == ["fell"]
    detail = build_capa_detail(str(story5[0].capa_id), demo_repo, today)
    assert detail.effect.verdict == "fell" and story5[0].before == round(detail.effect.before_per_thousand, 2)


def test_the_query_runs_on_duckdb(tmp_path) -> None:
    """The windows' day arithmetic and the correlated sums also run on DuckDB."""
    pytest.importorskip("duckdb_engine")
    import sqlalchemy as sa

    from dashboard.queries.capa_effects import select_capa_effects

    engine = sa.create_engine(f"duckdb:///{tmp_path / 'q.duckdb'}")
    names = ("plants", "lines", "products", "defect_codes", "capas", "defects", "production_volumes")
    copy = sa.MetaData()
    for name in names:  # DuckDB has no SERIAL: the ids are given explicitly
        for column in schema.metadata.tables[name].to_metadata(copy).primary_key.columns:
            column.autoincrement = False
    tables = {name: copy.tables[name] for name in names}
    try:
        copy.create_all(engine)
        with engine.begin() as conn:
            conn.execute(tables["plants"].insert(), [{"plant_id": "P01", "plant_name": "One", "country": "DE", "region": "EMEA"}])
            conn.execute(
                tables["lines"].insert(),
                [{"line_id": "P01-L01", "plant_id": "P01", "line_name": "L1", "process_type": "assembly"}],
            )
            conn.execute(
                tables["products"].insert(),
                [
                    {
                        "product_id": "X1",
                        "product_name": "X",
                        "product_family": "F",
                        "opportunities_per_unit": 1,
                        "unit_cost_eur": 1.0,
                    }
                ],
            )
            conn.execute(
                tables["defect_codes"].insert(),
                [{"defect_code": "D01", "defect_description": "Scratch", "category_6m": "Method"}],
            )
            conn.execute(
                tables["capas"].insert(),
                [
                    {"capa_id": 1, "plant_id": "P01", "line_id": "P01-L01", "defect_code": "D01", "capa_source": "internal"}
                    | {"title": "T", "owner": "A", "opened_date": D(2026, 5, 1), "due_date": D(2026, 6, 15)}
                    | {"closed_date": D(2026, 6, 1), "effective": True}
                ],
            )
            day = {**LINE_ROW, "units_inspected": 1000, "units_passed_first_time": 990, "units_shipped": 990}
            conn.execute(
                tables["production_volumes"].insert(),
                [{**day, "production_id": i, "production_date": d} for i, d in enumerate((D(2026, 4, 1), D(2026, 6, 2)))],
            )
            defect = {**LINE_ROW, "defect_code": "D01", "severity": "minor", "detection_stage": "final", "cost_eur": 1.0}
            conn.execute(
                tables["defects"].insert(),
                [
                    {**defect, "defect_id": i, "defect_date": d, "defect_count": n}
                    for i, (d, n) in enumerate(((D(2026, 4, 1), 10), (D(2026, 6, 2), 4)))
                ],
            )
            row = conn.execute(select_capa_effects(tables, JUNE_JULY, TODAY, None, None)).mappings().one()
        assert [row[k] for k in SUMS] == [10, 4, 1000, 1000, 1, 1]
        assert (row["before_sq"], row["after_sq"]) == (pytest.approx(0.1), pytest.approx(0.016))  # 10² / 1,000, 4² / 1,000
    finally:
        engine.dispose()


def test_a_copy_cached_before_the_squares_were_read_is_judged_as_poisson(story) -> None:
    """After an upgrade, the last good copy of the dataset may lack the day squares: no failure,
    the exact test alone (the counts are what they were)."""
    frame = _effects_frame(story, JUNE_JULY).drop(columns=list(SQUARES))
    ten = next(r for r in capa_effects(frame, TODAY).rows if r.capa_id == 10)
    assert ten.verdict == "fell"
    with_spread = next(r for r in capa_effects(_effects_frame(story, JUNE_JULY), TODAY).rows if r.capa_id == 10)
    assert ten.change != with_spread.change  # the interval is wider once the spread of the days is allowed for
