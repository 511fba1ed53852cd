"""The review page and the meeting-pack routes through Flask on the hand-made data: the page
renders, freezing writes an edition with its author, a broken app store shows its message and
leaves the review working, and the pack routes answer with states, never a hang."""

from __future__ import annotations

import time
from collections.abc import Iterator

import dash
import pytest

from dashboard.errors import StoreUnavailable
from dashboard.review_export import EXTENSION as PACKS
from dashboard.review_export import PackJobs
from dashboard.state import EXTENSION
from tests.app.conftest import build_app
from tests.app.test_app import route
from tests.app.test_suppliers_page import callback
from tests.seed import seed

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
REVIEW = [
    "review-content.children",
    "review-diff.children",
    "review-subtitle.children",
    "review-as-of.children",
    "review-shown.data",
]


@pytest.fixture
def review_app(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dash.Dash]:
    """An app whose pack jobs live in tmp and find no Chromium."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    application = build_app(url, auth_header="X-Forwarded-User")
    application.server.extensions[PACKS] = PackJobs(root=tmp_path / "packs", chromium=None)
    yield application
    application.server.extensions[EXTENSION].repository.sources.dispose()


@pytest.fixture
def client(review_app: dash.Dash):
    test_client = review_app.server.test_client()
    test_client.environ_base["HTTP_X_FORWARDED_USER"] = "ann"
    assert test_client.get("/").status_code == 200
    return test_client


def review(client, query: dict):
    return callback(client, REVIEW, [{"id": "review-query", "property": "data", "value": query}])


def freeze(client, query: dict, shown: object):
    body = {
        "output": "..review-freeze-message.children...review-freeze.disabled..",
        "outputs": [{"id": "review-freeze-message", "property": "children"}, {"id": "review-freeze", "property": "disabled"}],
        "inputs": [{"id": "review-freeze", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["review-freeze.n_clicks"],
        "state": [
            {"id": "review-query", "property": "data", "value": query},
            {"id": "review-shown", "property": "data", "value": shown},
        ],
    }
    return client.post("/_dash-update-component", json=body)


class BrokenStore:
    """An app store whose database is gone: every call raises StoreUnavailable."""

    def __getattr__(self, name: str):
        def fail(*args, **kwargs):
            raise StoreUnavailable(
                "Could not read review editions: the dashboard's own database did not answer. Try again in a moment."
            )

        return fail


@pytest.mark.parametrize("query", ["?period=custom&start=2026-03-01&end=2026-03-31", "?edition=1", "?present=1&period=90d"])
def test_the_page_renders(client, query: str) -> None:
    response = route(client, "/review", query)
    assert response.status_code == 200 and "Traceback" not in response.get_data(as_text=True)


def test_freezing_writes_an_edition_by_the_signed_in_user_and_the_next_review_compares(client, review_app) -> None:
    first = review(client, MARCH).get_json()["response"]
    assert "No edition is frozen yet" in str(first["review-diff"])
    shown = first["review-shown"]["data"]
    saved = freeze(client, MARCH, shown).get_json()["response"]
    assert "Frozen as edition 1" in str(saved) and "by ann" in str(saved) and saved["review-freeze"]["disabled"] is True
    edition = review_app.server.extensions[EXTENSION].store.edition(1)
    assert edition.created_by == "ann" and edition.period_query == "period=custom&start=2026-03-01&end=2026-03-31"
    again = review(client, MARCH).get_json()["response"]
    assert "Since edition 1" in str(again["review-diff"]) and "nothing changed" in str(again["review-diff"])
    frozen = review(client, {**MARCH, "edition": "1"}).get_json()["response"]
    assert "Edition 1 · frozen" in str(frozen["review-diff"]) and "by ann" in str(frozen["review-diff"])
    stale = freeze(client, MARCH, {"digest": "numbers from an hour ago"}).get_json()["response"]
    assert "The numbers changed since this page was drawn" in str(stale)
    assert review_app.server.extensions[EXTENSION].store.edition(2) is None


def test_a_broken_app_store_shows_its_message_and_keeps_the_review(client, review_app) -> None:
    review_app.server.extensions[EXTENSION].store = BrokenStore()
    response = review(client, MARCH)
    payload = response.get_json()["response"]
    assert response.status_code == 200
    assert "Editions could not be read: Could not read review editions" in str(payload["review-diff"])
    assert "kpi-card-first_pass_yield" in str(payload["review-content"])  # the review itself is there
    saved = freeze(client, MARCH, payload["review-shown"]["data"]).get_json()["response"]
    assert "did not answer" in str(saved["review-freeze-message"]) and saved["review-freeze"]["disabled"] is False
    assert "did not answer" in str(review(client, {**MARCH, "edition": "1"}).get_json()["response"]["review-content"])


def test_a_signed_out_request_gets_no_pack(review_app) -> None:
    anonymous = review_app.server.test_client()
    assert anonymous.post("/review/pack", json={"search": "?period=90d"}).status_code == 401


def test_the_pack_routes_answer_with_states(client) -> None:
    refused = client.post("/review/pack", json={"search": "?period=nope"})
    assert refused.status_code == 400 and refused.get_json()["message"].startswith("No pack: Unknown period 'nope'")
    assert client.post("/review/pack", json={"search": "?edition=x1"}).status_code == 400
    assert client.post("/review/pack", data={"search": "?period=90d"}).status_code == 415  # a form post from elsewhere
    started = client.post("/review/pack", json={"search": "?period=custom&start=2026-03-01&end=2026-03-31"})
    assert started.status_code == 202
    job = started.get_json()["job"]
    deadline = time.monotonic() + 60
    state = started.get_json()
    while state["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        state = client.get(f"/review/pack/{job}").get_json()
    assert state["state"] == "failed" and state["message"].startswith("The PDF pack needs Chromium")  # no Chromium here
    assert client.get(f"/review/pack/{job}/file").status_code == 404
    assert client.get("/review/pack/not-a-job").status_code == 404
