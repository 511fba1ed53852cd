"""The supplier view's figures (funnel, quadrant, score bars) and text sparkline, checked on structure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.suppliers import (
    GRADE_COLOURS,
    funnel_figure,
    quadrant_figure,
    score_bars_figure,
    sparkline_text,
)

POOLED = 1000.0
# Flat limits, so each supplier's category is plain to see: 95 % upper 2,000, 99.8 % upper 3,000 PPM.
FLAT_CURVE = pd.DataFrame({"units": [100.0, 1e6], "lower95": 0.0, "upper95": 2000.0, "lower998": 0.0, "upper998": 3000.0})
HOSTILE = "<b>Evil</b> & $x$"


def scorecard() -> pd.DataFrame:
    """Six suppliers: one inside, one above 95 %, two above 99.8 % (one with too little data),
    one without receipts and one with a hostile name inside the limits."""
    rows = [
        # id, name, units, rejected, ppm, shrunk, enough, otd, score, grade, prev
        ("S-001", "Acme Castings", 40_000, 20, 500.0, 520.0, True, 98.0, 91.0, "A", "A"),
        ("S-002", "Brass Works", 10_000, 25, 2500.0, 2300.0, True, 90.0, 62.0, "C", "B"),
        ("S-003", "Cobalt Forge", 20_000, 100, 5000.0, 4700.0, True, 85.0, 31.0, "D", "C"),
        ("S-004", "Delta Seals", 500, 2, 4000.0, 1400.0, False, 99.0, 74.0, "B", None),
        ("S-005", "Empty Supplies", 0, 0, float("nan"), float("nan"), False, float("nan"), float("nan"), None, None),
        ("S-006", HOSTILE, 8_000, 4, 500.0, 700.0, True, 93.0, 80.0, "B", "B"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "supplier_id",
            "supplier_name",
            "units_received",
            "units_rejected",
            "ppm",
            "shrunk_ppm",
            "enough_data",
            "otd_pct",
            "score",
            "grade",
            "prev_grade",
        ],
    )
    frame["ppm_low"] = frame["ppm"] * 0.6
    frame["ppm_high"] = frame["ppm"] * 1.5
    frame["commodity"] = "Castings"
    frame["rank"] = frame["score"].rank(ascending=False)
    frame["grade_change"] = [
        f"{p} → {g}" if isinstance(p, str) and isinstance(g, str) and p != g else ""
        for p, g in zip(frame["prev_grade"], frame["grade"], strict=True)
    ]
    return frame


def valid(figure: go.Figure) -> dict:
    """The figure as a dict, after full plotly validation and JSON serialisation."""
    go.Figure(figure.to_dict())  # raises on any invalid property
    assert figure.to_json()
    return figure.to_dict()


def named(figure: dict, name: str) -> dict:
    (found,) = [t for t in figure["data"] if t.get("name") == name]
    return found


def texts(figure: dict) -> list[str]:
    return [a["text"] for a in figure["layout"].get("annotations", [])]


def per_supplier(figure: dict, key: str) -> dict[str, object]:
    """``key`` of each supplier point (by its customdata) over the traces that plot suppliers."""
    traces = [t for t in figure["data"] if t.get("customdata")]
    return {c: v for t in traces for c, v in zip(t["customdata"], t[key], strict=True)}


def is_empty(figure: dict) -> bool:
    return figure["data"] == [] and len(texts(figure)) == 1


# --- funnel ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dark", [False, True])
def test_every_figure_passes_plotly_validation(dark: bool) -> None:
    card = scorecard()
    valid(funnel_figure(card, POOLED, FLAT_CURVE, title="Funnel", dark=dark))
    valid(quadrant_figure(card, ppm_target=1500, otd_target=95, title="Quadrant", dark=dark))
    valid(score_bars_figure(card, title="Worst scores", dark=dark))


def test_funnel_has_a_log_volume_axis_and_limits_around_the_pooled_ppm() -> None:
    figure = valid(funnel_figure(scorecard(), POOLED, FLAT_CURVE, title="Funnel"))
    assert figure["layout"]["xaxis"]["type"] == "log"
    assert "log" in figure["layout"]["xaxis"]["title"]["text"]
    centre = named(figure, "Pooled PPM 1,000")
    assert centre["y"] == [POOLED, POOLED]
    for level in ("95 %", "99.8 %"):
        lines = [t for t in figure["data"] if t["name"] == f"{level} limits"]
        assert len(lines) == 2  # upper and lower, one legend entry
        assert [t.get("showlegend", True) for t in lines].count(True) == 1
    assert named(figure, "Within limits (or below)")["marker"]["symbol"] == ["circle", "circle"]


def test_funnel_symbols_tell_the_categories_apart() -> None:
    figure = valid(funnel_figure(scorecard(), POOLED, FLAT_CURVE, title="Funnel"))
    inside = named(figure, "Within limits (or below)")
    above95 = named(figure, "Above 95 % limit")
    above998 = named(figure, "Above 99.8 % limit (labelled)")
    assert inside["customdata"] == ["S-001", "S-006"]
    assert above95["customdata"] == ["S-002"]
    assert above95["marker"]["symbol"] == ["triangle-up"]
    assert above998["customdata"] == ["S-003", "S-004"]
    # S-004 has too little data: hollow, and the legend says what hollow means.
    assert above998["marker"]["symbol"] == ["diamond", "diamond-open"]
    assert named(figure, "Hollow: too little data")["marker"]["symbol"] == "circle-open"
    assert len({inside["marker"]["color"], above95["marker"]["color"], above998["marker"]["color"]}) == 3


def test_funnel_labels_only_the_points_above_the_outer_limit() -> None:
    figure = valid(funnel_figure(scorecard(), POOLED, FLAT_CURVE, title="Funnel"))
    above998 = named(figure, "Above 99.8 % limit (labelled)")
    assert above998["mode"] == "markers+text"
    assert above998["text"] == ["S-003", "S-004"]
    assert named(figure, "Within limits (or below)")["mode"] == "markers"
    assert named(figure, "Above 95 % limit")["mode"] == "markers"


def test_funnel_hover_gives_the_supplier_its_interval_and_grade_escaped() -> None:
    figure = valid(funnel_figure(scorecard(), POOLED, FLAT_CURVE, title="Funnel"))
    inside = named(figure, "Within limits (or below)")
    acme, hostile = inside["hovertext"]
    assert "<b>S-001</b> · Acme Castings" in acme
    assert "Units received: 40,000 · rejected: 20" in acme
    assert "PPM: 500 (95 % interval 300 – 750)" in acme
    assert "Volume-adjusted PPM (ranking): 520" in acme
    assert "Grade A" in acme
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; $x$" in hostile and "<b>Evil" not in hostile
    delta = named(figure, "Above 99.8 % limit (labelled)")["hovertext"][1]
    assert "Too little data" in delta
    assert "Grade C (B → C)" in named(figure, "Above 95 % limit")["hovertext"][0]


def test_funnel_judges_each_supplier_against_the_limit_at_its_volume() -> None:
    # 99.8 % upper from 6,000 PPM at 100 units to 2,000 at 10,000: 4,000 at 1,000 units (log midpoint).
    curve = pd.DataFrame(
        {"units": [100.0, 10_000.0], "lower95": 0.0, "upper95": [5000.0, 1500.0], "lower998": 0.0, "upper998": [6000.0, 2000.0]}
    )
    card = pd.DataFrame(
        {"supplier_id": ["A", "B"], "supplier_name": ["a", "b"], "units_received": [1000, 1000], "ppm": [3900.0, 4100.0]}
    )
    figure = valid(funnel_figure(card, POOLED, curve, title="Funnel"))
    assert named(figure, "Above 95 % limit")["customdata"] == ["A"]
    assert named(figure, "Above 99.8 % limit (labelled)")["customdata"] == ["B"]


def test_funnel_leaves_out_suppliers_without_receipts_and_says_so() -> None:
    figure = valid(funnel_figure(scorecard(), POOLED, FLAT_CURVE, title="Funnel"))
    plotted = [c for t in figure["data"] for c in (t.get("customdata") or [])]
    assert "S-005" not in plotted
    assert "1 supplier without receipts not shown" in texts(figure)


def test_funnel_without_a_curve_still_shows_the_suppliers() -> None:
    figure = valid(funnel_figure(scorecard(), POOLED, pd.DataFrame(), title="Funnel"))
    assert len(named(figure, "Within limits (or below)")["customdata"]) == 5
    assert "Control limits unavailable" in texts(figure)


def test_close_labels_take_different_places() -> None:
    card = pd.DataFrame(
        {
            "supplier_id": ["A", "B", "C"],
            "supplier_name": ["a", "b", "c"],
            "units_received": [10_000, 10_500, 1_000_000],
            "ppm": [9000.0, 9100.0, 9000.0],
        }
    )
    above998 = named(valid(funnel_figure(card, POOLED, FLAT_CURVE, title="Funnel")), "Above 99.8 % limit (labelled)")
    places = dict(zip(above998["customdata"], above998["textposition"], strict=True))
    assert places["A"] != places["B"]
    assert places["C"] == "top center"  # far from the others


def test_labels_of_a_vertical_stack_do_not_meet_between_the_points() -> None:
    # Three flagged suppliers at one volume, one above another (as S031, S047 and S042 in the
    # demo): the middle one's label must not sit in the gap where the lowest one's label goes.
    card = pd.DataFrame(
        {
            "supplier_id": ["A", "B", "C"],
            "supplier_name": ["a", "b", "c"],
            "units_received": [50_000, 52_000, 51_000],
            "ppm": [9_000.0, 8_400.0, 7_800.0],
        }
    )
    figure = valid(funnel_figure(card, POOLED, FLAT_CURVE, title="Funnel"))
    above998 = named(figure, "Above 99.8 % limit (labelled)")
    places = dict(zip(above998["customdata"], above998["textposition"], strict=True))
    assert places["A"] != places["B"] and places["B"] != places["C"], places
    assert not (places["B"].startswith("bottom") and places["C"].startswith("top")), places


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(),
        scorecard().iloc[0:0],
        pd.DataFrame({"supplier_id": ["S"], "supplier_name": ["s"], "units_received": [0], "ppm": [float("nan")]}),
    ],
)
def test_funnel_without_suppliers_is_the_empty_figure(frame: pd.DataFrame) -> None:
    figure = valid(funnel_figure(frame, POOLED, FLAT_CURVE, title="Funnel"))
    assert is_empty(figure)
    assert texts(figure) == ["No suppliers with receipts in this period"]


# --- quadrant --------------------------------------------------------------------------------


def quadrant(**options: object) -> dict:
    return valid(quadrant_figure(scorecard(), **{"ppm_target": 1500, "otd_target": 95, "title": "Quadrant", **options}))


def test_quadrant_draws_both_targets_dashed_and_captions_the_corners() -> None:
    figure = quadrant()
    shapes = figure["layout"]["shapes"]
    assert all(s["line"]["dash"] == "dash" for s in shapes)
    assert {(s["x0"], s["x1"]) for s in shapes if s["xref"] == "x"} == {(95, 95)}
    assert {(s["y0"], s["y1"]) for s in shapes if s["yref"] == "y"} == {(1500, 1500)}
    notes = texts(figure)
    for caption in ("On time and good", "Late", "Poor quality", "Late and poor"):
        assert f"<b>{caption}</b>" in notes
    assert "OTD target 95.0 %" in notes and "PPM target 1,500" in notes
    # Both targets inside the plot, so each caption is in its own quadrant.
    x_range, y_range = figure["layout"]["xaxis"]["range"], figure["layout"]["yaxis"]["range"]
    assert x_range[0] < 95 < x_range[1] and y_range[0] < 1500 < y_range[1]


def test_quadrant_plots_the_shrunk_ppm_and_says_so() -> None:
    figure = quadrant()
    assert "empirical-Bayes" in figure["layout"]["yaxis"]["title"]["text"]
    points = per_supplier(figure, "y")
    assert points["S-001"] == 520.0 and points["S-004"] == 1400.0


def test_quadrant_bubble_diameter_grows_with_the_root_of_volume() -> None:
    figure = quadrant()
    supplier_traces = [t for t in figure["data"] if t.get("customdata")]
    sizes = {c: size for t in supplier_traces for c, size in zip(t["customdata"], t["marker"]["size"], strict=True)}
    assert math.isclose(sizes["S-001"] / sizes["S-002"], 2.0)  # 40,000 vs 10,000 units
    assert len({t["marker"]["sizeref"] for t in supplier_traces}) == 1
    assert all(t["marker"]["sizemode"] == "diameter" for t in supplier_traces)


def test_quadrant_grades_differ_in_symbol_and_hollow_means_too_little_data() -> None:
    figure = quadrant()
    symbols = {t["name"]: t["marker"]["symbol"] for t in figure["data"] if t.get("customdata")}
    assert symbols == {
        "Grade A": ["circle"],
        "Grade B": ["square-open", "square"],  # S-004 (too little data), S-006
        "Grade C": ["triangle-up"],
        "Grade D": ["diamond"],
    }
    assert named(figure, "Grade B")["marker"]["color"] == GRADE_COLOURS["B"]
    assert "Hollow: too little data" in [t["name"] for t in figure["data"]]


def test_quadrant_labels_the_worst_few() -> None:
    figure = quadrant(labels=2)
    labels = per_supplier(figure, "text")
    assert {c for c, text in labels.items() if text} == {"S-003", "S-002"}  # the two lowest scores
    assert labels["S-003"] == "S-003"


def test_quadrant_leaves_out_suppliers_without_deliveries() -> None:
    figure = quadrant()
    plotted = [c for t in figure["data"] for c in (t.get("customdata") or [])]
    assert sorted(plotted) == ["S-001", "S-002", "S-003", "S-004", "S-006"]
    assert any("1 supplier without deliveries or receipts not shown" in text for text in texts(figure))


def test_quadrant_hover_escapes_names() -> None:
    hover = " ".join(h for t in quadrant()["data"] for h in (t.get("hovertext") or []))
    assert "&lt;b&gt;Evil&lt;/b&gt;" in hover and "<b>Evil" not in hover
    assert "On-time delivery: 98.0 %" in hover


def test_quadrant_without_suppliers_is_the_empty_figure() -> None:
    assert is_empty(valid(quadrant_figure(pd.DataFrame(), ppm_target=1, otd_target=95, title="Q")))
    no_otd = scorecard().assign(otd_pct=float("nan"))
    assert is_empty(valid(quadrant_figure(no_otd, ppm_target=1, otd_target=95, title="Q")))


# --- score bars ------------------------------------------------------------------------------


def test_score_bars_show_the_worst_first_with_the_grade_as_text() -> None:
    figure = valid(score_bars_figure(scorecard(), title="Worst", n=3))
    assert figure["layout"]["yaxis"]["categoryarray"] == ["S-003", "S-002", "S-004"]
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"
    bars = {c: (t, i) for t in figure["data"] for i, c in enumerate(t["customdata"])}
    assert set(bars) == {"S-003", "S-002", "S-004"}
    trace, index = bars["S-003"]
    assert trace["orientation"] == "h" and trace["name"] == "Grade D"
    assert trace["text"][index] == "D (was C)"
    assert trace["marker"]["color"] == GRADE_COLOURS["D"]
    b_trace, b_index = bars["S-004"]
    assert b_trace["text"][b_index] == "B"  # no previous grade: the letter alone
    assert figure["layout"]["xaxis"]["range"] == [0, 100]


def test_score_bars_tick_text_is_the_escaped_name_and_id() -> None:
    figure = valid(score_bars_figure(scorecard(), title="Worst"))
    ticks = dict(zip(figure["layout"]["yaxis"]["tickvals"], figure["layout"]["yaxis"]["ticktext"], strict=True))
    assert ticks["S-006"] == "&lt;b&gt;Evil&lt;/b&gt; &amp; $x$ (S-006)"
    assert "S-005" not in ticks  # no score, no bar


def test_score_bars_colours_by_grade_one_legend_entry_each() -> None:
    figure = valid(score_bars_figure(scorecard(), title="Worst"))
    assert [t["name"] for t in figure["data"]] == ["Grade A", "Grade B", "Grade C", "Grade D"]
    assert {t["marker"]["color"] for t in figure["data"]} == set(GRADE_COLOURS.values())


def test_score_bars_without_scores_is_the_empty_figure() -> None:
    assert is_empty(valid(score_bars_figure(pd.DataFrame(), title="Worst")))
    assert is_empty(valid(score_bars_figure(scorecard().assign(score=np.nan), title="Worst")))


# --- sparkline -------------------------------------------------------------------------------


def test_sparkline_spans_the_eight_levels() -> None:
    assert sparkline_text(range(8)) == "▁▂▃▄▅▆▇█"
    assert sparkline_text([0.0, 10.0, 5.0]) == "▁█▅"


def test_sparkline_gaps_flat_and_empty() -> None:
    assert sparkline_text([1.0, None, 3.0, float("nan")]) == "▁ █ "
    assert sparkline_text([4.0, 4.0, 4.0]) == "▄▄▄"
    assert sparkline_text([]) == ""
    assert sparkline_text([None, None]) == "  "
    assert sparkline_text(pd.Series([2.0, 1.0])) == "█▁"


def test_a_tiny_supplier_far_above_does_not_squash_the_funnel() -> None:
    import numpy as np
    import pandas as pd

    from dashboard.figures.suppliers import funnel_figure
    from dashboard.metrics.suppliers import funnel_curve

    card = pd.DataFrame(
        {
            "supplier_id": ["S1", "S2", "TINY"],
            "supplier_name": ["One", "Two", "Tiny"],
            "units_received": [50_000.0, 80_000.0, 100.0],
            "units_rejected": [50.0, 90.0, 6.0],
            "ppm": [1000.0, 1125.0, 60_000.0],
            "ppm_low": [700.0, 900.0, 22_000.0],
            "ppm_high": [1300.0, 1400.0, 126_000.0],
            "shrunk_ppm": [1001.0, 1120.0, 6000.0],
            "enough_data": [True, True, False],
            "grade": ["A", "A", "B"],
            "grade_change": ["", "", ""],
        }
    )
    figure = funnel_figure(card, 1070.0, funnel_curve(0.00107, 50, 160_000), title="t").to_dict()
    top = figure["layout"]["yaxis"]["range"][1]
    assert top < 60_000
    notes = [a["text"] for a in figure["layout"]["annotations"]]
    assert "TINY 60,000 ↑ (off scale)" in notes
    assert np.isclose(next(a["x"] for a in figure["layout"]["annotations"] if a["text"].startswith("TINY")), 2.0)


def test_lots_figure_stacks_on_time_and_late_lots() -> None:
    import pandas as pd

    from dashboard.figures.suppliers import lots_figure

    weeks = pd.DataFrame({"bucket_date": pd.to_datetime(["2026-09-07", "2026-09-14"]), "lots": [3, 2], "lots_on_time": [2, 2]})
    figure = lots_figure(weeks, title="Lots").to_dict()
    assert [t["name"] for t in figure["data"]] == ["On time", "Late"]
    assert list(figure["data"][0]["y"]) == [2, 2] and list(figure["data"][1]["y"]) == [1, 0]
    assert figure["layout"]["barmode"] == "stack"
    assert figure["data"][1]["marker"]["pattern"]["shape"] == "/"  # late lots are hatched, not only amber
    assert "week of 07 Sep 2026: 1 lots late" in figure["data"][1]["hovertext"][0]
    assert lots_figure(weeks.iloc[:0], title="Lots").to_dict()["layout"]["annotations"]
