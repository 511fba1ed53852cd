"""The CAPA page's figures: what they draw, that every spec is valid Plotly and plain JSON, and
that SQL's types (numpy integers, NULL counts, SQLite's date text) come out as plain values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.capa import ageing_spec, breakdown_spec, flow_spec
from tests.figures.test_defect_figures import assert_json_native

BANDS = ("0–30", "31–60", "61–90", "91–180", "over 180")
FLOW = pd.DataFrame(
    {
        "bucket_date": ["2026-01-01", "2026-02-01", "2026-03-01"],  # SQLite gives dates as text
        "opened": np.array([3, 0, 2], dtype=np.int64),
        "closed": [4, 0, 2],
        "closed_on_time": [3, 0, 2],
    }
)
AGEING = pd.DataFrame({"band": [0, 2, 4], "overdue": [0, 1, 1], "capas": np.array([5, 1, 2], dtype=np.int64)})
BREAKDOWN = pd.DataFrame(
    {
        "key": ["P01", "P02", "P03"],
        "label": ["P01 · Alpha", "P02 · <b>Beta</b>", "P03 · Gamma"],
        "open_at_end": [1, 3, 3],
        "overdue_at_end": [1, 1, 0],
        "closed": [4, 0, 2],
        "closed_on_time": [2, 0, 2],
    }
)
CASES = {
    "flow": lambda: flow_spec(FLOW, target_pct=85.0, grain="month"),
    "flow without target": lambda: flow_spec(FLOW, target_pct=None, grain="week"),
    "flow of nothing": lambda: flow_spec(FLOW.iloc[0:0], target_pct=85.0, grain="month"),
    "ageing": lambda: ageing_spec(AGEING, BANDS, end_label="31 Mar 2026"),
    "ageing of nothing": lambda: ageing_spec(AGEING.iloc[0:0], BANDS, end_label="31 Mar 2026"),
    "breakdown": lambda: breakdown_spec(BREAKDOWN, what="plant", end_label="31 Mar 2026"),
    "breakdown of nothing": lambda: breakdown_spec(BREAKDOWN.iloc[0:0], what="owner", end_label="31 Mar 2026"),
    "dark breakdown": lambda: breakdown_spec(BREAKDOWN, what="plant", end_label="31 Mar 2026", dark=True),
}


@pytest.mark.parametrize("name", CASES)
def test_every_spec_is_valid_plotly_and_plain_json(name: str) -> None:
    spec = CASES[name]()
    assert_json_native(spec)
    go.Figure(spec)  # validates every property


def test_the_flow_stacks_on_time_and_late_and_draws_the_share_against_target() -> None:
    traces = {trace["name"]: trace for trace in flow_spec(FLOW, target_pct=85.0, grain="month")["data"]}
    assert traces["Closed on time"]["y"] == [3, 0, 2] and traces["Closed late"]["y"] == [1, 0, 0]
    assert traces["Opened"]["y"] == [3, 0, 2]
    share = traces["% closed on time"]
    assert share["y"] == [75.0, None, 100.0] and share["yaxis"] == "y2"  # a month without closures is a gap
    assert traces["Closed on time"]["x"] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    layout = flow_spec(FLOW, target_pct=85.0, grain="month")["layout"]
    assert layout["barmode"] == "stack" and layout["shapes"][0]["y0"] == 85.0
    assert "shapes" not in flow_spec(FLOW, target_pct=None, grain="month")["layout"]
    assert "Feb 2026: none closed" in share["hovertext"][1]


def test_the_ageing_shows_every_band_with_overdue_apart() -> None:
    traces = {trace["name"]: trace for trace in ageing_spec(AGEING, BANDS, end_label="31 Mar 2026")["data"]}
    assert traces["Not yet due"]["y"] == [5, 0, 0, 0, 0]
    assert traces["Overdue"]["y"] == [0, 0, 1, 0, 2]
    assert traces["Overdue"]["x"] == list(BANDS)


def test_the_breakdown_puts_the_most_overdue_first_and_escapes_labels() -> None:
    spec = breakdown_spec(BREAKDOWN, what="plant", end_label="31 Mar 2026")
    overdue, not_due = spec["data"]
    # P02 and P01 have one overdue each: the one with more open first; P03 has none overdue.
    assert overdue["y"] == ["P02", "P01", "P03"] and overdue["customdata"] == ["P02", "P01", "P03"]
    assert overdue["x"] == [1, 1, 0] and not_due["x"] == [2, 0, 3]
    assert spec["layout"]["yaxis"]["ticktext"][0] == "P02 · &lt;b&gt;Beta&lt;/b&gt;"
    assert "2 of 4 closed on time in the period (50 %)" in overdue["hovertext"][1]
    assert "none closed in the period" in overdue["hovertext"][0]


def test_missing_counts_are_zero_not_nan() -> None:
    frame = BREAKDOWN.assign(closed=[None, 0, 2], closed_on_time=[np.nan, 0, 2])
    spec = breakdown_spec(frame, what="plant", end_label="31 Mar 2026")
    assert_json_native(spec)
    assert "none closed in the period" in spec["data"][0]["hovertext"][1]  # P01: its closures unknown


def test_dates_from_postgresql_read_the_same() -> None:
    frame = FLOW.assign(bucket_date=[dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)])
    assert flow_spec(frame, target_pct=85.0, grain="month") == flow_spec(FLOW, target_pct=85.0, grain="month")


@pytest.mark.parametrize(("grain", "days"), [("week", 7), ("month", 30), ("quarter", 91)])
def test_one_bucket_alone_gets_a_bucket_wide_axis_and_a_named_tick(grain: str, days: int) -> None:
    """Plotly zooms a date axis with one point to milliseconds (ticks like 23:59:59.9996) and the
    bar fills it; a lone bucket gets an axis a bucket either side, its own tick and a bar's width."""
    spec = flow_spec(FLOW.iloc[:1], target_pct=85.0, grain=grain)
    axis = spec["layout"]["xaxis"]
    low, high = (pd.Timestamp(v) for v in axis["range"])
    assert high - low == pd.Timedelta(days=2 * days)
    assert axis["tickvals"] == [spec["data"][0]["x"][0]] and axis["ticktext"] == ["1 Jan 2026"]
    assert spec["data"][0]["width"] == [0.6 * days * 86_400_000]
    assert "range" not in flow_spec(FLOW, target_pct=85.0, grain=grain)["layout"]["xaxis"]  # more buckets: plotly's own
