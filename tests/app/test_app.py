"""The app through Flask's test client: pages, callbacks, forged requests, health, headers."""

from __future__ import annotations

import json

import pytest

from dashboard.pages._catalogue import UPCOMING
from dashboard.state import EXTENSION
from tests.app.conftest import build_app

ROUTER = "..{}_pages_content.children...{}_pages_store.data..".format("", "")
OVERVIEW = "..overview-tiles.children...overview-status.children.."


def route(client, pathname: str, search: str = ""):
    body = {
        "output": ROUTER,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    return client.post("/_dash-update-component", json=body)


def overview(client, query):
    """The overview's refresh, for the filter in its store (which can be forged)."""
    body = {
        "output": OVERVIEW,
        "outputs": [{"id": "overview-tiles", "property": "children"}, {"id": "overview-status", "property": "children"}],
        "inputs": [{"id": "overview-refresh", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["overview-refresh.n_intervals"],
        "state": [{"id": "overview-query", "property": "data", "value": query}],
    }
    return client.post("/_dash-update-component", json=body)


@pytest.mark.parametrize("path", ["/", "/process-control", *UPCOMING, "/no-such-page"])
def test_every_page_renders(client, path: str) -> None:
    response = route(client, path)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    if path == "/no-such-page":
        assert "Page not found" in text
    elif path in UPCOMING:
        assert "Coming soon" in text


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("?plant=P99", "Unknown plant"),
        ("?period=custom&start=2026-02-30&end=2026-03-31", "is not a date"),
        ("?period=%00%ff<script>", "Unknown period"),
        ("?plant=P01&plant=P02&colour=red", ""),
    ],
)
def test_malformed_url_parameters_give_a_message_not_an_error(client, search: str, message: str) -> None:
    response = route(client, "/", search)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text
    assert "<script>" not in text


def test_process_control_callback_renders_table_and_charts(client) -> None:
    body = {
        "output": (
            "..spc-line.options...spc-line.value...spc-messages.children...spc-summary.children"
            "...spc-grid.rowData...spc-content.children.."
        ),
        "outputs": [
            {"id": "spc-line", "property": "options"},
            {"id": "spc-line", "property": "value"},
            {"id": "spc-messages", "property": "children"},
            {"id": "spc-summary", "property": "children"},
            {"id": "spc-grid", "property": "rowData"},
            {"id": "spc-content", "property": "children"},
        ],
        "inputs": [{"id": "spc-refresh", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["spc-refresh.n_intervals"],
        "state": [
            {
                "id": "spc-query",
                "property": "data",
                "value": {
                    "period": "custom",
                    "start": "2026-03-01",
                    "end": "2026-03-31",
                    "characteristic": "x'--",
                    "rebase": "soon",
                    "plant": "P9",
                },
            },
        ],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "P01-L01-C1" in text and "Unknown characteristic" in text and "Traceback" not in text
    assert "is not a date for the new baseline" in text


def test_process_control_arrives_with_its_table_in_one_request(client) -> None:
    text = route(client, "/process-control", "?period=custom&start=2026-03-01&end=2026-03-31&line=P01-L01")
    text = text.get_data(as_text=True)
    assert "P01-L01-C1" in text and '"value":"P01-L01"' in text and "Traceback" not in text


def test_overview_callback_renders_tiles(client) -> None:
    response = overview(client, {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "98.0 %" in text and "First-pass yield" in text and "On target" in text


def test_forged_store_value_is_validated_again(client) -> None:
    response = overview(client, {"period": "custom", "start": "1900-01-01", "end": "2999-01-01", "plant": "P01' --"})
    assert response.status_code == 200
    assert "First-pass yield" in response.get_data(as_text=True)


FORGED = [
    ("not json", "text/plain"),
    (json.dumps([1, 2, 3]), "application/json"),
    (json.dumps({"output": "nope.children", "inputs": []}), "application/json"),
    (json.dumps({"output": OVERVIEW, "inputs": "x"}), "application/json"),
    (json.dumps({"output": OVERVIEW, "inputs": [{"id": "other", "property": "data", "value": 1}]}), "application/json"),
    (json.dumps({"output": OVERVIEW, "inputs": [{"property": "data"}]}), "application/json"),
    (
        json.dumps(
            {
                "output": OVERVIEW,
                "changedPropIds": "x",
                "inputs": [{"id": "overview-refresh", "property": "n_intervals", "value": 1}],
                "state": [{"id": "overview-query", "property": "data", "value": {}}],
            }
        ),
        "application/json",
    ),
]


def test_the_overview_arrives_with_its_tiles_in_one_request(client) -> None:
    text = route(client, "/", "?period=custom&start=2026-03-01&end=2026-03-31").get_data(as_text=True)
    assert "kpi-card-first_pass_yield" in text and "98.0 %" in text and "Data as of" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(("body", "content_type"), FORGED)
def test_forged_callback_requests_get_400(client, body: str, content_type: str) -> None:
    response = client.post("/_dash-update-component", data=body, content_type=content_type)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_oversized_callback_body_is_refused(client) -> None:
    response = client.post("/_dash-update-component", data="x" * (10 * 1024 * 1024), content_type="application/json")
    assert 400 <= response.status_code < 500


def test_security_headers(client) -> None:
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "script-src 'self' 'sha256-" in csp and "''" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_healthz_ok(client) -> None:
    report = client.get("/healthz").get_json()
    assert report["status"] == "ok"
    assert report["database"]["status"] == "ok" and report["cache"]["status"] == "ok"


def test_healthz_degraded_when_the_database_is_gone(tmp_path) -> None:
    app = build_app("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", pool_timeout_s="1")
    response = app.server.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["database"]["status"] == "down"


def test_unknown_route_is_json_404_without_trace(client) -> None:
    response = client.get("/api/secret")
    assert response.status_code in (200, 404)  # Dash serves its index for client-side routes
    assert "Traceback" not in response.get_data(as_text=True)


def test_debug_is_off_by_default(app) -> None:
    assert app.server.debug is False


def test_the_app_caps_the_numeric_libraries_threads(seeded_sqlite: str) -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=2):  # restored afterwards, whatever the app sets
        assert any(pool["num_threads"] == 2 for pool in threadpool_info())
        build_app(seeded_sqlite, numeric_threads="1")
        pools = threadpool_info()
        assert pools, "numpy loads a BLAS library"
        assert all(pool["num_threads"] == 1 for pool in pools)


def test_database_gone_keeps_the_last_good_numbers_with_a_banner(tmp_path) -> None:
    import time
    from pathlib import Path

    from tests.seed import seed

    path = tmp_path / "q.db"
    seed(f"sqlite:///{path}")
    app = build_app(f"sqlite:///{path}", cache_timeout_s="1")
    client = app.server.test_client()
    client.get("/")
    query = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    assert "98.0 %" in overview(client, query).get_data(as_text=True)
    time.sleep(1.1)  # the fresh copies expire; the last-good copies stay
    app.server.extensions["quality_dashboard"].repository.sources.dispose()
    Path(path).rename(tmp_path / "moved.db")
    text = overview(client, query).get_data(as_text=True)
    assert "showing data from" in text
    assert "98.0 %" in text
    assert "Traceback" not in text
    assert client.get("/healthz").get_json()["status"] == "degraded"


def test_a_new_app_knows_its_scripts_before_the_first_request(seeded_sqlite: str) -> None:
    """A gunicorn worker's first requests arrive on several threads at once, often for scripts
    of an index page another worker rendered; Dash registers its scripts while rendering an
    index, so the app must have done that before it serves anyone."""
    fresh = build_app(seeded_sqlite)
    try:
        assert {"dash", "dash_bootstrap_components", "dash_ag_grid"} <= set(fresh.registered_paths)
        assert any("polyfill" in path for path in fresh.registered_paths["dash"])
    finally:
        fresh.server.extensions[EXTENSION].repository.sources.dispose()


@pytest.mark.parametrize(
    ("path", "template", "builder", "logged"),
    [
        ("/", "/", "build_overview", "/"),
        ("/voc", "/voc", "build_voc", "/voc"),
        ("/process-control", "/process-control", "build_process_control", "/process-control"),
        ("/defects", "/defects", "build_defects", "/defects"),
        ("/suppliers", "/suppliers", "build_scorecard", "/suppliers"),
        ("/suppliers/S001", "/suppliers/<supplier_id>", "build_supplier", "/suppliers/<id>"),
        ("/capa", "/capa", "build_capa", "/capa"),
        ("/audits", "/audits", "build_audits", "/audits"),
        ("/okr", "/okr", "build_okr", "/okr"),
    ],
)
def test_a_bug_while_building_a_page_leaves_its_filters_and_a_message(
    app, client, monkeypatch, caplog, path: str, template: str, builder: str, logged: str
) -> None:
    """The pages that build their charts in the layout: a bug there must not blank the page."""
    import dash

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail of a bug")

    page = next(p for p in dash.page_registry.values() if (p.get("path_template") or p["path"]) == template)
    monkeypatch.setitem(page["layout"].__globals__, builder, broken)  # a bug in the page's view
    response = route(client, path, "?period=90d")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "could not be built because of an unexpected error" in text
    # the filter bar (the quarter and team on the OKR page) is still there to choose another view
    assert ("okr-quarter" if path == "/okr" else "filter-period") in text
    assert "secret detail" not in text and "Traceback" not in text
    assert f"Building {logged} failed" in caplog.text and "secret detail of a bug" in caplog.text
