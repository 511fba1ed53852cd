"""Downloads: ``/defects/export.csv`` and ``/defects/export.xlsx`` (the records behind the
defects page) and ``/suppliers/<id>/scorecard.pdf`` (a printable one-page supplier scorecard).

The URL takes the page's own parameters (period, plant, line, product, code, category,
severity) plus ``sort`` and ``desc``, so the file holds exactly the rows the grid shows. CSV
is streamed from a server-side cursor; Excel is written row by row to a temporary file in
constant memory and then sent. A bad parameter gets a 400 with a sentence, never a partial file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from flask import Flask, Response, request, send_file
from werkzeug.datastructures import MultiDict

from dashboard.drill import parse_slice
from dashboard.errors import DashboardError, InvalidFilter
from dashboard.pages._shared import page_filters
from dashboard.state import get_state
from dashboard.views.defect_records import RECORD_COLUMNS, export_name, export_stream, record_count, sort_of
from dashboard.views.defects import load_dimensions
from dashboard.views.export import EXCEL_MAX_ROWS, csv_chunks, write_xlsx
from dashboard.views.suppliers import build_supplier

log = logging.getLogger(__name__)


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _request_scope(args: MultiDict) -> tuple:
    params = args.to_dict(flat=True)
    page = page_filters(params)
    repo = get_state().repository
    parsed = parse_slice(params, load_dimensions(repo), page.parsed.filters.plant_id)
    problems = page.parsed.problems + parsed.problems
    sort = params.get("sort") or "defect_date"
    descending = params.get("desc", "1") != "0"
    sort, descending = sort_of([{"colId": sort, "sort": "desc" if descending else "asc"}])
    return page.parsed.filters, parsed.slice, sort, descending, problems, repo


def install_exports(server: Flask) -> None:
    """Register the export routes on ``server``."""

    @server.get("/defects/export.csv")
    def export_csv() -> Response:
        try:
            filters, slice_, sort, descending, problems, repo = _request_scope(request.args)
            if problems:
                return _plain("Nothing exported: " + " ".join(problems), 400)
            stream = export_stream(filters, slice_, repo, sort=sort, descending=descending)
        except DashboardError as error:
            log.warning("CSV export refused: %s", error)
            return _plain(f"Nothing exported: {error}", 400 if isinstance(error, InvalidFilter) else 503)
        response = Response(csv_chunks(stream, list(RECORD_COLUMNS.values())), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{export_name(filters, slice_, "csv")}"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.get("/suppliers/<supplier_id>/scorecard.pdf")
    def supplier_pdf(supplier_id: str) -> Response:
        from dashboard.figures.supplier_pdf import scorecard_pdf

        page = page_filters(request.args.to_dict(flat=True))
        if page.parsed.problems:
            return _plain("No scorecard: " + " ".join(page.parsed.problems), 400)
        try:
            view = build_supplier(page.parsed.filters, get_state().repository, supplier_id[:16])
            body = scorecard_pdf(view.card)
        except DashboardError as error:
            log.warning("Supplier scorecard refused: %s", error)
            return _plain(f"No scorecard: {error}", 400 if isinstance(error, InvalidFilter) else 503)
        filters = page.parsed.filters
        name = f"scorecard_{view.supplier_id}_{filters.start_date.isoformat()}_{filters.end_date.isoformat()}.pdf"
        name = "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in name)
        response = Response(body, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.get("/defects/export.xlsx")
    def export_xlsx() -> Response:
        try:
            filters, slice_, sort, descending, problems, repo = _request_scope(request.args)
            if problems:
                return _plain("Nothing exported: " + " ".join(problems), 400)
            rows = record_count(filters, slice_, repo)
            if rows > EXCEL_MAX_ROWS:
                return _plain(
                    f"Nothing exported: {rows:,} records do not fit in one Excel sheet ({EXCEL_MAX_ROWS:,} rows); "
                    "export CSV, or narrow the filters.",
                    400,
                )
            stream = export_stream(filters, slice_, repo, sort=sort, descending=descending)
        except DashboardError as error:
            log.warning("Excel export refused: %s", error)
            return _plain(f"Nothing exported: {error}", 400 if isinstance(error, InvalidFilter) else 503)
        handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="defects-")
        os.close(handle)
        path = Path(name)
        try:
            write_xlsx(stream, list(RECORD_COLUMNS.values()), path, sheet="Defect records")
            response = send_file(
                path,
                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                as_attachment=True,
                download_name=export_name(filters, slice_, "xlsx"),
                max_age=0,
            )
        except Exception:
            path.unlink(missing_ok=True)
            log.exception("Excel export failed")
            return _plain("Nothing exported: the Excel file could not be written; try CSV.", 500)
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        response.headers["Cache-Control"] = "no-store"
        return response
