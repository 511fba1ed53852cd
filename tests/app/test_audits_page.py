"""The audit findings page through Dash's HTTP interface and its CSV export, on the hand-made
findings of tests/queries/test_audits.py (period 1-31 March 2026: 7 findings open at its end,
4 of them major: 103, 1, 102 and 110, newest audit first)."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from dashboard.state import EXTENSION
from dashboard.views.audit_records import RECORD_COLUMNS
from tests.app.test_app import overview, route
from tests.queries.test_audits import insert_findings
from tests.seed import seed

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
SEARCH = "?period=custom&start=2026-03-01&end=2026-03-31"
OUTPUTS = [("content", "children"), ("messages", "children"), ("as-of", "children"), ("records-title", "children")]
OUTPUTS.append(("export-csv", "href"))


@pytest.fixture
def seeded_sqlite(tmp_path) -> str:
    """The seed and the hand-made findings (replaces the app fixtures' database)."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        insert_findings(conn)
    engine.dispose()
    return url


def call(client, output: str, outputs: list[dict], inputs: list[dict], state: list[dict]):
    body = {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": state,
    }
    return client.post("/_dash-update-component", json=body)


def refresh(client, query: object):
    """The refresh: the page again for the parameters in its store (which can be forged)."""
    outputs = [{"id": f"audits-{o}", "property": p} for o, p in OUTPUTS]
    return call(
        client,
        ".." + "...".join(f"audits-{o}.{p}" for o, p in OUTPUTS) + "..",
        outputs,
        [{"id": "audits-refresh", "property": "n_intervals", "value": 1}],
        [{"id": "audits-query", "property": "data", "value": query}],
    )


def records(client, query: object, request: object):
    return call(
        client,
        "audits-records.getRowsResponse",
        [{"id": "audits-records", "property": "getRowsResponse"}],
        [{"id": "audits-records", "property": "getRowsRequest", "value": request}],
        [{"id": "audits-query", "property": "data", "value": query}],
    )


def url_callback(app, client, inputs: dict[str, object], changed: str, search: str, drawn: dict | None = None):
    """A callback that writes the URL's search, found by its inputs (ids are page-prefixed)."""
    key = next(k for k, v in app.callback_map.items() if k.startswith("url.search@") and v["inputs"][0]["id"] in inputs)
    listed = [{"id": i["id"], "property": i["property"], "value": inputs.get(i["id"])} for i in app.callback_map[key]["inputs"]]
    body = {
        "output": key,
        "outputs": {"id": "url", "property": "search@" + key.split("@")[1]},
        "inputs": listed,
        "changedPropIds": [next(f"{i['id']}.{i['property']}" for i in listed if i["id"] == changed)],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    if drawn is not None:  # the dropdowns' callback also reads the values they were drawn with
        body["state"].insert(0, {"id": "audits-drawn", "property": "data", "value": drawn})
    return client.post("/_dash-update-component", json=body)


def find(node: object, component_id: str, prop: str = "id") -> object:
    """The first component whose ``prop`` (its id unless told) is ``component_id`` in a Dash layout's JSON."""
    if isinstance(node, dict):
        if node.get("props", {}).get(prop) == component_id:
            return node
        return next((f for v in node.values() if (f := find(v, component_id, prop)) is not None), None)
    if isinstance(node, list):
        return next((f for v in node if (f := find(v, component_id, prop)) is not None), None)
    return None


def text_of(node: object) -> str:
    if isinstance(node, dict):
        return text_of(node.get("props", {}).get("children")) if "props" in node else ""
    if isinstance(node, list):
        return " ".join(text_of(n) for n in node)
    return "" if node is None else str(node)


def test_the_page_arrives_with_its_numbers_charts_and_list_in_one_request(client) -> None:
    response = route(client, "/audits", SEARCH)
    assert response.status_code == 200
    layout = response.get_json()
    majors = find(layout, "audits-headline-open-majors")
    assert text_of(majors).split()[:4] == ["Open", "major", "findings", "4"]
    assert "'href': '/audits?period=custom&start=2026-03-01&end=2026-03-31&severity=major'" in str(majors)
    assert text_of(find(layout, "audits-records-title")) == "Open on 31 Mar 2026: 7 findings"
    assert find(layout, "audits-export-csv")["props"]["href"] == "/audits/export.csv" + SEARCH
    text = str(layout)
    assert "'audits-clauses'" in text and "by ISO clause and severity" in text and "age of the backlog" in text
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_page_shows_the_overviews_number_of_open_majors(client) -> None:
    for query, search in ((MARCH, SEARCH), ({**MARCH, "plant": "P02"}, SEARCH + "&plant=P02")):
        tile = find(overview(client, query).get_json(), "kpi-card-open_major_findings")
        value = text_of(find(tile, "kpi-value", "className"))
        page = text_of(find(route(client, "/audits", search).get_json(), "audits-headline-open-majors"))
        page = page.removeprefix("Open major findings ").split()[0]
        assert value == page == ("4" if "plant" not in query else "2")


@pytest.mark.parametrize(
    ("search", "messages"),
    [
        ("&severity=fatal", ["Unknown severity 'fatal'; use one of observation, minor, major. Showing every severity."]),
        ("&type=supplier&status=late", ["Unknown audit type 'supplier'", "Unknown status 'late'; use one of open"]),
        ("&clause=%3Cscript%3E", ["Unknown clause '<script>'; use one of 4.4, 6.1, 7.2, 8.5.1, 8.7, 9.2, 10.2."]),
        ("&plant=P99&severity=major", ["Unknown plant"]),
    ],
)
def test_bad_values_in_the_url_give_a_message_and_the_nearest_view(client, search: str, messages: list[str]) -> None:
    response = route(client, "/audits", SEARCH + search)
    assert response.status_code == 200
    text = str(response.get_json())
    assert all(m in text for m in messages), text[:2000]
    assert "Traceback" not in response.get_data(as_text=True) and "<script>" not in response.get_data(as_text=True)
    assert "Open major findings" in text  # the nearest valid view is drawn


def test_the_refresh_draws_the_narrowed_list_title_and_export_link(client) -> None:
    payload = refresh(client, {**MARCH, "severity": "major", "clause": "8.5.1", "status": "all"}).get_json()["response"]
    assert payload["audits-records-title"]["children"] == "Open at some time in the period · major · clause 8.5.1: 2 findings"
    assert payload["audits-export-csv"]["href"] == "/audits/export.csv" + SEARCH + "&severity=major&clause=8.5.1&status=all"
    assert payload["audits-as-of"]["children"].startswith("Data as of")


@pytest.mark.parametrize(
    "forged",
    ["x", None, [1, 2], {"severity": ["major"]}, {**MARCH, "status": {"$ne": 1}}, {"period": "custom", "start": "1900-01-01"}],
)
def test_a_forged_store_is_not_a_crash(client, forged: object) -> None:
    response = refresh(client, forged)
    assert response.status_code == 200
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_forged_store_value_is_checked_again(client) -> None:
    text = str(refresh(client, {**MARCH, "severity": "catastrophic", "clause": "8.5.1' OR 1=1 --"}).get_json())
    assert "Unknown severity 'catastrophic'" in text and "Unknown clause '8.5.1' OR 1=1 --'" in text
    assert "Open on 31 Mar 2026: 7 findings" in text


def test_records_are_paged_and_sorted_on_the_server(client) -> None:
    block = records(client, {**MARCH, "severity": "major"}, {"startRow": 0, "endRow": 100}).get_json()["response"]
    rows = block["audits-records"]["getRowsResponse"]
    assert [r["finding_id"] for r in rows["rowData"]] == [103, 1, 102, 110] and rows["rowCount"] == 4
    assert rows["rowData"][0] == {
        "finding_id": 103,
        "plant_id": "P02",
        "audit_date": "2026-03-31",
        "audit_type": "certification",
        "iso_clause": "9.2",
        "finding_severity": "major",
        "status": "open",
        "closed_date": None,
        "days_open": 0,
        "capa_id": 2,
        "capa_link": "[2](/capa/2?period=custom&start=2026-03-01&end=2026-03-31)",  # the number opens its CAPA
    }
    request = {"startRow": 1, "endRow": 3, "sortModel": [{"colId": "days_open", "sort": "desc"}]}
    rows = records(client, {**MARCH, "status": "all"}, request).get_json()["response"]["audits-records"]["getRowsResponse"]
    assert [r["finding_id"] for r in rows["rowData"]] == [111, 110] and rows["rowCount"] == 11


@pytest.mark.parametrize(
    "request_",
    [
        {"startRow": "zero"},
        {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "finding_id; DROP TABLE", "sort": "asc"}]},
        {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "days_open", "sort": "sideways"}]},
    ],
)
def test_forged_record_requests_get_an_empty_block(client, request_: object) -> None:
    rows = records(client, MARCH, request_).get_json()["response"]["audits-records"]["getRowsResponse"]
    assert rows == {"rowData": [], "rowCount": 0}


def test_a_click_on_a_clause_bar_or_a_severity_narrows_the_list_in_the_url(app, client) -> None:
    click = {"points": [{"customdata": "8.5.1", "x": 2}]}
    inputs = {"audits-clauses": click, "audits-trend": None, "audits-backlog": None}
    payload = url_callback(app, client, inputs, "audits-clauses", SEARCH + "&severity=major").get_json()
    assert list(payload["response"]["url"].values()) == [SEARCH + "&clause=8.5.1&status=raised"]
    inputs = {"audits-clauses": None, "audits-trend": None, "audits-backlog": {"points": [{"customdata": "minor"}]}}
    payload = url_callback(app, client, inputs, "audits-backlog", SEARCH + "&clause=8.7&status=all").get_json()
    assert list(payload["response"]["url"].values()) == [SEARCH + "&severity=minor"]
    inputs = {"audits-clauses": None, "audits-trend": {"points": [{"customdata": ["customer"]}]}, "audits-backlog": None}
    payload = url_callback(app, client, inputs, "audits-trend", SEARCH).get_json()
    assert list(payload["response"]["url"].values()) == [SEARCH + "&type=customer&status=raised"]


def test_a_dropdown_writes_its_value_into_the_url(app, client) -> None:
    drawn = {"severity": "major", "type": None, "clause": None, "status": "open"}
    inputs = {"audits-severity": "major", "audits-type": None, "audits-clause": None, "audits-status": "closed"}
    payload = url_callback(app, client, inputs, "audits-status", SEARCH + "&severity=major", drawn).get_json()
    assert list(payload["response"]["url"].values()) == [SEARCH + "&severity=major&status=closed"]
    inputs["audits-status"] = "open"
    closed = {**drawn, "status": "closed"}
    payload = url_callback(app, client, inputs, "audits-status", SEARCH + "&severity=major&status=closed", closed).get_json()
    assert list(payload["response"]["url"].values()) == [SEARCH + "&severity=major"]  # the default stays out
    inputs["audits-severity"] = None
    payload = url_callback(app, client, inputs, "audits-severity", SEARCH + "&severity=major", drawn).get_json()
    assert list(payload["response"]["url"].values()) == [SEARCH]


def test_a_dropdown_reporting_the_value_it_was_drawn_with_leaves_the_url(app, client) -> None:
    """On mount every dropdown reports its value: a bad value in the URL (drawn as none) stays,
    with its message, until the user chooses."""
    drawn = {"severity": None, "type": None, "clause": None, "status": "open"}
    inputs = {"audits-severity": None, "audits-type": None, "audits-clause": None, "audits-status": "open"}
    for changed in inputs:
        response = url_callback(app, client, inputs, changed, SEARCH + "&severity=fatal", drawn)
        assert response.get_json()["response"] == {}, changed
    inputs["audits-severity"] = "minor"  # the user's choice
    response = url_callback(app, client, inputs, "audits-severity", SEARCH + "&severity=fatal", drawn)
    assert list(response.get_json()["response"]["url"].values()) == [SEARCH + "&severity=minor"]
    response = url_callback(app, client, inputs, "audits-severity", SEARCH, "forged")
    assert response.status_code == 200 and "Traceback" not in response.get_data(as_text=True)


def test_csv_export_holds_exactly_the_listed_rows(client) -> None:
    response = client.get("/audits/export.csv" + SEARCH + "&severity=major&sort=days_open&desc=0")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="audit-findings_2026-03-01_2026-03-31_major_open.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(RECORD_COLUMNS.values())
    assert rows[0][:3] == ["Finding", "Plant", "Audit date"] and rows[0][-3:] == ["Closed", "Days open", "CAPA"]
    assert [r[0] for r in rows[1:]] == ["103", "1", "102", "110"]
    assert rows[1] == ["103", "P02", "2026-03-31", "certification", "9.2", "major", "open", "", "0", "2"]
    closed = list(csv.reader(io.StringIO(client.get("/audits/export.csv" + SEARCH + "&status=closed").get_data(as_text=True))))
    assert [r[0] for r in closed[1:]] == ["105", "107", "112", "101"]  # newest audit first, as the grid


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("&severity=fatal", "Nothing exported: Unknown severity 'fatal'"),
        ("&clause=1.1", "Unknown clause '1.1'"),
        ("&status=late", "Unknown status 'late'"),
        ("&sort=title", "cannot be sorted that way"),
        ("&plant=P99", "Unknown plant"),
    ],
)
def test_the_export_refuses_bad_parameters_with_a_sentence(client, search: str, message: str) -> None:
    response = client.get("/audits/export.csv" + SEARCH + search)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)


def test_the_page_says_when_the_database_is_gone(app, client, seeded_sqlite: str) -> None:
    from pathlib import Path

    app.server.extensions[EXTENSION].repository.sources.dispose()
    path = Path(seeded_sqlite.removeprefix("sqlite:///"))
    path.rename(path.with_name("moved.db"))
    response = route(client, "/audits", SEARCH)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Traceback" not in text
    assert "quality database" in text
    export = client.get("/audits/export.csv" + SEARCH)
    assert export.status_code in (400, 503) and "Nothing exported" in export.get_data(as_text=True)


def test_a_period_without_findings_says_so_instead_of_drawing_empty_charts(client) -> None:
    layout = route(client, "/audits", "?period=custom&start=2020-01-01&end=2020-03-31").get_json()
    assert "No audit finding was raised, closed or open in this period" in str(layout)
    graph = find(layout, "audits-clauses")
    assert graph["props"]["style"] == {"display": "none"} and "figure" not in graph["props"]  # the drill's input stays
    assert text_of(find(layout, "audits-records-title")) == "Open on 31 Mar 2020: 0 findings"


def test_a_lost_database_keeps_the_last_good_page_marked_stale(seeded_sqlite: str) -> None:
    import time
    from pathlib import Path

    from tests.app.conftest import build_app

    app = build_app(seeded_sqlite, cache_timeout_s="1")
    client = app.server.test_client()
    client.get("/")
    assert "Open on 31 Mar 2026: 7 findings" in str(refresh(client, MARCH).get_json())
    time.sleep(1.1)  # the fresh copies expire; the last-good copies stay
    app.server.extensions[EXTENSION].repository.sources.dispose()
    path = Path(seeded_sqlite.removeprefix("sqlite:///"))
    path.rename(path.with_name("moved.db"))
    payload = refresh(client, MARCH).get_json()["response"]
    assert "last good copy" in payload["audits-as-of"]["children"]
    assert payload["audits-records-title"]["children"] == "Open on 31 Mar 2026: 7 findings"
