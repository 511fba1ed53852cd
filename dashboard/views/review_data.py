"""What the leadership review reads: one collector per subject, each reusing its page's view or
its datasets, so the review shows the same numbers and figures as the page a sentence links to.

A collector that fails leaves its field ``None`` and adds a problem sentence; the rest of the
review still builds. The narrative sources (:mod:`dashboard.views.review_narrative`) are pure
functions of :class:`ReviewData`, so they are tested on hand-made data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pandas as pd

from dashboard.datasets.interface import DatasetRequest, Repository
from dashboard.drill import DefectSlice
from dashboard.errors import DashboardError
from dashboard.filters import Filters
from dashboard.metrics import suppliers as supplier_metrics
from dashboard.store.interface import AppStore
from dashboard.views.cached import dataset
from dashboard.views.capa_effects import CapaEffects, capa_effects
from dashboard.views.defects import DefectsView, build_defects
from dashboard.views.okr import build_okr, current_quarter
from dashboard.views.process_control import CharacteristicRow, build_process_control
from dashboard.views.suppliers import build_scorecard

OKR_SETTLING_DAYS = 28  # a quarter's key results have too few check-ins for a forecast before this
NO_FORECAST = "no forecast"  # a forecast that becomes possible is not a change of status


@dataclasses.dataclass(frozen=True)
class OkrChange:
    """A key result whose status differs between ``since`` and the period's last day."""

    key_result_id: str
    title: str
    team: str
    quarter: str
    before: str
    after: str
    since: dt.date


@dataclasses.dataclass(frozen=True)
class ReviewData:
    """Everything the narrative and the sections are written from; ``None`` = not read."""

    filters: Filters
    defects: DefectsView | None = None
    pareto: pd.DataFrame | None = None  # defect_breakdown by code with both periods' keys (previous_keys=True)
    characteristics: tuple[CharacteristicRow, ...] | None = None
    scorecard: pd.DataFrame | None = None  # metrics.suppliers.scorecard
    funnel: dict | None = None
    complaints: pd.DataFrame | None = None  # key, label, complaints, prev_complaints
    capas: pd.DataFrame | None = None  # overdue_capas
    capa_effects: CapaEffects | None = None  # the CAPAs closed in the period against their defect data
    okr: tuple[OkrChange, ...] | None = None
    problems: tuple[tuple[str, str], ...] = ()  # (subject, message)
    as_of: dt.datetime | None = None


def _defects(filters: Filters, repo: Repository) -> dict:
    view = build_defects(filters, DefectSlice(), repo)
    pareto = repo.fetch("defect_breakdown", filters, slice=DefectSlice(), by="defect_code", previous_keys=True)
    return {"defects": view, "pareto": pareto.frame, "_as_of": [view.as_of, pareto.fetched_at]}


def _process(filters: Filters, repo: Repository) -> dict:
    view = build_process_control(filters, repo)
    if not view.rows and view.problems:
        raise DashboardError(" ".join(view.problems))
    return {"characteristics": view.rows}


def _suppliers(filters: Filters, repo: Repository) -> dict:
    requests = [
        DatasetRequest.of("supplier_lots_summary", filters, commodity=None),
        DatasetRequest.of("supplier_scar_summary", filters, commodity=None),
        DatasetRequest.of("supplier_latest_audit", filters, commodity=None),
    ]
    lots, scars, audits = (dataset(r) for r in repo.fetch_many(requests))
    names = repo.fetch("suppliers")
    card = supplier_metrics.scorecard(lots.frame, scars.frame, audits.frame, names.frame)
    view = build_scorecard(filters, repo)
    return {"scorecard": card, "funnel": view.funnel, "_as_of": [lots.fetched_at, view.as_of]}


def _complaints(filters: Filters, repo: Repository) -> dict:
    result = repo.fetch("complaints_by_code", filters, channel=None, region=None, product_id=None)
    return {"complaints": result.frame, "_as_of": [result.fetched_at]}


def _capas(filters: Filters, repo: Repository) -> dict:
    overdue, effects = (
        dataset(r)
        for r in repo.fetch_many(
            [DatasetRequest.of("overdue_capas", filters), DatasetRequest.of("capa_effects", filters, today=filters.end_date)]
        )
    )
    # As the period's last day saw them: a CAPA closed in its last four weeks is too soon to judge.
    return {
        "capas": overdue.frame,
        "capa_effects": capa_effects(effects.frame, filters.end_date),
        "_as_of": [overdue.fetched_at, effects.fetched_at],
    }


def okr_changes(filters: Filters, repo: Repository, store: AppStore) -> tuple[tuple[OkrChange, ...], tuple[str, ...]]:
    """Key results of the quarter holding the period's last day whose status changed between
    ``since`` (the period's start, or four weeks into the quarter when that is later: before
    then a key result has too few values for a forecast) and the last day; and what the OKR
    view could not read (e.g. the app store's check-ins), which it works without."""
    quarter = current_quarter(filters.end_date)
    first_month = 3 * (int(quarter[-1]) - 1) + 1
    quarter_start = dt.date(filters.end_date.year, first_month, 1)
    since = max(filters.start_date, quarter_start + dt.timedelta(days=OKR_SETTLING_DAYS))
    if since >= filters.end_date:
        return (), ()
    now = build_okr(quarter, None, repo, store, filters.end_date)
    if now.quarter != quarter:
        return (), ()
    before = build_okr(quarter, None, repo, store, since)
    earlier = {kr.key_result_id: kr.status for o in before.objectives for kr in o.key_results}
    changes = []
    for objective in now.objectives:
        for kr in objective.key_results:
            was = earlier.get(kr.key_result_id)
            if was is not None and was != kr.status and NO_FORECAST not in (was, kr.status):
                changes.append(OkrChange(kr.key_result_id, kr.title, kr.team, quarter, was, kr.status, since))
    return tuple(changes), now.problems


COLLECTORS: tuple[tuple[str, Callable[[Filters, Repository], dict]], ...] = (
    ("Defects", _defects),
    ("Process control", _process),
    ("Suppliers", _suppliers),
    ("Complaints", _complaints),
    ("CAPA", _capas),
)


def collect(filters: Filters, repo: Repository, store: AppStore | None = None) -> ReviewData:
    """Run every collector for ``filters``; a failing one becomes a problem, not an error.
    Key results are read only with an app store (their check-ins live partly there)."""
    found: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    times: list[dt.datetime] = []
    for subject, collector in COLLECTORS:
        try:
            parts = collector(filters, repo)
        except DashboardError as error:
            problems.append((subject, str(error)))
            continue
        times += [t for t in parts.pop("_as_of", []) if t is not None]
        found.update(parts)
    if store is not None:
        try:
            found["okr"], okr_problems = okr_changes(filters, repo, store)
            problems += [("OKR", problem) for problem in okr_problems]
        except DashboardError as error:
            problems.append(("OKR", str(error)))
    return ReviewData(filters=filters, problems=tuple(problems), as_of=min(times) if times else None, **found)
