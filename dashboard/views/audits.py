"""Audit findings (/audits): the open backlog at the end of the period, findings raised and
closed in it, where they arise (ISO clause × severity), and the list behind every number.

The period and plant scope the numbers and charts; severity, audit type, clause and status
narrow only the list below them (see ``audit_records``), so the open majors shown here always
equal the overview's "Open major audit findings" tile for the same period and plant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from dashboard.datasets.interface import DatasetRequest, Repository
from dashboard.figures import audits as figures
from dashboard.filters import Filters
from dashboard.views.audit_records import SEVERITIES, AuditSelection, clauses_of, parse_selection, record_count
from dashboard.views.cached import dataset

CHART_HEIGHT = 270  # the backlog and the trend, one above the other beside the (taller) clauses


@dataclasses.dataclass(frozen=True)
class Headline:
    """One number at the top of the page, and the list it opens (None: no list of its own)."""

    key: str
    name: str
    value_text: str
    detail: str
    selection: AuditSelection | None = None


@dataclasses.dataclass(frozen=True)
class AuditsView:
    """The /audits page."""

    filters: Filters
    selection: AuditSelection
    grain: str
    open_findings: int
    open_majors: int
    raised: Mapping[str, int]
    closed: int
    mean_days_to_close: float | None
    capa_share: float | None
    headlines: tuple[Headline, ...]
    by_clause: go.Figure
    trend: go.Figure
    backlog: go.Figure
    clauses: tuple[str, ...]
    list_title: str
    record_count: int
    note: str | None
    as_of: dt.datetime | None
    problems: tuple[str, ...] = ()
    stale: str | None = None


def grain_for(filters: Filters) -> str:
    """Weeks up to about a quarter, months up to two years, quarters beyond."""
    if filters.days <= 92:
        return "week"
    return "month" if filters.days <= 731 else "quarter"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _by_severity(counts: Mapping[str, int]) -> str:
    """'2 major · 1 minor · 3 observations', most severe first."""
    order = [*reversed(SEVERITIES), *sorted(set(counts) - set(SEVERITIES))]
    parts = [f"{counts[s]:,} {s}{'s' if s == 'observation' and counts[s] != 1 else ''}" for s in order if counts.get(s)]
    return " · ".join(parts) or "none"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def list_title(filters: Filters, selection: AuditSelection, count: int) -> str:
    """'Open on 23 Nov 2026 · major · clause 8.5.1: 3 findings'."""
    status = {
        "open": f"Open on {_day(filters.end_date)}",
        "raised": "Raised in the period",
        "closed": "Closed in the period",
        "all": "Open at some time in the period",
    }[selection.status]
    parts = [selection.severity, selection.audit_type and f"{selection.audit_type} audits"]
    parts.append(selection.clause and f"clause {selection.clause}")
    return " · ".join([status, *(p for p in parts if p)]) + f": {_plural(count, 'finding')}"


def _numbers(summary: pd.DataFrame) -> dict[str, dict[str, int | None]]:
    """The summary's rows by severity (a few aggregate rows, one per severity)."""
    rows: dict[str, dict[str, int | None]] = {}
    for record in summary.to_dict("records"):
        severity = str(record.pop("finding_severity"))
        rows[severity] = {k: None if pd.isna(v) else int(v) for k, v in record.items()}
    return rows


def _headlines(filters: Filters, rows: dict[str, dict[str, int | None]]) -> tuple[tuple[Headline, ...], dict]:
    def column(name: str) -> dict[str, int]:
        return {severity: int(row[name] or 0) for severity, row in rows.items()}

    open_at_end, raised, closed = column("open_at_end"), column("raised"), column("closed")
    open_total, closed_total = sum(open_at_end.values()), sum(closed.values())
    days = sum(column("days_to_close_sum").values())
    mean_days = days / closed_total if closed_total else None
    serious = [s for s in ("major", "minor") if s in rows]
    serious_raised = sum(raised[s] for s in serious)
    with_capa = column("raised_with_capa")
    share = sum(with_capa[s] for s in serious) / serious_raised if serious_raised else None
    majors = open_at_end.get("major", 0)
    oldest = rows.get("major", {}).get("oldest_open_days")
    capa_detail = (
        f"{sum(with_capa[s] for s in serious):,} of {serious_raised:,} raised in the period"
        + (f" (majors {with_capa['major']:,} of {raised['major']:,})" if raised.get("major") else "")
        if serious_raised
        else "No major or minor finding was raised in the period"
    )
    headlines = (
        Headline("open", f"Open on {_day(filters.end_date)}", f"{open_total:,}", _by_severity(open_at_end), AuditSelection()),
        Headline(
            "open-majors",
            "Open major findings",
            f"{majors:,}",
            f"Oldest raised {_plural(oldest, 'day')} before the period's end" if majors and oldest is not None else "None open",
            AuditSelection(severity="major"),
        ),
        Headline(
            "raised",
            "Raised in the period",
            f"{sum(raised.values()):,}",
            _by_severity(raised),
            AuditSelection(status="raised"),
        ),
        Headline("closed", "Closed in the period", f"{closed_total:,}", _by_severity(closed), AuditSelection(status="closed")),
        Headline(
            "days-to-close",
            "Mean days to close",
            f"{mean_days:,.0f}" if mean_days is not None else "–",
            f"Of the {_plural(closed_total, 'finding')} closed in the period" if closed_total else "None closed in the period",
        ),
        Headline(
            "capa",
            "Majors and minors with a CAPA",
            f"{100 * share:.0f} %" if share is not None else "–",
            capa_detail,
        ),
    )
    numbers = {
        "open_findings": open_total,
        "open_majors": majors,
        "raised": raised,
        "closed": closed_total,
        "mean_days_to_close": mean_days,
        "capa_share": share,
    }
    return headlines, numbers


def build_audits(
    filters: Filters,
    repo: Repository,
    *,
    severity: object = None,
    audit_type: object = None,
    clause: object = None,
    status: object = None,
) -> AuditsView:
    """The page for ``filters`` (period and plant); ``severity``, ``audit_type``, ``clause`` and
    ``status`` (unchecked, from the URL) narrow the list and come back checked, with a message
    for each one that was dropped."""
    grain = grain_for(filters)
    results = repo.fetch_many(
        [
            DatasetRequest.of("audit_clauses"),
            DatasetRequest.of("audit_summary", filters),
            DatasetRequest.of("audit_by_clause", filters),
            DatasetRequest.of("audit_trend", filters, grain=grain),
            DatasetRequest.of("audit_backlog", filters),
        ]
    )
    datasets = [dataset(r) for r in results]
    clause_list, summary, by_clause, trend, backlog = (d.frame for d in datasets)
    clauses = clauses_of(clause_list)
    params = {"severity": severity, "type": audit_type, "clause": clause, "status": status}
    parsed = parse_selection(params, clauses)
    selection = parsed.selection
    count = record_count(filters, selection, repo)
    rows = _numbers(summary)
    headlines, numbers = _headlines(filters, rows)
    nothing = not any(any(v for k, v in row.items() if k != "oldest_open_days") for row in rows.values())
    return AuditsView(
        filters=filters,
        selection=selection,
        grain=grain,
        headlines=headlines,
        by_clause=figures.clause_figure(by_clause, selected=selection.clause, min_height=2 * CHART_HEIGHT),
        trend=figures.trend_figure(trend, start=filters.start_date, end=filters.end_date, grain=grain, height=CHART_HEIGHT),
        backlog=figures.backlog_figure(backlog, end=filters.end_date, height=CHART_HEIGHT),
        clauses=clauses,
        list_title=list_title(filters, selection, count),
        record_count=count,
        note="No audit finding was raised, closed or open in this period; choose a longer period or another plant."
        if nothing
        else None,
        as_of=min(d.fetched_at for d in datasets),
        problems=parsed.problems,
        stale=next((d.problem for d in datasets if d.stale), None),
        **numbers,
    )
