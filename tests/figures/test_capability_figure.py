"""The capability figure against real capability studies of Montgomery's piston rings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.capability import capability_figure
from dashboard.figures.empty import empty_figure
from dashboard.metrics.spc import Capability, SpecLimits, capability

MONTGOMERY = Path(__file__).resolve().parents[3] / "shared" / "reference-data" / "montgomery"
SPEC = SpecLimits(lsl=73.95, usl=74.05, target=74.0)  # the piston rings' 74 ± 0.05 mm (Montgomery ch. 8)


@pytest.fixture
def pistonrings() -> pd.DataFrame:
    return pd.read_csv(MONTGOMERY / "pistonrings.csv").rename(columns={"sample": "subgroup_id", "diameter": "value"})


@pytest.fixture
def stable(pistonrings: pd.DataFrame) -> pd.DataFrame:
    """The 25 phase I subgroups (125 rings), in control."""
    return pistonrings[pistonrings["phase"] == "I"].drop(columns="phase")


def annotations(figure: go.Figure) -> str:
    return "\n".join(a["text"] for a in figure.to_dict()["layout"]["annotations"])


def curves(figure: go.Figure) -> list[dict]:
    return [t for t in figure.to_dict()["data"] if t["type"] == "scatter"]


def test_spec_passes_plotly_validation(stable: pd.DataFrame, pistonrings: pd.DataFrame) -> None:
    refused = capability(pistonrings.drop(columns="phase"), SPEC)
    for figure in (
        capability_figure(stable["value"], capability(stable, SPEC), SPEC, unit="mm"),
        capability_figure(pistonrings["value"].tolist(), refused, SPEC, dark=True),
    ):
        validated = go.Figure(figure.to_dict())  # raises on any invalid property
        assert validated.layout.template.layout.font.family


def test_histogram_counts_every_value(stable: pd.DataFrame) -> None:
    figure = capability_figure(stable["value"], capability(stable, SPEC), SPEC)
    (bars,) = [t for t in figure.to_dict()["data"] if t["type"] == "bar"]
    assert sum(bars["y"]) == len(stable) == 125
    assert bars["x"][0] - bars["width"] / 2 == pytest.approx(min(stable["value"]))  # numpy's edges span the data
    assert bars["x"][-1] + bars["width"] / 2 == pytest.approx(max(stable["value"]))


def test_spec_limits_and_target_are_labelled_lines(stable: pd.DataFrame) -> None:
    figure = capability_figure(stable["value"], capability(stable, SPEC), SPEC, unit="mm")
    lines = {(s["x0"], s["line"]["dash"]) for s in figure.to_dict()["layout"]["shapes"]}
    assert lines == {(73.95, "dash"), (74.05, "dash"), (74.0, "dot")}
    assert {"LSL 73.95", "USL 74.05", "Target 74"} <= set(annotations(figure).split("\n"))


def test_normal_curves_are_scaled_to_the_histogram(stable: pd.DataFrame) -> None:
    cap = capability(stable, SPEC)
    figure = capability_figure(stable["value"], cap, SPEC)
    (bars,) = [t for t in figure.to_dict()["data"] if t["type"] == "bar"]
    within, overall = curves(figure)
    assert within["name"] == "Normal, σ within"
    for curve, sigma in ((within, cap.sigma_within), (overall, cap.sigma_overall)):
        x, y = np.asarray(curve["x"]), np.asarray(curve["y"])
        assert np.trapezoid(y, x) == pytest.approx(125 * bars["width"], rel=1e-3)  # area of the bars
        assert x[np.argmax(y)] == pytest.approx(cap.mean, abs=(x[1] - x[0]))
        assert y.max() == pytest.approx(125 * bars["width"] / (sigma * np.sqrt(2 * np.pi)), rel=1e-3)


def test_indices_with_intervals_in_the_panel(stable: pd.DataFrame) -> None:
    cap = capability(stable, SPEC)
    text = annotations(capability_figure(stable["value"], cap, SPEC))
    assert f"Cp <b>{cap.cp.value:.2f}</b> ({cap.cp.low:.2f}–{cap.cp.high:.2f})" in text
    assert f"Ppk <b>{cap.ppk.value:.2f}</b>" in text
    assert "Cpm" in text and "R̄/d2" in text


def test_one_sided_spec_has_no_cp(stable: pd.DataFrame) -> None:
    spec = SpecLimits(usl=74.05)
    text = annotations(capability_figure(stable["value"], capability(stable, spec), spec))
    assert "Cpk <b>" in text
    assert "Cp <b>" not in text and "LSL" not in text


@pytest.mark.parametrize("rows", [slice(None), slice(0, 20)], ids=["out of control", "too few values"])
def test_refused_study_shows_the_reason_and_no_index(pistonrings: pd.DataFrame, rows: slice) -> None:
    study = pistonrings.drop(columns="phase").iloc[rows]
    cap: Capability = capability(study, SPEC)
    assert cap.refused
    figure = capability_figure(study["value"], cap, SPEC)
    text = annotations(figure)
    assert "Capability not assessed" in text
    assert cap.refused.split()[0] in text and cap.refused.split()[-1] in text
    assert "Cp" not in text
    assert curves(figure) == []
    assert figure.to_dict()["layout"]["showlegend"] is False


def test_no_values_gives_a_figure_that_says_so() -> None:
    cap = capability(pd.DataFrame({"subgroup_id": [], "value": []}), SPEC)
    figure = capability_figure([float("nan")], cap, SPEC)
    assert figure.to_dict()["data"] == []
    assert annotations(figure) == "No measurements to show"
    assert empty_figure("Nothing", height=200).to_dict()["layout"]["height"] == 200


def test_dark_template_for_wall_screens(stable: pd.DataFrame) -> None:
    cap = capability(stable, SPEC)
    light = capability_figure(stable["value"], cap, SPEC).to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    dark = capability_figure(stable["value"], cap, SPEC, dark=True).to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    assert light != dark
