"""What the pages' views share: turning fetch results into datasets, packing a page's figures
and texts as JSON for the derived-frame cache, the data-as-of line, and long signal lists."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.datasets.interface import Dataset
from dashboard.errors import DashboardError
from dashboard.views.formatting import format_time


def dataset(result: Dataset | DashboardError) -> Dataset:
    """A result of ``Repository.fetch_many``; its error is raised."""
    if isinstance(result, DashboardError):
        raise result
    return result


def pack(parts: dict[str, object]) -> pd.DataFrame:
    """A page's parts (Plotly figures or JSON-able values) as a frame of JSON text, for
    ``Repository.derived``."""
    payloads = [
        pio.to_json(v, validate=False) if isinstance(v, go.Figure) else json.dumps(v, default=str) for v in parts.values()
    ]
    return pd.DataFrame({"part": list(parts), "payload": payloads})


def unpack(frame: pd.DataFrame) -> dict:
    """The parts of :func:`pack`; figures come back as Plotly JSON dicts, ready for ``dcc.Graph``."""
    return {name: json.loads(payload) for name, payload in zip(frame["part"], frame["payload"], strict=True)}


def as_of_text(as_of: dt.datetime | None, stale: str | None) -> str:
    """'Data as of 14:05 UTC', or that with the reason the copy is the last good one."""
    text = f"Data as of {format_time(as_of)}"
    return f"{text} (last good copy: {stale})" if stale else text


def first_and_latest(signals: tuple[str, ...] | list[str], latest: int = 3) -> tuple[str, ...]:
    """A long list of run-rule signals as the first one (when a shift started) and the latest."""
    if len(signals) <= latest + 2:
        return tuple(signals)
    return (f"First: {signals[0]}", "…", *signals[-latest:])
