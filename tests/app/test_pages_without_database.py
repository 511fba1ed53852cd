"""The new pages when the database is gone: the last good numbers marked stale, or, with no copy
at all, a sentence saying what to check — never a stack trace, never a blank page."""

from __future__ import annotations

import time
from pathlib import Path

from tests.app.conftest import build_app
from tests.app.test_defects_page import update as defects
from tests.app.test_suppliers_page import scorecard, supplier
from tests.app.test_voc_page import update as voc
from tests.seed import seed

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
PAGES = {
    "defects": (defects, MARCH, "'2,000 DPMO'"),
    "suppliers": (scorecard, MARCH, "with enough data: S001 (2,000)"),
    "supplier": (supplier, {**MARCH, "supplier": "S001"}, "'PPM (95 % interval)'"),
    "voc": (voc, MARCH, "'+40'"),
}


def test_a_lost_database_keeps_the_last_good_pages_marked_stale(tmp_path) -> None:
    path = tmp_path / "q.db"
    seed(f"sqlite:///{path}")
    app = build_app(f"sqlite:///{path}", cache_timeout_s="1")
    client = app.server.test_client()
    client.get("/")
    for call, query, value in PAGES.values():
        assert value in str(call(client, query).get_json())
    time.sleep(1.1)  # the fresh copies expire; the last-good copies stay
    app.server.extensions["quality_dashboard"].repository.sources.dispose()
    Path(path).rename(tmp_path / "moved.db")
    for name, (call, query, value) in PAGES.items():
        response = call(client, query)
        text = str(response.get_json())
        assert response.status_code == 200, name
        assert value in text, name
        assert "last good copy" in text, name
        assert "Traceback" not in response.get_data(as_text=True), name


def test_no_database_and_no_copy_is_a_sentence(tmp_path) -> None:
    app = build_app(f"sqlite:///{tmp_path / 'missing.db'}")
    client = app.server.test_client()
    client.get("/")
    for name, (call, query, _) in PAGES.items():
        response = call(client, query)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert "cannot be opened" in text, name
        assert "Traceback" not in text, name
