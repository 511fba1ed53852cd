"""Figures of the defects view: the trend against the previous period, target and events; the
forecast with its prediction interval; the Pareto of defect codes; the plant → line → product
breakdown bars; and the line × week heatmap. (The u chart is drawn by
:func:`dashboard.figures.control_chart.control_chart_figure`.) Each ``*_figure`` has a ``*_spec``
twin giving the same figure as a plain JSON-native spec, for the page that only serialises it.

Drill clicks: the Pareto bars, breakdown bars and heatmap cells carry their key in
``customdata``, so a Dash callback reads it as ``clickData["points"][0]["customdata"]``. The
Pareto's "Other" bar has ``customdata`` None: it is a sum of codes and cannot be drilled into.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import days as _days
from dashboard.figures.common import iso as _iso
from dashboard.figures.common import note as _note
from dashboard.figures.common import page_layout as _layout
from dashboard.figures.common import plain as _text
from dashboard.figures.common import rgba as _rgba
from dashboard.figures.common import series_colour as _series_colour
from dashboard.figures.common import stamps as _stamps
from dashboard.figures.empty import empty_spec
from dashboard.figures.theme import PALETTE, STATUS_COLOURS, figure_from_spec, template

TARGET_COLOUR, FORECAST_COLOUR = PALETTE[3], PALETTE[1]
MUTED_COLOUR = STATUS_COLOURS["no_data"]  # the previous period and the Pareto's "Other" bar
VITAL_COLOUR, TRIVIAL_COLOUR, CUMULATIVE_COLOUR = PALETTE[0], PALETTE[5], PALETTE[1]
HEATMAP_SCALE = "Viridis"  # sequential and colour-blind safe; its low end stays distinct from a blank cell
MAX_PARETO_BARS = 25
VITAL_MARK = "★"
# Event kind: (legend name, marker symbol, colour). Symbols differ so kinds never rely on colour.
EVENT_KINDS = {
    "process-change": ("Process change", "diamond", PALETTE[4]),
    "capa-action": ("CAPA action", "triangle-up", PALETTE[2]),
    "supplier-change": ("Supplier change", "square", PALETTE[1]),
}
EVENT_LABEL_CHARACTERS = 22


def _fmt(value: object) -> str:
    """A number with thousands separators and three significant digits below 100 ("–" when missing)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(number):
        return "–"
    if number == 0 or abs(number) >= 100 or number.is_integer():
        return f"{number:,.0f}"
    decimals = min(6, 2 - math.floor(math.log10(abs(number))))
    return f"{number:,.{decimals}f}".rstrip("0").rstrip(".")


def _numbers(values: Sequence[float] | pd.Series | np.ndarray) -> list[float | None]:
    """Floats for JSON, missing values as None (a gap or a blank cell, never zero)."""
    array = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce").to_numpy(dtype=float)
    return [float(v) if math.isfinite(v) else None for v in array]


def _unit(unit_label: str) -> str:
    return f" {_text(unit_label)}" if unit_label else ""


def _has_values(frame: pd.DataFrame | None, column: str) -> bool:
    return (
        frame is not None
        and not frame.empty
        and column in frame
        and bool(pd.to_numeric(frame[column], errors="coerce").notna().any())
    )


def _vertical(x: object, colour: str, dash: str) -> dict:
    line = {"color": colour, "dash": dash, "width": 1.5}
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def _horizontal(y: float, colour: str, yref: str = "y") -> dict:
    line = {"color": colour, "dash": "dash", "width": 1.5}
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": yref, "y0": y, "y1": y, "line": line}


# --- trend -----------------------------------------------------------------------------------


def _series_trace(frame: pd.DataFrame, measure: str, name: str, unit_label: str, previous: bool, dark: bool) -> dict:
    stamps = _stamps(frame["bucket_date"])
    values = _numbers(frame[measure])
    what = "Previous period, aligned to" if previous else "Current period,"
    hover = [f"{what} {s}<br>{_fmt(v)}{_unit(unit_label)}" for s, v in zip(_days(stamps), values, strict=True)]
    colour, dash, width = (MUTED_COLOUR, "dash", 1.5) if previous else (_series_colour(dark), "solid", 2.5)
    return {
        "type": "scatter",
        "name": name,
        "x": _iso(stamps),
        "y": values,
        "mode": "lines+markers",
        "line": {"color": colour, "dash": dash, "width": width},
        "marker": {"size": 5 if previous else 7, "symbol": "circle-open" if previous else "circle", "color": colour},
        "hovertext": hover,
        "hoverinfo": "text",
    }


def _events_in_view(events: pd.DataFrame, stamps: pd.DatetimeIndex) -> pd.DataFrame:
    """Events from the first bucket to the end of the last one (one median bucket past its start)."""
    step = stamps.to_series().diff().median() if len(stamps) > 1 else pd.Timedelta(days=1)
    when = _stamps(events["event_date"])
    inside = (when >= stamps.min()) & (when < stamps.max() + step)
    return events.reset_index(drop=True).assign(_when=when)[np.asarray(inside)].sort_values("_when")


def _event_kind(kind: object) -> tuple[str, str, str]:
    return EVENT_KINDS.get(str(kind), (str(kind).replace("-", " ").capitalize(), "circle", PALETTE[7]))


def _event_traces(events: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """One marker trace per kind along the top of the plot (y2 runs 0–1), with a dotted line down at each."""
    traces, shapes = [], []
    events = events.assign(_slot=np.arange(len(events)) % 3)  # stagger neighbouring labels
    order = [k for k in EVENT_KINDS if k in set(events["event_kind"].astype(str))]
    order += sorted(set(events["event_kind"].astype(str)) - set(order))
    for kind in order:
        group = events[events["event_kind"].astype(str) == kind]
        name, symbol, colour = _event_kind(kind)
        x = _iso(pd.DatetimeIndex(group["_when"]))
        shapes += [_vertical(at, colour, "dot") for at in x]
        short, hover = [], []
        for row, at in zip(group.itertuples(index=False), _days(pd.DatetimeIndex(group["_when"])), strict=True):
            text = str(row.description)
            short.append(_text(text if len(text) <= EVENT_LABEL_CHARACTERS else text[: EVENT_LABEL_CHARACTERS - 1] + "…"))
            line = getattr(row, "line_id", None)
            where = f" · line {_text(line)}" if line is not None and not pd.isna(line) else ""
            hover.append(f"<b>{name}</b>, {at}{where}<br>{_text(text)}")
        traces.append(
            {
                "type": "scatter",
                "name": name,
                "legendgroup": kind,
                "x": x,
                "y": [0.8 - 0.3 * slot for slot in group["_slot"]],
                "yaxis": "y2",
                "mode": "markers+text",
                "marker": {"symbol": symbol, "size": 12, "color": colour, "line": {"width": 1, "color": colour}},
                "text": short,
                "textposition": "middle right",
                "textfont": {"color": colour},
                "cliponaxis": False,
                "hovertext": hover,
                "hoverinfo": "text",
            }
        )
    return traces, shapes


def trend_figure(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    *,
    measure: str,
    title: str,
    unit_label: str,
    target: float | None,
    events: pd.DataFrame | None,
    dark: bool = False,
    height: int = 420,
) -> go.Figure:
    """``measure`` per ``bucket_date`` of ``current`` (solid), the previous period (dashed grey).

    ``previous`` comes with its ``bucket_date`` already shifted onto the current period's
    positions. ``target`` is a dashed horizontal line labelled "Target 2,500". Each of ``events``
    (``event_date``, ``event_kind``, ``description``, optional ``line_id``) inside the period is a
    dotted vertical line with a marker and a short label at the top; the marker's symbol and
    legend entry are per kind and its hover gives the full description.
    """
    return figure_from_spec(
        trend_spec(
            current,
            previous,
            measure=measure,
            title=title,
            unit_label=unit_label,
            target=target,
            events=events,
            dark=dark,
            height=height,
        )
    )


def trend_spec(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    *,
    measure: str,
    title: str,
    unit_label: str,
    target: float | None,
    events: pd.DataFrame | None,
    dark: bool = False,
    height: int = 420,
) -> dict:
    """:func:`trend_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if not _has_values(current, measure):
        return empty_spec("No data to show for this period and these filters", dark=dark, height=height)
    data = [_series_trace(current, measure, "Current period", unit_label, previous=False, dark=dark)]
    if _has_values(previous, measure):
        data.insert(0, _series_trace(previous, measure, "Previous period", unit_label, previous=True, dark=dark))
    shapes, annotations = [], []
    if target is not None and math.isfinite(target):
        target = float(target)
        shapes.append(_horizontal(target, TARGET_COLOUR))
        label = _note(f"Target {_fmt(target)}", 1, target, yref="y", xanchor="left", xshift=4)
        annotations.append({**label, "font": {"color": TARGET_COLOUR}})
    # Events sit in a strip above the values (y2, 0–1), their dotted lines running down through both.
    marks: list[dict] = []
    if events is not None and not events.empty:
        marks, lines = _event_traces(_events_in_view(events, _stamps(current["bucket_date"])))
        shapes += lines
    layout = _layout(
        title,
        dark,
        height,
        right=120,
        xaxis={"type": "date", "title": {"text": "Period start date", "standoff": 14}, "automargin": True, "showgrid": False},
        yaxis={"title": {"text": _text(unit_label or measure)}, "domain": [0, 0.8] if marks else [0, 1]},
        yaxis2={"domain": [0.84, 1], "range": [0, 1], "visible": False, "fixedrange": True, "anchor": "x"},
        shapes=shapes,
        annotations=annotations,
    )
    return {"data": data + marks, "layout": layout}


# --- forecast --------------------------------------------------------------------------------


def _level_text(level: float) -> str:
    percent = level * 100 if level <= 1 else level
    return f"{percent:g} % prediction interval"


def _forecast_traces(x: list[str], stamps: pd.DatetimeIndex, bounds: tuple, model: str, interval: str, unit: str) -> list[dict]:
    mean, lower, upper = (_numbers(b) for b in bounds)
    hover = [
        f"<b>Forecast</b> for {s}: {_fmt(m)}{unit}<br>{interval}: {_fmt(lo)} – {_fmt(hi)}{unit}<br>Model: {_text(model)}"
        for s, m, lo, hi in zip(_days(stamps), mean, lower, upper, strict=True)
    ]
    band = {
        "type": "scatter",
        "name": interval,
        "x": x + x[::-1],
        "y": upper + lower[::-1],
        "mode": "lines",
        "fill": "toself",
        "fillcolor": _rgba(FORECAST_COLOUR, 0.25),
        "line": {"width": 0, "color": FORECAST_COLOUR},
        "hoverinfo": "skip",
    }
    line = {
        "type": "scatter",
        "name": f"Forecast ({_text(model)})",
        "x": x,
        "y": mean,
        "mode": "lines+markers",
        "line": {"color": FORECAST_COLOUR, "dash": "dash", "width": 2.5},
        "marker": {"size": 7, "symbol": "circle-open", "color": FORECAST_COLOUR},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    return [band, line]


def _history_trace(history: pd.Series, unit: str, dark: bool) -> dict:
    colour = _series_colour(dark)
    stamps, values = _stamps(history.index), _numbers(history.to_numpy())
    return {
        "type": "scatter",
        "name": "Actual",
        "x": _iso(stamps),
        "y": values,
        "mode": "lines+markers",
        "line": {"color": colour, "width": 2.5},
        "marker": {"size": 6, "color": colour},
        "hovertext": [f"<b>Actual</b>, {s}: {_fmt(v)}{unit}" for s, v in zip(_days(stamps), values, strict=True)],
        "hoverinfo": "text",
    }


def forecast_figure(
    history: pd.Series,
    dates: Sequence[object] | pd.Series | pd.DatetimeIndex,
    mean: Sequence[float] | pd.Series | np.ndarray,
    lower: Sequence[float] | pd.Series | np.ndarray,
    upper: Sequence[float] | pd.Series | np.ndarray,
    *,
    level: float,
    model: str,
    unit_label: str,
    title: str,
    dark: bool = False,
    height: int = 420,
) -> go.Figure:
    """``history`` (index: bucket dates) solid, then the forecast ``mean`` at ``dates`` dashed in a
    shaded ``lower``–``upper`` band named "95 % prediction interval" (``level`` 0.95 or 95).

    A dotted divider labelled "Forecast →" separates the two, and a caption names ``model``.
    """
    return figure_from_spec(
        forecast_spec(
            history,
            dates,
            mean,
            lower,
            upper,
            level=level,
            model=model,
            unit_label=unit_label,
            title=title,
            dark=dark,
            height=height,
        )
    )


def forecast_spec(
    history: pd.Series,
    dates: Sequence[object] | pd.Series | pd.DatetimeIndex,
    mean: Sequence[float] | pd.Series | np.ndarray,
    lower: Sequence[float] | pd.Series | np.ndarray,
    upper: Sequence[float] | pd.Series | np.ndarray,
    *,
    level: float,
    model: str,
    unit_label: str,
    title: str,
    dark: bool = False,
    height: int = 420,
) -> dict:
    """:func:`forecast_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if len(dates) == 0:
        return empty_spec("Not enough history to forecast for these filters", dark=dark, height=height)
    if not len(dates) == len(mean) == len(lower) == len(upper):
        raise ValueError("dates, mean, lower and upper must have the same length")
    unit, interval = _unit(unit_label), _level_text(level)
    stamps = _stamps(dates)
    data = _forecast_traces(_iso(stamps), stamps, (mean, lower, upper), model, interval, unit)
    history = history.dropna()
    start = stamps.min()
    if len(history):
        data.insert(0, _history_trace(history, unit, dark))
        last = _stamps(history.index).max()
        start = last + (start - last) / 2 if start > last else start
    divider = _iso(pd.DatetimeIndex([start]))[0]
    ink = template(dark).layout.font.color
    annotations = [
        _note("<b>Forecast →</b>", divider, 0.98, xref="x", xanchor="left", yanchor="top", xshift=4),
        _note(f"Forecast by {_text(model)}; shaded: {interval}", 1, 1, xanchor="right", yanchor="bottom"),
    ]
    layout = _layout(
        title,
        dark,
        height,
        xaxis={"type": "date", "title": {"text": "Period start date", "standoff": 14}, "automargin": True, "showgrid": False},
        yaxis={"title": {"text": _text(unit_label) or "Value"}},
        shapes=[_vertical(divider, ink, "dot")],
        annotations=annotations,
    )
    return {"data": data, "layout": layout}


# --- Pareto ----------------------------------------------------------------------------------


def _pareto_rows(pareto: pd.DataFrame, value: str, label_column: str, key_column: str, items: str) -> pd.DataFrame:
    """Up to 25 bars: the first 24 items and "Other (n codes)" summing the rest (key None)."""
    rows = pd.DataFrame(
        {
            "key": pareto[key_column].tolist(),
            "label": (pareto[label_column] if label_column in pareto else pareto[key_column]).tolist(),
            "value": pd.to_numeric(pareto[value], errors="coerce").tolist(),
            "share_pct": pd.to_numeric(pareto["share_pct"], errors="coerce").tolist(),
            "cumulative_pct": pd.to_numeric(pareto["cumulative_pct"], errors="coerce").tolist(),
            "vital_few": [False if pd.isna(v) else bool(v) for v in pareto["vital_few"]],
        },
        dtype=object,
    )
    if len(rows) <= MAX_PARETO_BARS:
        return rows
    kept, rest = rows.iloc[: MAX_PARETO_BARS - 1], rows.iloc[MAX_PARETO_BARS - 1 :]
    other = {
        "key": None,
        "label": f"Other ({len(rest)} {items})",
        "value": float(pd.to_numeric(rest["value"]).sum()),
        "share_pct": float(pd.to_numeric(rest["share_pct"]).sum()),
        "cumulative_pct": rest["cumulative_pct"].iloc[-1],
        "vital_few": False,
    }
    return pd.concat([kept, pd.DataFrame([other], dtype=object)], ignore_index=True)


def _pareto_hover(row: object, value_label: str) -> str:
    if row.key is None:
        head = f"<b>{_text(row.label)}</b> (summed; not clickable)"
    else:
        head = f"<b>{_text(row.key)}</b> · {_text(row.label)}" + (f"<br>{VITAL_MARK} Vital few" if row.vital_few else "")
    return (
        f"{head}<br>{_text(value_label)}: {_fmt(row.value)} ({_fmt(row.share_pct)} %)<br>Cumulative: {_fmt(row.cumulative_pct)} %"
    )


def pareto_figure(
    pareto: pd.DataFrame,
    *,
    value: str,
    value_label: str,
    label_column: str = "label",
    key_column: str = "key",
    threshold_pct: float = 80.0,
    title: str | None = None,
    x_label: str = "Defect code",
    items: str = "codes",
    dark: bool = False,
    height: int = 460,
) -> go.Figure:
    """Bars of ``value`` per code in the given (descending) order with the cumulative share on a
    0–100 % right axis and a dashed line at ``threshold_pct``.

    Input: the frame of :func:`dashboard.metrics.defects.pareto` (``key``, ``label``, ``value``,
    ``share_pct``, ``cumulative_pct``, ``vital_few``, ``rank``). Vital-few bars are darker and
    marked ★; beyond 25 bars the rest is one grey "Other (n codes)" bar. Each bar's customdata
    is its key — ``clickData["points"][0]["customdata"]`` in a click callback — and None on
    "Other", which cannot be drilled into.
    """
    return figure_from_spec(
        pareto_spec(
            pareto,
            value=value,
            value_label=value_label,
            label_column=label_column,
            key_column=key_column,
            threshold_pct=threshold_pct,
            title=title,
            x_label=x_label,
            items=items,
            dark=dark,
            height=height,
        )
    )


def pareto_spec(
    pareto: pd.DataFrame,
    *,
    value: str,
    value_label: str,
    label_column: str = "label",
    key_column: str = "key",
    threshold_pct: float = 80.0,
    title: str | None = None,
    x_label: str = "Defect code",
    items: str = "codes",
    dark: bool = False,
    height: int = 460,
) -> dict:
    """:func:`pareto_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if not _has_values(pareto, value):
        return empty_spec("No defects recorded for these filters", dark=dark, height=height)
    rows = _pareto_rows(pareto, value, label_column, key_column, items)
    x = [row.label if row.key is None else str(row.key) for row in rows.itertuples(index=False)]
    colours = [
        MUTED_COLOUR if k is None else VITAL_COLOUR if v else TRIVIAL_COLOUR
        for k, v in zip(rows["key"], rows["vital_few"], strict=True)
    ]
    bars = {
        "type": "bar",
        "name": _text(value_label),
        "x": x,
        "y": _numbers(rows["value"]),
        "customdata": rows["key"].tolist(),
        "marker": {"color": colours},
        "text": [VITAL_MARK if v else "" for v in rows["vital_few"]],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertext": [_pareto_hover(row, value_label) for row in rows.itertuples(index=False)],
        "hoverinfo": "text",
    }
    cumulative = {
        "type": "scatter",
        "name": "Cumulative share (%)",
        "x": x,
        "y": _numbers(rows["cumulative_pct"]),
        "yaxis": "y2",
        "mode": "lines+markers",
        "cliponaxis": False,
        "line": {"color": CUMULATIVE_COLOUR, "width": 2},
        "marker": {"size": 6, "symbol": "diamond", "color": CUMULATIVE_COLOUR},
        "hoverinfo": "skip",
    }
    threshold_pct = float(threshold_pct)
    threshold = f"{threshold_pct:g} %"
    annotations = [
        _note(f"{threshold}", 1, threshold_pct, yref="y2", xanchor="right", yanchor="bottom", font={"color": TARGET_COLOUR}),
        _note(
            f"{VITAL_MARK} vital few: the {_text(items)} that make up the first {threshold}",
            1,
            1,
            xanchor="right",
            yanchor="bottom",
        ),
    ]
    layout = _layout(
        title or f"Pareto of {value_label}",
        dark,
        height,
        right=88,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": x, "title": {"text": _text(x_label)}},
        yaxis={"title": {"text": _text(value_label)}, "rangemode": "tozero"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [0, 100],
            "tickmode": "array",
            "tickvals": [0, 20, 40, 60, 80, 100],
            "ticktext": [f"{tick} %" for tick in range(0, 101, 20)],
            "showgrid": False,
            "title": {"text": "Cumulative share (%)"},
        },
        shapes=[_horizontal(threshold_pct, TARGET_COLOUR, yref="y2")],
        annotations=annotations,
    )
    return {"data": [bars, cumulative], "layout": layout}


# --- breakdown -------------------------------------------------------------------------------


def breakdown_figure(
    frame: pd.DataFrame,
    *,
    value: str,
    value_label: str,
    title: str,
    rate: str | None = None,
    rate_label: str | None = None,
    dark: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Horizontal bars of ``value`` per ``label``, largest at the top; ``key`` in customdata for
    drill clicks; ``rate`` (e.g. defects per 1,000 units) as text on each bar when given.

    Bars sit on their key (so two rows with the same label stay apart) with the label as tick
    text. ``height`` defaults to room for every bar.
    """
    return figure_from_spec(
        breakdown_spec(
            frame,
            value=value,
            value_label=value_label,
            title=title,
            rate=rate,
            rate_label=rate_label,
            dark=dark,
            height=height,
        )
    )


def breakdown_spec(
    frame: pd.DataFrame,
    *,
    value: str,
    value_label: str,
    title: str,
    rate: str | None = None,
    rate_label: str | None = None,
    dark: bool = False,
    height: int | None = None,
) -> dict:
    """:func:`breakdown_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if not _has_values(frame, value):
        return empty_spec("Nothing to break down for these filters", dark=dark, height=height or 320)
    rows = frame.assign(_value=pd.to_numeric(frame[value], errors="coerce"))
    rows = rows.sort_values(["_value", "label"], ascending=[False, True], na_position="last", kind="stable")
    keys, labels = [str(k) for k in rows["key"]], [_text(label) for label in rows["label"]]
    values = _numbers(rows["_value"])
    hover = [
        f"<b>{label}</b> ({_text(key)})<br>{_text(value_label)}: {_fmt(v)}"
        for key, label, v in zip(keys, labels, values, strict=True)
    ]
    text = None
    if rate is not None:
        rates = _numbers(rows[rate])
        suffix = _unit(rate_label or rate)
        text = [f"{_fmt(r)}{suffix}" if r is not None else "" for r in rates]
        hover = [f"{h}<br>{_fmt(r)}{suffix}" for h, r in zip(hover, rates, strict=True)]
    bars = {
        "type": "bar",
        "orientation": "h",
        "name": _text(value_label),
        "x": values,
        "y": keys,
        "customdata": rows["key"].tolist(),
        "marker": {"color": PALETTE[0]},  # white text on it reads on both templates
        "textposition": "auto",
        "hovertext": hover,
        "hoverinfo": "text",
    }
    if text is not None:  # no text without a rate (not null: a go.Figure drops a None property)
        bars["text"] = text
    layout = _layout(
        title,
        dark,
        height or max(320, 160 + 32 * len(keys)),
        legend=False,
        xaxis={"title": {"text": _text(value_label)}, "rangemode": "tozero"},
        yaxis={"type": "category", "autorange": "reversed", "tickmode": "array", "tickvals": keys, "ticktext": labels},
    )
    layout["margin"]["l"] = round(layout["margin"]["l"] * 2.5)  # room for the labels
    return {"data": [bars], "layout": layout}


# --- heatmap ---------------------------------------------------------------------------------


def _grid(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Lines × weeks of ``value``, NaN where a line has no row; weeks missing everywhere put back."""
    table = frame.assign(bucket_date=_stamps(frame["bucket_date"]), _z=pd.to_numeric(frame[value], errors="coerce"))
    grid = table.pivot(index="line_id", columns="bucket_date", values="_z").sort_index().sort_index(axis=1)
    if grid.shape[1] > 1:
        step = pd.Series(grid.columns).diff().min()
        full = pd.date_range(grid.columns[0], grid.columns[-1], freq=step)
        if set(grid.columns) <= set(full):
            grid = grid.reindex(columns=full)
    return grid


def _week_ticks(weeks: pd.DatetimeIndex, most: int = 13) -> dict:
    """A tick on week starts only (every k-th, at most ``most``), with the year where it changes."""
    shown = weeks[:: max(1, math.ceil(len(weeks) / most))]
    text = [f"{w.day} {w:%b}" + (f"<br>{w.year}" if i == 0 or w.year != shown[i - 1].year else "") for i, w in enumerate(shown)]
    return {"tickmode": "array", "tickvals": _iso(shown), "ticktext": text}


def heatmap_figure(
    frame: pd.DataFrame, *, value: str, value_label: str, title: str, dark: bool = False, height: int | None = None
) -> go.Figure:
    """``value`` per ``line_id`` (rows, top to bottom) and week (``bucket_date``, columns) on a
    sequential scale; a cell with no data stays blank (null), never zero. Cell customdata is
    the line id, for drill clicks; hover reads "P02-L03, week of 3 Aug 2026: 4.1 defects per
    1,000 units".
    """
    return figure_from_spec(heatmap_spec(frame, value=value, value_label=value_label, title=title, dark=dark, height=height))


def heatmap_spec(
    frame: pd.DataFrame, *, value: str, value_label: str, title: str, dark: bool = False, height: int | None = None
) -> dict:
    """:func:`heatmap_figure` as a plain spec (``data`` and ``layout``) for a caller that only serialises
    it: a ``go.Figure`` would copy the spec once when built and again when written out."""
    if not _has_values(frame, value):
        return empty_spec("No weekly data per line for these filters", dark=dark, height=height or 320)
    grid = _grid(frame, value)
    lines, weeks = [str(line) for line in grid.index], pd.DatetimeIndex(grid.columns)
    z = [_numbers(row) for row in grid.to_numpy()]
    unit, days = _unit(value_label), _days(weeks)
    hover = [
        [f"{_text(line)}, week of {w}: {_fmt(v)}{unit}" if v is not None else "" for w, v in zip(days, row, strict=True)]
        for line, row in zip(lines, z, strict=True)
    ]
    cells = {
        "type": "heatmap",
        "name": _text(value_label),
        "x": _iso(weeks),
        "y": lines,
        "z": z,
        "customdata": [[line] * len(weeks) for line in grid.index.tolist()],
        "colorscale": HEATMAP_SCALE,
        "zmin": 0,
        "xgap": 1,
        "ygap": 1,
        "colorbar": {"title": {"text": _text(value_label), "side": "right"}},
        "hovertext": hover,
        "hoverinfo": "text",
        "hoverongaps": False,
    }
    layout = _layout(
        title,
        dark,
        height or max(320, 180 + 28 * len(lines)),
        legend=False,
        xaxis={"type": "date", "title": {"text": "Week starting"}, "showgrid": False, **_week_ticks(weeks)},
        yaxis={"type": "category", "autorange": "reversed", "title": {"text": "Line"}, "showgrid": False, "automargin": True},
        annotations=[_note("Blank cell: no data for that line and week", 1, 1, xanchor="right", yanchor="bottom")],
    )
    return {"data": [cells], "layout": layout}
