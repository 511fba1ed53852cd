"""The OKR page through Dash's HTTP interface on the hand-made data (objective O1 with key result
K1 in 2026-Q1, 0 → 100, check-ins 20 and 60; today is 2026-03-31)."""

from __future__ import annotations

import pytest

from dashboard.state import EXTENSION
from dashboard.store.sql import SqlAppStore
from tests.app.conftest import build_app
from tests.app.test_app import route
from tests.app.test_suppliers_page import callback

PAGE = [
    "okr-tree.children",
    "okr-grid.figure",
    "okr-messages.children",
    "okr-detail.children",
    "okr-as-of.children",
    "okr-form-hint.children",
    "okr-value.disabled",
]
SAVE = ["okr-saved.children", "okr-version.data", "okr-value.value", "okr-comment.value"]


def page(client, query: object):
    """The page's refresh, for the parameters in its store (which can be forged)."""
    inputs = [
        {"id": "okr-refresh", "property": "n_intervals", "value": 1},
        {"id": "okr-version", "property": "data", "value": 0},
    ]
    return callback(client, PAGE, inputs, [{"id": "okr-query", "property": "data", "value": query}])


def save(client, query: object, *, day="2026-03-25", value="70", confidence="6", comment="<i>ok</i>", headers=None):
    body = {
        "output": ".." + "...".join(SAVE) + "..",
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in SAVE],
        "inputs": [{"id": "okr-save", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["okr-save.n_clicks"],
        "state": [
            {"id": "okr-date", "property": "date", "value": day},
            {"id": "okr-value", "property": "value", "value": value},
            {"id": "okr-confidence", "property": "value", "value": confidence},
            {"id": "okr-comment", "property": "value", "value": comment},
            {"id": "okr-query", "property": "data", "value": query},
            {"id": "okr-version", "property": "data", "value": 0},
        ],
    }
    return client.post("/_dash-update-component", json=body, headers=headers or {})


def store_of(app) -> SqlAppStore:
    return app.server.extensions[EXTENSION].store


@pytest.mark.parametrize("search", ["", "?quarter=2026-Q1&kr=K1", "?quarter=junk&team=%3Cscript%3E&kr=%3Cb%3E"])
def test_the_page_renders(client, search: str) -> None:
    response = route(client, "/okr", search)
    assert response.status_code == 200 and "Traceback" not in response.get_data(as_text=True)


def test_the_page_request_brings_the_tree_the_panel_and_the_grid(client) -> None:
    """One request: the content arrives with the page, not from a second callback."""
    text = route(client, "/okr", "?quarter=2026-Q1&objective=O1&kr=K1").get_data(as_text=True)
    assert "Better" in text and "60 %" in text  # the tree
    assert "Needs at least 3 check-ins" in text  # the key result's panel
    assert "K1: a date from 01 Jan to 31 Mar 2026" in text  # the form's hint
    assert '"id":"okr-grid"' in text and '"type":"heatmap"' in text


def test_the_tree_and_the_key_result_panel(client) -> None:
    payload = page(client, {"quarter": "2026-Q1", "objective": "O1", "kr": "K1"}).get_json()["response"]
    text = str(payload["okr-tree"]["children"])
    assert "Better" in text and "Up" in text and "60 %" in text
    assert "Linear trend" not in str(payload["okr-detail"]["children"])  # two check-ins: no forecast
    assert "Needs at least 3 check-ins" in str(payload["okr-detail"]["children"])
    assert "K1: a date from 01 Jan to 31 Mar 2026" in payload["okr-form-hint"]["children"]


@pytest.mark.parametrize("query", [None, 42, ["x"], {"quarter": 7, "kr": {"a": 1}}, {"quarter": "2026-Q9"}])
def test_forged_page_queries_get_the_default_view(client, query: object) -> None:
    response = page(client, query)
    assert response.status_code == 200
    assert "Better" in str(response.get_json()["response"]["okr-tree"]["children"])


def test_a_checkin_is_written_with_its_author(app, client) -> None:
    response = save(client, {"quarter": "2026-Q1", "kr": "K1"})
    payload = response.get_json()["response"]
    assert "Recorded 25 Mar 2026: 70 by anonymous" in str(payload["okr-saved"]["children"])
    assert payload["okr-version"]["data"] == 1 and payload["okr-value"]["value"] == ""
    [stored] = store_of(app).checkins(["K1"])
    assert (stored.value, stored.confidence, stored.comment, stored.author) == (70.0, 6, "<i>ok</i>", "anonymous")
    tree = page(client, {"quarter": "2026-Q1", "objective": "O1"}).get_json()["response"]["okr-tree"]["children"]
    assert "70 %" in str(tree)


@pytest.mark.parametrize(
    ("query", "fields", "message"),
    [
        ({"quarter": "2026-Q1", "kr": "nope"}, {}, "Unknown key result"),
        ({"quarter": "2026-Q1"}, {}, "Choose a key result first"),
        ({"quarter": "2026-Q1", "kr": "K1"}, {"value": "1e999"}, "finite"),
        ({"quarter": "2026-Q1", "kr": "K1"}, {"day": "2026-04-01"}, "Date must lie between"),
        ({"quarter": "2026-Q1", "kr": "K1"}, {"confidence": "-1"}, "Confidence must be"),
        ({"quarter": "2026-Q1", "kr": "K1"}, {"day": {"forged": True}}, "Date must be a day"),
    ],
)
def test_a_bad_checkin_says_why_writes_nothing_and_keeps_the_form(app, client, query, fields, message) -> None:
    payload = save(client, query, **fields).get_json()["response"]
    assert message in str(payload["okr-saved"]["children"])
    assert "okr-value" not in payload and "okr-comment" not in payload  # the form keeps what was typed
    assert store_of(app).checkins(["K1", "nope"]) == []


def test_an_unreachable_store_keeps_the_input_and_says_so(app, client) -> None:
    state = app.server.extensions[EXTENSION]
    state.store = SqlAppStore("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=1)
    payload = save(client, {"quarter": "2026-Q1", "kr": "K1"}).get_json()["response"]
    assert "Your entry is still in the form" in str(payload["okr-saved"]["children"])
    assert "okr-value" not in payload
    assert "Traceback" not in str(payload)


def test_with_auth_on_the_signed_in_user_is_recorded(seeded_sqlite) -> None:
    app = build_app(seeded_sqlite, auth_header="X-Forwarded-User")
    client = app.server.test_client()
    assert client.get("/", headers={"X-Forwarded-User": "ann"}).status_code == 200
    save(client, {"quarter": "2026-Q1", "kr": "K1"}, headers={"X-Forwarded-User": "ann"})
    assert [c.author for c in store_of(app).checkins(["K1"])] == ["ann"]
    app.server.extensions[EXTENSION].repository.sources.dispose()
