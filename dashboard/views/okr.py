"""The OKR page: a quarter's objective tree with progress, the data's chance of reaching each
key result's target next to the owner's confidence, and a heat grid of key results by team.

A key result's values are its check-ins (the sources' and those recorded in the dashboard),
or, when it is linked to a KPI definition, that KPI's weekly values read from the sources.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.datasets.interface import Dataset, DatasetRequest, Repository
from dashboard.errors import DashboardError, DataUnavailable, InvalidFilter, StoreUnavailable
from dashboard.figures.okr import heat_grid_figure
from dashboard.filters import Filters
from dashboard.metrics import okr, okr_forecast
from dashboard.metrics.kpis import BUILTIN_KPIS, combine, kpi_series, summarise
from dashboard.store.interface import AppStore
from dashboard.views.cached import dataset
from dashboard.views.periods import bucket_end, complete_buckets

STATUS_KEYS = {
    "on track": "on_track",
    "at risk": "at_risk",
    "off track": "off_track",
    "done": "done",
    "not done yet": "not_done",
    "no forecast": "no_forecast",
}
STATUS_ICONS = {"on_track": "●", "at_risk": "▲", "off_track": "■", "done": "✔", "not_done": "○", "no_forecast": "–"}
CHECKIN_COLUMNS = ["key_result_id", "checkin_date", "value", "confidence", "comment", "author", "recorded_at", "origin"]


@dataclasses.dataclass(frozen=True)
class KeyResultRow:
    """One key result as the tree shows it."""

    key_result_id: str
    objective_id: str
    team: str
    title: str
    kind: str
    unit: str
    owner: str
    start_date: dt.date
    due_date: dt.date
    weight: float
    start_value: float | None
    target_value: float | None
    band_low: float | None
    band_high: float | None
    kpi_id: str | None
    value: float | None
    value_text: str
    target_text: str
    progress_pct: float | None
    progress_text: str
    forecast: okr_forecast.KeyResultForecast
    status: str
    confidence: str | None
    disagreement: str | None
    source_text: str
    values: tuple[tuple[dt.date, float], ...] = ()

    @property
    def status_key(self) -> str:
        """A CSS-friendly key for the status words."""
        return STATUS_KEYS[self.status]

    @property
    def probability_text(self) -> str:
        """'42 %' or a dash."""
        probability = self.forecast.probability
        return "–" if probability is None else f"{probability * 100:.0f} %"


@dataclasses.dataclass(frozen=True)
class ObjectiveRow:
    """One objective with its key results, at its depth in the company → department → team tree."""

    objective_id: str
    parent_id: str | None
    level: str
    team: str
    title: str
    owner: str
    depth: int
    progress_pct: float | None
    progress_text: str
    status: str
    key_results: tuple[KeyResultRow, ...]

    @property
    def status_key(self) -> str:
        """A CSS-friendly key for the status words."""
        return STATUS_KEYS[self.status]


@dataclasses.dataclass(frozen=True)
class OkrView:
    """The OKR page's content for one quarter (and team)."""

    quarter: str | None
    quarters: tuple[str, ...]
    team: str | None
    teams: tuple[str, ...]
    objectives: tuple[ObjectiveRow, ...]
    heat_grid: go.Figure | None
    as_of: dt.datetime | None
    stale: str | None = None
    problems: tuple[str, ...] = ()
    checkins: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=CHECKIN_COLUMNS))

    def key_result(self, key_result_id: str) -> KeyResultRow | None:
        """The key result with this id, if it is on the page."""
        return next((kr for o in self.objectives for kr in o.key_results if kr.key_result_id == key_result_id), None)


def number_text(value: float | None, unit: str) -> str:
    """A key-result value with its unit: '2.9 %', '1,180 ppm', '–'."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}" if abs(value) >= 1 else f"{value:.3g}"
    return f"{text} {unit}".strip() if unit not in ("", "count", "index", "score") else text


def progress_text(progress: float | None) -> str:
    """'64 %', '130 % (over-achieved)', '–'."""
    if progress is None:
        return "–"
    return f"{progress:.0f} % (over-achieved)" if progress > 100 else f"{progress:.0f} %"


def current_quarter(today: dt.date) -> str:
    """'2026-Q4' for a date in October–December 2026."""
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _optional(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def combined_checkins(
    source: pd.DataFrame, store: AppStore, key_result_ids: list[str], problems: list[str] | None = None
) -> pd.DataFrame:
    """The sources' check-ins and those recorded in the dashboard, by key result and date.

    When the app store cannot be read, the sources' check-ins stand alone and ``problems`` says so.
    """
    try:
        recorded = store.checkins(key_result_ids)
    except StoreUnavailable as error:
        recorded = []
        if problems is not None:
            problems.append(f"{error} Check-ins recorded in the dashboard are left out until it answers.")
    mine = pd.DataFrame([{**dataclasses.asdict(c), "origin": "dashboard"} for c in recorded], columns=CHECKIN_COLUMNS)
    theirs = source.assign(recorded_at=pd.NaT, origin="source").reindex(columns=CHECKIN_COLUMNS)
    frames = [f for f in (theirs, mine) if len(f)]
    if not frames:
        return pd.DataFrame(columns=CHECKIN_COLUMNS)
    both = pd.concat(frames, ignore_index=True)
    both["checkin_date"] = pd.to_datetime(both["checkin_date"]).dt.date
    return both.sort_values(["key_result_id", "checkin_date"], kind="stable").reset_index(drop=True)


def kpi_values(kpi: pd.Series, start: dt.date, end: dt.date, repo: Repository) -> tuple[pd.Series, list[Dataset]]:
    """A built-in KPI's weekly values from ``start`` to ``end`` (whole weeks), dated at each
    week's last day; SQL-defined KPIs give their value for the whole span at ``end``."""
    filters = Filters("custom", start, end)
    kind, _, body = str(kpi["formula"]).partition(":")
    if kind == "builtin" and body.strip() in BUILTIN_KPIS:
        definition = BUILTIN_KPIS[body.strip()]
        results = [repo.fetch(name, filters, grain="week") for name in definition.datasets]
        sums = combine(summarise(r.frame) for r in results)
        series = complete_buckets(kpi_series(definition, sums), "week", filters) if sums.has_current else pd.Series(dtype=float)
        series.index = [bucket_end(day, "week") for day in series.index]
        return series, results
    if kind == "sql":
        result = repo.fetch("kpi_sql", filters, formula=str(kpi["formula"]))
        frame = result.frame
        value = None if frame.empty or pd.isna(frame.iat[0, 0]) else float(frame.iat[0, 0])
        return pd.Series({end: value} if value is not None else {}, dtype=float), [result]
    raise InvalidFilter(f"The KPI '{kpi['kpi_id']}' cannot be followed by a key result (formula {kind}).")


def _series(
    kr: dict, own: pd.DataFrame, kpis: dict[str, pd.Series], repo: Repository, today: dt.date, read: list[Dataset]
) -> tuple[pd.Series, str]:
    """The key result's values: its KPI's weekly values when linked, else its own check-ins (``own``)."""
    kpi_id = kr.get("kpi_id")
    if isinstance(kpi_id, str) and kpi_id in kpis:
        end = min(today, kr["due_date"])
        values, datasets = kpi_values(kpis[kpi_id], kr["start_date"], end, repo)
        read.extend(datasets)
        return values, f"from the KPI “{kpis[kpi_id]['kpi_name']}”, weekly"
    own = own[own["checkin_date"] <= today]
    return pd.Series(own["value"].to_numpy(dtype=float), index=own["checkin_date"].tolist()), "from check-ins"


def key_result_row(kr: dict, values: pd.Series, source_text: str, confidence: object, today: dt.date) -> KeyResultRow:
    """A key result's value, progress, forecast and status from its values (index: dates)."""
    kind = kr["kr_kind"]
    unit = kr.get("unit") if isinstance(kr.get("unit"), str) else ""
    start, target = _optional(kr.get("start_value")), _optional(kr.get("target_value"))
    low, high = _optional(kr.get("band_low")), _optional(kr.get("band_high"))
    value = float(values.iloc[-1]) if len(values) else None
    progress = okr.key_result_progress_pct(kind, value, start, target, low, high)
    forecast = okr_forecast.forecast_key_result(
        list(values.index),
        values.to_numpy(dtype=float),
        kind=kind,
        start_value=start,
        target_value=target,
        band_low=low,
        band_high=high,
        start_date=kr["start_date"],
        due_date=kr["due_date"],
        as_of=today,
    )
    if isinstance(kr.get("kpi_id"), str) and forecast.refused is None:
        forecast = dataclasses.replace(forecast, model=forecast.model.replace("check-ins", "weekly KPI values"))
    if kind == "milestone":
        status = "done" if value is not None and value >= 1 else "off track" if today > kr["due_date"] else "not done yet"
    else:
        status = forecast.status
    label = okr_forecast.confidence_label(_optional(confidence))
    target_text = (
        f"band {number_text(low, unit)} – {number_text(high, unit)}"
        if kind == "band"
        else "done / not done"
        if kind == "milestone"
        else f"{number_text(start, unit)} → {number_text(target, unit)}"
    )
    return KeyResultRow(
        key_result_id=kr["key_result_id"],
        objective_id=kr["objective_id"],
        team=kr["team"],
        title=kr["title"],
        kind=kind,
        unit=unit,
        owner=kr["owner"],
        start_date=kr["start_date"],
        due_date=kr["due_date"],
        weight=float(kr["weight"]),
        start_value=start,
        target_value=target,
        band_low=low,
        band_high=high,
        kpi_id=kr.get("kpi_id") if isinstance(kr.get("kpi_id"), str) else None,
        value=value,
        value_text=("done" if value >= 1 else "not done")
        if kind == "milestone" and value is not None
        else number_text(value, unit),
        target_text=target_text,
        progress_pct=progress,
        progress_text=progress_text(progress),
        forecast=forecast,
        status=status,
        confidence=label,
        disagreement=okr_forecast.disagreement(label, forecast.probability),
        source_text=source_text,
        values=tuple(zip(values.index, values.to_numpy(dtype=float).tolist(), strict=True)),
    )


def objective_status(key_results: tuple[KeyResultRow, ...]) -> str:
    """The weighted mean of the key results' chances (a done milestone counts 1, a missed one 0),
    read with the same thresholds as a key result; 'no forecast' when none has a chance."""
    pairs = []
    for kr in key_results:
        chance = kr.forecast.probability
        if kr.kind == "milestone" and kr.status in ("done", "off track"):
            chance = 1.0 if kr.status == "done" else 0.0
        if chance is not None:
            pairs.append((chance, kr.weight))
    total = sum(w for _, w in pairs)
    if not total:
        return "no forecast"
    return okr_forecast.status_from_probability(sum(p * w for p, w in pairs) / total)


def tree_order(objectives: pd.DataFrame) -> list[tuple[dict, int]]:
    """Objectives depth-first from the roots, each with its depth (0 = company)."""
    records = objectives.to_dict("records")
    ids = {r["objective_id"] for r in records}
    children: dict[str | None, list[dict]] = {}
    for record in records:
        parent = record["parent_id"] if record["parent_id"] in ids else None
        children.setdefault(parent, []).append(record)
    ordered: list[tuple[dict, int]] = []

    def visit(parent: str | None, depth: int) -> None:
        for record in children.get(parent, []):
            ordered.append((record, depth))
            visit(record["objective_id"], depth + 1)

    visit(None, 0)
    return ordered


def _with_ancestors(objectives: pd.DataFrame, team: str) -> pd.DataFrame:
    """The team's objectives and every objective above them (the alignment they roll up to)."""
    parents = dict(zip(objectives["objective_id"], objectives["parent_id"], strict=True))
    keep = set(objectives.loc[objectives["team"] == team, "objective_id"])
    for objective in list(keep):
        parent = parents.get(objective)
        while isinstance(parent, str) and parent not in keep:
            keep.add(parent)
            parent = parents.get(parent)
    return objectives[objectives["objective_id"].isin(keep)]


def heat_cells(objectives: tuple[ObjectiveRow, ...]) -> pd.DataFrame:
    """One row per key result for :func:`heat_grid_figure`, numbered within each team."""
    rows, positions = [], {}
    for objective in objectives:
        for kr in objective.key_results:
            positions[kr.team] = positions.get(kr.team, 0) + 1
            chance = "" if kr.forecast.probability is None else f" {kr.probability_text}"
            rows.append(
                {
                    "team": kr.team,
                    "position": positions[kr.team],
                    "key_result_id": kr.key_result_id,
                    "title": kr.title,
                    "probability": kr.forecast.probability,
                    "status": kr.status,
                    "label": f"{STATUS_ICONS[kr.status_key]} {kr.status}{chance}",
                }
            )
    return pd.DataFrame(rows, columns=["team", "position", "key_result_id", "title", "probability", "status", "label"])


def _read(repo: Repository, quarter: str) -> tuple[Dataset, Dataset, Dataset, Dataset]:
    names = ("okr_objectives", "okr_key_results", "okr_checkins")
    results = repo.fetch_many(
        [DatasetRequest.of(name, quarter=quarter) for name in names] + [DatasetRequest.of("kpi_definitions")]
    )
    return tuple(dataset(r) for r in results)  # type: ignore[return-value]


def build_okr(
    quarter: str | None, team: str | None, repo: Repository, store: AppStore, today: dt.date, *, dark: bool = False
) -> OkrView:
    """The OKR page for ``quarter`` (default: today's, else the newest) and ``team`` (None: all)."""
    try:
        quarters = tuple(str(q) for q in repo.fetch("okr_quarters").frame["quarter"])
    except DataUnavailable as error:
        return OkrView(quarter, (), team, (), (), None, None, problems=(str(error),))
    problems: list[str] = []
    if not quarters:
        return OkrView(
            None,
            (),
            team,
            (),
            (),
            None,
            None,
            problems=("No objectives yet: add rows to okr_objectives (see docs/data-dictionary.md).",),
        )
    if quarter not in quarters:
        fallback = current_quarter(today) if current_quarter(today) in quarters else quarters[0]
        if quarter is not None:
            problems.append(f"No objectives for quarter '{quarter}'; showing {fallback}.")
        quarter = fallback
    try:
        objectives, key_results, source_checkins, kpis = _read(repo, quarter)
    except DashboardError as error:
        return OkrView(quarter, quarters, team, (), (), None, None, problems=(*problems, str(error)))
    frame = objectives.frame
    teams = tuple(sorted(set(frame["team"])))
    if team is not None and team not in teams:
        problems.append(f"Unknown team '{team}'; showing every team.")
        team = None
    if team is not None:
        frame = _with_ancestors(frame, team)
    krs = key_results.frame[key_results.frame["objective_id"].isin(frame["objective_id"])]
    checkins = combined_checkins(source_checkins.frame, store, krs["key_result_id"].tolist(), problems)
    definitions = {row["kpi_id"]: row for _, row in kpis.frame.iterrows()}
    read = [objectives, key_results, source_checkins, kpis]
    rows: dict[str, list[KeyResultRow]] = {}
    by_key_result = {key: group for key, group in checkins.groupby("key_result_id", sort=False)}
    empty = checkins.iloc[0:0]
    for kr in krs.to_dict("records"):
        own = by_key_result.get(kr["key_result_id"], empty)
        try:
            values, source_text = _series(kr, own, definitions, repo, today, read)
        except DashboardError as error:
            values, source_text = pd.Series(dtype=float), f"KPI values unavailable: {error}"
        confidence = own["confidence"].dropna().iloc[-1] if own["confidence"].notna().any() else None
        rows.setdefault(kr["objective_id"], []).append(key_result_row(kr, values, source_text, confidence, today))
    tree = []
    for record, depth in tree_order(frame):
        mine = tuple(rows.get(record["objective_id"], ()))
        if team is not None and record["team"] != team:
            mine = ()  # ancestors are shown for alignment, without their key results
        progress = okr.weighted_progress_pct((kr.progress_pct, kr.weight) for kr in mine)
        tree.append(
            ObjectiveRow(
                record["objective_id"],
                record["parent_id"],
                record["level"],
                record["team"],
                record["title"],
                record["owner"],
                depth,
                progress,
                progress_text(progress),
                objective_status(mine),
                mine,
            )
        )
    stale = next((d.problem for d in read if d.stale), None)
    cells = heat_cells(tuple(tree))
    return OkrView(
        quarter,
        quarters,
        team,
        teams,
        tuple(tree),
        heat_grid_figure(cells, dark=dark) if len(cells) else None,
        min(d.fetched_at for d in read),
        stale,
        tuple(problems),
        checkins,
    )
