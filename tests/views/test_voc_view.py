"""The voice-of-the-customer view on the hand-made data (tests/seed.py), SQLite and PostgreSQL.

March 2026: five survey answers 10, 10, 9, 8, 3 → 3 promoters, 1 passive, 1 detractor, NPS +40
(n = 5); six CSAT answers of 4 → 100 %; one complaint (code D01) on 1,950 units shipped → 513
per million; its comment is "<script>alert(1)</script> scratched".
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.views.voc import VocSlice, build_voc, parse_voc_slice, voc_dimensions

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_headlines_carry_the_sample_size_and_interval(repo) -> None:
    view = build_voc(MARCH, repo)
    heads = {name: (value, detail) for name, value, detail in view.headlines}
    assert heads["Net Promoter Score"][0] == "+40"
    assert heads["Net Promoter Score"][1].startswith("n = 5, 95 % interval")
    assert "previous no responses" in heads["Net Promoter Score"][1]
    assert heads["CSAT (4-5 of 5)"][0] == "100.0 % (n = 6)"
    assert heads["Complaints"][0] == "1"
    assert heads["Complaints per million units shipped"][0] == "513"
    assert heads["Comments scored"] == ("6", "of 6 comments")


def test_comments_are_listed_as_text_with_their_sentiment(repo) -> None:
    view = build_voc(MARCH, repo)
    texts = [row["text"] for row in view.comments]
    assert "<script>alert(1)</script> scratched" in texts  # kept as written; the grid shows it as text
    complaint = next(row for row in view.comments if row["complaint"])
    assert complaint["code"] == "D01"
    assert view.code == "D01"  # the code with the most complaints is lined up
    narrowed = build_voc(MARCH, repo, theme="scratched")
    assert [row["text"] for row in narrowed.comments] == ["<script>alert(1)</script> scratched"]
    assert narrowed.comments_text.startswith("1 comments about “scratched”")


def test_too_little_history_gives_no_lag_claim(repo) -> None:
    view = build_voc(MARCH, repo)
    assert view.lag_text.startswith("No lag of 0-8 weeks")


def test_slices_and_bad_values(repo) -> None:
    dims = voc_dimensions(repo)
    chosen, problems = parse_voc_slice({"channel": "email", "region": "Mars", "product": "X1"}, dims)
    assert chosen == VocSlice(channel="email", region=None, product_id="X1")
    assert problems == ("Unknown region 'Mars'; showing all.",)
    email = build_voc(MARCH, repo, slice_=chosen)
    heads = {name: value for name, value, _ in email.headlines}
    assert heads["Net Promoter Score"] == "no responses"  # never 0
    assert heads["Complaints"] == "1"
    with pytest.raises(InvalidFilter):
        build_voc(MARCH, repo, by="mood")
    unknown = build_voc(MARCH, repo, code="D99")
    assert unknown.problems == ("Unknown defect code 'D99'; showing the code with the most complaints.",)


def test_a_warm_page_is_served_from_the_cache(repo) -> None:
    build_voc(MARCH, repo, by="channel")
    queries = repo.queries_run
    build_voc(MARCH, repo, by="channel")
    assert repo.queries_run == queries


def test_a_chosen_code_narrows_the_comments_and_a_theme_has_its_weekly_trend(repo) -> None:
    view = build_voc(MARCH, repo, code="D01", comments_of_code=True, theme="scratched")
    assert [row["code"] for row in view.comments] == ["D01"]
    assert view.comments_text.startswith("1 comments about “scratched” and on D01")
    assert view.theme_trend is not None and view.theme_trend["data"][0]["y"] == [1]
    assert build_voc(MARCH, repo).theme_trend is None
