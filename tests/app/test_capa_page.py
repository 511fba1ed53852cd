"""The CAPA page through Dash's HTTP interface, and its CSV export, on the hand-made data: two CAPAs
at P01 (internal, owner Q, opened 1 February, due 20 March), closed on 15 March (on time) and
25 March (late)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.app.test_app import overview, route
from tests.app.test_suppliers_page import callback

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
SEARCH = "?period=custom&start=2026-03-01&end=2026-03-31"


def refresh(client, query: object):
    """The page's refresh, for the parameters in its store (which can be forged)."""
    inputs = [{"id": "capa-refresh", "property": "n_intervals", "value": 1}]
    state = [{"id": "capa-query", "property": "data", "value": query}]
    return callback(client, ["capa-content.children", "capa-as-of.children"], inputs, state)


def records(client, query: object, request: object):
    body = {
        "output": "capa-records.getRowsResponse",
        "outputs": {"id": "capa-records", "property": "getRowsResponse"},
        "inputs": [{"id": "capa-records", "property": "getRowsRequest", "value": request}],
        "changedPropIds": ["capa-records.getRowsRequest"],
        "state": [{"id": "capa-query", "property": "data", "value": query}],
    }
    return client.post("/_dash-update-component", json=body)


def narrow(client, app, trigger: str, value: object, drawn: object, search: str = SEARCH):
    """The callback that writes a dropdown's value, or a clicked bar, into the URL (its output is
    the URL's search with Dash's suffix for a duplicate output, read from the app)."""
    output = next(
        key
        for key, spec in app.callback_map.items()
        if key.startswith("url.search@") and any(i["id"] == "capa-breakdown" for i in spec["inputs"])
    )
    names = ("source", "owner", "status", "by", "grain")
    inputs = [
        {"id": f"capa-{name}", "property": "value", "value": value if f"capa-{name}" == trigger else None} for name in names
    ]
    inputs.append({"id": "capa-breakdown", "property": "clickData", "value": value if trigger == "capa-breakdown" else None})
    prop = "clickData" if trigger == "capa-breakdown" else "value"
    body = {
        "output": output,
        "outputs": {"id": "url", "property": output.removeprefix("url.")},
        "inputs": inputs,
        "changedPropIds": [f"{trigger}.{prop}"],
        "state": [
            {"id": "capa-drawn", "property": "data", "value": drawn},
            {"id": "url", "property": "search", "value": search},
        ],
    }
    return client.post("/_dash-update-component", json=body)


def test_the_page_request_brings_numbers_charts_and_the_export_link(client) -> None:
    response = route(client, "/capa", SEARCH)
    assert response.status_code == 200
    text = response.get_data(as_text=True).replace("\\u002f", "/")
    assert "Corrective and preventive actions" in text and "Traceback" not in text
    assert "1 of 2 closed by their due date" in text and "target 90 %" in text
    assert all(f'"id":"capa-{name}"' in text for name in ("flow", "ageing", "breakdown", "records"))
    assert "/capa/export.csv?period=custom" in text
    assert "CAPAs active in the period: 2" in text
    # Whether they worked: neither names a line or a defect code, so there is nothing to measure.
    assert '"id":"capa-effects-block"' in text
    assert "No CAPA that names a line or a defect code was closed in the period" in text
    assert '"id":"capa-effects-value"' not in text and '"id":"capa-effects-grid"' not in text  # no empty headline or grid


def test_the_page_shows_what_the_overview_tile_shows(client) -> None:
    tiles = overview(client, MARCH).get_data(as_text=True)
    assert "CAPA on-time closure" in tiles and "50.0 %" in tiles and "1 of 2 closed on time" in tiles
    page = route(client, "/capa", SEARCH).get_data(as_text=True)
    assert '"children":"50.0 %"' in page


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("&source=vendor", "Unknown source 'vendor'"),
        ("&status=%3Cscript%3E", "Unknown status"),
        ("&owner=Nobody", "Unknown owner 'Nobody'"),
        ("&by=colour&grain=hour", "Unknown by 'colour'"),
        ("&plant=P99", "Unknown plant"),
    ],
)
def test_bad_url_values_give_a_message_and_the_nearest_view(client, search: str, message: str) -> None:
    response = route(client, "/capa", SEARCH + search)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text and "Traceback" not in text and "<script>" not in text
    assert "CAPAs active in the period: 2" in text  # every CAPA is still shown


@pytest.mark.parametrize(
    "query",
    [
        {**MARCH, "source": ["internal"], "owner": {"x": 1}, "status": 3},
        {**MARCH, "plant": "P01' OR 1=1 --"},
        "not a dict",
        None,
    ],
)
def test_a_forged_store_is_validated_again(client, query: object) -> None:
    response = refresh(client, query)
    assert response.status_code == 200
    payload = response.get_json()["response"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert payload["capa-as-of"]["children"].startswith("Data as of")


def test_the_list_follows_the_status_and_sorts_in_sql(client) -> None:
    request = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "closed_date", "sort": "asc"}]}
    block = records(client, MARCH, request).get_json()["response"]["capa-records"]["getRowsResponse"]
    assert block["rowCount"] == 2
    assert [(row["status"], row["closed_date"], row["days_late"]) for row in block["rowData"]] == [
        ("Closed on time", "2026-03-15", -5),
        ("Closed late", "2026-03-25", 5),
    ]
    late = records(client, {**MARCH, "status": "late"}, {"startRow": 0, "endRow": 100})
    assert late.get_json()["response"]["capa-records"]["getRowsResponse"]["rowCount"] == 1


def test_forged_record_requests_get_an_empty_block(client) -> None:
    for request in ({"startRow": "x"}, {"startRow": 0, "endRow": 5, "sortModel": [{"colId": "secret", "sort": "asc"}]}):
        block = records(client, MARCH, request).get_json()["response"]["capa-records"]["getRowsResponse"]
        assert block == {"rowData": [], "rowCount": 0}


def test_csv_export_holds_exactly_the_listed_capas(client) -> None:
    response = client.get(f"/capa/export.csv{SEARCH}&status=late")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="capa_2026-03-01_2026-03-31_late.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["CAPA", "Status", "Days past due", "Plant"]
    assert len(rows) == 2 and rows[1][1:4] == ["Closed late", "5", "P01"]
    every = client.get(f"/capa/export.csv{SEARCH}&sort=capa_id&desc=0").get_data(as_text=True)
    assert len(every.strip().splitlines()) == 3


@pytest.mark.parametrize(
    ("search", "message"),
    [("&status=lost", "Unknown status 'lost'"), ("&plant=P99", "Unknown plant"), ("&sort=secret", "cannot be sorted")],
)
def test_a_bad_export_request_gets_a_sentence_and_no_file(client, search: str, message: str) -> None:
    response = client.get(f"/capa/export.csv{SEARCH}{search}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain" and message in response.get_data(as_text=True)


def test_a_click_on_a_bar_narrows_the_page_and_a_dropdown_writes_the_url(client, app) -> None:
    drawn = {"source": None, "owner": None, "status": "all", "by": "plant", "grain": "month"}
    click = {"points": [{"customdata": "P01"}]}
    response = narrow(client, app, "capa-breakdown", click, drawn)
    assert response.get_json()["response"]["url"]["search"] == SEARCH + "&plant=P01"
    response = narrow(client, app, "capa-breakdown", click, {**drawn, "by": "owner"})
    assert response.get_json()["response"]["url"]["search"] == SEARCH + "&owner=P01"
    response = narrow(client, app, "capa-status", "overdue", drawn)
    assert response.get_json()["response"]["url"]["search"] == SEARCH + "&status=overdue"
    response = narrow(client, app, "capa-grain", "month", {**drawn, "grain": "week"}, SEARCH + "&grain=week")
    assert response.get_json()["response"]["url"]["search"] == SEARCH  # the default leaves the URL
    assert unchanged(narrow(client, app, "capa-grain", "month", drawn))  # what the page shows already
    assert unchanged(narrow(client, app, "capa-breakdown", {"points": "x"}, drawn))
    assert unchanged(narrow(client, app, "capa-breakdown", {"points": [{"customdata": 7}]}, drawn))


def test_a_dropdown_mounting_keeps_a_rejected_url_value_and_its_message(client, app) -> None:
    """/capa?source=vendor draws "All sources" with a message; the dropdown reporting its empty
    value on mount must not take the bad value out of the URL (and the message with it)."""
    drawn = {"source": None, "owner": None, "status": "all", "by": "plant", "grain": "month"}
    assert unchanged(narrow(client, app, "capa-source", None, drawn, SEARCH + "&source=vendor"))
    response = narrow(client, app, "capa-source", "audit", drawn, SEARCH + "&source=vendor")
    assert response.get_json()["response"]["url"]["search"] == SEARCH + "&source=audit"  # a choice replaces it


def unchanged(response) -> bool:
    """Dash's answer when a callback leaves its output as it is."""
    return response.status_code == 204 or "url" not in response.get_json().get("response", {})


def test_the_page_and_the_export_say_when_the_database_is_gone(app, client, seeded_sqlite: str) -> None:
    from pathlib import Path

    from dashboard.state import EXTENSION

    app.server.extensions[EXTENSION].repository.sources.dispose()
    path = Path(seeded_sqlite.removeprefix("sqlite:///"))
    path.rename(path.with_name("moved.db"))
    text = route(client, "/capa", SEARCH).get_data(as_text=True)
    assert "quality database" in text and "Traceback" not in text
    block = records(client, MARCH, {"startRow": 0, "endRow": 100}).get_json()["response"]["capa-records"]["getRowsResponse"]
    assert block == {"rowData": [], "rowCount": 0}
    export = client.get(f"/capa/export.csv{SEARCH}")
    assert export.status_code in (400, 503) and "Nothing exported" in export.get_data(as_text=True)


def test_a_lost_database_keeps_the_last_good_page_marked_stale(seeded_sqlite: str) -> None:
    import time
    from pathlib import Path

    from dashboard.state import EXTENSION
    from tests.app.conftest import build_app

    app = build_app(seeded_sqlite, cache_timeout_s="1")
    client = app.server.test_client()
    client.get("/")
    assert "1 of 2 closed by their due date" in refresh(client, MARCH).get_data(as_text=True)
    time.sleep(1.1)  # the fresh copies expire; the last-good copies stay
    app.server.extensions[EXTENSION].repository.sources.dispose()
    path = Path(seeded_sqlite.removeprefix("sqlite:///"))
    path.rename(path.with_name("moved.db"))
    response = refresh(client, MARCH)
    payload = response.get_json()["response"]
    assert "last good copy" in payload["capa-as-of"]["children"]
    assert "1 of 2 closed by their due date" in response.get_data(as_text=True)
    app.server.extensions[EXTENSION].repository.sources.dispose()
