"""Figures of the CAPA page, as plain JSON-native specs (``data`` and ``layout``):

- the flow: CAPAs closed on time and late per bucket (stacked bars), CAPAs opened (a line), and
  the share closed on time against its target on a second axis;
- the ageing of the CAPAs open on the period's last day, overdue ones apart;
- open and overdue CAPAs per plant, source or owner, whose bars carry their key in
  ``customdata`` so a click narrows the page to it.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard.figures.common import days, iso, page_layout, plain, stamps
from dashboard.figures.empty import empty_spec
from dashboard.figures.theme import PALETTE, STATUS_COLOURS

ON_TIME_COLOUR, LATE_COLOUR, OPENED_COLOUR = PALETTE[2], PALETTE[3], PALETTE[0]
SHARE_COLOUR, TARGET_COLOUR = PALETTE[4], STATUS_COLOURS["no_target"]  # the share reads on both templates
NOT_DUE_COLOUR = PALETTE[5]
HEIGHT = 400


def _whole(values: object) -> list[int]:
    """Counts as ints for JSON (a missing count is 0)."""
    items = values.tolist() if hasattr(values, "tolist") else list(values)  # type: ignore[union-attr]
    return [int(v) if isinstance(v, int | float) and math.isfinite(v) else 0 for v in items]


BUCKET_DAYS = {"week": 7, "month": 30, "quarter": 91}  # about, for a lone bucket's width


def _around(stamp: pd.Timestamp, bucket_ms: int, x: list[str], labels: list[str]) -> dict:
    """A date axis spanning one bucket, its tick named as people read it."""
    half = pd.Timedelta(milliseconds=bucket_ms)
    return {"range": iso(pd.DatetimeIndex([stamp - half, stamp + half])), "tickvals": x, "ticktext": labels}


def flow_spec(flow: pd.DataFrame, *, target_pct: float | None, grain: str, dark: bool = False) -> dict:
    """Closed on time / late per bucket, opened per bucket, and the on-time share (%, right axis)
    with ``target_pct`` as a dashed line. ``flow`` has ``bucket_date``, ``opened``, ``closed``
    and ``closed_on_time``; a bucket without closures has no share (a gap, not 0 %)."""
    if flow.empty:
        return empty_spec("No CAPA was opened or closed in this period", dark=dark, height=HEIGHT)
    when = stamps(flow["bucket_date"])
    x, labels = iso(when), days(when)
    closed, on_time, opened = _whole(flow["closed"]), _whole(flow["closed_on_time"]), _whole(flow["opened"])
    late = [c - o for c, o in zip(closed, on_time, strict=True)]
    share = [round(100.0 * o / c, 1) if c else None for o, c in zip(on_time, closed, strict=True)]
    per = f"per {grain}"

    # One bucket alone: plotly would zoom the date axis to milliseconds and the bar would fill it,
    # so the axis spans the bucket, its tick names it, and the bar gets a bucket's width.
    single = len(x) == 1
    bucket_ms = BUCKET_DAYS.get(grain, 7) * 86_400_000

    def bars(name: str, values: list[int], colour: str) -> dict:
        return {
            "type": "bar",
            "name": name,
            "x": x,
            "y": values,
            **({"width": [0.6 * bucket_ms]} if single else {}),
            "marker": {"color": colour},
            "hovertext": [f"{label}: {v:,} {name.lower()}" for label, v in zip(labels, values, strict=True)],
            "hoverinfo": "text",
        }

    data = [
        bars("Closed on time", on_time, ON_TIME_COLOUR),
        bars("Closed late", late, LATE_COLOUR),
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Opened",
            "x": x,
            "y": opened,
            "line": {"color": OPENED_COLOUR, "dash": "dot"},
            "marker": {"symbol": "circle-open", "size": 8},
            "hovertext": [f"{label}: {v:,} opened" for label, v in zip(labels, opened, strict=True)],
            "hoverinfo": "text",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "% closed on time",
            "x": x,
            "y": share,
            "yaxis": "y2",
            "line": {"color": SHARE_COLOUR, "width": 2},
            "marker": {"symbol": "diamond", "size": 8},
            "connectgaps": False,
            "hovertext": [
                f"{label}: {s:.1f} % closed on time ({o:,} of {c:,})" if s is not None else f"{label}: none closed"
                for label, s, o, c in zip(labels, share, on_time, closed, strict=True)
            ],
            "hoverinfo": "text",
        },
    ]
    layout = page_layout(
        f"CAPAs closed and opened {per}",
        dark,
        HEIGHT,
        barmode="stack",
        xaxis={"type": "date", **(_around(when[0], bucket_ms, x, labels) if single else {})},
        yaxis={"title": {"text": "CAPAs"}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": "% closed on time"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 105],
            "tickmode": "linear",
            "tick0": 0,
            "dtick": 25,
            "showgrid": False,
        },
        right=72,
    )
    if target_pct is not None:
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y2",
                "y0": target_pct,
                "y1": target_pct,
                "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
            }
        ]
        layout["annotations"] = [
            {
                "text": f"target {target_pct:g} %",
                "xref": "paper",
                "x": 1,
                "xanchor": "right",
                "yref": "y2",
                "y": target_pct,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": TARGET_COLOUR},
            }
        ]
    return {"data": data, "layout": layout}


def ageing_spec(ageing: pd.DataFrame, bands: tuple[str, ...], *, end_label: str, dark: bool = False) -> dict:
    """The CAPAs open on the period's last day per age band (``band`` indexes ``bands``), stacked
    overdue / not yet due (``overdue`` 1 / 0, count in ``capas``); every band is shown."""
    if ageing.empty:
        return empty_spec(f"No CAPA was open on {end_label}", dark=dark, height=HEIGHT)
    counts = {(int(b), int(o)): int(c) for b, o, c in zip(ageing["band"], ageing["overdue"], ageing["capas"], strict=True)}
    data = []
    for flag, name, colour in ((0, "Not yet due", NOT_DUE_COLOUR), (1, "Overdue", LATE_COLOUR)):
        values = [counts.get((index, flag), 0) for index in range(len(bands))]
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": list(bands),
                "y": values,
                "marker": {"color": colour},
                "text": [str(v) if v else "" for v in values],
                "textposition": "auto",
                "textangle": 0,
                "hovertext": [f"{band}: {v:,} {name.lower()}" for band, v in zip(bands, values, strict=True)],
                "hoverinfo": "text",
            }
        )
    layout = page_layout(
        f"Open CAPAs on {end_label} by age",
        dark,
        HEIGHT,
        barmode="stack",
        xaxis={"type": "category", "title": {"text": "Days since opened"}},
        yaxis={"title": {"text": "CAPAs"}, "rangemode": "tozero"},
    )
    return {"data": data, "layout": layout}


def breakdown_spec(frame: pd.DataFrame, *, what: str, end_label: str, dark: bool = False) -> dict:
    """Open CAPAs on the period's last day per ``key`` (shown as ``label``), overdue ones apart,
    most overdue at the top; the share closed on time in the period in each bar's hover text.
    A key with nothing open still gets its row (its closures count)."""
    if frame.empty:
        return empty_spec(f"No CAPA by {what} in this period", dark=dark, height=HEIGHT)
    rows = sorted(
        zip(
            frame["key"].astype(str).tolist(),
            frame["label"].tolist(),
            _whole(frame["open_at_end"]),
            _whole(frame["overdue_at_end"]),
            _whole(frame["closed"]),
            _whole(frame["closed_on_time"]),
            strict=True,
        ),
        key=lambda row: (-row[3], -row[2], row[0]),
    )
    keys, labels = [row[0] for row in rows], [plain(row[1]) for row in rows]
    open_, overdue, closed, on_time = ([row[i] for row in rows] for i in (2, 3, 4, 5))
    hover = [
        f"<b>{label}</b><br>{o:,} open on {end_label}, {d:,} overdue<br>"
        + (f"{t:,} of {c:,} closed on time in the period ({100 * t / c:.0f} %)" if c else "none closed in the period")
        for label, o, d, c, t in zip(labels, open_, overdue, closed, on_time, strict=True)
    ]
    not_due = [o - d for o, d in zip(open_, overdue, strict=True)]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "x": values,
            "y": keys,
            "customdata": keys,
            "marker": {"color": colour},
            "hovertext": hover,
            "hoverinfo": "text",
        }
        for name, values, colour in (("Overdue", overdue, LATE_COLOUR), ("Not yet due", not_due, NOT_DUE_COLOUR))
    ]
    layout = page_layout(
        f"Open CAPAs by {what}",
        dark,
        max(HEIGHT, 170 + 30 * len(keys)),
        barmode="stack",
        xaxis={"title": {"text": "Open CAPAs"}, "rangemode": "tozero", **({"dtick": 1} if max(open_, default=0) <= 10 else {})},
        yaxis={
            "type": "category",
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": labels,
            "automargin": True,
        },
    )
    return {"data": data, "layout": layout}
