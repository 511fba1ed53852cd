"""The defects page through Dash's HTTP interface and the export routes, on the hand-made data."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.app.test_app import route

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
OUTPUTS = ["content", "messages", "crumbs", "as-of", "records-title", "export-csv", "export-xlsx"]
PROPS = ["children"] * 5 + ["href", "href"]


def update(client, query: object):
    """The refresh: the charts again for the parameters in the page's store (which can be forged)."""
    body = {
        "output": ".." + "...".join(f"defects-{o}.{p}" for o, p in zip(OUTPUTS, PROPS, strict=True)) + "..",
        "outputs": [{"id": f"defects-{o}", "property": p} for o, p in zip(OUTPUTS, PROPS, strict=True)],
        "inputs": [{"id": "defects-refresh", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["defects-refresh.n_intervals"],
        "state": [{"id": "defects-query", "property": "data", "value": query}],
    }
    return client.post("/_dash-update-component", json=body)


def records(client, query: object, request: object):
    body = {
        "output": "defects-records.getRowsResponse",
        "outputs": {"id": "defects-records", "property": "getRowsResponse"},
        "inputs": [{"id": "defects-records", "property": "getRowsRequest", "value": request}],
        "changedPropIds": ["defects-records.getRowsRequest"],
        "state": [{"id": "defects-query", "property": "data", "value": query}],
    }
    return client.post("/_dash-update-component", json=body)


def test_the_page_renders_with_its_controls(client) -> None:
    response = route(client, "/defects", "?period=custom&start=2026-03-01&end=2026-03-31&line=P01-L01")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "defects-records" in text and "Traceback" not in text
    assert '"value":"P01-L01"' in text.replace(" ", "")  # the line dropdown is drawn with its value and options


def test_the_page_request_brings_the_charts_numbers_crumbs_and_export_links(client) -> None:
    """A drill click changes the URL; the one request for the new URL carries the whole level."""
    response = route(client, "/defects", "?period=custom&start=2026-03-01&end=2026-03-31&plant=P01&line=P01-L01")
    assert response.status_code == 200
    text = str(response.get_json())
    assert "3,000 DPMO" in text  # P01 alone: 30 defects on 10,000 opportunities
    assert "P01-L01 · Line 1" in text
    assert "/defects/export.csv?period=custom" in text and "line=P01-L01" in text
    assert "'defects-trend'" in text and "'defects-control'" in text  # the graphs, with their figures


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("?line=P9-L99", "Unknown line 'P9-L99'"),
        ("?plant=P02&line=P01-L01", "is not in plant P02"),
        ("?code=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "Unknown defect code"),
        ("?grain=hour", "Unknown grain 'hour'; use one of day, week, month, quarter. Showing weeks."),
        ("?measure=%3Cimg%3E", "Unknown trend '"),
        ("?pareto=colour&value=weight", "Unknown Pareto value 'weight'"),
    ],
)
def test_bad_values_in_the_url_give_a_message_and_the_nearest_view(client, search: str, message: str) -> None:
    response = route(client, "/defects", "?period=custom&start=2026-03-01&end=2026-03-31&" + search.lstrip("?"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text
    assert "Traceback" not in text and "<img" not in text


def test_the_refresh_draws_numbers_crumbs_and_export_links(client) -> None:
    response = update(client, {**MARCH, "plant": "P01", "line": "P01-L01"})
    assert response.status_code == 200
    payload = response.get_json()["response"]
    text = str(payload)
    assert "'3,000 DPMO'" in text  # P01 alone: 30 defects on 10,000 opportunities
    assert "P01-L01 · Line 1" in text
    assert payload["defects-export-csv"]["href"].startswith("/defects/export.csv?period=custom")
    assert "line=P01-L01" in payload["defects-export-csv"]["href"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({**MARCH, "line": "P9-L99"}, "Unknown line 'P9-L99'"),
        ({**MARCH, "plant": "P02", "line": "P01-L01"}, "is not in plant P02"),
        ({**MARCH, "code": "<img src=x onerror=alert(1)>"}, "Unknown defect code"),
        ({**MARCH, "severity": {"$ne": 1}}, "Unknown severity"),
    ],
)
def test_bad_or_forged_values_give_a_message_and_the_nearest_view(client, query: dict, message: str) -> None:
    response = update(client, query)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text
    assert "Traceback" not in text and "<img" not in text


def test_a_forged_store_is_not_a_crash(client) -> None:
    for forged in ("not a dict", None, {"grain": "century", **MARCH}):
        response = update(client, forged)
        assert response.status_code == 200
        assert "Traceback" not in response.get_data(as_text=True)


def test_records_are_paged_and_sorted_on_the_server(client) -> None:
    request = {"startRow": 0, "endRow": 1, "sortModel": [{"colId": "defect_count", "sort": "desc"}]}
    response = records(client, MARCH, request).get_json()["response"]["defects-records"]["getRowsResponse"]
    assert response["rowCount"] == 2
    assert [row["defect_count"] for row in response["rowData"]] == [30]
    second = {"startRow": 1, "endRow": 2, "sortModel": [{"colId": "defect_count", "sort": "desc"}]}
    response = records(client, MARCH, second).get_json()["response"]["defects-records"]["getRowsResponse"]
    assert [row["defect_count"] for row in response["rowData"]] == [10]


def test_forged_record_requests_get_an_empty_block(client) -> None:
    for request in ({"startRow": "x"}, {"startRow": 0, "endRow": 5, "sortModel": [{"colId": "secret", "sort": "asc"}]}):
        response = records(client, MARCH, request).get_json()["response"]["defects-records"]["getRowsResponse"]
        assert response == {"rowData": [], "rowCount": 0}


def test_csv_export_holds_exactly_the_filtered_rows(client) -> None:
    response = client.get("/defects/export.csv?period=custom&start=2026-03-01&end=2026-03-31&plant=P01")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="defects_2026-03-01_2026-03-31_P01.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Record", "Date", "Plant"]
    assert len(rows) == 2 and rows[1][2] == "P01" and rows[1][9] == "30"


def test_excel_export_opens_with_the_same_rows(client, tmp_path) -> None:
    response = client.get("/defects/export.xlsx?period=custom&start=2026-03-01&end=2026-03-31&sort=defect_count&desc=0")
    assert response.status_code == 200
    path = tmp_path / "x.xlsx"
    path.write_bytes(response.get_data())
    response.close()
    workbook = openpyxl.load_workbook(path, read_only=True)
    values = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert [row[9] for row in values[1:]] == [10, 30]


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("?line=NOPE", "Unknown line 'NOPE'"),
        ("?sort=password", "cannot be sorted"),
        ("?period=custom&start=2026-03-01&end=yesterday", "is not a date"),
    ],
)
def test_exports_refuse_bad_parameters_with_a_sentence(client, search: str, message: str) -> None:
    for extension in ("csv", "xlsx"):
        response = client.get(f"/defects/export.{extension}{search}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        response.close()


def test_a_bad_rebase_date_is_a_message(client) -> None:
    text = str(update(client, {**MARCH, "rebase": "soon"}).get_json())
    assert "'soon' is not a date for the new baseline; use YYYY-MM-DD." in text
