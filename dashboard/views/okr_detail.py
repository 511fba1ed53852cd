"""One key result: its burn-up chart with the ideal line and the forecast fan, the check-in
history, the KPI it follows with control limits, and recording a new check-in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.datasets.interface import Repository
from dashboard.errors import DashboardError, InvalidInput
from dashboard.figures.control_chart import control_chart_figure
from dashboard.figures.okr import burnup_figure
from dashboard.metrics import okr_forecast, spc
from dashboard.store.interface import AUTHOR_MAX_CHARS, COMMENT_MAX_CHARS, AppStore, CheckinEntry, StoredCheckin
from dashboard.views.formatting import format_time
from dashboard.views.okr import KeyResultRow, OkrView, kpi_values, number_text

KPI_HISTORY_WEEKS = 26
MIN_KPI_WEEKS = 8  # fewer weekly values give limits too uncertain to flag anything
CONFIDENCE_WORDS = {"low": 2, "medium": 5, "high": 8}


@dataclasses.dataclass(frozen=True)
class CheckinLine:
    """One check-in as the history table shows it (the comment is plain text, never HTML)."""

    date_text: str
    value_text: str
    confidence_text: str
    comment: str
    author: str
    recorded_text: str


@dataclasses.dataclass(frozen=True)
class KeyResultDetail:
    """Everything the key-result panel shows."""

    row: KeyResultRow
    burnup: go.Figure
    history: tuple[CheckinLine, ...]
    model_text: str
    kpi_chart: go.Figure | None
    kpi_note: str | None
    value_needed: bool
    min_date: dt.date
    max_date: dt.date


def _confidence_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{int(value)}/10 ({okr_forecast.confidence_label(float(value))})"


def _history(row: KeyResultRow, checkins: pd.DataFrame) -> tuple[CheckinLine, ...]:
    own = checkins[checkins["key_result_id"] == row.key_result_id].iloc[::-1]
    lines = []
    for record in own.to_dict("records"):
        comment = record["comment"] if isinstance(record["comment"], str) else ""
        recorded = record["recorded_at"]
        where = (
            f"recorded {format_time(recorded)}" if record["origin"] == "dashboard" and pd.notna(recorded) else "from the source"
        )
        lines.append(
            CheckinLine(
                f"{record['checkin_date']:%d %b %Y}",
                ("done" if record["value"] >= 1 else "not done")
                if row.kind == "milestone"
                else number_text(float(record["value"]), row.unit),
                _confidence_text(record["confidence"]),
                comment,
                str(record["author"]),
                where,
            )
        )
    return tuple(lines)


def _kpi_chart(row: KeyResultRow, kpi: pd.Series, repo: Repository, today: dt.date, dark: bool) -> tuple[go.Figure | None, str]:
    end = min(today, row.due_date)
    start = end - dt.timedelta(weeks=KPI_HISTORY_WEEKS)
    values, _ = kpi_values(kpi, start, end, repo)
    if len(values) < MIN_KPI_WEEKS:
        return None, f"Too few weekly values of “{kpi['kpi_name']}” ({len(values)}) for control limits."
    data = pd.DataFrame({"value": values.to_numpy(dtype=float), "measured_at": pd.to_datetime(list(values.index))})
    charts = spc.imr_chart(data)
    title = f"{kpi['kpi_name']}, weekly, last {KPI_HISTORY_WEEKS} weeks (individuals chart)"
    figure = control_chart_figure(charts.location, title=title, unit=str(kpi.get("unit") or ""), dark=dark, height=340)
    return figure, f"Limits from the weekly values since {start:%d %b %Y}; flagged points break a run rule."


def build_key_result(
    view: OkrView, key_result_id: str, repo: Repository, today: dt.date, *, kpis: pd.DataFrame | None = None, dark: bool = False
) -> KeyResultDetail:
    """The panel for ``key_result_id`` on ``view``; raises InvalidInput when it is not there."""
    row = view.key_result(key_result_id)
    if row is None:
        raise InvalidInput(f"Unknown key result '{key_result_id[:40]}' in {view.quarter}; choose one from the tree.")
    values = pd.DataFrame(row.values, columns=["date", "value"])
    own = view.checkins[view.checkins["key_result_id"] == row.key_result_id]
    if row.kpi_id is None:
        values = own.rename(columns={"checkin_date": "date"})[["date", "value", "origin"]]
    ideal = okr_forecast.ideal_line(row.start_date, row.due_date, row.start_value, row.target_value, kind=row.kind)
    band = (row.band_low, row.band_high) if row.kind == "band" and row.band_low is not None else None
    burnup = burnup_figure(
        values,
        ideal,
        row.forecast.fan,
        title="Progress against the ideal line, with the forecast",
        unit_label=f" {row.unit}" if row.unit else "",
        target=row.target_value if row.kind in ("increase", "decrease") else 1.0 if row.kind == "milestone" else None,
        band=band,
        due_date=row.due_date,
        dark=dark,
    )
    forecast = row.forecast
    if forecast.refused:
        model_text = forecast.refused
    else:
        model_text = (
            f"{forecast.model}. Expected at the due date: {number_text(forecast.expected, row.unit)} "
            f"(95 %: {number_text(forecast.low95, row.unit)} – {number_text(forecast.high95, row.unit)}); "
            f"chance of reaching the target: {row.probability_text} → {row.status}."
        )
    kpi_chart, kpi_note = None, None
    if row.kpi_id is not None and kpis is not None:
        match = kpis[kpis["kpi_id"] == row.kpi_id]
        if len(match):
            try:
                kpi_chart, kpi_note = _kpi_chart(row, match.iloc[0], repo, today, dark)
            except DashboardError as error:
                kpi_note = str(error)
    return KeyResultDetail(
        row,
        burnup,
        _history(row, view.checkins),
        model_text,
        kpi_chart,
        kpi_note,
        value_needed=row.kpi_id is None,
        min_date=row.start_date,
        max_date=min(row.due_date, today),
    )


def _number(text: object, field: str) -> float:
    try:
        value = float(str(text).strip().replace(",", ""))
    except ValueError:
        raise InvalidInput(f"{field} must be a number, e.g. 2.4; got '{str(text)[:20]}'.") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{field} must be a finite number.")
    return value


def parse_checkin(
    row: KeyResultRow,
    *,
    date_text: object,
    value_text: object,
    confidence_text: object,
    comment: object,
    author: str,
    today: dt.date,
    kpi_value: float | None = None,
) -> CheckinEntry:
    """A check-in from form fields, or InvalidInput naming the field and the rule.

    The date must lie inside the key result's span and not in the future; the value is a number
    (for a milestone 0 or 1; for a KPI-linked key result the KPI's current value is used);
    confidence is 0–10 or low/medium/high; the comment is at most ``COMMENT_MAX_CHARS``
    characters and is kept as typed (pages show it as text).
    """
    try:
        day = dt.date.fromisoformat(str(date_text or "").strip()[:10])
    except ValueError:
        raise InvalidInput("Date must be a day such as 2026-11-20.") from None
    last = min(row.due_date, today)
    if not row.start_date <= day <= last:
        raise InvalidInput(
            f"Date must lie between {row.start_date:%d %b %Y} and {last:%d %b %Y} (the key result's quarter, not the future)."
        )
    if row.kpi_id is not None:
        if kpi_value is None:
            raise InvalidInput("This key result follows a KPI that has no value yet; record a check-in later.")
        value = kpi_value
    else:
        if value_text is None or str(value_text).strip() == "":
            raise InvalidInput("Value is required.")
        value = _number(value_text, "Value")
        if row.kind == "milestone" and value not in (0.0, 1.0):
            raise InvalidInput("A milestone's value is 1 (done) or 0 (not done yet).")
    confidence: int | None = None
    if confidence_text not in (None, ""):
        word = str(confidence_text).strip().lower()
        if word in CONFIDENCE_WORDS:
            confidence = CONFIDENCE_WORDS[word]
        else:
            number = _number(confidence_text, "Confidence")
            if number != int(number) or not 0 <= number <= 10:
                raise InvalidInput("Confidence must be a whole number from 0 to 10 (or low, medium, high).")
            confidence = int(number)
    text = str(comment or "").strip()
    if len(text) > COMMENT_MAX_CHARS:
        raise InvalidInput(f"Comment is {len(text):,} characters; keep it to {COMMENT_MAX_CHARS:,}.")
    return CheckinEntry(row.key_result_id, day, value, confidence, text or None, author[:AUTHOR_MAX_CHARS])


def record_checkin(entry: CheckinEntry, store: AppStore) -> StoredCheckin:
    """Write ``entry`` (one transaction); StoreUnavailable says what to do when it fails."""
    return store.add_checkin(entry)
