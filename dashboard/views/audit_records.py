"""The findings listed below the audit charts: what narrows the list (severity, audit type,
ISO clause, status), checked against allow-lists, and the rows themselves, one page at a time
for the grid or every row for an export (streamed). Sorting and paging happen in SQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pandas as pd

from dashboard.datasets.interface import Repository, RowStream
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.views.records import MAX_PAGE, RecordPage, capa_link, grid_sort, json_cell

SEVERITIES = ("observation", "minor", "major")
AUDIT_TYPES = ("internal", "customer", "certification")
STATUSES = {
    "open": "the findings open at the end of the period",
    "raised": "the findings raised in the period",
    "closed": "the findings closed in the period",
    "all": "every finding open at some time in the period",
}
DEFAULT_STATUS = "open"
# column: header. The order is the export's and the grid's.
RECORD_COLUMNS: dict[str, str] = {
    "finding_id": "Finding",
    "plant_id": "Plant",
    "audit_date": "Audit date",
    "audit_type": "Audit type",
    "iso_clause": "Clause",
    "finding_severity": "Severity",
    "status": "Status at period end",
    "closed_date": "Closed",
    "days_open": "Days open",
    "capa_id": "CAPA",
}
DEFAULT_SORT = "audit_date"
MAX_SHOWN = 40


@dataclasses.dataclass(frozen=True)
class AuditSelection:
    """What narrows the findings list beyond the period and plant. ``None`` means all."""

    severity: str | None = None
    audit_type: str | None = None
    clause: str | None = None
    status: str = DEFAULT_STATUS

    def to_query(self) -> dict[str, str]:
        """URL parameters that reproduce this selection (the default status left out)."""
        query = {"severity": self.severity, "type": self.audit_type, "clause": self.clause}
        if self.status != DEFAULT_STATUS:
            query["status"] = self.status
        return {key: value for key, value in query.items() if value}

    def params(self) -> dict[str, str | None]:
        """The dataset parameters of this selection."""
        return {"severity": self.severity, "audit_type": self.audit_type, "clause": self.clause, "status": self.status}


@dataclasses.dataclass(frozen=True)
class ParsedSelection:
    """The selection that will be used and what was wrong with the input."""

    selection: AuditSelection
    problems: tuple[str, ...] = ()


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    printable = "".join(ch if ch.isprintable() else "?" for ch in text)
    return printable[:MAX_SHOWN] + ("…" if len(printable) > MAX_SHOWN else "")


def _listed(values: Sequence[str], most: int = 15) -> str:
    return ", ".join(values[:most]) + (", …" if len(values) > most else "")


def clause_key(clause: str) -> tuple:
    """Sort key that puts 4.4 before 10.2 and 8.5.1 before 8.5.2."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in clause.split("."))


def clauses_of(frame: pd.DataFrame) -> tuple[str, ...]:
    """The ``audit_clauses`` dataset as a tuple in clause order."""
    return tuple(sorted((str(c) for c in frame["iso_clause"].dropna().tolist()), key=clause_key))


def load_clauses(repo: Repository) -> tuple[str, ...]:
    """Every ISO clause with a finding, in clause order (the allow-list of ``clause``)."""
    return clauses_of(repo.fetch("audit_clauses").frame)


def parse_selection(params: Mapping[str, object], clauses: Sequence[str]) -> ParsedSelection:
    """``severity``, ``type``, ``clause`` and ``status`` from URL or callback parameters. An
    unknown value is dropped with a message, so the page shows the nearest valid list."""
    problems: list[str] = []

    def choose(key: str, what: str, allowed: Sequence[str], instead: str) -> str | None:
        value = params.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip() in allowed:
            return value.strip()
        problems.append(f"Unknown {what} '{_shown(value)}'; use one of {_listed(allowed)}. Showing {instead}.")
        return None

    severity = choose("severity", "severity", SEVERITIES, "every severity")
    audit_type = choose("type", "audit type", AUDIT_TYPES, "every audit type")
    clause = choose("clause", "clause", clauses, "every clause") if clauses else None
    if not clauses and params.get("clause"):
        problems.append(f"Unknown clause '{_shown(params['clause'])}': there are no findings yet. Showing every clause.")
    status = choose("status", "status", tuple(STATUSES), STATUSES[DEFAULT_STATUS]) or DEFAULT_STATUS
    return ParsedSelection(AuditSelection(severity, audit_type, clause, status), tuple(problems))


def sort_of(model: object) -> tuple[str, bool]:
    """The grid's sort model as an allowed column and direction; the newest audits first when none is set."""
    return grid_sort(model, RECORD_COLUMNS, DEFAULT_SORT, "findings")


def record_count(filters: Filters, selection: AuditSelection, repo: Repository) -> int:
    """How many findings the list holds."""
    total = repo.fetch("audit_record_count", filters, **selection.params()).frame
    return int(total["findings"].iloc[0] or 0) if not total.empty else 0


def record_page(
    filters: Filters, selection: AuditSelection, repo: Repository, *, sort: str, descending: bool, offset: int, limit: int
) -> RecordPage:
    """One page of findings and the total count, for the grid's server-side row model."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidFilter(f"A page holds 1 to {MAX_PAGE} findings.")
    rows = repo.fetch(
        "audit_records", filters, **selection.params(), sort=sort, descending=descending, offset=offset, limit=limit
    ).frame
    query = filters.to_query()
    records = [
        {**{k: json_cell(v) for k, v in row.items()}, "capa_link": capa_link(row.get("capa_id"), query)}
        for row in rows.to_dict("records")
    ]
    return RecordPage(records, record_count(filters, selection, repo))


def export_stream(filters: Filters, selection: AuditSelection, repo: Repository, *, sort: str, descending: bool) -> RowStream:
    """Every finding of the list, in the grid's order, read in chunks."""
    return repo.stream("audit_export", filters, **selection.params(), sort=sort, descending=descending)


def export_name(filters: Filters, selection: AuditSelection) -> str:
    """A file name that says what is in it: ``audit-findings_2025-11-24_2026-11-23_P02_major_open.csv``."""
    parts = ["audit-findings", filters.start_date.isoformat(), filters.end_date.isoformat()]
    parts += [v for v in (filters.plant_id, selection.severity, selection.audit_type, selection.clause, selection.status) if v]
    safe = "_".join("".join(ch if ch.isalnum() or ch in "-." else "-" for ch in part) for part in parts)
    return f"{safe}.csv"
