"""One CAPA's page (/capa/<id>) on hand-made data, on SQLite and PostgreSQL: its facts, the
findings that raised it, and the defect rate before it opened against the rate after it closed.

CAPA 10 addresses D01 on P01-L01; it was opened on 1 May 2026, was due on 15 June and closed on
1 June. Besides the seed's rows (10 Feb: 50 defects in 1,000 units; 10 Mar: 30 in 1,000), the
line inspected 1,000 units a day from 1 to 25 April with 10 D01 defects a day, and from 2 June to
1 July with 4 a day. So before (6 Feb to 30 Apr): 330 defects in 27,000 units over 27 production
days; after (2 June to 31 July, "today"): 120 defects in 30,000 units over 30 days. A D01 row
while it was open (15 May) and a D02 row after it closed belong to neither window.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from scipy.stats import binom
from scipy.stats import t as student_t

from dashboard.drill import DefectSlice, EffectScope
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.sources import schema
from dashboard.views.capa_detail import build_capa_detail, parse_capa_id
from dashboard.views.defects import build_defects
from dashboard.views.records import capa_link
from tests.helpers import insert_rows, repo_url

D = dt.date
TODAY = D(2026, 7, 31)
LINE = {"plant_id": "P01", "line_id": "P01-L01", "product_id": "X1"}


def _days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def insert_story(conn) -> None:
    conn.execute(schema.defect_codes.insert(), [{"defect_code": "D02", "defect_description": "Dent", "category_6m": "Machine"}])
    days = [*_days(D(2026, 4, 1), 25), *_days(D(2026, 6, 2), 30)]
    conn.execute(
        schema.production_volumes.insert(),
        [
            {**LINE, "production_date": day, "units_inspected": 1000, "units_passed_first_time": 990, "units_shipped": 990}
            for day in days
        ],
    )
    defect = {**LINE, "defect_code": "D01", "severity": "minor", "detection_stage": "final", "cost_eur": 1.0}
    conn.execute(
        schema.defects.insert(),
        [
            *({**defect, "defect_date": day, "defect_count": 10} for day in days[:25]),
            *({**defect, "defect_date": day, "defect_count": 4} for day in days[25:]),
            {**defect, "defect_date": D(2026, 5, 15), "defect_count": 99},
            {**defect, "defect_date": D(2026, 6, 10), "defect_code": "D02", "defect_count": 77},
        ],
    )
    capa = {"plant_id": "P01", "capa_source": "internal", "owner": "Ann", "line_id": None, "defect_code": None}
    capa |= {"closed_date": None, "effective": None}
    conn.execute(
        schema.capas.insert(),
        [
            {
                **capa,
                "capa_id": 10,
                "line_id": "P01-L01",
                "defect_code": "D01",
                "title": "Stop the scratches",
                "opened_date": D(2026, 5, 1),
                "due_date": D(2026, 6, 15),
                "closed_date": D(2026, 6, 1),
                "effective": True,
            },
            {
                **capa,
                "capa_id": 11,
                "line_id": "P01-L01",
                "defect_code": "D01",
                "title": "Still open",
                "opened_date": D(2026, 6, 1),
                "due_date": D(2026, 7, 1),
            },
            {**capa, "capa_id": 12, "title": "Rewrite the procedure", "opened_date": D(2026, 5, 1), "due_date": D(2026, 9, 1)},
            {
                **capa,
                "capa_id": 13,
                "defect_code": "D01",
                "title": "Closed last week",
                "opened_date": D(2026, 5, 1),
                "due_date": D(2026, 7, 20),
                "closed_date": D(2026, 7, 20),
                "effective": None,
            },
        ],
    )
    finding = {"plant_id": "P01", "audit_type": "customer", "finding_severity": "minor", "capa_id": 10}
    conn.execute(
        schema.audit_findings.insert(),
        [
            {**finding, "audit_date": D(2026, 4, 20), "iso_clause": "8.5.1", "closed_date": D(2026, 6, 2)},
            {**finding, "audit_date": D(2026, 4, 28), "iso_clause": "10.2", "closed_date": None},
        ],
    )


@pytest.fixture
def story(repo, request: pytest.FixtureRequest, tmp_path):
    insert_rows(repo, repo_url(repo, request, tmp_path), insert_story)
    return repo


def test_the_rate_before_and_after_come_from_exactly_the_two_windows(story) -> None:
    view = build_capa_detail("10", story, TODAY)
    effect = view.effect
    assert (effect.before_defects, effect.before_units) == (330, 27_000)
    assert (effect.after_defects, effect.after_units) == (120, 30_000)
    # The days vary: before, 25 days of 10 in 1,000 against one of 50 and one of 30 (Pearson chi-square
    # 152.73 around the window's rate), after, 30 days of exactly 4: 152.73 / (27 + 30 - 2) = 2.777.
    rate = 330 / 27_000
    chi2 = 25 * (10 - 1000 * rate) ** 2 / (1000 * rate) + sum((y - 1000 * rate) ** 2 / (1000 * rate) for y in (50, 30))
    assert effect.method == "quasi-Poisson" and effect.df == 55
    assert effect.dispersion == pytest.approx(chi2 / 55, rel=1e-9)
    log_ratio, se = math.log((120 / 30_000) / rate), math.sqrt(chi2 / 55 * (1 / 120 + 1 / 330))
    assert effect.p_fell == pytest.approx(student_t.cdf(log_ratio / se, 55), rel=1e-9)
    assert effect.p_fell > binom.cdf(120, 450, 30_000 / 57_000)  # weaker than the Poisson-only test
    assert effect.verdict == "fell"
    assert "two-sided quasi-Poisson t-test p < 0.001" in view.effect_text
    assert view.effect_text.endswith(
        "The days vary 2.8 times as much as a Poisson count would (defects cluster), so the test and the interval allow "
        "for it (55 degrees of freedom)."
    )
    assert view.effect_text.startswith("Defects per 1,000 units of code D01 on line P01-L01 fell: 12.22 in the 12 weeks")
    assert "330 defects in 27,000 units over 27 production days" in view.effect_text
    assert "4.00 in the 60 days after it closed (120 in 30,000 over 30)" in view.effect_text
    assert view.check_text == "Recorded as effective; the defect data agrees."
    assert view.defects_href == "/defects?period=custom&start=2026-02-06&end=2026-07-31&plant=P01&line=P01-L01&code=D01"


def test_the_facts_status_and_findings(story) -> None:
    view = build_capa_detail(" 10 ", story, TODAY)
    facts = dict(view.facts)
    assert (view.capa_id, view.title, view.status) == (10, "Stop the scratches", "Closed on time")
    assert facts["Plant"] == "P01 · Alpha" and facts["Defect code"] == "D01 · Scratch" and facts["Line"] == "P01-L01"
    assert facts["Where it stands"] == "closed after 31 days, on or before its due date"
    assert [(f.audit_date, f.clause, f.closed) for f in view.findings] == [
        ("28 Apr 2026", "10.2", "open"),
        ("20 Apr 2026", "8.5.1", "02 Jun 2026"),
    ]
    assert view.figure["data"][0]["name"] == "Defects per 1,000 units"


def test_an_open_capa_waits_and_one_closed_last_week_is_too_soon(story) -> None:
    open_one = build_capa_detail("11", story, TODAY)
    assert open_one.status == "Overdue" and open_one.effect is None
    assert dict(open_one.facts)["Where it stands"] == "open for 60 days, 30 days past its due date"
    assert open_one.effect_text.startswith("Not closed yet")
    recent = build_capa_detail("13", story, TODAY)
    assert recent.effect is None and recent.effect_text.startswith("Too soon to judge: 11 days since it closed")
    assert recent.check_text == "No effectiveness check recorded yet."


def test_a_capa_naming_no_line_or_code_is_not_measured(story) -> None:
    view = build_capa_detail("12", story, TODAY)
    assert view.effect is None and view.defects_href is None and view.findings == ()
    assert "names no line and no defect code" in view.effect_text


def test_what_the_data_as_of_an_earlier_day_says(story) -> None:
    # On 20 June the CAPA had closed 19 days before: too soon; the status is as on that day.
    view = build_capa_detail("10", story, D(2026, 6, 20))
    assert view.effect is None and "Too soon" in view.effect_text
    # Before it closed, it was open (the closed date lies in that day's future).
    assert build_capa_detail("10", story, D(2026, 5, 20)).status == "Open"


@pytest.mark.parametrize("text", ["abc", "", "0", "-3", "1.5", "99999999999", "1;DROP", None, ["10"]])
def test_a_bad_number_is_refused_with_a_sentence(text) -> None:
    with pytest.raises(InvalidFilter, match="is not a CAPA number"):
        parse_capa_id(text)


def test_an_unknown_capa_says_so(story) -> None:
    with pytest.raises(InvalidFilter, match="There is no CAPA 4242"):
        build_capa_detail("4242", story, TODAY)


def test_record_links_keep_the_list_filter() -> None:
    assert capa_link(253, {"period": "12m", "plant": "P02"}) == "[253](/capa/253?period=12m&plant=P02)"
    assert capa_link(7.0, {}) == "[7](/capa/7?)"
    assert capa_link(None, {}) == "" and capa_link(float("nan"), {}) == "" and capa_link("7", {}) == ""


def test_the_findings_list_links_a_finding_to_its_capa(story) -> None:
    from dashboard.views.audit_records import AuditSelection, record_page

    april = Filters("custom", D(2026, 4, 1), D(2026, 4, 30), "P01")
    page = record_page(april, AuditSelection(status="all"), story, sort="audit_date", descending=True, offset=0, limit=10)
    assert [(row["capa_id"], row["capa_link"]) for row in page.rows] == [
        (10, "[10](/capa/10?period=custom&start=2026-04-01&end=2026-04-30&plant=P01)"),
        (10, "[10](/capa/10?period=custom&start=2026-04-01&end=2026-04-30&plant=P01)"),
        (None, ""),  # the seed's finding of 1 March, still open, raised no CAPA
    ]


@pytest.mark.parametrize("value", ["10", 0, -1, 2**31, True, None])
def test_the_datasets_take_only_a_whole_capa_number(story, value) -> None:
    with pytest.raises(InvalidFilter, match="capa_id must be a whole number"):
        story.fetch("capa_one", capa_id=value)


@pytest.mark.parametrize(
    "scope",
    [
        "P01",
        None,
        EffectScope(1, None, None, D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4)),
        EffectScope("P01", None, None, "2026-01-01", D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4)),
        EffectScope("P01", None, None, dt.datetime(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4)),
    ],
)
def test_the_effect_datasets_check_what_they_are_given(story, scope) -> None:
    for name in ("capa_effect_totals", "capa_effect_weeks"):
        with pytest.raises(InvalidFilter, match="CAPA's"):
            story.fetch(name, scope=scope)


JUNE = Filters("custom", D(2026, 6, 1), D(2026, 6, 30), "P01")


@pytest.mark.parametrize(
    ("line", "code"),
    [("P01-L01", "D01"), ("P01-L01", None), (None, "D01")],
)
def test_the_defects_page_names_the_capas_on_its_line_or_code(story, line, code) -> None:
    # Open ones first, the soonest due first (11 due 1 July, 13 plant-wide on D01 due 20 July),
    # then the closed (10). CAPA 12 names neither line nor code; the seed's CAPAs neither.
    view = build_defects(JUNE, DefectSlice(line_id=line, defect_code=code), story)
    assert [(m.capa_id, m.status) for m in view.capas.items] == [(11, "Open"), (13, "Open"), (10, "Closed on time")]
    assert view.capas.total == 3
    assert view.capas.items[0].href == "/capa/11?period=custom&start=2026-06-01&end=2026-06-30&plant=P01"


def test_no_capa_on_the_plant_level_and_none_on_another_line(story) -> None:
    assert build_defects(JUNE, DefectSlice(), story).capas is None
    view = build_defects(Filters("custom", D(2026, 6, 1), D(2026, 6, 30), "P02"), DefectSlice(line_id="P02-L01"), story)
    assert view.capas.items == () and view.capas.total == 0 and view.capas.what == "line P02-L01"
