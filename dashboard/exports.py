"""Downloads: ``/defects/export.csv`` and ``/defects/export.xlsx`` (the records behind the
defects page), ``/capa/export.csv`` and ``/audits/export.csv`` (the CAPAs and audit findings
those pages list) and ``/suppliers/<id>/scorecard.pdf`` (a printable one-page supplier scorecard).

The URL takes the page's own parameters (the period and plant, and the page's own: line,
product, code, category, severity on the defects page, and so on) plus ``sort`` and ``desc``,
so the file holds exactly the rows the grid shows. CSV
is streamed from a server-side cursor; Excel is written row by row to a temporary file in
constant memory and then sent. A bad parameter gets a 400 with a sentence, never a partial file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response, request, send_file

from dashboard.datasets.interface import RowStream
from dashboard.drill import parse_slice
from dashboard.errors import DashboardError, InvalidFilter
from dashboard.pages._shared import page_filters
from dashboard.state import get_state
from dashboard.views.audit_records import RECORD_COLUMNS as AUDIT_COLUMNS
from dashboard.views.audit_records import export_name as audit_export_name
from dashboard.views.audit_records import export_stream as audit_export_stream
from dashboard.views.audit_records import load_clauses, parse_selection
from dashboard.views.audit_records import sort_of as audit_sort_of
from dashboard.views.capa import parse_scope
from dashboard.views.capa_records import RECORD_COLUMNS as CAPA_COLUMNS
from dashboard.views.capa_records import capa_export_name, capa_export_stream
from dashboard.views.capa_records import sort_of as capa_sort_of
from dashboard.views.defect_records import RECORD_COLUMNS, export_name, export_stream, record_count, sort_of
from dashboard.views.defects import load_dimensions
from dashboard.views.export import EXCEL_MAX_ROWS, csv_chunks, write_xlsx
from dashboard.views.suppliers import build_supplier

log = logging.getLogger(__name__)
Opened = tuple[RowStream, list[str], str]  # the rows, their headers, the file name


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _refused(what: str, error: DashboardError) -> Response:
    log.warning("%s export refused: %s", what, error)
    return _plain(f"Nothing exported: {error}", 400 if isinstance(error, InvalidFilter) else 503)


def _checked(problems: tuple[str, ...]) -> None:
    """A rejected URL value refuses the export: a file must hold exactly what its page shows."""
    if problems:
        raise InvalidFilter(" ".join(problems))


def _sort(params: dict[str, str], sort_of: Callable[[object], tuple[str, bool]], default: str) -> tuple[str, bool]:
    direction = "desc" if params.get("desc", "1") != "0" else "asc"
    return sort_of([{"colId": params.get("sort") or default, "sort": direction}])


def _csv(what: str, open_rows: Callable[[dict[str, str]], Opened]) -> Response:
    """The rows ``open_rows`` reads for the request's parameters, streamed as CSV; a bad
    parameter or an unreachable database gets a sentence and no file."""
    try:
        stream, headers, name = open_rows(request.args.to_dict(flat=True))
    except DashboardError as error:
        return _refused(what, error)
    response = Response(csv_chunks(stream, headers), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _defect_scope(params: dict[str, str]) -> tuple:
    page = page_filters(params)
    repo = get_state().repository
    parsed = parse_slice(params, load_dimensions(repo), page.parsed.filters.plant_id)
    _checked(page.parsed.problems + parsed.problems)
    sort, descending = _sort(params, sort_of, "defect_date")
    return page.parsed.filters, parsed.slice, sort, descending, repo


def _defect_rows(params: dict[str, str]) -> Opened:
    filters, slice_, sort, descending, repo = _defect_scope(params)
    stream = export_stream(filters, slice_, repo, sort=sort, descending=descending)
    return stream, list(RECORD_COLUMNS.values()), export_name(filters, slice_, "csv")


def _capa_rows(params: dict[str, str]) -> Opened:
    page = page_filters(params)
    repo = get_state().repository
    scope, problems = parse_scope(params, tuple(repo.fetch("capa_owners").frame["owner"].astype(str)))
    _checked(page.parsed.problems + problems)
    sort, descending = _sort(params, capa_sort_of, "days_late")
    stream = capa_export_stream(page.parsed.filters, scope, repo, sort=sort, descending=descending)
    return stream, list(CAPA_COLUMNS.values()), capa_export_name(page.parsed.filters, scope)


def _audit_rows(params: dict[str, str]) -> Opened:
    page = page_filters(params)
    repo = get_state().repository
    parsed = parse_selection(params, load_clauses(repo))
    _checked(page.parsed.problems + parsed.problems)
    sort, descending = _sort(params, audit_sort_of, "audit_date")
    filters, selection = page.parsed.filters, parsed.selection
    stream = audit_export_stream(filters, selection, repo, sort=sort, descending=descending)
    return stream, list(AUDIT_COLUMNS.values()), audit_export_name(filters, selection)


def install_exports(server: Flask) -> None:
    """Register the export routes on ``server``."""

    server.add_url_rule("/defects/export.csv", "export_csv", lambda: _csv("CSV", _defect_rows))
    server.add_url_rule("/capa/export.csv", "export_capa_csv", lambda: _csv("CAPA", _capa_rows))
    server.add_url_rule("/audits/export.csv", "export_audit_csv", lambda: _csv("Audit findings", _audit_rows))

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
            filters, slice_, sort, descending, repo = _defect_scope(request.args.to_dict(flat=True))
            rows = record_count(filters, slice_, repo)
            if rows > EXCEL_MAX_ROWS:
                return _plain(
                    f"Nothing exported: {rows:,} records do not fit in one Excel sheet ({EXCEL_MAX_ROWS:,} rows); "
                    "export CSV, or narrow the filters.",
                    400,
                )
            stream = export_stream(filters, slice_, repo, sort=sort, descending=descending)
        except DashboardError as error:
            return _refused("Excel", error)
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
