"""The audit page's figures, checked on structure: stacking order, keys for the drill, every
bucket and band shown, totals beside the bars, empty states, colours from the theme only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.audits import (
    AGE_LABELS,
    SEVERITY_COLOURS,
    TYPE_COLOURS,
    backlog_figure,
    bucket_label,
    buckets,
    clause_figure,
    trend_figure,
)
from dashboard.figures.theme import PALETTE, STATUS_COLOURS

D = dt.date
HOSTILE = "<b>9.9</b>"


def valid(figure: go.Figure) -> dict:
    """The figure as a dict, after full plotly validation and JSON serialisation."""
    go.Figure(figure.to_dict())  # raises on any invalid property
    assert figure.to_json()
    return figure.to_dict()


def clauses() -> pd.DataFrame:
    """Rows as select_audit_by_clause returns them: the largest clause first."""
    rows = [
        ("8.7", "major", 2, 5),
        ("8.7", "observation", 3, 5),
        ("10.2", "minor", 1, 2),
        ("10.2", "unknown", 1, 2),
        (HOSTILE, "observation", 1, 1),
    ]
    return pd.DataFrame(rows, columns=["iso_clause", "finding_severity", "findings", "clause_total"])


def test_clause_bars_stack_by_severity_in_a_fixed_order() -> None:
    figure = valid(clause_figure(clauses()))
    assert [t["name"] for t in figure["data"]] == ["Observation", "Minor", "Major", "Unknown"]
    observation, minor, major, unknown = figure["data"]
    assert observation["y"] == ["8.7", "10.2", HOSTILE] and observation["x"] == [3, 0, 1]
    assert major["x"] == [2, 0, 0] and minor["x"] == [0, 1, 0] and unknown["x"] == [0, 1, 0]
    assert observation["customdata"] == ["8.7", "10.2", HOSTILE]  # a click lists the clause
    assert all(t["orientation"] == "h" for t in figure["data"])
    assert figure["layout"]["yaxis"]["categoryarray"] == ["8.7", "10.2", HOSTILE]
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"  # the largest on top
    # Totals at each bar's end, placed by the category's index ("8.7" would be read as a position).
    assert [(a["text"].strip(), a["x"], a["y"]) for a in figure["layout"]["annotations"]] == [
        ("5", 5, 0),
        ("2", 2, 1),
        ("1", 1, 2),
    ]
    assert "<b>" not in observation["hovertext"][2] and "&lt;b&gt;9.9&lt;/b&gt;" in observation["hovertext"][2]
    assert figure["layout"]["height"] == 320


def test_the_selected_clause_stands_out() -> None:
    figure = valid(clause_figure(clauses(), selected="10.2", min_height=600))
    assert figure["data"][0]["marker"]["opacity"] == [0.35, 1.0, 0.35]
    assert figure["layout"]["height"] == 600
    assert valid(clause_figure(clauses()))["data"][0]["marker"]["opacity"] == [1.0, 1.0, 1.0]


def test_colours_come_from_the_theme() -> None:
    assert set(SEVERITY_COLOURS.values()) | set(TYPE_COLOURS.values()) <= set(PALETTE)
    assert len(set(SEVERITY_COLOURS.values()) | set(TYPE_COLOURS.values())) == 6  # a severity never looks like a type
    figure = valid(clause_figure(clauses()))
    colours = [t["marker"]["color"] for t in figure["data"]]
    assert colours == [*(SEVERITY_COLOURS[s] for s in ("observation", "minor", "major")), STATUS_COLOURS["no_data"]]


def test_buckets_and_their_labels() -> None:
    assert buckets(D(2026, 3, 4), D(2026, 3, 20), "week") == [D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)]
    assert buckets(D(2025, 11, 25), D(2026, 2, 1), "month") == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
    assert buckets(D(2026, 2, 15), D(2026, 7, 1), "quarter") == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)]
    assert buckets(D(2026, 2, 27), D(2026, 3, 1), "day") == [D(2026, 2, 27), D(2026, 2, 28), D(2026, 3, 1)]
    assert [bucket_label(D(2026, 8, 3), g) for g in ("week", "month", "quarter")] == ["3 Aug 2026", "Aug 2026", "Q3 2026"]
    with pytest.raises(ValueError, match="unknown grain"):
        buckets(D(2026, 1, 1), D(2026, 2, 1), "year")


def test_trend_shows_every_bucket_of_the_period_stacked_by_audit_type() -> None:
    frame = pd.DataFrame(
        [("2025-12-01", "internal", 4), (pd.Timestamp("2026-02-01"), "certification", 2), (D(2026, 2, 1), "internal", 1)],
        columns=["bucket_date", "audit_type", "findings"],
    )
    figure = valid(trend_figure(frame, start=D(2025, 11, 25), end=D(2026, 2, 10), grain="month"))
    assert [t["name"] for t in figure["data"]] == ["Internal", "Certification"]
    internal, certification = figure["data"]
    assert internal["x"] == ["2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01"]  # November and January empty
    assert internal["y"] == [0, 4, 0, 1] and certification["y"] == [0, 0, 0, 2]
    assert certification["customdata"] == ["certification"] * 4
    assert figure["layout"]["barmode"] == "stack" and figure["layout"]["title"]["text"].startswith("Findings raised per month")
    assert figure["layout"]["xaxis"]["ticktext"] == ["Nov<br>2025", "Dec", "Jan<br>2026", "Feb"]
    weekly = valid(trend_figure(frame.iloc[:0].assign(bucket_date=[]), start=D(2026, 3, 1), end=D(2026, 3, 31), grain="week"))
    assert weekly["layout"]["annotations"][0]["text"] == "No findings were raised in this period."


def test_a_long_trend_labels_at_most_fourteen_buckets() -> None:
    frame = pd.DataFrame([("2026-01-05", "customer", 1)], columns=["bucket_date", "audit_type", "findings"])
    figure = valid(trend_figure(frame, start=D(2025, 12, 1), end=D(2026, 11, 30), grain="week"))
    assert len(figure["data"][0]["x"]) == 53 and sum(figure["data"][0]["y"]) == 1
    assert len(figure["layout"]["xaxis"]["tickvals"]) <= 14


def test_backlog_shows_every_age_band() -> None:
    rows = [(1, "major", 2), (3, "minor", 1), (1, "observation", 4)]
    frame = pd.DataFrame(rows, columns=["age_band", "finding_severity", "findings"])
    figure = valid(backlog_figure(frame, end=D(2026, 11, 23), height=280))
    assert [t["name"] for t in figure["data"]] == ["Observation", "Minor", "Major"]
    observation, minor, major = figure["data"]
    assert major["x"] == list(AGE_LABELS) and major["y"] == [0, 2, 0, 0]
    assert minor["y"] == [0, 0, 0, 1] and observation["y"] == [0, 4, 0, 0]
    assert major["customdata"] == ["major"] * 4  # a click lists that severity's open findings
    assert figure["layout"]["title"]["text"] == "Open on 23 Nov 2026: age of the backlog"
    assert figure["layout"]["height"] == 280


def test_empty_states() -> None:
    empty = pd.DataFrame(columns=["iso_clause", "finding_severity", "findings", "clause_total"])
    assert valid(clause_figure(empty))["layout"]["annotations"][0]["text"] == "No findings were raised in this period."
    backlog = valid(backlog_figure(pd.DataFrame(columns=["age_band", "finding_severity", "findings"]), end=D(2026, 1, 1)))
    assert backlog["data"] == [] and "No finding was open" in backlog["layout"]["annotations"][0]["text"]


def test_count_axes_tick_whole_numbers_only() -> None:
    few = valid(clause_figure(clauses()))["layout"]["xaxis"]
    assert few["dtick"] == 1 and few["tickformat"] == ",d"
    many = clauses().assign(findings=[20, 30, 1, 1, 1])
    assert "dtick" not in valid(clause_figure(many))["layout"]["xaxis"]
    frame = pd.DataFrame([(0, "major", 1)], columns=["age_band", "finding_severity", "findings"])
    assert valid(backlog_figure(frame, end=D(2026, 1, 1)))["layout"]["yaxis"]["dtick"] == 1
