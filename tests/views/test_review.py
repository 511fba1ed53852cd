"""The leadership review: narrative sources on hand-made data and on the demo stories, the edition
diff and its round trip through the app store, and the PDF pack (HTML builder, printing, jobs)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import types
from pathlib import Path

import pandas as pd
import pytest

from dashboard.errors import InvalidFilter, StoreUnavailable
from dashboard.filters import Filters
from dashboard.review_export import PLOTLY_JS, PackJobs, find_chromium, print_pdf
from dashboard.sources.demo import write_demo
from dashboard.store.sql import SqlAppStore
from dashboard.views.capa_effects import VERDICTS, CapaEffects
from dashboard.views.process_control import CharacteristicRow
from dashboard.views.review import EditionInfo, ReviewTile, ReviewView, build_review, review_from_payload, review_payload
from dashboard.views.review_data import OkrChange, ReviewData, collect
from dashboard.views.review_editions import EditionDiff, diff_reviews, freeze_review, latest_comparable, payload_digest
from dashboard.views.review_narrative import (
    SOURCES,
    Sentence,
    capa_sentences,
    complaint_sentences,
    narrative,
    okr_sentences,
    pareto_sentences,
    spc_sentences,
    supplier_sentences,
)
from dashboard.views.review_print import css_string, pack_html
from dashboard.views.review_sections import ReviewSection, ReviewTable
from tests.helpers import repository_for

END = dt.date(2026, 11, 23)
QUARTER = Filters("90d", END - dt.timedelta(days=89), END)
YEAR = Filters("12m", END - dt.timedelta(days=364), END)
MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))


# --- narrative sources on hand-made data -------------------------------------------------------


def characteristic(cid: str, status_key: str, signal: str = "", plant: str = "P01") -> CharacteristicRow:
    return CharacteristicRow(cid, f"Name {cid}", "Line 1", plant, "mm", "1 – 2", "", "1.5", status_key, "", signal, "1.2")


def test_spc_sentences_tell_the_u_chart_and_the_longest_runs_first() -> None:
    rows = (
        characteristic("C1", "signal", "Western Electric 1: 1 point more than 3σ above the centre line on 2 Mar 2026"),
        characteristic("C2", "signal", "Western Electric 4: 12 points in a row above the centre line since 1 Mar 2026", "P02"),
        characteristic("C3", "in_control"),
        characteristic("C4", "signal", "Western Electric 3: 4 of 5 points in a row more than 1σ below the centre line"),
        characteristic("C5", "signal", "Western Electric 4: 9 points in a row below the centre line since 3 Mar 2026"),
    )
    defects = types.SimpleNamespace(
        signals=("First: Western Electric 4: 8 points in a row below the centre line", "…", "WE 3 below the centre line")
    )
    sentences = spc_sentences(ReviewData(MARCH, defects=defects, characteristics=rows))
    assert [s.key for s in sentences] == ["spc:defects-u-chart", "spc:C2", "spc:C5", "spc:C4", "spc:characteristics"]
    assert sentences[0].tone == "better" and sentences[0].text.endswith("fewer defects than its baseline.")
    assert "(first: Western Electric 4: 8 points" in sentences[0].text
    assert sentences[1].href == "/process-control?period=custom&start=2026-03-01&end=2026-03-31&plant=P02&characteristic=C2"
    assert sentences[4].text.startswith("4 of 5 measured characteristics signal")
    assert spc_sentences(ReviewData(MARCH, characteristics=rows[2:3])) == []


def test_pareto_sentences_tell_moves_into_out_of_and_inside_the_head() -> None:
    frame = pd.DataFrame(
        {
            "key": ["A", "B", "C", "D", "E", "F", "G", "H"],
            "label": ["a", "b", "c", "d", "e", "f", "g", "h"],
            "defect_count": [100, 90, 80, 70, 60, 50, 40, 30],
            # previous ranks: A 1, H 2, C 3, D 4, E 5, F 6, B 7, G new
            "prev_defect_count": [200, 40, 150, 140, 130, 120, 0, 180],
        }
    )
    sentences = pareto_sentences(ReviewData(MARCH, pareto=frame))
    assert [s.text.split(" in the ")[0] for s in sentences] == ["B b rose from 7th to 2nd", "H h fell from 2nd to 8th"]
    assert [s.tone for s in sentences] == ["worse", "better"]
    assert sentences[0].href.endswith("&code=B")
    assert "(90 defects, 17 % of all)" in sentences[0].text


def test_pareto_sentences_use_the_previous_periods_own_ranks() -> None:
    # Z led the previous period and has no defects now: it is told as gone, and the others'
    # previous ranks count it (B was 2nd, not 1st).
    frame = pd.DataFrame(
        {
            "key": ["A", "B", "C", "D", "E", "F", "Z"],
            "label": ["a", "b", "c", "d", "e", "f", "z"],
            "defect_count": [100, 90, 80, 70, 60, 50, 0],
            "prev_defect_count": [10, 150, 140, 130, 120, 110, 300],
        }
    )
    sentences = pareto_sentences(ReviewData(MARCH, pareto=frame))
    texts = [s.text for s in sentences]
    assert texts[0].startswith("A a rose from 7th to 1st")
    assert "Z z left the defect Pareto: no defects in this period (1st before)." in texts
    assert not any(t.startswith("B b") for t in texts)  # 2nd before, 2nd now: not a move
    gone = next(s for s in sentences if s.key == "pareto:Z")
    assert gone.tone == "better" and gone.href.endswith("&code=Z")


def test_supplier_sentences_tell_grade_falls_first_and_skip_thin_data() -> None:
    card = pd.DataFrame(
        {
            "supplier_id": ["S1", "S2", "S3", "S4", "S5"],
            "supplier_name": ["One", "Two", "Three", "Four", "Five"],
            "grade": ["A", "C", "D", "B", "A"],
            "prev_grade": ["B", "B", "A", "B", "D"],
            "grade_change": ["B → A", "B → C", "A → D", "", "D → A"],
            "enough_data": [True, True, False, True, True],
            "score": [90.0, 60.0, 40.0, 75.0, 95.0],
            "shrunk_ppm": [100.0, 5000.0, 9000.0, 800.0, 50.0],
        }
    )
    sentences = supplier_sentences(ReviewData(MARCH, scorecard=card))
    assert [s.text for s in sentences] == [
        "Supplier S2 Two fell from grade B to C (score 60, volume-adjusted 5,000 PPM).",
        "Supplier S5 Five rose from grade D to A (score 95, volume-adjusted 50 PPM).",
        "Supplier S1 One rose from grade B to A (score 90, volume-adjusted 100 PPM).",
    ]
    assert sentences[0].href == "/suppliers/S2?period=custom&start=2026-03-01&end=2026-03-31"


def test_capa_sentences_name_the_most_overdue_or_say_none_is() -> None:
    frame = pd.DataFrame(
        [
            {"capa_id": 7, "title": "Leak", "plant_id": "P02", "owner": "Ann", "due_date": "2026-02-15", "days_overdue": 44},
            {"capa_id": 9, "title": "Burr", "plant_id": "P01", "owner": "Bo", "due_date": "2026-03-05", "days_overdue": 26},
        ]
    ).assign(overdue_total=5, fell_due_total=2)
    (sentence,) = capa_sentences(ReviewData(MARCH, capas=frame))
    assert sentence.text == (
        "5 CAPAs are overdue on 31 Mar 2026 (2 fell due in this period); the most overdue is #7 “Leak” (P02, Ann), "
        "due 15 Feb 2026, 44 days late."
    )
    assert sentence.href == "/capa?period=custom&start=2026-03-01&end=2026-03-31&status=overdue"  # the CAPAs behind it
    assert capa_sentences(ReviewData(MARCH, capas=frame.iloc[0:0]))[0].text == "No CAPA is overdue on 31 Mar 2026."
    assert capa_sentences(ReviewData(MARCH)) == []


def _effects(fell: int, unclear: int, second_look: tuple[int, ...]) -> CapaEffects:
    counts = {v: 0 for v in VERDICTS} | {"fell": fell, "no clear change": unclear}
    return CapaEffects(counts=counts, second_look=second_look, rows=(), sentence="")


def test_the_capas_closed_in_the_period_are_judged_on_their_data() -> None:
    empty = pd.DataFrame(columns=["capa_id"])
    (_, sentence) = capa_sentences(ReviewData(MARCH, capas=empty, capa_effects=_effects(3, 1, (41, 42, 43, 44))))
    assert sentence.text == (
        "Of the 4 CAPAs closed in the period that the defect data can judge, 3 cut the defect rate of what they address "
        "(75 %). Recorded as effective without a clear fall: #41, #42, #43 and 1 more."
    )
    assert (sentence.key, sentence.tone, sentence.href) == (
        "capa:effects",
        "worse",
        "/capa?period=custom&start=2026-03-01&end=2026-03-31",
    )
    (_, one) = capa_sentences(ReviewData(MARCH, capas=empty, capa_effects=_effects(1, 0, ())))
    assert (
        one.text == "One CAPA closed in the period can be judged on its defect data: it cut the defect rate of what it addresses."
    )
    assert one.tone == "neutral"
    # None judged (all too recent, say): no sentence rather than "0 of 0".
    assert len(capa_sentences(ReviewData(MARCH, capas=empty, capa_effects=_effects(0, 0, ())))) == 1


def test_complaint_sentences_tell_surges_only() -> None:
    frame = pd.DataFrame(
        {
            "key": ["D12", None, "D04"],
            "label": ["Seal leak", "not mapped", "Solder bridge"],
            "complaints": [54, 80, 6],
            "prev_complaints": [1, 2, 1],
        }
    )
    (sentence,) = complaint_sentences(ReviewData(QUARTER, complaints=frame))
    assert (
        sentence.text
        == "Complaints about D12 Seal leak rose from 1 to 54 against the previous period (p < 0.001: more than chance)."
    )
    assert sentence.href == "/voc?period=90d&code=D12"


def test_okr_sentences_tell_status_changes_worst_first() -> None:
    since = dt.date(2026, 10, 29)
    changes = (
        OkrChange("K1", "Raise yield", "Ops", "2026-Q4", "at risk", "on track", since),
        OkrChange("K2", "Cut PPM", "SQ", "2026-Q4", "on track", "off track", since),
    )
    sentences = okr_sentences(ReviewData(QUARTER, okr=changes))
    assert [s.key for s in sentences] == ["okr:K2", "okr:K1"]
    assert sentences[0].text == "Key result K2 “Cut PPM” (SQ) went from on track to off track since 29 Oct 2026."
    assert [s.tone for s in sentences] == ["worse", "better"]
    assert sentences[0].href == "/okr?quarter=2026-Q4"


def test_narrative_runs_every_source_and_reports_unread_subjects() -> None:
    assert okr_sentences in SOURCES and len(SOURCES) == 6  # one line per subject
    assert [s.text for s in narrative(ReviewData(MARCH))] == ["Nothing changed beyond routine variation in this period."]
    problems = narrative(ReviewData(MARCH, problems=(("Suppliers", "The database is down."),)))
    assert [(s.tone, s.text) for s in problems] == [("problem", "Suppliers: The database is down.")]


# --- the demo stories --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'quality.db'}"
    write_demo(url, "small", end_date=END, progress=False)
    repository = repository_for(url, today=END.isoformat())
    store = SqlAppStore(f"sqlite:///{folder / 'store.db'}")
    store.upgrade()
    yield repository, store
    repository.sources.dispose()
    store.dispose()


def test_the_review_tells_the_demo_stories(demo) -> None:
    repo, store = demo
    view = build_review(QUARTER, repo, store)
    texts = [s.text for s in view.sentences]
    assert "Supplier S017 Yilmaz Castings A.S. fell from grade B to C (score 67, volume-adjusted 4,400 PPM)." in texts
    assert any(t.startswith("Complaints about D12 Seal leak rose from 1 to 54") for t in texts)
    assert any(t.startswith("1 CAPA is overdue on 23 Nov 2026") and "#253" in t for t in texts)
    assert [t.kpi_id for t in view.tiles][:2] == ["first_pass_yield", "dpmo"]
    assert view.grades["S017"] == "C"
    assert not any("no forecast" in t for t in texts)  # a forecast becoming possible is no status change
    assert [s.key for s in view.sections] == ["defects", "process", "suppliers", "customers", "capa", "okr"]
    year = build_review(YEAR, repo, store)
    # Story 5's CAPA on D04 at P01 closed in January and cut its rate: the pack lists it as such.
    capa = next(s for s in year.sections if s.key == "capa")
    _, effects = capa.tables
    assert effects.columns[0] == "CAPA" and effects.columns[6] == "The data says"
    story5 = [row for row in effects.rows if row[1] == "D04 at plant P01"]
    assert [row[6] for row in story5] == ["Fell"] and story5[0][7] == "Effective"
    assert "could be judged on defects per 1,000 units" in capa.intro
    assert any(s.key == "capa:effects" for s in year.sentences)
    first = next(s for s in year.sentences if s.source == "spc")
    assert first.key == "spc:P02-L03-C1" and "25 points in a row above the centre line" in first.text  # story 1


def test_an_edition_round_trips_through_the_store_exactly(demo) -> None:
    repo, store = demo
    view = build_review(QUARTER, repo, store)
    assert json.loads(json.dumps(review_payload(view)))["version"] == 1  # plain JSON, nothing else
    edition = freeze_review(store, view, "ann")
    restored = review_from_payload(edition.payload, store.edition(edition.edition_id))
    assert restored.edition == EditionInfo(edition.edition_id, edition.created_at, "ann")
    assert dataclasses.replace(restored, edition=None, changes=None) == view
    assert payload_digest(restored) == payload_digest(view)
    again = freeze_review(store, view, "bo")  # the next edition carries its diff against the one before
    assert EditionDiff.from_dict(again.payload["changes"]) == EditionDiff(edition.edition_id, f"frozen {_stamp(edition)} by ann")
    plant = build_review(dataclasses.replace(QUARTER, plant_id="P02"), repo, store)
    assert latest_comparable(store, plant) is None  # another plant scope is not compared


def _stamp(edition) -> str:
    return f"{edition.created_at.astimezone(dt.UTC):%d %b %Y %H:%M} UTC"


class FailingStore:
    def latest_editions(self, limit: int = 10):
        raise StoreUnavailable("Could not read review editions: the dashboard's own database did not answer.")

    def add_edition(self, *args, **kwargs):
        raise StoreUnavailable("Could not save the review edition: the dashboard's own database did not answer.")


def test_key_results_without_the_store_are_told_with_a_problem_sentence(demo) -> None:
    repo, _ = demo

    class NoCheckins:
        def checkins(self, key_result_ids):
            raise StoreUnavailable("Could not read check-ins: the dashboard's own database did not answer.")

    data = collect(QUARTER, repo, NoCheckins())
    assert data.okr  # from the sources' check-ins alone
    assert narrative(data)[-1].text.startswith("OKR: Could not read check-ins: the dashboard's own database did not answer.")


def test_a_failing_store_refuses_the_freeze_with_its_message() -> None:
    view = _view(_tiles(("dpmo", "412 DPMO", "watch")), {}, ())
    with pytest.raises(StoreUnavailable, match="did not answer"):
        freeze_review(FailingStore(), view, "anonymous")


# --- the edition diff --------------------------------------------------------------------------


def _tiles(*specs: tuple[str, str, str]) -> tuple[ReviewTile, ...]:
    names = {"dpmo": "DPMO", "nps": "Net Promoter Score"}
    texts = {"good": "On target", "watch": "Watch", "act": "Act"}
    return tuple(
        ReviewTile(k, names[k], "x", 1.0, v, "", s, texts[s], "", "", "", "", None, None, None, "lower", "", "", "", "/", "")
        for k, v, s in specs
    )


def _view(tiles, grades, sentences, edition: int | None = None) -> ReviewView:
    info = EditionInfo(edition, dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC), "ann") if edition else None
    return ReviewView(
        {"period": "90d"}, "Last 90 days", dt.datetime(2026, 11, 2, tzinfo=dt.UTC), tiles, sentences, (), grades, edition=info
    )


def test_the_diff_tells_values_grades_and_new_and_dropped_sentences() -> None:
    before = _view(
        _tiles(("dpmo", "412 DPMO", "watch"), ("nps", "+30", "good")),
        {"S017": "B", "S001": "A", "S060": "C"},
        (Sentence("capa:overdue", "capa", "2 CAPAs are overdue.", ""), Sentence("pareto:D01", "pareto", "D01 rose.", "")),
        edition=3,
    )
    after = _view(
        _tiles(("dpmo", "380 DPMO", "good"), ("nps", "+30", "good")),
        {"S017": "C", "S001": "A", "S099": "B"},
        (Sentence("capa:overdue", "capa", "3 CAPAs are overdue.", ""), Sentence("suppliers:S017", "suppliers", "S017 fell.", "")),
    )
    diff = diff_reviews(before, after)
    assert diff.kpis == ("DPMO 412 DPMO → 380 DPMO (Watch → On target)",)
    assert diff.grades == ("supplier S017 B → C",)
    assert diff.new == ("S017 fell.",) and diff.dropped == ("D01 rose.",)  # matched by key, not by numbers
    assert diff.created_text == "frozen 02 Nov 2026 09:30 UTC by ann" and not diff.unchanged
    assert EditionDiff.from_dict(json.loads(json.dumps(diff.as_dict()))) == diff
    assert diff_reviews(before, dataclasses.replace(before, edition=None)).unchanged
    with pytest.raises(ValueError, match="frozen edition"):
        diff_reviews(after, before)


# --- the PDF pack ------------------------------------------------------------------------------


def _pack_view(rows: int = 60) -> ReviewView:
    figure = {
        "data": [{"type": "scattergl", "x": [1, 2, 3], "y": [3, 1, 2]}],
        "layout": {"title": {"text": "A chart"}, "height": 300},
    }
    table = ReviewTable("Every row", ("Id", "Text"), tuple((f"R{i:03d}", f"row {i}") for i in range(rows)))
    sections = (
        ReviewSection("defects", "Defects", "Intro <b>not bold</b>", (figure,), (table,), ("A note",)),
        ReviewSection("capa", "CAPA", tables=(ReviewTable("Empty", ("A",), (), "No CAPA is overdue."),)),
    )
    sentences = (Sentence("x:1", "x", "Something <script>alert(1)</script> rose.", "/defects?period=90d&code=D01", "worse"),)
    view = _view(_tiles(("dpmo", "1,164 DPMO", "watch"), ("nps", "+30", "good")), {}, sentences, edition=12)
    return dataclasses.replace(view, sections=sections, period_label='Last 90 days "Q4" · all plants')


def test_the_pack_html_holds_every_section_row_and_chart_and_escapes_text() -> None:
    page = pack_html(_pack_view(), "file:///plotly.min.js", "https://quality.example/")
    for text in ("Quality leadership review", "What changed", "Defects", "CAPA", "No CAPA is overdue.", "A note", "1,164 DPMO"):
        assert text in page
    assert all(f"<td>R{i:03d}</td>" in page for i in range(60)) and page.count("<tr><td>R") == 60
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Intro &lt;b&gt;not bold&lt;/b&gt;" in page
    assert 'href="https://quality.example/defects?period=90d&amp;code=D01"' in page
    specs = json.loads(re.search(r'id="pack-figures">(.*?)</script>', page).group(1))
    assert [(s["id"], s["width"], s["height"]) for s in specs] == [("pack-chart-1", 1020, 300)]
    assert '@top-left { content: "Quality leadership review · Edition 12"' in page
    assert '@top-right { content: "Period: Last 90 days \\"Q4\\" · all plants"' in page
    assert 'counter(page) " of " counter(pages)' in page


def test_css_strings_cannot_break_out() -> None:
    assert css_string('a"b\\c\n</style>') == '"a\\"b\\\\c \\3C /style>"'


def _chromium() -> str:
    chromium = find_chromium()
    if not chromium or not shutil.which("pdftotext"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium and pdftotext are needed for the PDF tests in CI.")
        pytest.skip("Chromium or pdftotext is not installed")
    return chromium


def test_the_pack_prints_every_page_with_its_header_and_all_rows(tmp_path: Path) -> None:
    chromium = _chromium()
    page, pdf = tmp_path / "pack.html", tmp_path / "pack.pdf"
    page.write_text(pack_html(_pack_view(rows=120), PLOTLY_JS.as_uri()), encoding="utf-8")
    print_pdf(page, pdf, chromium, timeout_s=90)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [" ".join(p.split()) for p in text.split("\f") if p.strip()]
    assert len(pages) >= 4  # the tiles, the narrative, the chart and 120 rows
    for number, content in enumerate(pages, start=1):
        assert "Edition 12" in content and 'Period: Last 90 days "Q4" · all plants' in content
        assert "Data as of 00:00 UTC, 02 Nov 2026" in content and f"Page {number} of {len(pages)}" in content
    whole = " ".join(pages)
    assert all(f"R{i:03d} row {i}" in whole for i in range(120))
    assert "End of the meeting pack: 1 of 1 charts drawn." in whole and "A chart" in whole


def test_a_job_reports_its_steps_and_its_pdf(tmp_path: Path) -> None:
    jobs = PackJobs(root=tmp_path, chromium=_chromium())
    job = jobs.create("pack.pdf")
    assert jobs.status(job)["state"] == "running" and jobs.pdf(job) is None
    jobs.run(job, _pack_view)
    state = jobs.status(job)
    assert (state["state"], state["step"], state["href"]) == ("done", 3, f"/review/pack/{job}/file")
    assert jobs.pdf(job).read_bytes().startswith(b"%PDF-")


def test_a_job_fails_with_a_message_never_a_hang(tmp_path: Path) -> None:
    no_chromium = PackJobs(root=tmp_path, chromium=None)
    job = no_chromium.create("pack.pdf")
    no_chromium.run(job, _pack_view)
    assert no_chromium.status(job)["message"].startswith("The PDF pack needs Chromium on the server")

    def broken() -> ReviewView:
        raise InvalidFilter("There is no edition 99.")

    job = no_chromium.create("pack.pdf")
    no_chromium.run(job, broken)
    assert (no_chromium.status(job)["state"], no_chromium.status(job)["message"]) == ("failed", "There is no edition 99.")

    hanging = tmp_path / "chromium"
    hanging.write_text("#!/bin/sh\nsleep 60\n")
    hanging.chmod(0o755)
    slow = PackJobs(root=tmp_path, chromium=str(hanging), print_timeout_s=1)
    job = slow.create("pack.pdf")
    slow.run(job, _pack_view)
    assert slow.status(job)["message"].startswith("Printing took longer than 1 s and was stopped")

    stuck = PackJobs(root=tmp_path, timeout_s=-10)  # its worker died: the deadline has passed
    job = stuck.create("pack.pdf")
    assert stuck.status(job)["state"] == "failed" and "not ready within" in stuck.status(job)["message"]
    assert stuck.status("../../etc") is None and stuck.status("x" * 20) is None
