"""A live server and the system Chromium (selenium with /usr/bin/chromedriver)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from dashboard.sources.demo import write_demo
from dashboard.state import EXTENSION
from tests.app.conftest import build_app
from tests.seed import seed

CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
DEMO_END = dt.date(2026, 11, 23)


@pytest.fixture
def live_server(tmp_path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    app = build_app(url, refresh_interval_s="60")
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.server.extensions[EXTENSION].repository.sources.dispose()


@pytest.fixture
def browser():
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        message = f"Chromium ({CHROMIUM}) or chromedriver ({CHROMEDRIVER}) is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI needs it.")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1920,1080",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")  # one app per test module: Dash keeps pages in module globals
def demo_server(tmp_path_factory) -> Iterator[str]:
    """A live server on the small demo data ending 2026-11-23 (its planted stories at fixed dates)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'quality.db'}"
    write_demo(url, "small", end_date=DEMO_END, progress=False)
    app = build_app(url, today=DEMO_END.isoformat(), refresh_interval_s="600")
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.server.extensions[EXTENSION].repository.sources.dispose()
