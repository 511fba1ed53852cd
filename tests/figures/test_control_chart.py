"""Control-chart figures drawn from real SPC results (Montgomery's tables and small built series)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.control_chart import (
    control_chart_figure,
    control_chart_spec,
    dispersion_chart_figure,
    dispersion_chart_spec,
)
from dashboard.metrics.spc import Baseline, ChartResult, imr_chart, new_baseline, p_chart, xbar_chart
from tests.figures.test_defect_figures import assert_json_native

MONTGOMERY = Path(__file__).resolve().parents[3] / "shared" / "reference-data" / "montgomery"
# Sizes cycled over the orange-juice samples so the p chart's limits differ point by point.
SIZES = (50, 80, 120, 60)
# One individual far above a steady series: Nelson 1 fires on that point (index 12) only.
ONE_SIGNAL = [10.2, 9.8, 10.1, 9.9, 10.0, 10.3, 9.7, 10.1, 9.9, 10.2, 9.8, 10.0, 13.0, 10.1, 9.9, 10.2, 9.8, 10.0, 10.1, 9.9]


@pytest.fixture
def pistonrings() -> pd.DataFrame:
    """Montgomery's piston rings: 40 subgroups of 5, the first 25 marked phase I."""
    return pd.read_csv(MONTGOMERY / "pistonrings.csv").rename(columns={"sample": "subgroup_id", "diameter": "value"})


@pytest.fixture
def orange_juice() -> pd.DataFrame:
    """Montgomery's orange-juice cans, with the sample size varied so each point has its own limits."""
    frame = pd.read_csv(MONTGOMERY / "orangejuice.csv").rename(columns={"sample": "subgroup_id"})
    sizes = [SIZES[i % len(SIZES)] for i in range(len(frame))]
    return frame.assign(n=sizes)


def trace(figure: go.Figure, name: str) -> dict:
    (found,) = [t for t in figure.to_dict()["data"] if t.get("name") == name]
    return found


def shapes(figure: go.Figure, dash: str) -> list[dict]:
    return [s for s in figure.to_dict()["layout"]["shapes"] if s["line"]["dash"] == dash]


def texts(figure: go.Figure) -> list[str]:
    return [a["text"] for a in figure.to_dict()["layout"]["annotations"]]


def flagged(figure: go.Figure) -> dict:
    return trace(figure, "Flagged by a run rule")


def test_specs_pass_plotly_validation(pistonrings: pd.DataFrame, orange_juice: pd.DataFrame) -> None:
    charts = xbar_chart(pistonrings)
    figures = [
        control_chart_figure(charts.location, title="X̄", unit="mm", events=[("30", "New gauge")]),
        dispersion_chart_figure(charts.dispersion, title="R", unit="mm", dark=True),
        control_chart_figure(p_chart(orange_juice, exclude=(15, 23)), title="p"),
    ]
    for figure in figures:
        validated = go.Figure(figure.to_dict())  # raises on any invalid property
        assert validated.layout.template.layout.font.family


def test_limits_are_stepped_lines_through_every_points_own_limits(orange_juice: pd.DataFrame) -> None:
    chart = p_chart(orange_juice)
    figure = control_chart_figure(chart, title="Nonconforming cans")
    for name, column in (("UCL", "ucl"), ("LCL", "lcl"), ("CL", "centre")):
        drawn = trace(figure, name)
        assert drawn["y"] == pytest.approx(chart.points[column].tolist())
        assert drawn["line"]["shape"] == "vhv"
    assert len(set(trace(figure, "UCL")["y"])) == len(SIZES)  # one UCL per subgroup size, not one line


def test_zone_edges_are_one_and_two_sigma_from_the_centre(pistonrings: pd.DataFrame) -> None:
    points = xbar_chart(pistonrings).location.points
    figure = control_chart_figure(xbar_chart(pistonrings).location, title="X̄")
    assert trace(figure, "+1σ")["y"] == pytest.approx((points["centre"] + points["se"]).tolist())
    assert trace(figure, "−2σ")["y"] == pytest.approx((points["centre"] - 2 * points["se"]).tolist())
    assert trace(figure, "UCL")["fill"] == "tonexty"  # zone A shaded between +2σ and the UCL


def test_zone_edges_stay_between_the_limits_and_gaps_stay_gaps(orange_juice: pd.DataFrame) -> None:
    chart = p_chart(orange_juice)
    points = chart.points.copy()
    points.loc[0, "lcl"] = 0.3  # a limit inside the zones: the −1σ and −2σ edges stop at it
    points.loc[1, "se"] = float("nan")  # no σ: no edge at this point, whatever the limits
    points.loc[2, "ucl"] = float("nan")  # no upper limit: the edges are not bounded above
    figure = control_chart_figure(dataclasses.replace(chart, points=points), title="p")
    expected = (points["centre"] - points["se"]).clip(lower=points["lcl"], upper=points["ucl"])
    drawn = trace(figure, "−1σ")["y"]
    assert drawn[0] == pytest.approx(0.3) and drawn[1] is None
    assert drawn == pytest.approx([None if pd.isna(v) else v for v in expected.tolist()], nan_ok=True)
    assert trace(figure, "+2σ")["y"][2] == pytest.approx(points["centre"][2] + 2 * points["se"][2])


def test_dispersion_chart_has_limits_but_no_zones(pistonrings: pd.DataFrame) -> None:
    chart = xbar_chart(pistonrings).dispersion
    figure = dispersion_chart_figure(chart, title="R", unit="mm")
    names = [t["name"] for t in figure.to_dict()["data"]]
    assert "+1σ" not in names
    assert trace(figure, "UCL")["y"] == pytest.approx(chart.points["ucl"].tolist())
    assert figure.to_dict()["layout"]["yaxis"]["title"]["text"] == "Range (mm)"


def test_limits_change_at_a_new_baseline(pistonrings: pd.DataFrame) -> None:
    baselines = new_baseline((Baseline(start=1, reason="first study", end=25),), start=31, reason="new die, ECN-1234")
    chart = xbar_chart(pistonrings.drop(columns="phase"), baselines=baselines).location
    figure = control_chart_figure(chart, title="X̄")
    centre = trace(figure, "CL")["y"]
    assert centre[29] != pytest.approx(centre[30])
    assert [s["x0"] for s in shapes(figure, "dash")] == [24.5, 29.5]  # phase II after 25, new baseline at 31
    assert "New baseline" in texts(figure)


def test_flagged_points_are_exactly_the_violations_with_their_messages(pistonrings: pd.DataFrame) -> None:
    chart = xbar_chart(pistonrings).location
    drawn = flagged(control_chart_figure(chart, title="X̄"))
    indices = sorted({v.index for v in chart.violations})
    assert drawn["customdata"] == indices == [34, 36, 37, 38, 39]
    assert drawn["x"] == [str(chart.points["subgroup_id"].iloc[i]) for i in indices]
    assert set(drawn["marker"]["symbol"]) == {"diamond"}  # shape, not colour alone
    for violation in chart.violations:
        assert violation.message in drawn["text"][indices.index(violation.index)]


def test_a_single_signal_flags_a_single_point() -> None:
    chart = imr_chart(pd.DataFrame({"value": ONE_SIGNAL})).location
    drawn = flagged(control_chart_figure(chart, title="Individuals"))
    assert drawn["customdata"] == [12]
    assert drawn["y"] == [13.0]
    assert "Nelson 1: 1 point more than 3σ above the centre line on subgroup 13" in drawn["text"][0]


def test_no_flagged_points_when_no_rule_fires(pistonrings: pd.DataFrame) -> None:
    chart = xbar_chart(pistonrings).dispersion
    assert flagged(dispersion_chart_figure(chart, title="R"))["x"] == []


def test_excluded_baseline_points_are_hollow(orange_juice: pd.DataFrame) -> None:
    chart = p_chart(orange_juice, exclude=(15, 23))
    symbols = trace(control_chart_figure(chart, title="p"), "Fraction nonconforming")["marker"]["symbol"]
    assert [i for i, symbol in enumerate(symbols) if symbol == "circle-open"] == [14, 22]


def test_phase_boundary_between_the_last_baseline_and_first_monitored_subgroup(pistonrings: pd.DataFrame) -> None:
    figure = control_chart_figure(xbar_chart(pistonrings).location, title="X̄")
    (boundary,) = shapes(figure, "dash")
    assert boundary["x0"] == boundary["x1"] == 24.5  # categories 0..39: between subgroups 25 and 26
    assert "Phase II" in texts(figure)


def test_dates_on_x_when_measured_at_is_given(pistonrings: pd.DataFrame) -> None:
    days = {key: pd.Timestamp("2026-01-01") + pd.Timedelta(days=key - 1) for key in range(1, 41)}
    chart = xbar_chart(pistonrings.assign(measured_at=pistonrings["subgroup_id"].map(days))).location
    figure = control_chart_figure(chart, title="X̄", events=[("2026-01-30", "Operator change"), ("2025-06-01", "Too early")])
    layout = figure.to_dict()["layout"]
    assert layout["xaxis"]["type"] == "date"
    assert figure.to_dict()["data"][0]["x"][0] == "2026-01-01 00:00:00"
    assert shapes(figure, "dash")[0]["x0"] == "2026-01-25 12:00:00"  # halfway between day 25 and day 26
    assert [s["x0"] for s in shapes(figure, "dot")] == ["2026-01-30 00:00:00"]  # the event outside the period is left out
    assert "Operator change" in texts(figure)
    assert "Too early" not in texts(figure)


def test_events_on_subgroup_ids(pistonrings: pd.DataFrame) -> None:
    figure = control_chart_figure(xbar_chart(pistonrings).location, title="X̄", events=[(30, "Gauge recalibrated")])
    (event,) = shapes(figure, "dot")
    assert event["x0"] == 29
    assert "Gauge recalibrated" in texts(figure)


def test_latest_limits_labelled_at_the_right_edge(pistonrings: pd.DataFrame) -> None:
    figure = control_chart_figure(xbar_chart(pistonrings).location, title="X̄", unit="mm")
    # Montgomery / qcc quick tour: CL 74.00118, LCL 73.98805, UCL 74.0143.
    assert {"UCL 74.0143", "CL 74.0012", "LCL 73.9880"} <= set(texts(figure))
    assert figure.to_dict()["layout"]["yaxis"]["title"]["text"] == "Subgroup mean (mm)"


def test_dark_template_for_wall_screens(pistonrings: pd.DataFrame) -> None:
    chart: ChartResult = xbar_chart(pistonrings).location
    light = control_chart_figure(chart, title="X̄").to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    dark = control_chart_figure(chart, title="X̄", dark=True).to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    assert light != dark


def test_edge_labels_are_nudged_apart_on_a_short_chart(pistonrings: pd.DataFrame) -> None:
    chart = xbar_chart(pistonrings).dispersion

    def shifts(height: int) -> list[int]:
        layout = dispersion_chart_figure(chart, title="R", height=height).to_dict()["layout"]
        return [a["yshift"] for a in layout["annotations"] if "yshift" in a]

    assert shifts(280) == [0, 0, 0]  # UCL 0.048, CL 0.023 and LCL 0 are far apart at the default height
    assert shifts(120)[0] == 0 and shifts(120)[2] < shifts(120)[1] < 0  # squeezed: CL and LCL pushed down


def test_many_points_are_drawn_with_webgl() -> None:
    import numpy as np

    from dashboard.figures.control_chart import WEBGL_ABOVE
    from dashboard.metrics import spc

    rng = np.random.default_rng(7)
    count = WEBGL_ABOVE + 1
    frame = pd.DataFrame({"subgroup_id": np.arange(count), "value": rng.normal(10, 1, count)})
    few = frame.iloc[:100]
    many_types = {t["type"] for t in control_chart_figure(spc.imr_chart(frame).location, title="I").to_dict()["data"]}
    few_types = {t["type"] for t in control_chart_figure(spc.imr_chart(few).location, title="I").to_dict()["data"]}
    assert "scattergl" in many_types and "scattergl" not in few_types


def test_specs_are_json_native_and_their_figures_draw_them_unchanged(
    pistonrings: pd.DataFrame, orange_juice: pd.DataFrame
) -> None:
    days = {key: pd.Timestamp("2026-01-01") + pd.Timedelta(days=key - 1) for key in range(1, 41)}
    dated = xbar_chart(pistonrings.assign(measured_at=pistonrings["subgroup_id"].map(days)))
    chart = p_chart(orange_juice, exclude=(15, 23))
    gaps = chart.points.assign(
        se=chart.points["se"].mask(chart.points.index == 1), ucl=chart.points["ucl"].mask(chart.points.index == 2)
    )
    cases = [
        (control_chart_spec, control_chart_figure, xbar_chart(pistonrings).location, {"unit": "mm", "events": [(30, "Gauge")]}),
        (control_chart_spec, control_chart_figure, dated.location, {"events": [("2026-01-30", "Operator change")], "dark": True}),
        (control_chart_spec, control_chart_figure, dataclasses.replace(chart, points=gaps), {}),  # a missing σ and limit
        (control_chart_spec, control_chart_figure, imr_chart(pd.DataFrame({"value": ONE_SIGNAL})).location, {"height": 200}),
        (dispersion_chart_spec, dispersion_chart_figure, dated.dispersion, {"unit": "mm"}),  # nothing flagged
    ]
    for spec_function, figure_function, drawn, options in cases:
        spec = spec_function(drawn, title="Chart <1>", **options)
        assert_json_native(spec)
        figure = figure_function(drawn, title="Chart <1>", **options)
        assert figure.to_dict() == spec  # the wrapper draws the spec as it is
        assert len(go.Figure(spec).data) == len(spec["data"])  # and it passes plotly's validation
