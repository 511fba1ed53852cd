"""The sparkline spec is a valid Plotly figure (checked with full validation)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.sparkline import sparkline_figure

SERIES = pd.Series({dt.date(2026, 3, 2): 97.1, dt.date(2026, 3, 9): 98.4})


def test_spec_passes_plotly_validation() -> None:
    figure = sparkline_figure(SERIES, target=97.0, unit_label="%")
    validated = go.Figure(figure.to_dict())  # raises on any invalid property
    assert validated.data[0].y == (97.1, 98.4)
    assert validated.layout.shapes[0].y0 == 97.0
    assert validated.layout.template.layout.font.family  # the registered template is embedded


def test_no_target_line_without_target() -> None:
    assert sparkline_figure(SERIES).to_dict()["layout"]["shapes"] == []


def test_dark_template_for_wall_screens() -> None:
    light = sparkline_figure(SERIES).to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    dark = sparkline_figure(SERIES, dark=True).to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    assert light != dark
