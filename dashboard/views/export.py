"""Exports of record tables as CSV (streamed) and Excel (written to a temporary file in
constant memory), row by row from a :class:`RowStream`, never a whole table in memory.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) are prefixed with an apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from dashboard.datasets.interface import RowStream

EXCEL_MAX_ROWS = 1_048_575  # 1,048,576 rows per sheet, one of them the header
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(stream: RowStream, headers: Sequence[str]) -> Iterator[str]:
    """The CSV text of ``stream``, one chunk of rows at a time, with a UTF-8 byte-order mark
    so spreadsheet programs read accents correctly. Closes the stream at the end."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    try:
        writer.writerow(headers)
        yield "\ufeff" + buffer.getvalue()
        for chunk in stream.chunks:
            buffer.seek(0)
            buffer.truncate()
            writer.writerows([[_safe(value) for value in row] for row in chunk])
            yield buffer.getvalue()
    finally:
        stream.close()


def write_xlsx(stream: RowStream, headers: Sequence[str], path: Path, *, sheet: str = "Records") -> int:
    """Write ``stream`` to an Excel workbook at ``path`` (row by row, constant memory).

    Returns the number of data rows. Raises ValueError before writing when there are more
    rows than a sheet holds (the caller checks the count first; this is the backstop).
    """
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    try:
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
        worksheet.write_row(0, 0, list(headers), bold)
        worksheet.freeze_panes(1, 0)
        row_number = 0
        for chunk in stream.chunks:
            for row in chunk:
                row_number += 1
                if row_number > EXCEL_MAX_ROWS:
                    raise ValueError(f"More than {EXCEL_MAX_ROWS:,} rows do not fit in one Excel sheet; export CSV instead.")
                for column, value in enumerate(row):
                    if isinstance(value, dt.date):
                        worksheet.write_datetime(row_number, column, value, dates)
                    elif isinstance(value, str):
                        worksheet.write_string(row_number, column, value)
                    else:
                        worksheet.write(row_number, column, value)
        return row_number
    finally:
        stream.close()
        workbook.close()
