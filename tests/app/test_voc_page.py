"""The voice-of-the-customer page through Dash's HTTP interface, on the hand-made data."""

from __future__ import annotations

from tests.app.test_app import route
from tests.app.test_suppliers_page import callback

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
OUTPUTS = [
    "voc-content.children",
    "voc-messages.children",
    "voc-comments.rowData",
    "voc-comments-title.children",
    "voc-as-of.children",
]


def update(client, query: object):
    """The page's refresh, for the parameters in its store (which can be forged)."""
    inputs = [{"id": "voc-refresh", "property": "n_intervals", "value": 1}]
    state = [{"id": "voc-query", "property": "data", "value": query}]
    return callback(client, OUTPUTS, inputs, state)


def test_the_page_renders(client) -> None:
    response = route(client, "/voc", "?period=custom&start=2026-03-01&end=2026-03-31&channel=email")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "voc-comments" in text and "Traceback" not in text


def test_the_page_arrives_with_its_numbers_and_comments_in_one_request(client) -> None:
    text = route(client, "/voc", "?period=custom&start=2026-03-01&end=2026-03-31").get_data(as_text=True)
    assert "+40" in text and "Comments: 6 comments in this period." in text and "Data as of" in text


def test_the_callback_draws_numbers_and_comments(client) -> None:
    payload = update(client, MARCH).get_json()["response"]
    assert "'+40'" in str(payload["voc-content"])
    rows = payload["voc-comments"]["rowData"]
    assert len(rows) == 6 and payload["voc-comments-title"]["children"] == "Comments: 6 comments in this period."


def test_bad_and_forged_values_give_messages(client) -> None:
    text = str(update(client, {**MARCH, "channel": "<img src=x>", "code": "D99"}).get_json())
    assert "Unknown channel '<img src=x>'; showing all." in text
    assert "Unknown defect code 'D99'" in text
    for forged in ("x", None, {**MARCH, "by": "mood"}, {**MARCH, "theme": ["a"]}):
        response = update(client, forged)
        assert response.status_code == 200 and "Traceback" not in response.get_data(as_text=True)
