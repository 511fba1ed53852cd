"""The records behind the defect numbers: one page at a time for the grid, or every row for an
export (streamed). Sorting and paging happen in SQL."""

from __future__ import annotations

import dataclasses

from dashboard.datasets.interface import Repository, RowStream
from dashboard.drill import DefectSlice
from dashboard.errors import InvalidFilter
from dashboard.filters import Filters
from dashboard.views.records import MAX_PAGE, RecordPage, grid_sort, json_cell

# column: header. The order is the export's and the grid's.
RECORD_COLUMNS: dict[str, str] = {
    "defect_id": "Record",
    "defect_date": "Date",
    "plant_id": "Plant",
    "line_id": "Line",
    "product_id": "Product",
    "defect_code": "Code",
    "defect_description": "Defect",
    "category_6m": "6M category",
    "severity": "Severity",
    "defect_count": "Defects",
    "cost_eur": "Cost (EUR)",
    "detection_stage": "Found at",
}
DEFAULT_SORT = "defect_date"


def sort_of(model: object) -> tuple[str, bool]:
    """The grid's sort model as an allowed column and direction; the newest records first when none is set."""
    return grid_sort(model, RECORD_COLUMNS, DEFAULT_SORT, "records")


def record_page(
    filters: Filters, slice_: DefectSlice, repo: Repository, *, sort: str, descending: bool, offset: int, limit: int
) -> RecordPage:
    """One page of records and the total count, for the grid's server-side row model."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidFilter(f"A page holds 1 to {MAX_PAGE} records.")
    rows = repo.fetch("defect_records", filters, slice=slice_, sort=sort, descending=descending, offset=offset, limit=limit).frame
    total = repo.fetch("defect_record_count", filters, slice=slice_).frame
    count = int(total["records"].iloc[0]) if not total.empty and total["records"].iloc[0] is not None else 0
    records = [{k: json_cell(v) for k, v in row.items()} for row in rows.to_dict("records")]
    return RecordPage(records, count)


def record_count(filters: Filters, slice_: DefectSlice, repo: Repository) -> int:
    """How many records an export would hold."""
    total = repo.fetch("defect_record_count", filters, slice=slice_).frame
    return int(total["records"].iloc[0] or 0) if not total.empty else 0


def export_stream(filters: Filters, slice_: DefectSlice, repo: Repository, *, sort: str, descending: bool) -> RowStream:
    """Every record of the slice, in the grid's order, read in chunks."""
    return repo.stream("defect_export", filters, slice=slice_, sort=sort, descending=descending)


def export_name(filters: Filters, slice_: DefectSlice, extension: str) -> str:
    """A file name that says what is in it: ``defects_2026-08-26_2026-11-23_P02-L03_D08.csv``."""
    parts = ["defects", filters.start_date.isoformat(), filters.end_date.isoformat()]
    parts += [v for v in (filters.plant_id, *dataclasses.astuple(slice_)) if v]
    safe = "_".join("".join(ch if ch.isalnum() or ch in "-." else "-" for ch in part) for part in parts)
    return f"{safe}.{extension}"
