"""OKRs in headless Chromium on the demo data: the planted key result is off track, a check-in
recorded in the page moves its chart, a bad one keeps the form as typed, and what was recorded
survives a restart of the app."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from dashboard.sources.demo import write_demo
from dashboard.state import EXTENSION
from tests.app.conftest import build_app
from tests.browser.conftest import DEMO_END
from tests.browser.test_overview import console_errors

pytestmark = pytest.mark.browser
STORY = "2026-Q4-T02-K1"
PAGE = f"/okr?quarter=2026-Q4&kr={STORY}"


@pytest.fixture(scope="module")
def start_server(tmp_path_factory) -> Iterator[Callable[[], tuple[str, Callable[[], None]]]]:
    """Start (and later stop) an app on one demo database and one app store, as often as asked."""
    folder = tmp_path_factory.mktemp("okr")
    url = f"sqlite:///{folder / 'quality.db'}"
    write_demo(url, "small", end_date=DEMO_END, progress=False)
    running = []

    def start() -> tuple[str, Callable[[], None]]:
        app = build_app(url, today=DEMO_END.isoformat(), refresh_interval_s="600", store_url=f"sqlite:///{folder / 'app.db'}")
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop() -> None:
            server.shutdown()
            thread.join()
            state = app.server.extensions[EXTENSION]
            state.repository.sources.dispose()
            state.store.dispose()

        running.append(stop)
        return f"http://127.0.0.1:{server.server_port}", stop

    yield start
    for stop in running:
        with contextlib.suppress(Exception):  # some were stopped by the test already
            stop()


def save(browser) -> None:
    button = browser.find_element(By.ID, "okr-save")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button)
    button.click()


def burnup_values(browser) -> list[float]:
    return browser.execute_script(
        "const g = document.querySelector('#okr-burnup .js-plotly-plot');"
        "if (!g || !g.data) return [];"
        "const t = g.data.find(t => t.name === 'Check-ins'); return t ? t.y : [];"
    )


def test_a_checkin_recorded_in_the_page_moves_the_chart_and_survives_a_restart(browser, start_server) -> None:
    base, stop = start_server()
    wait = WebDriverWait(browser, 30)
    browser.get(base + PAGE)
    item = wait.until(lambda d: d.find_element(By.ID, f"okr-kr-{STORY}"))
    wait.until(lambda d: "off track" in item.text)
    assert "owner: high; data: 0 %" in item.text
    before = wait.until(lambda d: burnup_values(d))
    assert "Linear trend of" in browser.find_element(By.ID, "okr-model").text

    value = browser.find_element(By.ID, "okr-value")
    comment = browser.find_element(By.ID, "okr-comment")
    value.send_keys("abc")
    comment.send_keys("<b>not bold</b>")
    save(browser)
    wait.until(lambda d: "Value must be a number" in d.find_element(By.ID, "okr-saved").text)
    assert value.get_attribute("value") == "abc" and comment.get_attribute("value") == "<b>not bold</b>"  # kept as typed

    value.send_keys(Keys.CONTROL, "a")
    value.send_keys("2.1")
    save(browser)
    wait.until(lambda d: "Recorded 23 Nov 2026: 2.1 by anonymous" in d.find_element(By.ID, "okr-saved").text)
    wait.until(lambda d: len(burnup_values(d)) == len(before) + 1)
    assert burnup_values(browser)[-1] == 2.1
    history = browser.find_element(By.CSS_SELECTOR, ".okr-history tbody tr")
    assert "<b>not bold</b>" in history.text and "anonymous" in history.text  # shown as text, not HTML
    assert not browser.find_elements(By.CSS_SELECTOR, ".okr-history b")
    assert value.get_attribute("value") == ""  # cleared after a save
    assert console_errors(browser) == []

    stop()  # the app goes away; the check-in is in the app store
    base, _ = start_server()
    browser.get(base + PAGE)
    wait.until(lambda d: len(burnup_values(d)) == len(before) + 1)
    assert burnup_values(browser)[-1] == 2.1
    assert "2.1 %" in browser.find_element(By.CSS_SELECTOR, ".okr-history tbody tr").text


def test_the_heat_grid_opens_a_key_result(browser, start_server) -> None:
    base, _ = start_server()
    wait = WebDriverWait(browser, 30)
    browser.get(base + "/okr?quarter=2026-Q4&team=Machining%20Greenville")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#okr-grid .heatmaplayer"))
    browser.execute_script(
        "const g = document.querySelector('#okr-grid .js-plotly-plot');"
        "g.emit('plotly_click', {points: [{customdata: arguments[0]}]});",
        STORY,
    )
    wait.until(lambda d: f"kr={STORY}" in d.current_url)
    wait.until(lambda d: burnup_values(d))
    assert "Cut the scrap rate on Greenville machining" in browser.find_element(By.ID, "okr-detail").text
    assert "okr-kr-chosen" in browser.find_element(By.ID, f"okr-kr-{STORY}").get_attribute("class")  # tree opened there
