"""The CAPA page: on-time closure against its target, the open backlog and its age, who holds
it, whether the CAPAs closed in the period cut their defects (see :mod:`dashboard.views.capa_effects`),
and the list of CAPAs behind each number (see :mod:`dashboard.views.capa_records`).

Statuses are as they stood on the period's last day; "closed on time" means closed on or before
the due date, counted over the CAPAs closed in the period, as the overview's tile counts it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from dashboard.datasets.interface import DatasetRequest, Repository
from dashboard.figures import capa as figures
from dashboard.filters import Filters
from dashboard.metrics import quality
from dashboard.metrics.status import kpi_status
from dashboard.metrics.suppliers import ppm_interval
from dashboard.views.cached import dataset
from dashboard.views.capa_effects import CapaEffects, capa_effects

SOURCES = ("internal", "audit", "complaint", "supplier")
STATUSES = {
    "all": "active in the period",
    "open": "open on the last day",
    "overdue": "overdue on the last day",
    "closed": "closed in the period",
    "late": "closed late in the period",
}
BY = {"plant": ("plant_id", "plant"), "source": ("capa_source", "source"), "owner": ("owner", "owner")}
GRAINS = ("week", "month", "quarter")
AGE_BANDS = ("0–30", "31–60", "61–90", "91–180", "over 180")  # days since opened: queries.capa.AGE_LIMITS
KPI_ID = "capa_on_time"
MAX_TEXT = 40


@dataclasses.dataclass(frozen=True)
class CapaScope:
    """The page's own choices: which CAPAs (source, owner), the list's status, the breakdown and grain."""

    source: str | None = None
    owner: str | None = None
    status: str = "all"
    by: str = "plant"
    grain: str = "month"

    def to_query(self) -> dict[str, str]:
        """URL parameters for the choices that differ from the defaults."""
        default = CapaScope()
        chosen = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {name: value for name, value in chosen.items() if value != getattr(default, name)}

    def narrowing(self) -> dict[str, str]:
        """The dataset parameters that narrow every number (source and owner, when chosen)."""
        return {k: v for k, v in (("source", self.source), ("owner", self.owner)) if v is not None}


def _text(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    return value.strip() or None if isinstance(value, str) else None


def parse_scope(params: Mapping[str, object], owners: Sequence[str]) -> tuple[CapaScope, tuple[str, ...]]:
    """The page's choices from URL (or callback) parameters; each unknown value is dropped with
    a sentence saying what is shown instead."""
    problems: list[str] = []

    def pick(key: str, allowed: Sequence[str], default: str | None, instead: str) -> str | None:
        value = _text(params, key)
        if value is None or value in allowed:
            return value or default
        problems.append(f"Unknown {key} '{value[:MAX_TEXT]}'; use one of {', '.join(allowed)}. Showing {instead}.")
        return default

    source = pick("source", SOURCES, None, "every source")
    owner = _text(params, "owner")
    if owner is not None and owner not in owners:
        problems.append(f"Unknown owner '{owner[:MAX_TEXT]}'; choose one from the owner bars. Showing every owner.")
        owner = None
    scope = CapaScope(
        source=source,
        owner=owner,
        status=pick("status", tuple(STATUSES), "all", "every CAPA active in the period") or "all",
        by=pick("by", tuple(BY), "plant", "open CAPAs by plant") or "plant",
        grain=pick("grain", GRAINS, "month", "months") or "month",
    )
    return scope, tuple(problems)


@dataclasses.dataclass(frozen=True)
class Card:
    """A headline number with the previous period and the list it opens (a status)."""

    name: str
    value_text: str
    detail: str
    status: str
    lists: str  # the list's status that shows the CAPAs behind the number ("" for none)


@dataclasses.dataclass(frozen=True)
class CapaView:
    """The /capa page's content; figures are JSON-native specs ready for ``dcc.Graph``."""

    filters: Filters
    scope: CapaScope
    cards: tuple[Card, ...]
    summary: str
    flow: dict
    ageing: dict
    breakdown: dict
    listed: int
    as_of: dt.datetime | None
    stale: str | None = None
    effects: CapaEffects | None = None  # the CAPAs closed in the period against their defect data


def _count(row: pd.Series, name: str) -> int:
    value = row.get(name)
    return 0 if value is None or pd.isna(value) else int(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def _target(kpis: pd.DataFrame) -> tuple[float | None, float | None, float | None]:
    row = kpis[kpis["kpi_id"] == KPI_ID] if "kpi_id" in kpis else kpis.iloc[0:0]
    if row.empty:
        return None, None, None

    def number(column: str) -> float | None:
        value = row[column].iloc[0] if column in row else None
        return None if value is None or pd.isna(value) else float(value)

    return number("target"), number("amber_threshold"), number("red_threshold")


def _cards(
    row: pd.Series, target: tuple[float | None, float | None, float | None], end: str, effects: CapaEffects | None = None
) -> tuple[Card, ...]:
    closed, on_time = _count(row, "closed"), _count(row, "closed_on_time")
    share = quality.percentage(on_time, closed)
    previous = quality.percentage(_count(row, "prev_closed_on_time"), _count(row, "prev_closed"))
    low, high = (float(v) / 10_000 for v in ppm_interval(on_time, closed)) if closed else (math.nan, math.nan)
    goal = f"target {target[0]:g} %" if target[0] is not None else "no target set"
    interval = f"; 95 % interval {low:.0f}–{high:.0f} %" if closed else ""
    mean_days = quality.ratio(row.get("days_to_close_sum"), closed)
    prev_days = quality.ratio(row.get("prev_days_to_close_sum"), _count(row, "prev_closed"))
    checked, effective = _count(row, "checked"), _count(row, "effective")
    opened, still_open, overdue = _count(row, "opened"), _count(row, "open_at_end"), _count(row, "overdue_at_end")
    return (
        Card(
            "Closed on time",
            _pct(share),
            f"{on_time:,} of {closed:,} closed by their due date{interval}; {goal}; previous period {_pct(previous)}",
            kpi_status(share, "higher", target[0], target[1], target[2]).key,
            "late",
        ),
        Card(f"Open on {end}", f"{still_open:,}", f"previous period {_count(row, 'prev_open_at_end'):,}", "no_target", "open"),
        Card(
            f"Overdue on {end}",
            f"{overdue:,}",
            f"previous period {_count(row, 'prev_overdue_at_end'):,}",
            "good" if overdue == 0 else "act",
            "overdue",
        ),
        Card("Opened", f"{opened:,}", f"previous period {_count(row, 'prev_opened'):,}", "no_target", ""),
        Card(
            "Mean days to close",
            "–" if mean_days is None else f"{mean_days:.0f}",
            "previous period " + ("–" if prev_days is None else f"{prev_days:.0f}"),
            "no_target",
            "closed",
        ),
        Card(
            "Verified effective",
            _pct(quality.percentage(effective, checked)),
            f"{effective:,} of {checked:,} checked; {closed - checked:,} closed awaiting the check"
            + (f"; by the defect data, {effects.fell:,} of {effects.judged:,} fell" if effects and effects.judged else ""),
            "no_target",
            "closed",
        ),
    )


def _summary(row: pd.Series, target: float | None, end: str) -> str:
    closed, on_time = _count(row, "closed"), _count(row, "closed_on_time")
    text = f"On {end}, {_count(row, 'open_at_end'):,} CAPAs were open and {_count(row, 'overdue_at_end'):,} overdue. "
    if not closed:
        return text + "None was closed in the period."
    text += f"{closed:,} were closed in the period, {on_time:,} on time ({_pct(quality.percentage(on_time, closed))}"
    return text + (f" against a target of {target:g} %)." if target is not None else ").")


def _labels(frame: pd.DataFrame, by: str, plants: pd.DataFrame) -> pd.DataFrame:
    if by == "plant":
        names = dict(zip(plants["plant_id"], plants["plant_name"], strict=True))
        return frame.assign(label=[f"{k} · {names.get(k, k)}" for k in frame["key"]])
    return frame.assign(label=[str(k).capitalize() if by == "source" else str(k) for k in frame["key"]])


def build_capa(filters: Filters, repo: Repository, scope: CapaScope, today: dt.date | None = None) -> CapaView:
    """The CAPA page for ``filters`` and ``scope`` (already parsed: see :func:`parse_scope`);
    with ``today``, also whether the CAPAs closed in the period worked (:mod:`.capa_effects`)."""
    narrow = scope.narrowing()
    requests = [
        DatasetRequest.of("capa_status", filters, **narrow),
        DatasetRequest.of("capa_flow", filters, grain=scope.grain, **narrow),
        DatasetRequest.of("capa_ageing", filters, **narrow),
        DatasetRequest.of("capa_breakdown", filters, by=BY[scope.by][0], **narrow),
        DatasetRequest.of("capa_record_count", filters, status=scope.status, **narrow),
        DatasetRequest.of("kpi_definitions"),
        DatasetRequest.of("plants"),
    ]
    if today is not None:
        requests.append(DatasetRequest.of("capa_effects", filters, today=today, **narrow))
    datasets = [dataset(r) for r in repo.fetch_many(requests)]
    status, flow, ageing, breakdown, count, kpis, plants = (d.frame for d in datasets[:7])
    row = status.iloc[0] if not status.empty else pd.Series(dtype=object)
    target = _target(kpis)
    end = f"{filters.end_date:%d %b %Y}"
    effects = capa_effects(datasets[7].frame, today) if today is not None else None
    return CapaView(
        filters=filters,
        scope=scope,
        cards=_cards(row, target, end, effects),
        summary=_summary(row, target[0], end),
        flow=figures.flow_spec(flow, target_pct=target[0], grain=scope.grain),
        ageing=figures.ageing_spec(ageing, AGE_BANDS, end_label=end),
        breakdown=figures.breakdown_spec(_labels(breakdown, scope.by, plants), what=BY[scope.by][1], end_label=end),
        listed=_count(count.iloc[0], "records") if not count.empty else 0,
        effects=effects,
        as_of=min(d.fetched_at for d in datasets),
        stale=next((d.problem for d in datasets if d.stale), None),
    )
