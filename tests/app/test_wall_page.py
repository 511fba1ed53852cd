"""Wall mode (/wall) through Dash's HTTP interface: the skeleton from the URL, the refresh callback
read through the cache, the stale banner, forged input, and /version."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from dashboard.state import EXTENSION
from dashboard.version import build_id
from tests.app.conftest import build_app
from tests.app.test_app import route
from tests.seed import seed

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
OUTPUTS = ("wall-deck", "wall-banner", "wall-notes")


def refresh(client, query: object, viewport: object = None, tick: int = 0):
    body = {
        "output": ".." + "...".join(f"{o}.children" for o in OUTPUTS) + "..",
        "outputs": [{"id": o, "property": "children"} for o in OUTPUTS],
        "inputs": [{"id": "wall-viewport", "property": "data", "value": viewport or {"w": 1920, "h": 1080, "n": tick}}],
        "changedPropIds": ["wall-viewport.data"],
        "state": [{"id": "wall-config", "property": "data", "value": {"query": query, "count": 1}}],
    }
    return client.post("/_dash-update-component", json=body)


def skeleton(client, search: str) -> dict:
    response = route(client, "/wall", search)
    assert response.status_code == 200
    return response.get_json()["response"]["_pages_content"]["children"]["props"]


def texts(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False)


def test_the_url_sets_the_skeleton(client) -> None:
    props = skeleton(client, "?views=overview,defects|plant=P02&dwell=3&refresh=5&theme=light&colour=red")
    assert props["className"] == "wall wall-light wall-show-0"
    assert props["data-dwell-ms"] == "3000" and props["data-views"] == "2"
    assert 60_000 <= int(props["data-refresh-ms"]) < 72_000  # clamped to the server's 60 s, then jittered
    text = texts(props)
    assert "data refresh every 60 s (the server's minimum; 5 s was asked)" in text
    assert "Unknown parameter 'colour'; ignored." in text
    assert '"Overview"' in text and '"Defects"' in text


def test_one_view_does_not_rotate(client) -> None:
    props = skeleton(client, "?views=overview")
    intervals = [c["props"] for c in props["children"] if c["type"] == "Interval"]
    assert [i["disabled"] for i in intervals if i["id"] == "wall-dwell"] == [True]


def test_the_refresh_draws_every_panel_with_its_freshness(client) -> None:
    response = refresh(client, {**MARCH, "views": "overview,defects,suppliers,voc,nope"})
    assert response.status_code == 200
    payload = response.get_json()["response"]
    deck = payload["wall-deck"]["children"]
    assert [p["props"]["id"] for p in deck] == [f"wall-panel-{i}" for i in range(4)]
    text = texts(deck)
    assert '"98.0"' in text and '"✓ On target"' in text  # a number, and its status in words with an icon
    assert re.search(r"as of \d\d:\d\d UTC", text)
    assert "Best and worst" in text or "ranked supplier" in text
    assert payload["wall-banner"]["children"] == []
    assert "Unknown view 'nope'; skipped" in texts(payload["wall-notes"])
    assert "Traceback" not in response.get_data(as_text=True)


def test_many_screens_cost_one_query_per_view_and_filter(client) -> None:
    repository = client.application.extensions[EXTENSION].repository
    query = {**MARCH, "views": "overview,defects,suppliers,voc"}
    assert refresh(client, query).status_code == 200
    first = repository.queries_run
    assert first > 0
    for screen in range(5):  # five more screens (and the same screen's next ticks) within the cache timeout
        assert refresh(client, query, tick=screen + 1).status_code == 200
    assert repository.queries_run == first
    assert refresh(client, {**query, "plant": "P02"}).status_code == 200
    assert repository.queries_run > first  # a new filter is a new query


def test_forged_config_falls_back_to_the_default_wall(client) -> None:
    for forged in (None, "views=overview", {"views": 42, "dwell": {"a": 1}}, {"refresh": "0"}):
        response = refresh(client, forged, viewport={"w": "huge"})
        assert response.status_code == 200
        assert len(response.get_json()["response"]["wall-deck"]["children"]) == 6  # every registered view


def test_a_lost_database_shows_the_last_numbers_under_a_stale_banner(tmp_path) -> None:
    path = tmp_path / "q.db"
    seed(f"sqlite:///{path}")
    app = build_app(f"sqlite:///{path}", cache_timeout_s="1")
    client = app.server.test_client()
    client.get("/")
    query = {**MARCH, "views": "overview,defects,suppliers,voc"}
    assert '"98.0"' in texts(refresh(client, query).get_json())
    time.sleep(1.1)  # the fresh copies expire; the last-good copies stay
    app.server.extensions[EXTENSION].repository.sources.dispose()
    path.rename(tmp_path / "moved.db")
    response = refresh(client, query, tick=1)
    assert response.status_code == 200
    payload = response.get_json()["response"]
    banner = texts(payload["wall-banner"])
    assert re.search(r"Stale since \d\d:\d\d UTC: cannot reach the quality database", banner)
    assert '"98.0"' in texts(payload["wall-deck"])
    assert "(last good copy)" in texts(payload["wall-deck"])


def test_version_is_a_stable_build_id_never_cached(client) -> None:
    first = client.get("/version")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    build = first.get_json()["build"]
    assert re.fullmatch(r"[0-9a-f]{16}", build)
    assert client.get("/version").get_json()["build"] == build


def test_the_build_id_changes_with_the_code(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("not code\n")
    before = build_id([tmp_path])
    assert build_id([tmp_path]) == before
    (tmp_path / "notes.txt").write_text("still not code\n")
    assert build_id([tmp_path]) == before
    (tmp_path / "app.py").write_text("x = 2\n")
    assert build_id([tmp_path]) != before
