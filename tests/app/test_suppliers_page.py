"""Supplier pages through Dash's HTTP interface, and the printable scorecard, on the hand-made data
(one supplier, S001: one lot of 10,000 units with 20 rejected in March 2026)."""

from __future__ import annotations

import pytest

from tests.app.test_app import route

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
SCORECARD = [
    "suppliers-funnel.figure",
    "suppliers-quadrant.figure",
    "suppliers-messages.children",
    "suppliers-summary.children",
    "suppliers-grid.rowData",
    "suppliers-as-of.children",
]


def callback(client, outputs: list[str], inputs: list[dict], state: list[dict] | None = None):
    body = {
        "output": ".." + "...".join(outputs) + "..",
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": state or [],
    }
    return client.post("/_dash-update-component", json=body)


def scorecard(client, query: object):
    """The scorecard's refresh, for the parameters in its store (which can be forged)."""
    refresh = [{"id": "suppliers-refresh", "property": "n_intervals", "value": 1}]
    return callback(client, SCORECARD, refresh, [{"id": "suppliers-query", "property": "data", "value": query}])


def supplier(client, query: object):
    """The supplier page's refresh, for the parameters in its store (which can be forged)."""
    refresh = [{"id": "supplier-refresh", "property": "n_intervals", "value": 1}]
    outputs = ["supplier-content.children", "supplier-as-of.children"]
    return callback(client, outputs, refresh, [{"id": "supplier-query", "property": "data", "value": query}])


@pytest.mark.parametrize("path", ["/suppliers", "/suppliers/S001", "/suppliers/NOPE"])
def test_the_pages_render(client, path: str) -> None:
    response = route(client, path, "?period=custom&start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_scorecard_lists_the_supplier_with_its_numbers(client) -> None:
    response = scorecard(client, MARCH)
    assert response.status_code == 200
    payload = response.get_json()["response"]
    rows = payload["suppliers-grid"]["rowData"]
    assert [r["supplier_id"] for r in rows] == ["S001"]
    assert rows[0]["ppm"].startswith("2,000") and rows[0]["lots"] == 1 and rows[0]["rank"] == 1
    assert "1 supplier, pooled 2,000 PPM" in payload["suppliers-summary"]["children"]


def test_the_scorecard_arrives_with_its_rows_and_charts_in_one_request(client) -> None:
    text = str(route(client, "/suppliers", "?period=custom&start=2026-03-01&end=2026-03-31").get_json())
    assert "'supplier_id': 'S001'" in text and "1 supplier, pooled 2,000 PPM" in text
    assert "PPM against volume" in text  # the funnel's figure
    text = str(route(client, "/suppliers", "?period=90d&commodity=%3Cb%3Egold%3C%2Fb%3E").get_json())
    assert "Unknown commodity '<b>gold</b>'; showing all commodities." in text


def test_bad_commodity_and_forged_store_give_messages(client) -> None:
    text = str(scorecard(client, {**MARCH, "commodity": "<b>gold</b>"}).get_json())
    assert "Unknown commodity '<b>gold</b>'; showing all commodities." in text  # Dash shows it as text, not HTML
    for forged in ("x", None, {"q": ["a"], **MARCH}):
        response = scorecard(client, forged)
        assert response.status_code == 200 and "Traceback" not in response.get_data(as_text=True)


def test_search_narrows_the_rows(client) -> None:
    rows = scorecard(client, {**MARCH, "q": "acme"}).get_json()["response"]["suppliers-grid"]["rowData"]
    assert [r["supplier_id"] for r in rows] == ["S001"]
    rows = scorecard(client, {**MARCH, "q": "zzz"}).get_json()["response"]["suppliers-grid"]["rowData"]
    assert rows == []


def test_the_supplier_page_and_an_unknown_supplier(client) -> None:
    text = str(supplier(client, {**MARCH, "supplier": "S001"}).get_json())
    assert "S001 · Acme" in text and "Printable scorecard" in text and "Scratched" not in text
    assert "A p chart needs at least 30 receiving days" in text
    text = supplier(client, {**MARCH, "supplier": "S9'; DROP"}).get_data(as_text=True)
    assert "Unknown supplier" in text and "Traceback" not in text


def test_the_supplier_page_arrives_with_its_content_in_one_request(client) -> None:
    """A click on a scorecard row opens /suppliers/<id>; that one request carries the page."""
    text = str(route(client, "/suppliers/S001", "?period=custom&start=2026-03-01&end=2026-03-31").get_json())
    assert "S001 · Acme" in text and "Printable scorecard" in text
    assert "'supplier-control'" in text and "'supplier-lots'" in text  # the graphs, with their figures
    text = route(client, "/suppliers/S9%27%3B%20DROP", "?period=90d").get_data(as_text=True)
    assert "Unknown supplier" in text and "Traceback" not in text


def test_a_forged_supplier_store_is_not_a_crash(client) -> None:
    for forged in ("not a dict", None, {"supplier": ["S001"]}, {**MARCH, "supplier": ""}):
        response = supplier(client, forged)
        assert response.status_code == 200
        assert "Traceback" not in response.get_data(as_text=True)


def test_the_printable_scorecard_is_a_one_page_pdf(client) -> None:
    response = client.get("/suppliers/S001/scorecard.pdf?period=custom&start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF") and b"/Count 1" in body
    assert 'filename="scorecard_S001_2026-03-01_2026-03-31.pdf"' in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/suppliers/NOPE/scorecard.pdf?period=90d", 400, "Unknown supplier 'NOPE'"),
        ("/suppliers/S001/scorecard.pdf?period=custom&start=2026-03-01&end=soon", 400, "is not a date"),
    ],
)
def test_the_pdf_refuses_bad_requests_with_a_sentence(client, url: str, status: int, message: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_scars_are_counted_by_defect_code(client, seeded_sqlite: str) -> None:
    import datetime as dt

    import sqlalchemy as sa

    from dashboard.sources import schema

    engine = sa.create_engine(seeded_sqlite)
    with engine.begin() as conn:
        conn.execute(
            schema.scars.insert(),
            {
                "supplier_id": "S001",
                "defect_code": "D01",
                "opened_date": dt.date(2026, 3, 6),
                "due_date": dt.date(2026, 3, 20),
                "closed_date": None,
                "scar_status": "open",
                "description": "Scratched housings",
            },
        )
    engine.dispose()
    text = str(supplier(client, {**MARCH, "supplier": "S001"}).get_json())
    assert "SCARs by defect code" in text and "'D01'" in text


def search(app, client, text: object, query: object, url: str):
    """The search box's callback: the table, the store and the address bar's query string, found by
    its input (its outputs carry Dash's suffix for duplicate outputs)."""
    key = next(k for k, v in app.callback_map.items() if [i["id"] for i in v["inputs"]] == ["suppliers-search"])
    body = {
        "output": key,
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")],
        "inputs": [{"id": "suppliers-search", "property": "value", "value": text}],
        "changedPropIds": ["suppliers-search.value"],
        "state": [
            {"id": "suppliers-query", "property": "data", "value": query},
            {"id": "url", "property": "search", "value": url},
        ],
    }
    return client.post("/_dash-update-component", json=body)


def test_the_search_narrows_the_table_in_place_and_goes_to_the_address(app, client) -> None:
    url = "?period=custom&start=2026-03-01&end=2026-03-31"
    payload = search(app, client, " acme ", MARCH, url).get_json()["response"]
    assert [r["supplier_id"] for r in payload["suppliers-grid"]["rowData"]] == ["S001"]
    assert payload["suppliers-query"]["data"] == {**MARCH, "q": "acme"}
    assert payload["suppliers-address"]["data"] == url + "&q=acme"
    assert "suppliers-funnel" not in payload  # the charts do not depend on the search
    payload = search(app, client, "zzz", {**MARCH, "q": "acme"}, url + "&q=acme").get_json()["response"]
    assert payload["suppliers-grid"]["rowData"] == [] and payload["suppliers-address"]["data"] == url + "&q=zzz"
    payload = search(app, client, "  ", {**MARCH, "q": "zzz"}, url + "&q=zzz").get_json()["response"]
    assert [r["supplier_id"] for r in payload["suppliers-grid"]["rowData"]] == ["S001"]
    assert payload["suppliers-query"]["data"] == MARCH and payload["suppliers-address"]["data"] == url
    unchanged = search(app, client, "acme ", {**MARCH, "q": "acme"}, url + "&q=acme").get_json()
    assert unchanged["response"] == {}  # nothing to redraw, nothing to write
    for forged in ("x", None, {"q": ["a"], **MARCH}):
        response = search(app, client, "acme", forged, url)
        assert response.status_code == 200 and "Traceback" not in response.get_data(as_text=True)
