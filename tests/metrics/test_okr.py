"""Key-result progress for each kind, and the weighted roll-up."""

from __future__ import annotations

import pytest

from dashboard.metrics.okr import key_result_progress_pct, weighted_progress_pct


@pytest.mark.parametrize(
    ("kind", "value", "start", "target", "low", "high", "expected"),
    [
        ("increase", 75, 50, 100, None, None, 50.0),
        ("increase", 130, 50, 100, None, None, 160.0),  # over-achieved, not capped
        ("decrease", 80, 100, 60, None, None, 50.0),  # 100 -> 60 bugs: 80 is 50 %
        ("decrease", 110, 100, 60, None, None, -25.0),  # moved away from target
        ("band", 5, None, None, 4, 6, 100.0),
        ("band", 7, None, None, 4, 6, 0.0),
        ("milestone", 1, None, None, None, None, 100.0),
        ("milestone", 0, None, None, None, None, 0.0),
        ("increase", None, 50, 100, None, None, None),
        ("increase", 60, 50, 50, None, None, None),
    ],
)
def test_progress(kind, value, start, target, low, high, expected) -> None:
    assert key_result_progress_pct(kind, value, start, target, low, high) == (
        expected if expected is None else pytest.approx(expected)
    )


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown key-result kind"):
        key_result_progress_pct("double", 1)


def test_weighted_rollup_skips_missing_progress() -> None:
    assert weighted_progress_pct([(50.0, 1), (100.0, 3), (None, 5)]) == pytest.approx(87.5)
    assert weighted_progress_pct([(None, 1)]) is None


# --- Published vendor examples ------------------------------------------------------------------
# Each case quotes a vendor help-centre page; the numbers are theirs, the mapping to our kinds ours.

QUANTIVE = "https://help.quantive.com/en/articles/3849793-how-kr-progress-is-calculated-in-quantive"
FEEDBACK4E = "https://feedback4e.freshdesk.com/support/solutions/articles/80001132301-how-is-key-result-progress-calculated-"
LEEMU = "https://leemu.tawk.help/article/key-results-check-ins"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Quantive (Gtmhub), "Decrease the number of open bugs from 100 to 60 (should decrease)":
        # "KR Update 1 = 80 bugs equals to 50% KR progress", "KR Update 2 = 70 bugs equals to 75%",
        # "KR Update 3 = 50 bugs equals to 125% KR progress (overachieving ...)": not capped.
        (80, 50.0),
        (70, 75.0),
        (50, 125.0),
    ],
)
def test_decrease_quantive_open_bugs(value, expected) -> None:
    assert key_result_progress_pct("decrease", value, 100, 60) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("start", "target", "value", "expected", "source"),
    [
        # feedback4e: "(Check-In Value - Lower Limit) / (Target - Lower Limit) * 100";
        # "(16 -10 ) / (20-10) * 100 ==> 60%" and "(22 - 10) / (20-10) * 100 ==> 120%" (over-achieved).
        (10, 20, 16, 60.0, FEEDBACK4E),
        (10, 20, 22, 120.0, FEEDBACK4E),
        # Leemu: "Initial Value: 10 Target Value: 25 Current Value: 15 ... Progress: 33% ((15-10)/(25-10) = 5/15)".
        (10, 25, 15, 100.0 / 3, LEEMU),
    ],
)
def test_increase_published_examples(start, target, value, expected, source) -> None:
    assert key_result_progress_pct("increase", value, start, target) == pytest.approx(expected), source


@pytest.mark.parametrize(("value", "expected"), [(27, 0.0), (24, 100.0)])
def test_band_quantive_stay_below(value, expected) -> None:
    # Quantive, "Keep the webpage bounce rate below 25% (should stay below)": "KR Update 1 = 27% equals
    # to 0% KR progress", "KR Update 2 = 24% equals to 100% KR progress". A one-sided "stay below" is a
    # band whose floor the measure cannot cross (a rate is never below 0 %). No vendor page we found
    # gives numbers for a two-sided "stay within a range" key result; Engagedly only describes its
    # "Range" goals as on track when the value "remains within the required ... range"
    # (https://help.engagedly.com/understanding-goal-measurement-types-and-measurement-logic), which is
    # what the 4–6 band cases in test_progress check.
    assert key_result_progress_pct("band", value, band_low=0, band_high=25) == expected


def test_band_edges_count_as_inside() -> None:
    # Deliberately unlike Quantive ("The target value is not inclusive ... The comparison is < or >"):
    # here a value on the edge of the band meets it (band_low <= value <= band_high).
    assert key_result_progress_pct("band", 25, band_low=0, band_high=25) == 100.0
    assert key_result_progress_pct("band", 0, band_low=0, band_high=25) == 100.0


@pytest.mark.parametrize(("value", "expected"), [(1, 100.0), (0, 0.0)])
def test_milestone_binary_perdoo(value, expected) -> None:
    # Perdoo, "What is the best practice for an OKR that maintains a target value?": "Measure it as a
    # binary 0/1, yes or no in terms of completion (0 if you didn't maintain it and 1 if you did over
    # the quarter)" (https://support.perdoo.com/en/articles/5203378-what-is-the-best-practice-for-an-okr-that-maintains-a-target-value).
    # The page gives no percentages; 1 of 1 done is 100 %, 0 of 1 is 0 %.
    assert key_result_progress_pct("milestone", value) == expected


def test_weighted_rollup_holaspirit() -> None:
    # Holaspirit (https://help.holaspirit.com/en/articles/6653401-okrs-weighted-objective): "Exceed NPS over
    # 8/10" weight 2 at 5/10, "Get 300 responses" weight 1 at 200/300, "Present an action plan of 5
    # improvements" weight 1 at 2/5: "[2 x (5/10) / 4]*100 i.e 25%", "17%", "10%", "Total Progress of the
    # Objective = 25 + 17 + 10 = 52%" (the page rounds each term; unrounded it is 51.67 %).
    pairs = [(50.0, 2), (100.0 * 200 / 300, 1), (40.0, 1)]
    assert weighted_progress_pct(pairs) == pytest.approx(25 + 100 / 6 + 10)
    assert round(weighted_progress_pct(pairs)) == 52


@pytest.mark.parametrize(
    ("pairs", "expected", "source"),
    [
        # Hirebook: "two key results that are 50% and 100% complete, with weightings of 4 and 1 respectively
        # ... (4x50% + 1x100%) / (4+1) = 60%"; with equal weighting "75% complete".
        ([(50.0, 4), (100.0, 1)], 60.0, "https://support.hirebook.com/en/articles/4704827-checking-off-key-results"),
        ([(50.0, 1), (100.0, 1)], 75.0, "https://support.hirebook.com/en/articles/4704827-checking-off-key-results"),
        # Amoeboids (OKR for Jira): weights 3, 5, 7, 10; "Calculations - 3*100/(3+5+7+10) = 12%".
        (
            [(100.0, 3), (0.0, 5), (0.0, 7), (0.0, 10)],
            12.0,
            "https://amoeboids.atlassian.net/wiki/pages/viewpage.action?pageId=3945758722",
        ),
        # Perdoo: "one Key Result that is at 100% progress, and two that are at 0% progress, your Objective
        # progress will be 33%" (equal weights).
        (
            [(100.0, 1), (0.0, 1), (0.0, 1)],
            100.0 / 3,
            "https://support.perdoo.com/en/articles/4898961-understand-how-progress-is-calculated-for-okrs",
        ),
    ],
)
def test_weighted_rollup_published_examples(pairs, expected, source) -> None:
    assert weighted_progress_pct(pairs) == pytest.approx(expected), source


def test_rollup_keeps_over_achievement() -> None:
    # Quantive's 50-bug update (125 %) rolls up as it is. Perdoo caps a key result at 100 % in the
    # roll-up ("2 Key Results, one has 0% progress and the other has 200% ... shows that your Objective
    # progressed 50%", https://support.perdoo.com/en/articles/3130225-is-key-result-progress-above-100-counted-in-objective-success);
    # this dashboard does not cap, so the same pair averages 100 %.
    assert weighted_progress_pct([(key_result_progress_pct("decrease", 50, 100, 60), 1)]) == pytest.approx(125.0)
    assert weighted_progress_pct([(0.0, 1), (200.0, 1)]) == pytest.approx(100.0)
