"""The overview: one tile per KPI definition, against target, with the change since the
previous period, a sparkline and the time the data was read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.datasets.interface import Dataset, DatasetRequest, Repository
from dashboard.errors import DashboardError, DataUnavailable, InvalidFilter, StoreUnavailable
from dashboard.figures.sparkline import sparkline_figure
from dashboard.filters import Filters
from dashboard.metrics import okr
from dashboard.metrics.behaviour import kpi_behaviour
from dashboard.metrics.kpis import BUILTIN_KPIS, PeriodSums, combine, kpi_series, summarise
from dashboard.metrics.status import Delta, Status, delta, kpi_status
from dashboard.store.interface import AppStore
from dashboard.views.formatting import UNIT_LABELS, format_change, format_time, format_value
from dashboard.views.periods import complete_buckets


@dataclasses.dataclass(frozen=True)
class KpiTile:
    """Everything one KPI tile shows."""

    kpi_id: str
    name: str
    unit: str
    value: float | None
    value_text: str
    target_text: str
    previous_text: str
    delta: Delta
    delta_text: str
    status: Status
    detail: str | None
    definition: str
    owner: str
    cadence: str
    direction: str
    view_path: str
    sparkline: go.Figure | None
    as_of: dt.datetime | None
    stale: bool = False
    problem: str | None = None
    behaviour: str | None = None
    behaviour_key: str | None = None  # signal_worse, signal_better, routine


@dataclasses.dataclass(frozen=True)
class OverviewView:
    """The overview page's content."""

    filters: Filters
    period_label: str
    tiles: tuple[KpiTile, ...]
    problems: tuple[str, ...] = ()
    as_of: dt.datetime | None = None

    @property
    def stale_since(self) -> dt.datetime | None:
        """When the oldest stale tile's data was read, if any tile is stale."""
        times = [t.as_of for t in self.tiles if t.stale and t.as_of]
        return min(times) if times else None


def sparkline_grain(filters: Filters) -> str:
    """Day buckets up to a month, weeks up to ~6 months, months beyond."""
    if filters.days <= 31:
        return "day"
    if filters.days <= 200:
        return "week"
    return "month"


@dataclasses.dataclass
class _Fetcher:
    """Fetches each summary once per page build and remembers failures."""

    repo: Repository
    filters: Filters
    grain: str
    store: AppStore | None = None
    results: dict[DatasetRequest, Dataset | DashboardError] = dataclasses.field(default_factory=dict)
    summaries: dict[str, PeriodSums] = dataclasses.field(default_factory=dict)

    def sums(self, name: str, dataset: Dataset) -> PeriodSums:
        """The period sums of a summary dataset, computed once per page build."""
        if name not in self.summaries:
            self.summaries[name] = summarise(dataset.frame)
        return self.summaries[name]

    def prefetch(self, requests: list[DatasetRequest]) -> None:
        """Fetch every dataset the tiles will need in one go (cold ones run concurrently)."""
        unique = list(dict.fromkeys(requests))
        self.results.update(zip(unique, self.repo.fetch_many(unique), strict=True))

    def get(self, name: str, filters: Filters | None = None, **params: object) -> Dataset:
        request = DatasetRequest.of(name, filters or self.filters, **params)
        if request not in self.results:
            try:
                self.results[request] = self.repo.fetch(name, request.filters, **params)
            except DashboardError as error:
                self.results[request] = error
        result = self.results[request]
        if isinstance(result, DashboardError):
            raise result
        return result


@dataclasses.dataclass(frozen=True)
class _Computed:
    current: float | None
    previous: float | None
    series: pd.Series | None
    detail: str | None
    datasets: tuple[Dataset, ...]


def _builtin(metric: str, fetcher: _Fetcher) -> _Computed:
    if metric == "okr_progress":
        return _okr_progress(fetcher)
    kpi = BUILTIN_KPIS.get(metric)
    if kpi is None:
        raise InvalidFilter(f"Unknown built-in metric '{metric}' in kpi_definitions.")
    datasets = tuple(fetcher.get(name, grain=fetcher.grain) for name in kpi.datasets)
    sums = combine(fetcher.sums(name, dataset) for name, dataset in zip(kpi.datasets, datasets, strict=True))
    current = kpi.compute(sums.current) if sums.has_current else None
    previous = kpi.compute(sums.previous) if sums.has_previous else None
    detail = kpi.explain(sums.current) if sums.has_current else None
    return _Computed(current, previous, kpi_series(kpi, sums) if sums.has_current else None, detail, datasets)


def _with_recorded(frame: pd.DataFrame, store: AppStore | None, fetcher: _Fetcher) -> pd.DataFrame:
    """The key results' values with check-ins recorded in the dashboard taking over where they
    are as new as the sources' (or the sources have none by then)."""
    if store is None or frame.empty:
        return frame
    try:
        recorded = store.checkins(frame["key_result_id"].tolist())
    except StoreUnavailable:
        return frame  # the sources' check-ins alone; the OKR page says why
    frame = frame.copy()
    ends = {"current": fetcher.filters.end_date, "previous": fetcher.filters.previous().end_date}
    for index, row in frame.iterrows():
        mine = [c for c in recorded if c.key_result_id == row["key_result_id"]]
        for period, end in ends.items():
            dated = [c for c in mine if c.checkin_date <= end]
            if not dated:
                continue
            latest = max(dated, key=lambda c: (c.checkin_date, c.checkin_id))
            theirs = row[f"{period}_checkin_date"]
            if theirs is None or pd.isna(theirs) or latest.checkin_date >= pd.Timestamp(theirs).date():
                frame.at[index, f"{period}_value"] = latest.value
    return frame


def _okr_progress(fetcher: _Fetcher) -> _Computed:
    dataset = fetcher.get("key_results_at")
    frame = _with_recorded(dataset.frame, fetcher.store, fetcher)

    records = frame.to_dict("records")

    def rollup(column: str) -> float | None:
        return okr.weighted_progress_pct(
            (
                okr.key_result_progress_pct(
                    r["kr_kind"], r[column], r["start_value"], r["target_value"], r["band_low"], r["band_high"]
                ),
                float(r["weight"]),
            )
            for r in records
        )

    detail = f"{len(frame)} key results active on {fetcher.filters.end_date:%d %b %Y}; all plants"
    return _Computed(rollup("current_value"), rollup("previous_value"), None, detail, (dataset,))


def _sql(formula: str, fetcher: _Fetcher) -> _Computed:
    current = fetcher.get("kpi_sql", formula=formula)
    previous = fetcher.get("kpi_sql", fetcher.filters.previous(), formula=formula)

    def scalar(dataset: Dataset) -> float | None:
        frame = dataset.frame
        if frame.empty or pd.isna(frame.iat[0, 0]):
            return None
        return float(frame.iat[0, 0])

    return _Computed(scalar(current), scalar(previous), None, None, (current, previous))


def _compute(formula: str, fetcher: _Fetcher) -> _Computed:
    kind, _, body = formula.partition(":")
    if kind == "builtin":
        return _builtin(body.strip(), fetcher)
    if kind == "sql":
        return _sql(formula, fetcher)
    raise InvalidFilter(f"The formula '{formula[:40]}' must start with builtin: or sql:.")


def _behaviour(
    series: pd.Series | None, direction: str, unit: str, fetcher: _Fetcher, status: Status
) -> tuple[str | None, str | None]:
    """Signal or routine variation of the tile's trend (XmR chart), as words that separate
    "off target and a real signal" from "stable but not capable of target" from routine noise."""
    if series is None:
        return None, None
    behaviour = kpi_behaviour(complete_buckets(series, fetcher.grain, fetcher.filters), direction)
    if behaviour is None:
        return None, None
    if behaviour.signal is None:
        lower, upper = behaviour.lower, behaviour.upper
        if unit != "score":  # rates, counts and money cannot go below zero, percentages above 100
            lower = max(lower, 0.0)
        if unit == "pct":
            upper = min(upper, 100.0)
        span = f"{format_value(lower, unit)} – {format_value(upper, unit)}"
        if status.key in ("watch", "act"):
            return (
                f"Stable but not capable of target: routine variation ({span}) keeps it off target; "
                "reaching it needs a change to the process."
            ), "routine"
        return f"Routine variation within natural limits ({span}).", "routine"
    key = "signal_better" if behaviour.improving else "signal_worse"
    lead = "Off target and a real signal" if status.key in ("watch", "act") else "Signal"
    return f"{lead} ({'improving' if behaviour.improving else 'worsening'}): {behaviour.signal}.", key


def _requests(formula: str, fetcher: _Fetcher) -> list[DatasetRequest]:
    """The datasets a KPI formula will read (unknown formulas read nothing)."""
    kind, _, body = formula.partition(":")
    if kind == "sql":
        return [
            DatasetRequest.of("kpi_sql", fetcher.filters, formula=formula),
            DatasetRequest.of("kpi_sql", fetcher.filters.previous(), formula=formula),
        ]
    if body == "okr_progress":
        return [DatasetRequest.of("key_results_at", fetcher.filters)]
    kpi = BUILTIN_KPIS.get(body.strip())
    return [DatasetRequest.of(name, fetcher.filters, grain=fetcher.grain) for name in kpi.datasets] if kpi else []


def _optional(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _tile(row: pd.Series, fetcher: _Fetcher) -> KpiTile:
    unit, direction = row["unit"], row["direction"]
    target = _optional(row["target"])
    base = {
        "kpi_id": row["kpi_id"],
        "name": row["kpi_name"],
        "unit": unit,
        "direction": direction,
        "definition": row["definition"],
        "owner": row["owner"],
        "cadence": row["cadence"],
        "view_path": row["view_path"],
        "target_text": "no target" if target is None else f"target {format_value(target, unit)}",
    }
    try:
        computed = _compute(row["formula"], fetcher)
    except DashboardError as error:
        return KpiTile(
            **base,
            value=None,
            value_text="–",
            previous_text="–",
            delta=Delta(None, None),
            delta_text="–",
            status=Status("no_data"),
            detail=None,
            sparkline=None,
            as_of=None,
            problem=str(error),
        )
    change = delta(computed.current, computed.previous, direction)
    status = kpi_status(computed.current, direction, target, _optional(row["amber_threshold"]), _optional(row["red_threshold"]))
    behaviour_text, behaviour_key = _behaviour(computed.series, direction, unit, fetcher, status)
    stale = [d for d in computed.datasets if d.stale]
    series = computed.series
    return KpiTile(
        **base,
        value=computed.current,
        value_text=format_value(computed.current, unit) if computed.current is not None else "No data",
        previous_text=format_value(computed.previous, unit),
        delta=change,
        delta_text=format_change(change.change, unit),
        status=status,
        detail=computed.detail,
        sparkline=sparkline_figure(series, target=target, unit_label=UNIT_LABELS.get(unit, ""))
        if series is not None and len(series) > 1
        else None,
        as_of=min(d.fetched_at for d in computed.datasets),
        stale=bool(stale),
        behaviour=behaviour_text,
        behaviour_key=behaviour_key,
        problem=f"{stale[0].problem} Showing data from {format_time(min(d.fetched_at for d in stale))}." if stale else None,
    )


def build_overview(
    filters: Filters, repo: Repository, problems: tuple[str, ...] = (), store: AppStore | None = None
) -> OverviewView:
    """The overview for ``filters``. ``problems`` are input messages to show (from parsing);
    with ``store``, OKR check-ins recorded in the dashboard count towards OKR progress."""
    try:
        definitions = repo.fetch("kpi_definitions")
    except DataUnavailable as error:
        return OverviewView(filters, filters.label(), (), (*problems, str(error)))
    if definitions.frame.empty:
        message = "No KPIs are defined yet: add rows to the kpi_definitions table (see docs/data-dictionary.md)."
        return OverviewView(filters, filters.label(), (), (*problems, message))
    fetcher = _Fetcher(repo, filters, sparkline_grain(filters), store)
    fetcher.prefetch([r for formula in definitions.frame["formula"] for r in _requests(formula, fetcher)])
    tiles = tuple(_tile(row, fetcher) for _, row in definitions.frame.iterrows())
    times = [t.as_of for t in tiles if t.as_of is not None]
    return OverviewView(filters, filters.label(), tiles, problems, min(times) if times else None)
