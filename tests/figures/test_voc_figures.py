"""The voice-of-the-customer figures: NPS trend and breakdown, sentiment, themes, lead–lag and
complaints per code, checked on structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.voc import (
    complaints_by_code_figure,
    lag_correlation_figure,
    lag_sentence,
    lead_lag_figure,
    nps_breakdown_figure,
    nps_trend_figure,
    sentiment_figure,
    sentiment_histogram,
    themes_figure,
)

WEEKS = pd.date_range("2026-06-01", periods=6, freq="7D")
X = [d.strftime("%Y-%m-%d") for d in WEEKS]


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
    spec = figure.to_dict()
    return spec["data"] == [] and len(texts(spec)) == 1


def nps_frame() -> pd.DataFrame:
    """Six weeks; the third has no responses and an NPS the metric filled with 0."""
    return pd.DataFrame(
        {
            "bucket_date": WEEKS,
            "nps": [32.0, 28.4, 0.0, -5.0, 40.0, 35.0],
            "nps_low": [20.0, 15.0, np.nan, -30.0, 28.0, 22.0],
            "nps_high": [44.0, 41.0, np.nan, 20.0, 52.0, 48.0],
            "responses": [118, 95, 0, 12, 140, 101],
        }
    )


# --- NPS trend ---------------------------------------------------------------------------------


def test_nps_trend_one_line_in_a_band_with_n_beside_every_point() -> None:
    figure = valid(nps_trend_figure(nps_frame(), title="NPS per week"))
    line, band = named(figure, "NPS"), named(figure, "95 % interval")
    assert line["x"] == X
    assert line["y"] == [32.0, 28.4, None, -5.0, 40.0, 35.0]  # zero responses: a gap, never 0
    assert line["connectgaps"] is False
    assert line["text"] == ["n = 118", "n = 95", "", "n = 12", "n = 140", "n = 101"]
    assert "NPS +32 (n = 118)" in line["hovertext"][0]
    assert "NPS −5 (n = 12)" in line["hovertext"][3]
    assert "95 % interval: −30 to +20" in line["hovertext"][3]
    assert "few responses" in line["hovertext"][3].lower()
    assert "no responses" in line["hovertext"][2]
    # The band is one closed polygon per run of answered weeks, split at the gap.
    assert band["fill"] == "toself"
    assert band["x"] == [X[0], X[1], X[1], X[0], None, X[3], X[4], X[5], X[5], X[4], X[3]]
    assert band["y"] == [44.0, 41.0, 15.0, 20.0, None, 20.0, 52.0, 48.0, 22.0, 28.0, -30.0]
    assert figure["data"].index(band) < figure["data"].index(line)  # drawn under the line
    assert "Shaded: 95 % interval" in texts(figure)


def test_nps_trend_axis_runs_from_minus_100_to_100_with_a_zero_line() -> None:
    layout = valid(nps_trend_figure(nps_frame(), title="NPS"))["layout"]
    assert layout["yaxis"]["range"] == [-100, 100]
    assert layout["yaxis"]["zeroline"] is True
    assert layout["yaxis"]["ticktext"] == ["−100", "−50", "0", "+50", "+100"]
    assert layout["xaxis"]["type"] == "date"
    assert layout["title"]["text"] == "NPS"


def test_nps_trend_marks_buckets_without_responses_along_the_bottom() -> None:
    frame = nps_frame().drop(index=4)  # a week with no row at all is a gap too
    figure = valid(nps_trend_figure(frame, title="NPS"))
    line, gaps = named(figure, "NPS"), named(figure, "No responses (gap in the line)")
    assert line["x"] == X
    assert line["y"][2] is None and line["y"][4] is None
    assert gaps["x"] == [X[2], X[4]]
    assert gaps["yaxis"] == "y2" and figure["layout"]["yaxis2"]["range"] == [0, 1]
    assert gaps["hovertext"] == ["<b>15 Jun 2026</b>: no responses", "<b>29 Jun 2026</b>: no responses"]
    assert figure["layout"]["showlegend"] is True


def test_nps_trend_one_line_per_series_without_bands() -> None:
    frame = pd.concat(
        [nps_frame().assign(series="EMEA"), nps_frame().assign(series="APAC", nps=lambda f: f["nps"] - 20).iloc[:4]]
    )
    figure = valid(nps_trend_figure(frame, title="NPS by region"))
    assert [t["name"] for t in figure["data"]] == ["APAC", "EMEA", "No responses (gap in the line)"]
    apac, emea = named(figure, "APAC"), named(figure, "EMEA")
    assert apac["marker"]["symbol"] != emea["marker"]["symbol"]  # not colour alone
    assert apac["line"]["dash"] != emea["line"]["dash"]
    assert apac["y"] == [12.0, pytest.approx(8.4), None, -25.0, None, None]
    assert "<b>APAC</b>, 1 Jun 2026<br>NPS +12 (n = 118)" in apac["hovertext"][0]
    assert not any(t.get("fill") for t in figure["data"])
    gaps = named(figure, "No responses (gap in the line)")
    assert gaps["x"] == [X[2], X[4], X[5]]
    assert gaps["hovertext"][0] == "<b>15 Jun 2026</b>: no responses from APAC, EMEA"
    assert gaps["hovertext"][1] == "<b>29 Jun 2026</b>: no responses from APAC"


def test_nps_trend_hides_point_labels_on_long_periods() -> None:
    weeks = pd.date_range("2025-01-06", periods=40, freq="7D")
    frame = pd.DataFrame({"bucket_date": weeks, "nps": 30.0, "nps_low": 20.0, "nps_high": 40.0, "responses": 100})
    line = valid(nps_trend_figure(frame, title="NPS"))["data"][1]
    assert "text" not in line
    assert "NPS +30 (n = 100)" in line["hovertext"][0]


# --- NPS breakdown -----------------------------------------------------------------------------


BREAKDOWN = pd.DataFrame(
    {
        "label": ["email", "phone", "social <app>", "web"],
        "nps": [42.0, 18.0, 55.0, -7.0],
        "nps_low": [30.0, 2.0, 10.0, -16.0],
        "nps_high": [53.0, 33.0, 100.0, 2.0],
        "responses": [240, 118, 12, 410],
    }
)


def test_nps_breakdown_sorted_bars_with_error_bars_and_n() -> None:
    figure = valid(nps_breakdown_figure(BREAKDOWN, title="NPS by channel"))
    solid, few = named(figure, "NPS"), named(figure, "NPS, few responses (n < 30; hatched)")
    assert (solid["type"], solid["orientation"]) == ("bar", "h")
    assert solid["y"] == ["email", "phone", "web"] and solid["x"] == [42.0, 18.0, -7.0]
    assert solid["error_x"]["array"] == [11.0, 15.0, 9.0]
    assert solid["error_x"]["arrayminus"] == [12.0, 16.0, 9.0]
    assert few["y"] == ["social <app>"] and few["error_x"]["array"] == [45.0]
    layout = figure["layout"]
    assert layout["yaxis"]["tickvals"] == ["social <app>", "email", "phone", "web"]  # highest NPS first
    assert layout["yaxis"]["ticktext"][0] == "social &lt;app&gt;"
    assert layout["yaxis"]["autorange"] == "reversed"
    assert layout["xaxis"]["range"] == [-100, 100] and layout["xaxis"]["zeroline"] is True
    counts = named(figure, "Responses")
    assert counts["text"] == ["n = 12 · few responses", "n = 240", "n = 118", "n = 410"]
    assert counts["y"] == layout["yaxis"]["tickvals"]
    assert "NPS +42 (n = 240)" in solid["hovertext"][0]


def test_nps_breakdown_few_responses_hatched_hollow_and_labelled() -> None:
    figure = valid(nps_breakdown_figure(BREAKDOWN, title="NPS by channel"))
    solid, few = figure["data"][0], figure["data"][1]
    assert few["marker"]["pattern"]["shape"] == "/"
    assert "pattern" not in solid["marker"]
    assert few["marker"]["color"].startswith("rgba(")  # pale fill: hollow-looking
    assert "few responses" in few["name"] and "few responses" in few["hovertext"][0].lower()
    assert figure["layout"]["barmode"] == "overlay"


def test_nps_breakdown_keys_label_without_responses_and_whiskers_on_scale() -> None:
    frame = pd.concat(
        [
            BREAKDOWN.assign(key=["E", "P", "S", "W"]),
            pd.DataFrame({"key": ["X"], "label": ["partner"], "nps": [np.nan], "responses": [0]}),
        ]
    )
    frame.loc[frame["key"] == "S", "nps_high"] = 120.0
    figure = valid(nps_breakdown_figure(frame, title="B"))
    assert figure["data"][0]["customdata"] == ["E", "P", "W"]
    assert figure["data"][1]["error_x"]["array"] == [45.0]  # clipped at +100
    assert named(figure, "Responses")["text"][-1] == "no responses"
    assert figure["layout"]["yaxis"]["tickvals"][-1] == "X"


# --- sentiment ---------------------------------------------------------------------------------


SENTIMENT = pd.DataFrame(
    {
        "bucket_date": WEEKS,
        "negative": [10, 12, 0, 8, 20, 5],
        "neutral": [20, 18, 0, 22, 30, 15],
        "positive": [70, 50, 0, 40, 50, 80],
        "mean_compound": [0.41, 0.3, np.nan, 0.22, -0.06, 0.5],
    }
)


def test_sentiment_stacked_bars_and_mean_on_a_secondary_axis() -> None:
    figure = valid(sentiment_figure(SENTIMENT, title="Sentiment"))
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == ["Negative", "Neutral", "Positive"]
    assert figure["layout"]["barmode"] == "stack"
    assert bars[0]["y"] == [10.0, 12.0, 0.0, 8.0, 20.0, 5.0]
    assert len({b["marker"]["color"] for b in bars}) == 3
    mean = named(figure, "Mean compound score (right axis)")
    assert mean["yaxis"] == "y2"
    assert mean["y"][2] is None  # a week without comments is a gap
    assert figure["layout"]["yaxis2"]["range"] == [-1, 1]
    assert figure["layout"]["yaxis2"]["overlaying"] == "y"
    assert "Negative: 10 (10 %)" in bars[0]["hovertext"][0]
    assert "Mean compound score: −0.06" in mean["hovertext"][4]
    assert figure["layout"]["legend"]["traceorder"] == "normal"


def test_sentiment_without_mean_column_draws_bars_only() -> None:
    figure = valid(sentiment_figure(SENTIMENT.drop(columns="mean_compound"), title="S"))
    assert [t["type"] for t in figure["data"]] == ["bar", "bar", "bar"]


def test_sentiment_histogram_marks_both_thresholds() -> None:
    scores = pd.Series([-0.9, -0.5, -0.05, 0.0, 0.0, 0.02, 0.05, 0.6, 0.8, None])
    figure = valid(sentiment_histogram(scores, title="Compound scores"))
    assert [t["name"] for t in figure["data"]] == ["Negative (3)", "Neutral (3)", "Positive (3)"]
    assert all(t["type"] == "histogram" and t["xbins"]["size"] == 0.05 for t in figure["data"])
    assert figure["data"][0]["x"] == [-0.9, -0.5, -0.05]  # −0.05 itself is negative
    lines = figure["layout"]["shapes"]
    assert sorted(s["x0"] for s in lines) == [-0.05, 0.05]
    assert all(s["x0"] == s["x1"] and s["line"]["dash"] == "dash" for s in lines)
    assert "≤ −0.05: negative" in texts(figure) and "positive: ≥ +0.05" in texts(figure)
    assert "9 comments" in texts(figure)
    assert figure["layout"]["xaxis"]["range"] == [-1, 1]


# --- themes ------------------------------------------------------------------------------------


THEMES = pd.DataFrame(
    {
        "theme": ["delivery", "packaging", "quality", "support <team>", "price"],
        "comments": [120, 45, 300, 80, 10],
        "negative_share": [0.62, 0.1, 0.35, 0.9, np.nan],
    }
)


def test_themes_bars_coloured_by_negative_share_with_text_and_colour_bar() -> None:
    figure = valid(themes_figure(THEMES, title="Themes"))
    bars, unknown = figure["data"]
    assert (bars["type"], bars["orientation"]) == ("bar", "h")
    assert bars["y"] == ["quality", "delivery", "support <team>", "packaging"]
    assert bars["x"] == [300.0, 120.0, 80.0, 45.0]
    assert bars["customdata"] == bars["y"]
    assert bars["text"] == ["35 % negative", "62 % negative", "90 % negative", "10 % negative"]
    assert bars["marker"]["color"] == [0.35, 0.62, 0.9, 0.1]
    assert bars["marker"]["colorbar"]["title"]["text"] == "share negative"
    assert (bars["marker"]["cmin"], bars["marker"]["cmax"]) == (0, 1)
    assert "<b>support &lt;team&gt;</b><br>80 comments, 90 % negative" in bars["hovertext"][2]
    # A theme whose share is unknown is a grey bar that says so, still clickable.
    assert (unknown["y"], unknown["customdata"], unknown["text"]) == (["price"], ["price"], ["share negative unknown"])
    assert "colorbar" not in unknown["marker"]
    layout = figure["layout"]
    assert layout["yaxis"]["categoryarray"] == ["quality", "delivery", "support <team>", "packaging", "price"]
    assert layout["yaxis"]["ticktext"][2] == "support &lt;team&gt;"
    assert layout["yaxis"]["autorange"] == "reversed"  # most comments at the top


def test_themes_keeps_the_n_largest() -> None:
    figure = valid(themes_figure(THEMES, title="Themes", n=2))
    assert [t["y"] for t in figure["data"]] == [["quality", "delivery"]]


# --- lead / lag --------------------------------------------------------------------------------


LEADING = pd.DataFrame({"bucket_date": WEEKS, "value": [2.1, 2.5, 3.8, 3.0, np.nan, 2.2]})
FOLLOWING = pd.DataFrame({"bucket_date": WEEKS, "value": [110.0, 105.0, 120.0, 160.0, 190.0, 150.0]})


def lead_lag(**options: object) -> go.Figure:
    arguments = {
        "lag_weeks": 3,
        "r": 0.71,
        "leading_label": "D017 per 1,000 units inspected",
        "following_label": "Complaints per million units shipped",
        "title": "Internal defects and complaints",
    }
    return lead_lag_figure(LEADING, FOLLOWING, **{**arguments, **options})


def test_lead_lag_two_series_on_two_axes_with_the_lag_sentence() -> None:
    figure = valid(lead_lag())
    leading, following = figure["data"]
    assert (leading["name"], leading.get("yaxis", "y")) == ("D017 per 1,000 units inspected", "y")
    assert (following["name"], following["yaxis"]) == ("Complaints per million units shipped", "y2")
    assert leading["y"][4] is None
    assert leading["marker"]["symbol"] != following["marker"]["symbol"]
    assert figure["layout"]["yaxis2"]["side"] == "right"
    assert figure["layout"]["yaxis2"]["title"]["text"] == "Complaints per million units shipped"
    assert "<b>Complaints follow internal defects by about 3 weeks (r = 0.71 on weekly changes)</b>" in texts(figure)


def test_lead_lag_without_a_lag_has_no_sentence() -> None:
    assert texts(valid(lead_lag(lag_weeks=None, r=None))) == []


@pytest.mark.parametrize(
    ("lag", "r", "sentence"),
    [
        (1, -0.4, "Complaints follow internal defects by about 1 week (r = −0.40 on weekly changes)"),
        (0, 0.5, "Complaints move with internal defects in the same week (r = 0.50 on weekly changes)"),
        (2, None, "Complaints follow internal defects by about 2 weeks"),
    ],
)
def test_lag_sentence(lag: int, r: float | None, sentence: str) -> None:
    assert lag_sentence(lag, r) == sentence


def test_lag_correlation_highlights_the_best_lag_by_colour_and_label() -> None:
    table = pd.DataFrame({"lag": [0, 1, 2, 3, 4], "r": [0.1, 0.3, 0.5, 0.71, np.nan]})
    figure = valid(lag_correlation_figure(table))
    (bars,) = figure["data"]
    assert bars["x"] == [0, 1, 2, 3, 4]
    assert bars["y"] == [0.1, 0.3, 0.5, 0.71, None]
    colours = bars["marker"]["color"]
    assert len(set(colours)) == 2 and colours.count(colours[3]) == 1
    assert bars["text"] == ["", "", "", "Best: 3 weeks, r = 0.71", ""]
    assert figure["layout"]["yaxis"]["range"] == [-1, 1]
    chosen = valid(lag_correlation_figure(table, best_lag=2))["data"][0]
    assert chosen["text"][2] == "Best: 2 weeks, r = 0.50"


# --- complaints per code -----------------------------------------------------------------------


CODES = pd.DataFrame(
    {
        "key": ["D001", "D017", "D042"],
        "label": ["Scratch", "Seal <leak>", "Dent"],
        "complaints": [12, 40, 0],
        "prev_complaints": [15, 22, 6],
    }
)


def test_complaints_by_code_bars_with_the_previous_period_as_markers() -> None:
    figure = valid(complaints_by_code_figure(CODES, title="Complaints per code"))
    bars, previous = figure["data"]
    assert bars["type"] == "bar" and previous["type"] == "scatter" and previous["mode"] == "markers"
    assert bars["x"] == previous["x"] == ["D017", "D001", "D042"]
    assert bars["y"] == [40.0, 12.0, 0.0]
    assert previous["y"] == [22.0, 15.0, 6.0]
    assert previous["name"] == "Previous period"
    assert bars["customdata"] == ["D017", "D001", "D042"]
    assert bars["hovertext"][0] == "<b>D017</b> · Seal &lt;leak&gt;<br>Complaints: 40<br>Previous period: 22, +18"
    assert figure["layout"]["xaxis"]["categoryarray"] == bars["x"]


def test_complaints_by_code_keeps_the_largest_and_says_so() -> None:
    figure = valid(complaints_by_code_figure(CODES, title="C", n=2))
    assert figure["data"][0]["x"] == ["D017", "D001"]
    assert "The 2 codes with most complaints of 3" in texts(figure)


# --- all figures -------------------------------------------------------------------------------


def test_empty_inputs_give_the_empty_figure() -> None:
    silent = nps_frame().assign(nps=np.nan, responses=0)
    figures = [
        nps_trend_figure(nps_frame().iloc[0:0], title="T"),
        nps_trend_figure(silent, title="T"),
        nps_breakdown_figure(BREAKDOWN.iloc[0:0], title="B"),
        sentiment_figure(SENTIMENT.iloc[0:0], title="S"),
        sentiment_histogram(pd.Series([], dtype=float), title="H"),
        sentiment_histogram(pd.Series([None, np.nan]), title="H"),
        themes_figure(THEMES.iloc[0:0], title="Th"),
        lead_lag_figure(
            LEADING.iloc[0:0], FOLLOWING.iloc[0:0], lag_weeks=None, r=None, leading_label="a", following_label="b", title="L"
        ),
        lag_correlation_figure(pd.DataFrame({"lag": [], "r": []})),
        complaints_by_code_figure(CODES.iloc[0:0], title="C"),
    ]
    for figure in figures:
        valid(figure)
        assert is_empty(figure)
        assert texts(figure.to_dict())[0].endswith(tuple("abcdefghijklmnopqrstuvwxyz"))  # a sentence, not a code


def test_dark_template_for_wall_screens() -> None:
    light = nps_trend_figure(nps_frame(), title="T").to_dict()["layout"]["template"]["layout"]["paper_bgcolor"]
    figures = [
        nps_trend_figure(nps_frame(), title="T", dark=True),
        nps_breakdown_figure(BREAKDOWN, title="B", dark=True),
        sentiment_figure(SENTIMENT, title="S", dark=True),
        sentiment_histogram(pd.Series([0.1, -0.3]), title="H", dark=True),
        themes_figure(THEMES, title="Th", dark=True),
        lead_lag(dark=True),
        lag_correlation_figure(pd.DataFrame({"lag": [0, 1], "r": [0.2, 0.4]}), dark=True),
        complaints_by_code_figure(CODES, title="C", dark=True),
    ]
    for figure in figures:
        assert valid(figure)["layout"]["template"]["layout"]["paper_bgcolor"] != light


def test_theme_trend_counts_per_week_with_the_share_in_the_hover() -> None:
    import pandas as pd

    from dashboard.figures.voc import theme_trend_figure

    trend = pd.DataFrame({"bucket_date": pd.to_datetime(["2026-09-07", "2026-09-14"]), "comments": [3, 0], "total": [12, 0]})
    figure = theme_trend_figure(trend, theme="seal <leak>").to_dict()
    assert list(figure["data"][0]["y"]) == [3, 0]
    assert figure["data"][0]["hovertext"] == ["Week of 07 Sep 2026: 3 of 12 comments (25 %)", "Week of 14 Sep 2026: no comments"]
    assert "<leak>" not in figure["layout"]["title"]["text"]
    assert theme_trend_figure(trend.iloc[:0], theme="x").to_dict()["layout"]["annotations"]
