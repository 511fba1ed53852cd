"""CSV and Excel writers for record exports: content, safety against formula injection, and
that the stream is always closed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from dashboard.datasets.interface import RowStream
from dashboard.drill import DefectSlice
from dashboard.filters import Filters
from dashboard.views import export
from dashboard.views.defect_records import export_name

ROWS = [
    [(1, dt.date(2026, 3, 10), "Crème brûlée 焼き", 30, 1.5)],
    [(2, dt.date(2026, 3, 11), '=HYPERLINK("http://evil")', 10, -2.0), (3, dt.date(2026, 3, 12), "@SUM(A1)", 1, 0.0)],
]


class Closing:
    def __init__(self) -> None:
        self.closed = 0

    def __call__(self) -> None:
        self.closed += 1


def stream_of(chunks: list, release: Closing) -> RowStream:
    return RowStream(("id", "date", "text", "count", "cost"), iter(chunks), release)


def test_csv_has_a_bom_a_header_every_row_and_neutralised_formulas() -> None:
    release = Closing()
    text = "".join(export.csv_chunks(stream_of(ROWS, release), ["Id", "Date", "Text", "Count", "Cost"]))
    assert text.startswith("\ufeffId,Date,Text,Count,Cost\r\n")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["1", "2026-03-10", "Crème brûlée 焼き", "30", "1.5"]
    assert rows[2][2] == '\'=HYPERLINK("http://evil")'
    assert rows[2][4] == "-2.0"  # numbers are numbers, not text to neutralise
    assert rows[3][2] == "'@SUM(A1)"
    assert len(rows) == 4
    assert release.closed == 1


def test_csv_closes_the_stream_when_the_download_is_abandoned() -> None:
    release = Closing()
    chunks = export.csv_chunks(stream_of(ROWS, release), ["a", "b", "c", "d", "e"])
    next(chunks)
    chunks.close()
    assert release.closed == 1


def test_xlsx_holds_typed_cells_and_formulas_stay_text(tmp_path) -> None:
    release = Closing()
    path = tmp_path / "out.xlsx"
    written = export.write_xlsx(stream_of(ROWS, release), ["Id", "Date", "Text", "Count", "Cost"], path, sheet="Defects")
    assert written == 3 and release.closed == 1
    workbook = openpyxl.load_workbook(path, read_only=True)
    values = list(workbook["Defects"].iter_rows(values_only=True))
    workbook.close()
    assert values[0] == ("Id", "Date", "Text", "Count", "Cost")
    assert values[1] == (1, dt.datetime(2026, 3, 10), "Crème brûlée 焼き", 30, 1.5)
    assert values[2][2] == '=HYPERLINK("http://evil")'  # a string cell, never a formula


def test_xlsx_refuses_more_rows_than_a_sheet_holds(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 2)
    release = Closing()
    with pytest.raises(ValueError, match="do not fit in one Excel sheet"):
        export.write_xlsx(stream_of(ROWS, release), ["a", "b", "c", "d", "e"], tmp_path / "x.xlsx")
    assert release.closed == 1


def test_export_names_say_what_is_inside() -> None:
    filters = Filters("90d", dt.date(2026, 8, 26), dt.date(2026, 11, 23), "P02")
    name = export_name(filters, DefectSlice(line_id="P02-L03", defect_code="D08", severity="ma/jor"), "csv")
    assert name == "defects_2026-08-26_2026-11-23_P02_P02-L03_D08_ma-jor.csv"
