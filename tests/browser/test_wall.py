"""Wall mode in headless Chromium: rotation at the stated dwell, data refresh, no navigation bar,
no scrollbars at 1920×1080 and 3840×2160, a clean console, and the stale banner when PostgreSQL
goes away behind a TCP proxy (and its disappearance when it comes back)."""

from __future__ import annotations

import itertools
import re
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from dashboard.state import EXTENSION
from tests.app.conftest import build_app
from tests.browser.tcp_proxy import TcpProxy
from tests.conftest import PG_ADMIN_URL, _unavailable
from tests.seed import seed

pytestmark = pytest.mark.browser
MARCH = "period=custom&start=2026-03-01&end=2026-03-31"
# A short refresh for tests: the timeout ladder statement < callback < worker < refresh still holds.
FAST = {
    "refresh_interval_s": "3",
    "worker_timeout_s": "2",
    "callback_timeout_s": "1.2",
    "statement_timeout_s": "0.5",
    "pool_timeout_s": "0.5",
    "cache_timeout_s": "1",
}
# Records, before the app draws anything, whether a navigation bar is ever displayed.
NAVBAR_WATCH = """
window.__navbarShown = false;
new MutationObserver(function () {
  document.querySelectorAll('.navbar').forEach(function (bar) {
    if (getComputedStyle(bar).display !== 'none') { window.__navbarShown = true; }
  });
}).observe(document, {childList: true, subtree: true});
"""


def serve(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.server.extensions[EXTENSION].repository.sources.dispose()


@pytest.fixture
def wall_sqlite(tmp_path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    app = build_app(url, **FAST)
    for base in serve(app):
        yield base, url


@pytest.fixture
def wall_postgres() -> Iterator[tuple[str, TcpProxy]]:
    """A throwaway PostgreSQL database with the hand-made data, reached through a proxy; dropped after."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"wall_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        _unavailable("PostgreSQL", error)
    direct = sa.make_url(PG_ADMIN_URL).set(database=name)
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
    try:
        seed(direct.render_as_string(hide_password=False))
        app = build_app(direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), **FAST)
        for base in serve(app):
            yield base, proxy
    finally:
        proxy.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def open_wall(browser, url: str, size: tuple[int, int] = (1920, 1080)) -> None:
    width, height = size
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    )
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NAVBAR_WATCH})
    browser.get(url)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-panel-0 .wall-value"))


def shown_panel(browser) -> str:
    """The title of the panel on screen (the others are laid out but hidden)."""
    return browser.execute_script(
        "var shown = Array.from(document.querySelectorAll('.wall-panel'))"
        ".filter(function (p) { return getComputedStyle(p).visibility === 'visible'; });"
        "return shown.map(function (p) { return p.querySelector('.wall-panel-title').textContent; }).join('|');"
    )


def tile_value(browser, label: str) -> str:
    return browser.execute_script(
        "var label = arguments[0];"
        "var tile = Array.from(document.querySelectorAll('#wall-panel-0 .wall-number'))"
        ".find(function (n) { return n.querySelector('.wall-number-label').textContent === label; });"
        "return tile ? tile.querySelector('.wall-value').textContent : null;",
        label,
    )


def console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_the_wall_rotates_through_its_playlist_at_the_stated_dwell(browser, wall_sqlite) -> None:
    base, _ = wall_sqlite
    open_wall(browser, f"{base}/wall?views=overview,defects&dwell=3&{MARCH}")
    root = browser.find_element(By.ID, "wall-root")
    assert root.get_attribute("data-dwell-ms") == "3000"
    seen: list[tuple[float, str]] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(seen) < 4:
        title = shown_panel(browser)
        if not seen or seen[-1][1] != title:
            seen.append((time.monotonic(), title))
        time.sleep(0.1)
    titles = [title for _, title in seen]
    assert len(titles) >= 3 and titles == ["Overview", "Defects", "Overview", "Defects"][: len(titles)], seen
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(seen[1:])]  # between switches
    assert all(gap > 2.4 for gap in gaps), gaps  # one switch per dwell, never faster
    active = browser.find_elements(By.CSS_SELECTOR, ".wall-dot")
    assert [dot.text for dot in active] == ["Overview", "Defects"]
    assert browser.execute_script("return window.store.getState().history.past.length") <= 10  # no growth per tick
    assert browser.execute_script("return window.__navbarShown") is False
    assert "wall-screen" in browser.find_element(By.TAG_NAME, "html").get_attribute("class")
    assert console_errors(browser) == []


def test_the_wall_refreshes_its_data_by_itself(browser, wall_sqlite) -> None:
    base, url = wall_sqlite
    open_wall(browser, f"{base}/wall?views=overview&{MARCH}")
    label = "Open major audit findings"
    WebDriverWait(browser, 20).until(lambda d: tile_value(d, label) == "1")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_findings (plant_id, audit_date, audit_type, iso_clause, finding_severity, closed_date) "
                "VALUES ('P02', '2026-03-10', 'internal', '7.1.5', 'major', NULL)"
            )
        )
    engine.dispose()
    WebDriverWait(browser, 30).until(lambda d: tile_value(d, label) == "2")
    assert re.search(r"as of \d\d:\d\d UTC", browser.find_element(By.ID, "wall-panel-0").text)
    assert console_errors(browser) == []


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "2160p"])
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_panel_fits_the_screen_without_scrollbars(browser, wall_sqlite, size: tuple[int, int], theme: str) -> None:
    base, _ = wall_sqlite
    open_wall(browser, f"{base}/wall?views=overview,defects,suppliers,voc,capa,audits&dwell=600&theme={theme}&{MARCH}", size)
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".wall-panel .main-svg")) >= 9)
    sizes = browser.execute_script(
        "var e = document.documentElement; return [e.scrollWidth, e.scrollHeight, innerWidth, innerHeight];"
    )
    assert sizes == [size[0], size[1], size[0], size[1]]
    overflowing = browser.execute_script(
        "return Array.from(document.querySelectorAll('.wall-panel-body, .wall-numbers, .wall-charts'))"
        ".filter(function (e) { return e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1; })"
        ".map(function (e) { return e.closest('.wall-panel').id + ' ' + e.className; });"
    )
    assert overflowing == []
    body_px = browser.execute_script("return parseFloat(getComputedStyle(document.querySelector('.wall-scope')).fontSize)")
    value_px = browser.execute_script("return parseFloat(getComputedStyle(document.querySelector('.wall-value')).fontSize)")
    scale = size[1] / 1080
    assert body_px >= 28 * scale and value_px >= 96 * scale
    assert browser.find_element(By.CSS_SELECTOR, ".navbar").is_displayed() is False
    assert console_errors(browser) == []


def test_the_wall_rides_out_a_server_restart_and_reloads_itself_after_an_upgrade(browser, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    first = build_app(url, **FAST)
    server = make_server("127.0.0.1", 0, first.server, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        open_wall(browser, f"{base}/wall?views=overview&{MARCH}")
        WebDriverWait(browser, 20).until(lambda d: tile_value(d, "Open major audit findings") == "1")
        browser.execute_script("window.__sameDocument = true;")
        server.shutdown()
        thread.join()
        first.server.extensions[EXTENSION].repository.sources.dispose()
        offline = WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "wall-offline"))[0]
        assert re.match(r"⚠ Cannot reach the dashboard server since \d\d:\d\d", offline.text)
        assert tile_value(browser, "Open major audit findings") == "1"  # the last numbers stay

        second = build_app(url, **FAST)  # the same code: the same build, no reload needed
        server = make_server("127.0.0.1", port, second.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        WebDriverWait(browser, 30).until(lambda d: not d.find_elements(By.ID, "wall-offline"))
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_findings (plant_id, audit_date, audit_type, iso_clause, finding_severity, "
                    "closed_date) VALUES ('P02', '2026-03-10', 'internal', '7.1.5', 'major', NULL)"
                )
            )
        engine.dispose()
        WebDriverWait(browser, 30).until(lambda d: tile_value(d, "Open major audit findings") == "2")  # updates resume
        assert browser.execute_script("return window.__sameDocument") is True

        second.server.view_functions["version"] = lambda: {"build": "an-upgrade"}
        WebDriverWait(browser, 60).until(lambda d: d.execute_script("return window.__sameDocument") is None)
        WebDriverWait(browser, 30).until(lambda d: tile_value(d, "Open major audit findings") == "2")
        assert browser.execute_script("return sessionStorage.getItem('wall-reload-reason')") == "new build an-upgrade"
    finally:
        server.shutdown()
        thread.join()
        for app in (first, locals().get("second")):
            if app is not None:
                app.server.extensions[EXTENSION].repository.sources.dispose()


def test_the_wall_reloads_itself_when_its_updates_keep_failing_while_the_server_answers(browser, tmp_path) -> None:
    """The server is up (``/version`` answers, same build) but every callback of this page fails,
    as after an upgrade that changed them: the screen reloads itself, and when even the reloaded
    wall does not arrive, reloads again once the callbacks work, without anyone at the screen."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    app = build_app(url, **FAST)
    failing = threading.Event()
    inner = app.server.wsgi_app

    def callbacks_fail_when_told(environ, start_response):
        if failing.is_set() and environ.get("PATH_INFO", "").endswith("/_dash-update-component"):
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "application/json")])
            return [b'{"message": "failing on purpose"}']
        return inner(environ, start_response)

    app.server.wsgi_app = callbacks_fail_when_told
    for base in serve(app):
        open_wall(browser, f"{base}/wall?views=overview&{MARCH}")
        WebDriverWait(browser, 20).until(lambda d: tile_value(d, "Open major audit findings") == "1")
        browser.execute_script("window.__sameDocument = true;")
        failing.set()
        # 3 failed refreshes (3 s apart), the next /version poll (5 s), then a reload within 10 s
        WebDriverWait(browser, 60).until(lambda d: d.execute_script("return window.__sameDocument") is None)
        reason = browser.execute_script("return sessionStorage.getItem('wall-reload-reason')")
        assert re.fullmatch(r"\d+ failed updates", reason or ""), reason
        # The reloaded page's first update (the wall itself) fails too: nothing on the page would ask
        # again, so once the server answers the screen fetches the wall afresh, sooner than 5 minutes.
        WebDriverWait(browser, 30).until(lambda d: d.execute_script("return window.__wallScreen.failures") > 0)
        assert not browser.find_elements(By.ID, "wall-root")
        browser.execute_script("window.__sameDocument = true;")
        failing.clear()
        WebDriverWait(browser, 90).until(lambda d: d.execute_script("return window.__sameDocument") is None)
        WebDriverWait(browser, 30).until(lambda d: tile_value(d, "Open major audit findings") == "1")
        assert browser.execute_script("return sessionStorage.getItem('wall-reload-reason')") == "the wall did not arrive"
        assert not browser.find_elements(By.ID, "wall-offline")  # the server was never unreachable


@pytest.mark.postgres
def test_a_lost_database_keeps_the_numbers_under_a_stale_banner_until_it_returns(browser, wall_postgres) -> None:
    base, proxy = wall_postgres
    open_wall(browser, f"{base}/wall?views=overview&{MARCH}")
    WebDriverWait(browser, 20).until(lambda d: tile_value(d, "First-pass yield") == "98.0")
    banner = browser.find_element(By.ID, "wall-banner")
    assert banner.text == ""
    proxy.cut()
    WebDriverWait(browser, 30).until(lambda d: "Stale since" in d.find_element(By.ID, "wall-banner").text)
    assert re.match(r"⚠ Stale since \d\d:\d\d UTC: cannot reach the quality database", banner.text)
    assert tile_value(browser, "First-pass yield") == "98.0"  # the last numbers stay
    assert "last good copy" in browser.find_element(By.CSS_SELECTOR, "#wall-panel-0 .wall-freshness").text
    assert proxy.refused > 0
    proxy.restore()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "wall-banner").text == "")
    assert tile_value(browser, "First-pass yield") == "98.0"
    assert "last good copy" not in browser.find_element(By.CSS_SELECTOR, "#wall-panel-0 .wall-freshness").text
    assert console_errors(browser) == []
