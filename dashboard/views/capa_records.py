"""The CAPAs behind the CAPA page's numbers: one page at a time for the grid, or every row for an
export (streamed). Sorting and paging happen in SQL."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from dashboard.datasets.interface import Repository, RowStream
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.views.capa import CapaScope
from dashboard.views.records import MAX_PAGE, RecordPage, capa_link, grid_sort, json_cell

# column: header. The order is the export's and the grid's.
RECORD_COLUMNS: dict[str, str] = {
    "capa_id": "CAPA",
    "status": "Status",
    "days_late": "Days past due",
    "plant_id": "Plant",
    "line_id": "Line",
    "defect_code": "Code",
    "capa_source": "Source",
    "title": "Problem",
    "owner": "Owner",
    "opened_date": "Opened",
    "due_date": "Due",
    "closed_date": "Closed",
    "days_open": "Days open",
    "effective": "Effective",
}
DEFAULT_SORT = "days_late"
EFFECTIVE = {True: "Yes", False: "No"}  # SQLite gives 1 and 0, which equal these keys
CODE = re.compile(r"[A-Za-z0-9_.\-]{1,32}")


def sort_of(model: object) -> tuple[str, bool]:
    """The grid's sort model as an allowed column and direction; the most overdue first when none is set."""
    return grid_sort(model, RECORD_COLUMNS, DEFAULT_SORT, "CAPAs")


def defects_link(filters: Filters, row: dict[str, Any]) -> str:
    """A markdown link to the defects page narrowed to the CAPA's line and code, for the period
    ("" when the CAPA names neither or a code is not a plain code)."""
    line, code = row.get("line_id"), row.get("defect_code")
    params = {**filters.to_query(), "plant": row.get("plant_id")}
    for key, value in (("line", line), ("code", code)):
        if value is not None:
            if not isinstance(value, str) or not CODE.fullmatch(value):
                return ""
            params[key] = value
    if (line is None and code is None) or not isinstance(params["plant"], str) or not CODE.fullmatch(params["plant"]):
        return ""
    text = " on ".join(v for v in (code, line) if v)
    return f"[{text}](/defects?{urlencode(params)})"


def _row(filters: Filters, row: dict[str, Any]) -> dict[str, Any]:
    cells = {k: json_cell(v) for k, v in row.items()}
    cells["effective"] = EFFECTIVE.get(row.get("effective"), "")
    cells["defects"] = defects_link(filters, row)
    cells["capa_link"] = capa_link(row.get("capa_id"), filters.to_query())
    return cells


def capa_record_page(
    filters: Filters, scope: CapaScope, repo: Repository, *, sort: str, descending: bool, offset: int, limit: int
) -> RecordPage:
    """One page of the listed CAPAs and their total, for the grid's server-side row model."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidFilter(f"A page holds 1 to {MAX_PAGE} CAPAs.")
    listing = {"status": scope.status, **scope.narrowing()}
    rows = repo.fetch("capa_records", filters, sort=sort, descending=descending, offset=offset, limit=limit, **listing).frame
    total = repo.fetch("capa_record_count", filters, **listing).frame
    count = int(total["records"].iloc[0] or 0) if not total.empty else 0
    return RecordPage([_row(filters, row) for row in rows.to_dict("records")], count)


def capa_export_stream(filters: Filters, scope: CapaScope, repo: Repository, *, sort: str, descending: bool) -> RowStream:
    """Every listed CAPA, in the grid's order, read in chunks."""
    return repo.stream("capa_export", filters, status=scope.status, sort=sort, descending=descending, **scope.narrowing())


def capa_export_name(filters: Filters, scope: CapaScope) -> str:
    """A file name that says what is in it: ``capa_2026-08-26_2026-11-24_P02_overdue.csv``."""
    parts = ["capa", filters.start_date.isoformat(), filters.end_date.isoformat()]
    parts += [v for v in (filters.plant_id, scope.source, scope.owner, scope.status if scope.status != "all" else None) if v]
    safe = "_".join("".join(ch if ch.isalnum() or ch in "-." else "-" for ch in part) for part in parts)
    return f"{safe}.csv"
