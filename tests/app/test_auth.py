"""Authentication by a trusted proxy's header, and read-only display links for wall screens."""

from __future__ import annotations

import pytest

from dashboard import auth
from dashboard.__main__ import main
from dashboard.state import EXTENSION
from tests.app.conftest import build_app
from tests.app.test_okr_page import save

USER = {"X-Forwarded-User": "ann"}


@pytest.fixture
def secured(seeded_sqlite):
    app = build_app(seeded_sqlite, auth_header="X-Forwarded-User")
    yield app
    app.server.extensions[EXTENSION].repository.sources.dispose()


def store_of(app):
    return app.server.extensions[EXTENSION].store


def test_without_the_header_every_page_is_refused_but_health(secured) -> None:
    client = secured.server.test_client()
    for path in ("/", "/okr", "/_dash-layout", "/defects/export.csv", "/wall"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "X-Forwarded-User" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/okr", headers=USER).status_code == 200


def test_a_display_link_opens_the_wall_only_and_cannot_write(secured) -> None:
    _record, token = store_of(secured).create_display_token("Hall 3", "ann")
    client = secured.server.test_client()
    assert client.get(f"/wall?display={token}").status_code == 200
    assert client.get("/_dash-layout").status_code == 200  # what the wall needs, through the session
    assert client.get("/okr").status_code == 403
    assert client.get("/defects/export.csv").status_code == 403
    payload = save(client, {"quarter": "2026-Q1", "kr": "K1"}).get_json()["response"]
    assert "read-only" in str(payload["okr-saved"]["children"])
    assert store_of(secured).checkins(["K1"]) == []


def test_an_unknown_or_revoked_link_is_refused(secured, monkeypatch) -> None:
    record, token = store_of(secured).create_display_token("Hall 3", "ann")
    client = secured.server.test_client()
    assert client.get("/wall?display=guess").status_code == 401
    assert client.get(f"/wall?display={token}").status_code == 200
    store_of(secured).revoke_display_token(record.token_id)
    monkeypatch.setattr(auth, "RECHECK_S", 0.0)  # the next request re-checks at once
    response = client.get("/_dash-layout")
    assert response.status_code == 401 and "revoked" in response.get_data(as_text=True)
    assert client.get(f"/wall?display={token}").status_code == 401


def test_display_links_from_the_command_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DASHBOARD_STORE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    assert main(["display-link", "create", "Hall 3"]) == 0
    assert "/wall?display=" in capsys.readouterr().out
    assert main(["display-link", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Hall 3" in listed and "active" in listed
    assert main(["display-link", "revoke", "1"]) == 0
    assert main(["display-link", "revoke", "1"]) == 1
    assert main(["display-link", "revoke", "x"]) == 2
    assert main(["display-link", "create"]) == 2
    main(["display-link", "list"])
    assert "revoked" in capsys.readouterr().out
