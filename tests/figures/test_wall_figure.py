"""Page figures restyled for a wall screen: big text, no clutter, the theme's colours, input untouched."""

from __future__ import annotations

import copy

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import defects as figures
from dashboard.figures.theme import STATUS_COLOURS, template_json
from dashboard.figures.wall import wall_figure


def page_figure() -> dict:
    frame = pd.DataFrame({"bucket_date": pd.date_range("2026-01-05", periods=8, freq="W-MON"), "count": range(8)})
    events = pd.DataFrame(
        {"event_date": [pd.Timestamp("2026-02-02")], "event_kind": ["process-change"], "description": ["New fixture"]}
    )
    figure = figures.trend_figure(
        frame, frame, measure="count", title="Defects per week", unit_label="Defects", target=4.0, events=events
    )
    spec = figure.to_plotly_json()
    spec["layout"]["annotations"] = [
        *spec["layout"].get("annotations", []),
        {"text": "Shaded: 95 % interval", "x": 1, "y": 1, "xref": "paper", "yref": "paper", "yanchor": "bottom"},
    ]
    return spec


def test_the_wall_figure_is_large_plain_and_fills_its_box() -> None:
    spec = page_figure()
    before = copy.deepcopy(spec)
    wall = wall_figure(spec, dark=True, font_px=24)
    assert spec == before  # the page's figure is not changed
    layout = wall["layout"]
    assert "height" not in layout and "title" not in layout and layout["autosize"] is True
    assert layout["font"]["size"] == 24 and layout["showlegend"] is False and layout["hovermode"] is False
    assert layout["template"] == template_json(dark=True)
    assert layout["xaxis"]["title"] == {"text": ""} and layout["xaxis"]["nticks"] == 3
    assert all(a["text"] != "Shaded: 95 % interval" for a in layout["annotations"])
    assert any(a["text"].startswith("Target") for a in layout["annotations"])  # notes inside the plot stay
    go.Figure(wall)  # still a valid figure (full validation)


def test_explicit_sizes_scale_with_the_screen() -> None:
    spec = page_figure()
    spec["layout"]["annotations"].append({"text": "small", "x": 0.5, "y": 0.5, "font": {"size": 13}})
    spec["data"][0]["marker"] = {"size": 6, "line": {"width": 1}}
    hd, uhd = wall_figure(spec, dark=False, font_px=24), wall_figure(spec, dark=False, font_px=48)
    small = next(a for a in hd["layout"]["annotations"] if a["text"] == "small")
    assert small["font"]["size"] == 24
    assert next(a for a in uhd["layout"]["annotations"] if a["text"] == "small")["font"]["size"] == 48
    assert hd["data"][0]["marker"] == {"size": 6, "line": {"width": 1}}
    assert uhd["data"][0]["marker"] == {"size": 12, "line": {"width": 2}}


def test_dark_screens_lift_colours_that_vanish_on_black() -> None:
    spec = page_figure()
    spec["data"][0]["line"] = {"color": STATUS_COLOURS["no_data"]}
    spec["data"][0]["marker"] = {"color": "#000000"}
    dark, light = wall_figure(spec, dark=True, font_px=24), wall_figure(spec, dark=False, font_px=24)
    assert dark["data"][0]["line"]["color"] == "#9da7b3" and dark["data"][0]["marker"]["color"] == "#f0f3f6"
    assert light["data"][0]["line"]["color"] == STATUS_COLOURS["no_data"]
