"""Figures of the voice-of-the-customer view: the NPS trend with its 95 % interval, NPS per
channel/region with error bars, comment sentiment per week and its distribution, the comment
themes, the lead–lag of internal defects and complaints, and complaints per defect code.

Status is never told by colour alone: NPS bars with few responses are hatched *and* labelled
"few responses", the negative share of a theme is written on its bar, the best lag is
labelled, and a bucket without responses is a gap in the line with a marker along the bottom
("no responses"), never a zero.

Drill clicks: theme bars carry the theme and complaint bars the defect code's key in
``customdata``, so a Dash callback reads ``clickData["points"][0]["customdata"]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import days as _days
from dashboard.figures.common import floats as _floats
from dashboard.figures.common import iso as _iso
from dashboard.figures.common import note as _note
from dashboard.figures.common import page_layout as _layout
from dashboard.figures.common import plain as _text
from dashboard.figures.common import rgba as _rgba
from dashboard.figures.common import series_colour as _series_colour
from dashboard.figures.common import stamps as _stamps
from dashboard.figures.empty import empty_figure
from dashboard.figures.theme import PALETTE, STATUS_COLOURS, figure_from_spec, template

MUTED_COLOUR = STATUS_COLOURS["no_data"]
SENTIMENT_COLOURS = {"negative": PALETTE[3], "neutral": MUTED_COLOUR, "positive": PALETTE[2]}
SENTIMENT_NAMES = {"negative": "Negative", "neutral": "Neutral", "positive": "Positive"}
# VADER's usual cut-offs on the compound score (Hutto & Gilbert, 2014).
NEGATIVE_BELOW, POSITIVE_ABOVE = -0.05, 0.05
FEW_RESPONSES = 30  # an NPS on fewer responses has an interval wider than about ±30 points
FEW_LABEL = "few responses"
MAX_POINT_LABELS = 26  # beyond this many buckets "n = …" is in the hover only
# Lines per series differ in symbol and dash as well as colour.
SERIES_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star", "hexagon", "triangle-down")
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
# Sequential, light to dark vermillion: light enough at 0 to read as "little", visible on both templates.
NEGATIVE_SCALE = [[0.0, "#fde0c5"], [0.5, "#f59e5b"], [1.0, "#a63603"]]
BEST_LAG_COLOUR = PALETTE[3]
MAX_CODES = 20
SERIES_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4], PALETTE[5], PALETTE[7])
SERIES_COLOURS_DARK = (PALETTE[5], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4], PALETTE[6], "#f0f3f6")


# --- helpers ---------------------------------------------------------------------------------


def _fmt(value: object) -> str:
    """A count or rate with thousands separators and three significant digits below 100 ("–" when missing)."""
    number = _float(value)
    if not math.isfinite(number):
        return "–"
    if number == 0 or abs(number) >= 100 or number.is_integer():
        return f"{number:,.0f}"
    decimals = min(6, 2 - math.floor(math.log10(abs(number))))
    return f"{number:,.{decimals}f}".rstrip("0").rstrip(".")


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _signed(value: object, decimals: int = 0) -> str:
    """An NPS or correlation with its sign: "+32", "−5", "0" ("–" when missing)."""
    number = _float(value)
    if not math.isfinite(number):
        return "–"
    text = f"{number:+.{decimals}f}"
    if float(text) == 0:
        return f"{0:.{decimals}f}"
    return text.replace("-", "−")


def _n(value: object) -> str:
    return f"n = {_fmt(value)}"


def _numbers(values: Sequence[float] | np.ndarray | pd.Series) -> list[float | None]:
    """Floats for JSON, missing values as None (a gap, never zero)."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def _scale(dark: bool) -> float:
    """The template's font size relative to the light one (1.7 on the wall-screen template)."""
    return template(dark).layout.font.size / 13


def _ink(dark: bool) -> str:
    return template(dark).layout.font.color


def _has_values(frame: pd.DataFrame | None, *columns: str) -> bool:
    return (
        frame is not None
        and not frame.empty
        and any(column in frame and bool(np.isfinite(_floats(frame, column)).any()) for column in columns)
    )


def _line(colour: str, *, x: object = None, y: float | None = None, yref: str = "y", dash: str = "dash") -> dict:
    """A line across the plot: vertical at ``x`` or horizontal at ``y``."""
    style = {"color": colour, "dash": dash, "width": 1.5}
    if x is not None:
        return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": style}
    return {"type": "line", "xref": "paper", "yref": yref, "x0": 0, "x1": 1, "y0": y, "y1": y, "line": style}


def _full_dates(stamps: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The distinct dates, with buckets missing from a regular grid (e.g. a week without a row) put back."""
    dates = pd.DatetimeIndex(sorted(set(stamps)))
    if len(dates) > 2:
        step = pd.Series(dates).diff().min()
        full = pd.date_range(dates[0], dates[-1], freq=step)
        if set(dates) <= set(full):
            return full
    return dates


# --- NPS trend -------------------------------------------------------------------------------

NPS_AXIS = {
    "range": [-100, 100],
    "tickmode": "array",
    "tickvals": [-100, -50, 0, 50, 100],
    "ticktext": ["−100", "−50", "0", "+50", "+100"],
    "zeroline": True,
    "zerolinewidth": 2,
    "title": {"text": "NPS"},
}


def _nps_table(frame: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """One row per date in ``dates`` (NaN where the frame has none), with ``answered``: a point to draw."""
    table = pd.DataFrame(
        {
            "date": _stamps(frame["bucket_date"]),
            **{column: _floats(frame, column) for column in ("nps", "nps_low", "nps_high", "responses")},
        }
    )
    table = table.groupby("date", sort=True).last().reindex(dates)
    responses = table["responses"].to_numpy()
    # A bucket with zero responses is a gap even when the metric filled its NPS with 0.
    table["answered"] = np.isfinite(table["nps"].to_numpy()) & ~(responses <= 0)
    return table


def _nps_hover(head: str, row: object) -> str:
    if not row.answered:
        return f"{head}: no responses"
    text = f"{head}<br>NPS {_signed(row.nps)} ({_n(row.responses)})"
    if math.isfinite(row.nps_low) and math.isfinite(row.nps_high):
        text += f"<br>95 % interval: {_signed(row.nps_low)} to {_signed(row.nps_high)}"
    if row.responses < FEW_RESPONSES:
        text += f"<br><i>{FEW_LABEL.capitalize()}: read with care</i>"
    return text


def _nps_line(table: pd.DataFrame, name: str, index: int, labelled: bool, dark: bool, many: bool) -> dict:
    colours = SERIES_COLOURS_DARK if dark else SERIES_COLOURS
    colour = colours[index % len(colours)]
    days = _days(pd.DatetimeIndex(table.index))
    head = [f"<b>{_text(name)}</b>, {day}" if many else f"<b>{day}</b>" for day in days]
    trace = {
        "type": "scatter",
        "name": _text(name),
        "x": _iso(pd.DatetimeIndex(table.index)),
        "y": _numbers(table["nps"].where(table["answered"])),
        "mode": "lines+markers",
        "connectgaps": False,
        "line": {"color": colour, "width": 2.5, "dash": SERIES_DASHES[index % len(SERIES_DASHES)] if many else "solid"},
        "marker": {"size": 8, "color": colour, "symbol": SERIES_SYMBOLS[index % len(SERIES_SYMBOLS)] if many else "circle"},
        "hovertext": [_nps_hover(h, row) for h, row in zip(head, table.itertuples(), strict=True)],
        "hoverinfo": "text",
    }
    if labelled:
        trace["mode"] = "lines+markers+text"
        trace["text"] = [_n(row.responses) if row.answered else "" for row in table.itertuples()]
        trace["textposition"] = "top center"
        trace["textfont"] = {"color": MUTED_COLOUR, "size": round(template(dark).layout.font.size * 0.8)}
    return trace


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The [start, stop) index ranges where ``mask`` is true."""
    runs, start = [], None
    for i, flag in enumerate([*mask.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _nps_band(table: pd.DataFrame, dark: bool) -> dict | None:
    """The 95 % interval as one shaded polygon per run of buckets with responses (gaps stay gaps)."""
    x_all = _iso(pd.DatetimeIndex(table.index))
    low, high = table["nps_low"].to_numpy(), table["nps_high"].to_numpy()
    mask = table["answered"].to_numpy() & np.isfinite(low) & np.isfinite(high)
    x: list[str | None] = []
    y: list[float | None] = []
    for start, stop in _runs(mask):
        if x:
            x.append(None)
            y.append(None)
        x += x_all[start:stop] + x_all[start:stop][::-1]
        y += _numbers(high[start:stop]) + _numbers(low[start:stop][::-1])
    if not x:
        return None
    colour = _series_colour(dark)
    return {
        "type": "scatter",
        "name": "95 % interval",
        "x": x,
        "y": y,
        "mode": "lines",
        "fill": "toself",
        "fillcolor": _rgba(colour, 0.3 if dark else 0.18),
        "line": {"width": 0, "color": colour},
        "hoverinfo": "skip",
    }


def _no_response_trace(gaps: dict[pd.Timestamp, list[str]], many: bool) -> dict:
    """A marker along the bottom (on the 0–1 axis y2) at each bucket without responses."""
    dates = pd.DatetimeIndex(sorted(gaps))
    hover = [
        f"<b>{day}</b>: no responses" + (f" from {', '.join(_text(s) for s in gaps[date])}" if many else "")
        for day, date in zip(_days(dates), dates, strict=True)
    ]
    return {
        "type": "scatter",
        "name": "No responses (gap in the line)",
        "x": _iso(dates),
        "y": [0.03] * len(dates),
        "yaxis": "y2",
        "mode": "markers",
        "marker": {"symbol": "x-thin-open", "size": 10, "color": MUTED_COLOUR, "line": {"width": 2, "color": MUTED_COLOUR}},
        "cliponaxis": False,
        "hovertext": hover,
        "hoverinfo": "text",
    }


def nps_trend_figure(frame: pd.DataFrame, *, title: str, dark: bool = False, height: int = 420) -> go.Figure:
    """NPS per ``bucket_date`` on a fixed −100…+100 axis with a zero line.

    Input columns: ``bucket_date``, ``nps``, ``nps_low``, ``nps_high`` (95 % interval),
    ``responses`` and optionally ``series`` (channel or region). Without ``series``: one line
    in a shaded 95 % interval band; with it: one line per series (differing in colour, symbol
    and dash), without bands. Every point's hover reads "NPS +32 (n = 118)"; up to 26 buckets
    of one line also carry "n = 118" as text above the point. A bucket with zero responses
    (or, per series, no row between the first and last bucket) is a gap in the line — never 0
    — marked by an × along the bottom whose hover says "no responses".
    """
    if not _has_values(frame, "nps"):
        return empty_figure("No survey responses for this period and these filters", dark=dark, height=height)
    many = "series" in frame
    groups = (
        [(str(name), part) for name, part in frame.groupby(frame["series"].astype(str), sort=True)] if many else [("NPS", frame)]
    )
    dates = _full_dates(_stamps(frame["bucket_date"]))
    tables = [(name, _nps_table(part, dates)) for name, part in groups]
    tables = [(name, table) for name, table in tables if table["answered"].any()]
    if not tables:
        return empty_figure("No survey responses for this period and these filters", dark=dark, height=height)
    labelled = not many and len(dates) <= MAX_POINT_LABELS / _scale(dark)
    data = [_nps_line(table, name, i, labelled, dark, many) for i, (name, table) in enumerate(tables)]
    annotations = []
    if not many:
        band = _nps_band(tables[0][1], dark)
        if band is not None:
            data.insert(0, band)
            annotations.append(_note("Shaded: 95 % interval", 1, 1, xanchor="right", yanchor="bottom"))
    gaps: dict[pd.Timestamp, list[str]] = {}
    for name, table in tables:
        for date in table.index[~table["answered"].to_numpy()]:
            gaps.setdefault(date, []).append(name)
    if gaps:
        data.append(_no_response_trace(gaps, many))
    layout = _layout(
        title,
        dark,
        height,
        showlegend=many or bool(gaps),
        xaxis={"type": "date", "title": {"text": "Period start date", "standoff": 14}, "automargin": True, "showgrid": False},
        yaxis={**NPS_AXIS, "zerolinecolor": MUTED_COLOUR},
        yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
        annotations=annotations,
    )
    return figure_from_spec({"data": data, "layout": layout})


# --- NPS breakdown ---------------------------------------------------------------------------


def _breakdown_rows(frame: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "key": (frame["key"] if "key" in frame else frame["label"]).tolist(),
            "label": frame["label"].astype(str).tolist(),
            **{column: _floats(frame, column) for column in ("nps", "nps_low", "nps_high", "responses")},
        }
    )
    rows["few"] = ~(rows["responses"] >= FEW_RESPONSES)  # unknown n counts as few
    rows = rows.sort_values(["nps", "label"], ascending=[False, True], na_position="last", kind="stable")
    return rows.reset_index(drop=True)


def _breakdown_hover(row: object) -> str:
    text = f"<b>{_text(row.label)}</b>"
    if not math.isfinite(row.nps):
        return f"{text}<br>No responses"
    text += f"<br>NPS {_signed(row.nps)} ({_n(row.responses)})"
    if math.isfinite(row.nps_low) and math.isfinite(row.nps_high):
        text += f"<br>95 % interval: {_signed(row.nps_low)} to {_signed(row.nps_high)}"
    if row.few:
        text += f"<br><i>{FEW_LABEL.capitalize()} (fewer than {FEW_RESPONSES}): read with care</i>"
    return text


def _breakdown_bars(rows: pd.DataFrame, few: bool, colour: str, ink: str) -> dict:
    part = rows[(rows["few"] == few) & np.isfinite(rows["nps"])]
    nps = part["nps"].to_numpy()
    plus = part["nps_high"].clip(upper=100).to_numpy() - nps  # whiskers stay on the −100…+100 scale
    minus = nps - part["nps_low"].clip(lower=-100).to_numpy()
    marker: dict = {"color": colour, "line": {"color": colour, "width": 1.5}}
    if few:
        marker = {
            "color": _rgba(colour, 0.12),
            "line": {"color": colour, "width": 1.5},
            "pattern": {"shape": "/", "fgcolor": colour, "size": 8, "solidity": 0.25},
        }
    return {
        "type": "bar",
        "orientation": "h",
        "name": f"NPS, {FEW_LABEL} (n < {FEW_RESPONSES}; hatched)" if few else "NPS",
        "x": _numbers(nps),
        "y": [str(k) for k in part["key"]],
        "customdata": part["key"].tolist(),
        "marker": marker,
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": _numbers(plus),
            "arrayminus": _numbers(minus),
            "color": ink,
            "thickness": 1.5,
            "width": 5,
        },
        "hovertext": [_breakdown_hover(row) for row in part.itertuples(index=False)],
        "hoverinfo": "text",
    }


def nps_breakdown_figure(frame: pd.DataFrame, *, title: str, dark: bool = False, height: int | None = None) -> go.Figure:
    """Horizontal bars of NPS per ``label`` (highest at the top) on a −100…+100 axis, with the
    95 % interval as error bars and "n = 118" written to the right of each bar.

    Input columns: ``label``, ``nps``, ``nps_low``, ``nps_high``, ``responses`` and optionally
    ``key`` (customdata for drill clicks; the label otherwise). A bar on fewer than 30
    responses is hatched and pale (its own legend entry) *and* its text reads
    "n = 12 · few responses".
    """
    if not _has_values(frame, "nps"):
        return empty_figure("No survey responses to break down for these filters", dark=dark, height=height or 320)
    rows = _breakdown_rows(frame)
    colour, ink = _series_colour(dark), _ink(dark)
    keys = [str(k) for k in rows["key"]]
    drawn = np.isfinite(rows["nps"].to_numpy())
    few_drawn = bool((rows["few"] & drawn).any())
    data = [_breakdown_bars(rows, few, colour, ink) for few in (False, True) if (rows["few"].eq(few) & drawn).any()]
    text = [
        "no responses" if not math.isfinite(row.nps) else _n(row.responses) + (f" · {FEW_LABEL}" if row.few else "")
        for row in rows.itertuples(index=False)
    ]
    data.append(
        {
            "type": "scatter",
            "name": "Responses",
            "showlegend": False,
            "x": [100] * len(keys),
            "y": keys,
            "mode": "text",
            "text": text,
            "textposition": "middle right",
            "textfont": {"color": ink},
            "cliponaxis": False,
            "hoverinfo": "skip",
        }
    )
    layout = _layout(
        title,
        dark,
        height or round(max(320, 180 + 36 * len(keys)) * _scale(dark)),
        right=190,
        barmode="overlay",
        showlegend=few_drawn,
        xaxis={**NPS_AXIS, "zerolinecolor": MUTED_COLOUR},
        yaxis={
            "type": "category",
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": [_text(label) for label in rows["label"]],
            "automargin": True,
        },
        annotations=[_note("Whiskers: 95 % interval", 1, 1, xanchor="right", yanchor="bottom")],
    )
    return figure_from_spec({"data": data, "layout": layout})


# --- sentiment -------------------------------------------------------------------------------


def _sentiment_hover(days: list[str], counts: dict[str, np.ndarray], mean: np.ndarray) -> list[str]:
    total = sum(np.nan_to_num(c) for c in counts.values())
    hover = []
    for i, day in enumerate(days):
        lines = [f"<b>Week of {day}</b>: {_fmt(total[i])} comments"]
        for kind, values in counts.items():
            share = f" ({values[i] / total[i] * 100:.0f} %)" if total[i] > 0 and math.isfinite(values[i]) else ""
            lines.append(f"{SENTIMENT_NAMES[kind]}: {_fmt(values[i])}{share}")
        if math.isfinite(mean[i]):
            lines.append(f"Mean compound score: {_signed(mean[i], 2)}")
        hover.append("<br>".join(lines))
    return hover


def sentiment_figure(trend: pd.DataFrame, *, title: str, dark: bool = False, height: int = 420) -> go.Figure:
    """Stacked bars of negative / neutral / positive comments per week with the mean compound
    score as a dashed line on a −1…+1 right axis.

    Input columns: ``bucket_date``, ``negative``, ``neutral``, ``positive`` (comment counts) and
    optionally ``mean_compound`` (the mean VADER compound score; a week without comments is a
    gap in the line).
    """
    kinds = list(SENTIMENT_COLOURS)
    if not _has_values(trend, *kinds):
        return empty_figure("No comments in this period for these filters", dark=dark, height=height)
    table = trend.assign(_date=_stamps(trend["bucket_date"]).to_numpy()).sort_values("_date", kind="stable")
    stamps = pd.DatetimeIndex(table["_date"])
    x, days = _iso(stamps), _days(stamps)
    counts = {kind: _floats(table, kind) for kind in kinds}
    mean = _floats(table, "mean_compound")
    hover = _sentiment_hover(days, counts, mean)
    data = [
        {
            "type": "bar",
            "name": SENTIMENT_NAMES[kind],
            "x": x,
            "y": _numbers(counts[kind]),
            "marker": {"color": SENTIMENT_COLOURS[kind]},
            "hovertext": hover,
            "hoverinfo": "text",
        }
        for kind in kinds
    ]
    if np.isfinite(mean).any():
        ink = _ink(dark)
        data.append(
            {
                "type": "scatter",
                "name": "Mean compound score (right axis)",
                "x": x,
                "y": _numbers(mean),
                "yaxis": "y2",
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": ink, "width": 2, "dash": "dash"},
                "marker": {"symbol": "diamond", "size": 8, "color": ink},
                "hovertext": hover,
                "hoverinfo": "text",
            }
        )
    layout = _layout(
        title,
        dark,
        height,
        right=88,
        barmode="stack",
        bargap=0.2,
        xaxis={"type": "date", "title": {"text": "Week starting", "standoff": 14}, "automargin": True, "showgrid": False},
        yaxis={"title": {"text": "Comments"}, "rangemode": "tozero"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [-1, 1],
            "tickmode": "array",
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"],
            "showgrid": False,
            "zeroline": False,
            "title": {"text": "Mean compound score"},
        },
    )
    return figure_from_spec({"data": data, "layout": layout})


def sentiment_histogram(compound: pd.Series, *, title: str, dark: bool = False, height: int = 360) -> go.Figure:
    """The distribution of compound scores (−1…+1, bins of 0.05), coloured and named by class
    (negative ≤ −0.05 < neutral < 0.05 ≤ positive), with both thresholds as labelled dashed lines.
    """
    scores = pd.to_numeric(pd.Series(compound, dtype=object), errors="coerce").to_numpy(dtype=float)
    scores = np.clip(scores[np.isfinite(scores)], -1, 1)
    if scores.size == 0:
        return empty_figure("No comments with a sentiment score for these filters", dark=dark, height=height)
    classes = {
        "negative": scores <= NEGATIVE_BELOW,
        "neutral": (scores > NEGATIVE_BELOW) & (scores < POSITIVE_ABOVE),
        "positive": scores >= POSITIVE_ABOVE,
    }
    data = [
        {
            "type": "histogram",
            "name": f"{SENTIMENT_NAMES[kind]} ({_fmt(mask.sum())})",
            "x": _numbers(scores[mask]),
            "xbins": {"start": -1.0, "end": 1.0 + 1e-9, "size": 0.05},
            "autobinx": False,
            "marker": {"color": SENTIMENT_COLOURS[kind], "line": {"width": 0}},
            "hovertemplate": f"{SENTIMENT_NAMES[kind]}: %{{y:,}} comments with scores in %{{x}}<extra></extra>",
        }
        for kind, mask in classes.items()
        if mask.any()
    ]
    ink = _ink(dark)
    annotations = [
        _note(f"≤ {_signed(NEGATIVE_BELOW, 2)}: negative", NEGATIVE_BELOW, 1, xref="x", xanchor="right", yanchor="bottom"),
        _note(f"positive: ≥ {_signed(POSITIVE_ABOVE, 2)}", POSITIVE_ABOVE, 1, xref="x", xanchor="left", yanchor="bottom"),
        _note(f"{_fmt(scores.size)} comments", 1, 1, xanchor="right", yanchor="bottom", yshift=22),
    ]
    layout = _layout(
        title,
        dark,
        height,
        barmode="stack",
        bargap=0.05,
        xaxis={
            "range": [-1, 1],
            "tickmode": "array",
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"],
            "title": {"text": "Compound score (VADER)"},
        },
        yaxis={"title": {"text": "Comments"}, "rangemode": "tozero"},
        shapes=[_line(ink, x=NEGATIVE_BELOW), _line(ink, x=POSITIVE_ABOVE)],
        annotations=annotations,
    )
    return figure_from_spec({"data": data, "layout": layout})


# --- themes ----------------------------------------------------------------------------------


def _theme_bars(rows: pd.DataFrame, dark: bool) -> dict:
    """Bars coloured by the negative share with a colour bar; grey bars when the share is unknown."""
    share = rows["share"].to_numpy()
    known = bool(np.isfinite(share).all())
    text = [f"{v * 100:.0f} % negative" if math.isfinite(v) else "share negative unknown" for v in share]
    hover = [
        f"<b>{_text(theme)}</b><br>{_fmt(c)} comments, {t}<br>Click to read the comments"
        for theme, c, t in zip(rows["_y"], rows["comments"], text, strict=True)
    ]
    marker: dict = {"color": MUTED_COLOUR, "line": {"color": MUTED_COLOUR, "width": 1}}
    if known:
        marker = {
            "color": share.tolist(),
            "colorscale": NEGATIVE_SCALE,
            "cmin": 0,
            "cmax": 1,
            "line": {"color": MUTED_COLOUR, "width": 1},
            "colorbar": {
                "title": {"text": "share negative", "side": "right"},
                "tickmode": "array",
                "tickvals": [0, 0.25, 0.5, 0.75, 1],
                "ticktext": ["0 %", "25 %", "50 %", "75 %", "100 %"],
                "thickness": round(14 * _scale(dark)),
            },
        }
    return {
        "type": "bar",
        "orientation": "h",
        "name": "Comments" if known else "Comments, share negative unknown",
        "x": _numbers(rows["comments"]),
        "y": rows["_y"].tolist(),
        "customdata": rows["theme"].tolist(),
        "marker": marker,
        "text": text,
        "textposition": "outside",
        "cliponaxis": False,
        "hovertext": hover,
        "hoverinfo": "text",
    }


def themes_figure(themes: pd.DataFrame, *, title: str, dark: bool = False, n: int = 15, height: int | None = None) -> go.Figure:
    """Horizontal bars of ``comments`` per ``theme`` (the ``n`` largest, largest at the top),
    coloured by ``negative_share`` (0–1) on a sequential scale with a colour bar titled
    "share negative", and the share written on each bar ("62 % negative"). customdata is the
    theme, for a click that lists its comments.
    """
    if not _has_values(themes, "comments"):
        return empty_figure("No comment themes for these filters", dark=dark, height=height or 320)
    rows = pd.DataFrame(
        {"theme": themes["theme"].tolist(), "comments": _floats(themes, "comments"), "share": _floats(themes, "negative_share")}
    )
    rows = rows[np.isfinite(rows["comments"])]
    rows = rows.sort_values(["comments", "theme"], ascending=[False, True], kind="stable").head(max(1, n))
    rows = rows.assign(share=rows["share"].clip(0, 1), _y=[str(theme) for theme in rows["theme"]])
    known = np.isfinite(rows["share"].to_numpy())
    data = [_theme_bars(rows[known], dark)] if known.any() else []
    if not known.all():
        data.append(_theme_bars(rows[~known], dark))
    most = float(np.nanmax(rows["comments"].to_numpy()))
    layout = _layout(
        title,
        dark,
        height or round(max(320, 180 + 30 * len(rows)) * _scale(dark)),
        legend=False,
        barmode="overlay",
        xaxis={"title": {"text": "Comments"}, "range": [0, most * 1.3 if most > 0 else 1]},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": rows["_y"].tolist(),
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": rows["_y"].tolist(),
            "ticktext": [_text(theme) for theme in rows["_y"]],
            "automargin": True,
        },
    )
    return figure_from_spec({"data": data, "layout": layout})


# --- lead / lag ------------------------------------------------------------------------------


def _weeks(lag: int) -> str:
    return f"{abs(lag)} week" if abs(lag) == 1 else f"{abs(lag)} weeks"


def lag_sentence(lag_weeks: int, r: float | None) -> str:
    """ "Complaints follow internal defects by about 3 weeks (r = 0.71 on weekly changes)"."""
    if lag_weeks > 0:
        sentence = f"Complaints follow internal defects by about {_weeks(lag_weeks)}"
    elif lag_weeks < 0:
        sentence = f"Complaints lead internal defects by about {_weeks(lag_weeks)}"
    else:
        sentence = "Complaints move with internal defects in the same week"
    r_value = _float(r)
    return sentence + (f" (r = {_signed(r_value, 2).lstrip('+')} on weekly changes)" if math.isfinite(r_value) else "")


def _rate_trace(frame: pd.DataFrame, label: str, colour: str, axis: str, symbol: str, dash: str) -> dict:
    table = frame.assign(_date=_stamps(frame["bucket_date"]).to_numpy()).sort_values("_date", kind="stable")
    stamps = pd.DatetimeIndex(table["_date"])
    values = _floats(table, "value")
    return {
        "type": "scatter",
        "name": _text(label),
        "x": _iso(stamps),
        "y": _numbers(values),
        "yaxis": axis,
        "mode": "lines+markers",
        "connectgaps": False,
        "line": {"color": colour, "width": 2.5, "dash": dash},
        "marker": {"symbol": symbol, "size": 7, "color": colour},
        "hovertext": [f"<b>{_text(label)}</b><br>Week of {d}: {_fmt(v)}" for d, v in zip(_days(stamps), values, strict=True)],
        "hoverinfo": "text",
    }


def lead_lag_figure(
    leading: pd.DataFrame,
    following: pd.DataFrame,
    *,
    lag_weeks: int | None,
    r: float | None,
    leading_label: str,
    following_label: str,
    title: str,
    dark: bool = False,
    height: int = 420,
) -> go.Figure:
    """Two weekly rates, each ``bucket_date`` and ``value``: ``leading`` (the internal defect
    rate of a code per 1,000 units inspected, solid circles, left axis) and ``following``
    (complaints per million units shipped, dashed diamonds, right axis); each axis is titled
    with its label in its series' colour. With ``lag_weeks``, a caption says e.g. "Complaints
    follow internal defects by about 3 weeks (r = 0.71 on weekly changes)".
    """
    has_leading, has_following = _has_values(leading, "value"), _has_values(following, "value")
    if not (has_leading or has_following):
        return empty_figure("No internal defects or complaints to compare for these filters", dark=dark, height=height)
    lead_colour, follow_colour = _series_colour(dark), PALETTE[3]
    data = []
    if has_leading:
        data.append(_rate_trace(leading, leading_label, lead_colour, "y", "circle", "solid"))
    if has_following:
        data.append(_rate_trace(following, following_label, follow_colour, "y2", "diamond", "dash"))
    annotations = []
    if lag_weeks is not None:
        annotations.append(_note(f"<b>{_text(lag_sentence(int(lag_weeks), r))}</b>", 0, 1, xanchor="left", yanchor="bottom"))
    layout = _layout(
        title,
        dark,
        height,
        right=96,
        xaxis={"type": "date", "title": {"text": "Week starting", "standoff": 14}, "automargin": True, "showgrid": False},
        yaxis={
            "title": {"text": _text(leading_label), "font": {"color": lead_colour}},
            "tickfont": {"color": lead_colour},
            "rangemode": "tozero",
            "automargin": True,
        },
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "tickmode": "auto",
            "title": {"text": _text(following_label), "font": {"color": follow_colour}},
            "tickfont": {"color": follow_colour},
            "rangemode": "tozero",
            "showgrid": False,
            "automargin": True,
        },
        annotations=annotations,
    )
    return figure_from_spec({"data": data, "layout": layout})


def lag_correlation_figure(
    table: pd.DataFrame,
    *,
    title: str = "Correlation of weekly changes by lag",
    best_lag: int | None = None,
    dark: bool = False,
    height: int = 320,
) -> go.Figure:
    """Bars of ``r`` per ``lag`` (weeks complaints come after internal defects) on a −1…+1 axis.

    The best lag — ``best_lag``, or else the lag with the highest r — is vermillion among grey
    bars *and* labelled "Best: 3 weeks, r = 0.71".
    """
    if not _has_values(table, "r"):
        return empty_figure("Too few weeks to correlate internal defects and complaints", dark=dark, height=height)
    rows = pd.DataFrame({"lag": _floats(table, "lag"), "r": _floats(table, "r")})
    rows = rows[np.isfinite(rows["lag"])].sort_values("lag", kind="stable").reset_index(drop=True)
    lags = rows["lag"].astype(int).tolist()
    if best_lag is None or best_lag not in lags:
        best_lag = int(rows.loc[rows["r"].idxmax(), "lag"])
    best = [lag == best_lag for lag in lags]
    text = [
        f"Best: {_weeks(lag)}, r = {_signed(r, 2).lstrip('+')}" if b else ""
        for lag, r, b in zip(lags, rows["r"], best, strict=True)
    ]
    bars = {
        "type": "bar",
        "name": "r",
        "x": lags,
        "y": _numbers(rows["r"]),
        "customdata": lags,
        "marker": {"color": [BEST_LAG_COLOUR if b else MUTED_COLOUR for b in best]},
        "text": text,
        "textposition": "outside",
        "cliponaxis": False,
        "hovertext": [
            f"Lag {_weeks(lag)}: r = {_signed(r, 2).lstrip('+')}" + (" (best)" if b else "")
            for lag, r, b in zip(lags, rows["r"], best, strict=True)
        ],
        "hoverinfo": "text",
    }
    layout = _layout(
        title,
        dark,
        height,
        legend=False,
        xaxis={"title": {"text": "Lag: weeks complaints come after internal defects"}, "tickmode": "array", "tickvals": lags},
        yaxis={
            "title": {"text": "r"},
            "range": [-1, 1],
            "tickmode": "array",
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"],
            "zeroline": True,
            "zerolinecolor": MUTED_COLOUR,
        },
    )
    return figure_from_spec({"data": [bars], "layout": layout})


# --- complaints per code ---------------------------------------------------------------------


def complaints_by_code_figure(
    frame: pd.DataFrame, *, title: str, dark: bool = False, height: int = 420, n: int = MAX_CODES
) -> go.Figure:
    """Bars of ``complaints`` per defect code (the ``n`` largest, largest first) with the
    previous period's ``prev_complaints`` as a dark horizontal tick on each bar.

    Input columns: ``key`` (customdata, for drill clicks), ``label``, ``complaints`` and
    ``prev_complaints``. The tick labels are the keys; the hover adds the label and the change.
    """
    if not _has_values(frame, "complaints", "prev_complaints"):
        return empty_figure("No complaints for this period and these filters", dark=dark, height=height)
    rows = pd.DataFrame(
        {
            "key": frame["key"].tolist(),
            "label": (frame["label"] if "label" in frame else frame["key"]).tolist(),
            "now": _floats(frame, "complaints"),
            "before": _floats(frame, "prev_complaints"),
        }
    )
    rows = rows.sort_values(["now", "before"], ascending=False, na_position="last", kind="stable")
    shown = rows.head(max(1, n))
    x = [str(k) for k in shown["key"]]
    hover = []
    for row in shown.itertuples(index=False):
        change = row.now - row.before
        difference = f", {_signed(change)}" if math.isfinite(change) else ""
        hover.append(
            f"<b>{_text(row.key)}</b> · {_text(row.label)}<br>Complaints: {_fmt(row.now)}"
            f"<br>Previous period: {_fmt(row.before)}{difference}"
        )
    ink = _ink(dark)
    bars = {
        "type": "bar",
        "name": "Complaints",
        "x": x,
        "y": _numbers(shown["now"]),
        "customdata": shown["key"].tolist(),
        "marker": {"color": _series_colour(dark)},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    previous = {
        "type": "scatter",
        "name": "Previous period",
        "x": x,
        "y": _numbers(shown["before"]),
        "customdata": shown["key"].tolist(),
        "mode": "markers",
        "marker": {"symbol": "line-ew-open", "size": 32, "color": ink, "line": {"width": 3, "color": ink}},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    annotations = []
    if len(rows) > len(shown):
        annotations.append(
            _note(f"The {len(shown)} codes with most complaints of {len(rows)}", 1, 1, xanchor="right", yanchor="bottom")
        )
    layout = _layout(
        title,
        dark,
        height,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": x, "title": {"text": "Defect code"}},
        yaxis={"title": {"text": "Complaints"}, "rangemode": "tozero"},
        annotations=annotations,
    )
    return figure_from_spec({"data": [bars, previous], "layout": layout})


def theme_trend_figure(trend: pd.DataFrame, *, theme: str, dark: bool = False, height: int = 300) -> go.Figure:
    """Comments about ``theme`` per week (bars; ``bucket_date``, ``comments``, ``total`` as from
    ``metrics.sentiment.theme_trend``), with the hover giving the share of all comments that week."""
    if trend is None or trend.empty:
        return empty_figure(f"No comments about “{theme}” in this period", dark=dark, height=height)
    dates = pd.to_datetime(trend["bucket_date"])
    counts = trend["comments"].astype(float).to_numpy()
    totals = trend["total"].astype(float).to_numpy()
    hover = [
        f"Week of {d:%d %b %Y}: {c:g} of {t:g} comments ({100 * c / t:.0f} %)" if t else f"Week of {d:%d %b %Y}: no comments"
        for d, c, t in zip(dates, counts, totals, strict=True)
    ]
    data = [
        {
            "type": "bar",
            "name": "Comments",
            "x": dates.dt.strftime("%Y-%m-%d").tolist(),
            "y": counts.tolist(),
            "hovertext": hover,
            "hoverinfo": "text",
        }
    ]
    layout = _layout(
        f"Comments about “{_text(theme)}” per week",
        dark,
        height,
        legend=False,
        xaxis={"type": "date", "title": {"text": "Week starting"}},
        yaxis={"title": {"text": "Comments"}, "rangemode": "tozero"},
    )
    return figure_from_spec({"data": data, "layout": layout})
