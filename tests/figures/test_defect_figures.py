"""The defects view's figures: trend, forecast, Pareto, breakdown and heatmap, checked on structure."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.defects import (
    breakdown_figure,
    breakdown_spec,
    forecast_figure,
    forecast_spec,
    heatmap_figure,
    heatmap_spec,
    pareto_figure,
    pareto_spec,
    trend_figure,
    trend_spec,
)
from dashboard.figures.empty import empty_figure, empty_spec

WEEKS = pd.date_range("2026-06-01", periods=8, freq="7D")
VALUES = [2400.0, 2610.0, 2550.0, float("nan"), 2480.0, 2390.0, 2700.0, 2450.0]
EVENTS = pd.DataFrame(
    {
        "event_date": pd.to_datetime(["2026-06-10", "2026-06-24", "2026-07-08", "2026-07-09", "2025-01-01"]),
        "event_kind": ["process-change", "capa-action", "supplier-change", "process-change", "capa-action"],
        "description": [
            "New curing profile on the paint line",
            "CAPA-117: torque check added",
            "Resin supplier switched",
            "Oven recalibrated",
            "Long before the period",
        ],
        "line_id": ["P01-L02", None, "P02-L03", None, None],
    }
)


def trend(**options: object) -> go.Figure:
    current = pd.DataFrame({"bucket_date": WEEKS, "ppm": VALUES})
    previous = pd.DataFrame({"bucket_date": WEEKS, "ppm": [2600.0 + 10 * i for i in range(8)]})
    arguments = {"measure": "ppm", "title": "Defects per million", "unit_label": "ppm", "target": 2500.0, "events": EVENTS}
    return trend_figure(current, previous, **{**arguments, **options})


def pareto_input(n: int) -> pd.DataFrame:
    """A Pareto frame as :func:`dashboard.metrics.defects.pareto` returns it, counts descending."""
    counts = np.array([400 - 12 * i for i in range(n)], dtype=float)
    share = counts / counts.sum() * 100
    cumulative = share.cumsum()
    vital = (cumulative - share) < 80.0  # the codes up to and including the one crossing 80 %
    return pd.DataFrame(
        {
            "key": [f"D{i:03d}" for i in range(n)],
            "label": [f"Defect <{i}>" for i in range(n)],
            "defect_count": counts,
            "share_pct": share,
            "cumulative_pct": cumulative,
            "vital_few": vital,
            "rank": np.arange(1, n + 1),
        }
    )


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


def is_empty(figure: go.Figure) -> bool:
    return figure.to_dict()["data"] == [] and len(texts(figure.to_dict())) == 1


# --- trend -------------------------------------------------------------------------------------


def test_trend_draws_current_solid_and_previous_dashed() -> None:
    figure = valid(trend())
    current, previous = named(figure, "Current period"), named(figure, "Previous period")
    assert current["type"] == previous["type"] == "scatter"
    assert current["line"]["dash"] == "solid"
    assert previous["line"]["dash"] == "dash"
    assert previous["x"] == current["x"] == [d.strftime("%Y-%m-%d") for d in WEEKS]  # the same x positions
    assert current["y"][3] is None  # a missing bucket is a gap, not zero
    assert "2,610 ppm" in current["hovertext"][1]
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert figure["layout"]["yaxis"]["title"]["text"] == "ppm"
    assert figure["layout"]["title"]["text"] == "Defects per million"


def test_trend_target_is_a_dashed_line_labelled_with_its_value() -> None:
    figure = valid(trend())
    (target,) = [s for s in figure["layout"]["shapes"] if s["yref"] == "y"]
    assert target["y0"] == target["y1"] == 2500.0
    assert target["line"]["dash"] == "dash"
    assert "Target 2,500" in texts(figure)
    assert "Target" not in " ".join(texts(valid(trend(target=None))))


def test_trend_events_one_legend_entry_and_symbol_per_kind() -> None:
    figure = valid(trend())
    kinds = {name: named(figure, name) for name in ("Process change", "CAPA action", "Supplier change")}
    assert len({t["marker"]["symbol"] for t in kinds.values()}) == 3  # shape, not colour alone
    assert len(kinds["Process change"]["x"]) == 2
    assert len(kinds["CAPA action"]["x"]) == 1  # the event before the period is left out
    assert all(t.get("showlegend", True) and t["yaxis"] == "y2" for t in kinds.values())
    assert "CAPA-117: torque check added" in kinds["CAPA action"]["hovertext"][0]
    assert "P02-L03" in kinds["Supplier change"]["hovertext"][0]
    assert "New curing profile on…" in kinds["Process change"]["text"]  # a short label on the chart
    dotted = [s for s in figure["layout"]["shapes"] if s["line"]["dash"] == "dot"]
    assert len(dotted) == 4  # a vertical line per event in the period
    assert all(s["yref"] == "paper" and s["x0"] == s["x1"] for s in dotted)
    assert figure["layout"]["yaxis"]["domain"] == [0, 0.8]  # events in a strip above the values
    assert figure["layout"]["yaxis2"]["domain"] == [0.84, 1]


def test_trend_without_previous_or_events() -> None:
    current = pd.DataFrame({"bucket_date": WEEKS, "ppm": VALUES})
    figure = valid(trend_figure(current, None, measure="ppm", title="T", unit_label="ppm", target=None, events=None))
    assert [t["name"] for t in figure["data"]] == ["Current period"]
    assert figure["layout"]["shapes"] == []


def test_trend_dark_template_for_wall_screens() -> None:
    light = trend().to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    assert trend(dark=True).to_dict()["layout"]["template"]["layout"]["paper_bgcolor"] != light


# --- forecast ----------------------------------------------------------------------------------


def forecast(level: float = 0.95, history: pd.Series | None = None) -> go.Figure:
    history = pd.Series(VALUES, index=WEEKS) if history is None else history
    dates = pd.date_range(WEEKS[-1] + pd.Timedelta(days=7), periods=4, freq="7D")
    mean = np.array([2500.0, 2510.0, 2520.0, 2530.0])
    return forecast_figure(
        history, dates, mean, mean - 200, mean + 200, level=level, model="ETS(A,N,N)", unit_label="ppm", title="Forecast"
    )


def test_forecast_history_solid_forecast_dashed_in_a_band() -> None:
    figure = valid(forecast())
    actual, band, line = (
        named(figure, "Actual"),
        named(figure, "95 % prediction interval"),
        named(figure, "Forecast (ETS(A,N,N))"),
    )
    assert actual["line"].get("dash", "solid") == "solid"
    assert line["line"]["dash"] == "dash"
    assert band["fill"] == "toself"
    assert band["y"] == [2700.0, 2710.0, 2720.0, 2730.0, 2330.0, 2320.0, 2310.0, 2300.0]  # upper, then lower backwards
    assert "2,300 – 2,700 ppm" in line["hovertext"][0]


@pytest.mark.parametrize("level", [0.9, 90])
def test_forecast_legend_names_the_level(level: float) -> None:
    names = [t["name"] for t in valid(forecast(level)).get("data")]
    assert "90 % prediction interval" in names


def test_forecast_divider_and_model_caption() -> None:
    figure = valid(forecast())
    (divider,) = figure["layout"]["shapes"]
    assert divider["x0"] == divider["x1"] == "2026-07-23 12:00:00"  # halfway between the last actual and the first forecast
    assert divider["yref"] == "paper"
    assert any("Forecast →" in text for text in texts(figure))
    assert any("ETS(A,N,N)" in text and "95 % prediction interval" in text for text in texts(figure))


def test_forecast_rejects_bounds_of_another_length() -> None:
    with pytest.raises(ValueError, match="same length"):
        forecast_figure(pd.Series([1.0]), ["2026-08-03"], [1.0], [0.5], [], level=0.95, model="m", unit_label="", title="F")


def test_forecast_without_history_starts_at_the_forecast() -> None:
    figure = valid(forecast(history=pd.Series([], dtype=float)))
    assert "Actual" not in [t["name"] for t in figure["data"]]
    assert figure["layout"]["shapes"][0]["x0"] == "2026-07-27"


# --- Pareto ------------------------------------------------------------------------------------


def test_pareto_bars_sorted_with_cumulative_on_a_0_to_100_axis() -> None:
    figure = valid(pareto_figure(pareto_input(10), value="defect_count", value_label="Defects (count)"))
    bars, cumulative = figure["data"]
    assert (bars["type"], cumulative["type"]) == ("bar", "scatter")
    assert bars["x"] == [f"D{i:03d}" for i in range(10)]  # tick text is the key
    assert bars["y"] == sorted(bars["y"], reverse=True)
    assert bars["customdata"] == bars["x"]
    assert cumulative["yaxis"] == "y2"
    assert figure["layout"]["yaxis2"]["range"] == [0, 100]
    assert figure["layout"]["yaxis2"]["ticktext"][-1] == "100 %"
    assert figure["layout"]["xaxis"]["type"] == "category"
    assert "<b>D001</b> · Defect &lt;1&gt;" in bars["hovertext"][1]  # key and label, escaped
    assert "Cumulative:" in bars["hovertext"][1]


def test_pareto_marks_the_vital_few_by_colour_and_text() -> None:
    frame = pareto_input(10)
    bars = valid(pareto_figure(frame, value="defect_count", value_label="Defects"))["data"][0]
    vital = frame["vital_few"].tolist()
    assert 0 < sum(vital) < len(vital)
    assert [text == "★" for text in bars["text"]] == vital
    colours = bars["marker"]["color"]
    assert len({c for c, v in zip(colours, vital, strict=True) if v}) == 1
    assert {c for c, v in zip(colours, vital, strict=True) if v}.isdisjoint(
        c for c, v in zip(colours, vital, strict=True) if not v
    )


def test_pareto_threshold_line_at_80_percent() -> None:
    figure = valid(pareto_figure(pareto_input(10), value="defect_count", value_label="Defects"))
    (line,) = figure["layout"]["shapes"]
    assert (line["yref"], line["y0"], line["y1"], line["line"]["dash"]) == ("y2", 80.0, 80.0, "dash")
    assert "80 %" in texts(figure)


def test_pareto_sums_the_tail_into_an_unclickable_other_bar() -> None:
    frame = pareto_input(30)
    bars, cumulative = valid(pareto_figure(frame, value="defect_count", value_label="Defects"))["data"]
    assert len(bars["x"]) == 25
    assert bars["x"][-1] == "Other (6 codes)"
    assert bars["customdata"][-1] is None
    assert bars["customdata"][:24] == frame["key"].tolist()[:24]
    assert bars["y"][-1] == pytest.approx(frame["defect_count"].iloc[24:].sum())
    assert cumulative["y"][-1] == pytest.approx(100.0)
    assert bars["text"][-1] == ""
    assert "not clickable" in bars["hovertext"][-1]


def test_pareto_numeric_keys_stay_categories_and_fall_back_to_the_key_label() -> None:
    frame = pareto_input(3).assign(key=[101, 205, 309]).drop(columns="label")
    figure = valid(pareto_figure(frame, value="defect_count", value_label="Defects"))
    bars = figure["data"][0]
    assert bars["x"] == ["101", "205", "309"]
    assert bars["customdata"] == [101, 205, 309]  # the key as given, for the drill callback
    assert figure["layout"]["xaxis"]["type"] == "category"


def test_pareto_of_exactly_25_codes_has_no_other_bar() -> None:
    bars = pareto_figure(pareto_input(25), value="defect_count", value_label="Defects").to_dict()["data"][0]
    assert len(bars["x"]) == 25 and None not in bars["customdata"]


# --- breakdown ---------------------------------------------------------------------------------


BREAKDOWN = pd.DataFrame(
    {
        "key": ["P01", "P02", "P03", "P04"],
        "label": ["Plant Lyon", "Plant Graz", "Plant Porto", "Plant Graz"],  # a repeated label stays its own bar
        "defect_count": [120.0, 480.0, 260.0, 5.0],
        "per_1000": [1.25, 4.1, 2.0, float("nan")],
    }
)


def test_breakdown_bars_sorted_largest_at_the_top_with_keys_for_drill() -> None:
    figure = valid(breakdown_figure(BREAKDOWN, value="defect_count", value_label="Defects (count)", title="By plant"))
    (bars,) = figure["data"]
    assert (bars["type"], bars["orientation"]) == ("bar", "h")
    assert bars["x"] == [480.0, 260.0, 120.0, 5.0]
    assert bars["customdata"] == ["P02", "P03", "P01", "P04"]
    assert figure["layout"]["yaxis"]["ticktext"] == ["Plant Graz", "Plant Porto", "Plant Lyon", "Plant Graz"]
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"
    assert figure["layout"]["xaxis"]["title"]["text"] == "Defects (count)"
    assert "text" not in bars


def test_breakdown_rate_as_text_on_the_bars() -> None:
    figure = breakdown_figure(
        BREAKDOWN,
        value="defect_count",
        value_label="Defects",
        title="By plant",
        rate="per_1000",
        rate_label="defects per 1,000 units",
    )
    bars = valid(figure)["data"][0]
    assert bars["text"] == ["4.1 defects per 1,000 units", "2 defects per 1,000 units", "1.25 defects per 1,000 units", ""]


# --- heatmap -----------------------------------------------------------------------------------


def heatmap_input() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_id": ["P02-L03", "P01-L01", "P01-L01", "P02-L03", "P01-L01"],
            "bucket_date": pd.to_datetime(["2026-08-03", "2026-08-03", "2026-08-10", "2026-08-24", "2026-08-24"]),
            "per_1000": [4.1, 0.0, 2.5, 3.0, 1.0],
        }
    )


def test_heatmap_rows_are_lines_columns_weeks_and_missing_cells_blank() -> None:
    figure = valid(heatmap_figure(heatmap_input(), value="per_1000", value_label="defects per 1,000 units", title="Heatmap"))
    (cells,) = figure["data"]
    assert cells["type"] == "heatmap"
    assert cells["y"] == ["P01-L01", "P02-L03"]
    assert cells["x"] == ["2026-08-03", "2026-08-10", "2026-08-17", "2026-08-24"]  # the week missing everywhere is kept
    z = cells["z"]
    assert len(z) == 2 and all(len(row) == 4 for row in z)  # z[row = line][column = week]
    assert z[0] == [0.0, 2.5, None, 1.0]  # a real zero stays zero
    assert z[1][0] == 4.1
    assert all(v is None or (isinstance(v, float) and math.isnan(v)) for v in (z[1][1], z[1][2]))
    assert cells["customdata"][1] == ["P02-L03"] * 4
    assert cells["hovertext"][1][0] == "P02-L03, week of 3 Aug 2026: 4.1 defects per 1,000 units"
    assert figure["layout"]["yaxis"]["automargin"] is True  # a line id is never clipped at the left edge
    assert cells["colorbar"]["title"]["text"] == "defects per 1,000 units"
    assert cells["hoverongaps"] is False
    assert figure["layout"]["xaxis"]["tickvals"] == cells["x"]  # ticks on week starts
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"  # first line at the top


# --- empty inputs ------------------------------------------------------------------------------


def test_empty_inputs_give_the_empty_figure() -> None:
    nothing = pd.DataFrame({"bucket_date": [], "ppm": []})
    figures = [
        trend_figure(nothing, None, measure="ppm", title="T", unit_label="ppm", target=2500.0, events=EVENTS),
        trend_figure(
            pd.DataFrame({"bucket_date": WEEKS, "ppm": [float("nan")] * 8}),
            None,
            measure="ppm",
            title="T",
            unit_label="ppm",
            target=None,
            events=None,
        ),
        forecast_figure(pd.Series([], dtype=float), [], [], [], [], level=0.95, model="ETS", unit_label="ppm", title="F"),
        pareto_figure(pareto_input(0), value="defect_count", value_label="Defects"),
        breakdown_figure(BREAKDOWN.iloc[0:0], value="defect_count", value_label="Defects", title="B"),
        heatmap_figure(heatmap_input().iloc[0:0], value="per_1000", value_label="x", title="H"),
    ]
    for figure in figures:
        valid(figure)
        assert is_empty(figure)
        assert texts(figure.to_dict())[0].endswith(tuple("abcdefghijklmnopqrstuvwxyz"))  # a sentence, not a code
    assert empty_figure("x").to_dict()["layout"]["xaxis"] == figures[0].to_dict()["layout"]["xaxis"]


# --- plain specs -------------------------------------------------------------------------------


def assert_json_native(value: object, where: str = "spec") -> None:
    """Only dicts with text keys, lists, str, int, finite float, bool and None: what ``json.dumps``
    writes without ``default=`` (a numpy float passes ``json.dumps``, so the types are checked too)."""
    json.dumps(value, allow_nan=False)  # raises on a numpy integer or array, a Timestamp or NaN
    assert type(value) in (dict, list, str, int, float, bool, type(None)), f"{where}: {type(value).__name__}"
    if type(value) is dict:
        for key, item in value.items():
            assert type(key) is str, f"{where}: key {key!r}"
            assert_json_native(item, f"{where}.{key}")
    elif type(value) is list:
        for i, item in enumerate(value):
            assert_json_native(item, f"{where}[{i}]")


def forecast_inputs(history: pd.Series, n: int = 4) -> tuple:
    dates = pd.date_range(WEEKS[-1] + pd.Timedelta(days=7), periods=n, freq="7D")
    mean = np.linspace(2500.0, 2530.0, n)
    return history, dates, mean, pd.Series(mean - 200), mean + 200  # arrays and a Series, as the metrics give them


TREND = {"measure": "ppm", "title": "Defects per million", "unit_label": "ppm"}
FORECAST = {"level": 0.95, "model": "ETS(A,N,N)", "unit_label": "ppm", "title": "Forecast"}
PARETO, HEATMAP = {"value": "defect_count", "value_label": "Defects"}, {"value": "per_1000", "value_label": "x", "title": "H"}
# (spec, figure, arguments): typical inputs, then edge ones (gaps, the "Other" bar, no rate, empty inputs).
SPEC_CASES: dict[str, tuple[Callable[..., dict], Callable[..., go.Figure], Callable[[], tuple[tuple, dict]]]] = {
    "trend": (
        trend_spec,
        trend_figure,
        lambda: (
            (pd.DataFrame({"bucket_date": WEEKS, "ppm": VALUES}), pd.DataFrame({"bucket_date": WEEKS, "ppm": range(8)})),
            {**TREND, "target": np.float32(2500.0), "events": EVENTS},
        ),
    ),
    "trend of no values": (
        trend_spec,
        trend_figure,
        lambda: ((pd.DataFrame({"bucket_date": WEEKS, "ppm": [np.nan] * 8}), None), {**TREND, "target": None, "events": None}),
    ),
    "forecast": (forecast_spec, forecast_figure, lambda: (forecast_inputs(pd.Series(VALUES, index=WEEKS)), FORECAST)),
    "forecast without history": (forecast_spec, forecast_figure, lambda: (forecast_inputs(pd.Series([], dtype=float)), FORECAST)),
    "forecast of nothing": (forecast_spec, forecast_figure, lambda: (forecast_inputs(pd.Series([], dtype=float), 0), FORECAST)),
    "pareto": (pareto_spec, pareto_figure, lambda: ((pareto_input(10),), {**PARETO, "threshold_pct": np.float64(80)})),
    "pareto with other": (pareto_spec, pareto_figure, lambda: ((pareto_input(30).assign(key=range(30)),), PARETO)),
    "pareto of nothing": (pareto_spec, pareto_figure, lambda: ((pareto_input(0),), PARETO)),
    "breakdown": (
        breakdown_spec,
        breakdown_figure,
        lambda: ((BREAKDOWN,), {**PARETO, "title": "B", "rate": "per_1000", "rate_label": "per 1,000 units"}),
    ),
    "breakdown without rate": (
        breakdown_spec,
        breakdown_figure,
        lambda: ((BREAKDOWN.assign(key=range(4)),), {**PARETO, "title": "B"}),
    ),
    "breakdown of nothing": (breakdown_spec, breakdown_figure, lambda: ((BREAKDOWN.iloc[0:0],), {**PARETO, "title": "B"})),
    "heatmap": (heatmap_spec, heatmap_figure, lambda: ((heatmap_input(),), {**HEATMAP, "dark": True})),
    "heatmap of nothing": (heatmap_spec, heatmap_figure, lambda: ((heatmap_input().iloc[0:0],), HEATMAP)),
    "empty": (empty_spec, empty_figure, lambda: (("No <data> here",), {"dark": True, "height": 200})),
}


@pytest.mark.parametrize("case", SPEC_CASES)
def test_specs_are_json_native_and_their_figures_draw_them_unchanged(case: str) -> None:
    spec_function, figure_function, inputs = SPEC_CASES[case]
    arguments, options = inputs()
    spec = spec_function(*arguments, **options)
    assert_json_native(spec)
    assert set(spec) == {"data", "layout"}
    figure = figure_function(*arguments, **options)
    assert figure.to_dict() == spec  # the wrapper draws the spec as it is: no property added, dropped or changed
    assert len(valid(figure)["data"]) == len(spec["data"])


def test_the_json_native_check_finds_numpy_values_and_nan() -> None:
    for bad in ({"y": [np.float64(1.0)]}, {"x": np.int64(1)}, {"z": [1.0, math.nan]}, {"x": pd.Timestamp("2026-08-03")}):
        with pytest.raises((AssertionError, TypeError, ValueError)):
            assert_json_native(bad)
    assert_json_native({"data": [{"y": [1.0, None], "x": ["a"], "n": 1, "b": True}], "layout": {}})
