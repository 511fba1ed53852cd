"""Wall-mode soak benchmark: an accelerated wall in headless Chromium for N minutes.

    python benchmarks/wall.py                          # 10 minutes, dwell 1 s, refresh 3 s
    python benchmarks/wall.py --minutes 2 --refresh 3
    python benchmarks/wall.py --screenshots docs/screenshots --minutes 0

Serves the small demo data (SQLite) with ``DASHBOARD_REFRESH_INTERVAL_S`` set to ``--refresh``
(and a timeout ladder below it), opens ``/wall`` with every view, ``dwell=1`` and the refresh at
the server's minimum, and prints at the start, middle and end of the run: the JS heap after a
forced garbage collection (Chromium runs with ``--js-flags=--expose-gc``), the DOM nodes in the
document and as Chromium counts them (including detached ones), event listeners, the active
intervals and pending timeouts (``setInterval``/``setTimeout`` are counted by a script injected
before the page's own), and how many rotations and refreshes happened. Then the server side:
refresh callbacks served and database queries run. Nothing is asserted.

``--screenshots DIR`` also saves ``wall-dark.png`` (the overview) and ``wall-light.png`` (the
defects panel) at 1920×1080, and 3840×2160 versions to the temporary folder for a look.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from dashboard.config import settings_from_env  # noqa: E402
from dashboard.factory import create_app  # noqa: E402
from dashboard.sources.demo import write_demo  # noqa: E402
from dashboard.state import EXTENSION  # noqa: E402

END_DATE = dt.date(2026, 11, 23)
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
COUNTERS = """
(function () {
  var intervals = new Set(), timeouts = new Set(), counts = {rotations: 0, refreshes: 0};
  var si = window.setInterval, st = window.setTimeout, ci = window.clearInterval, ct = window.clearTimeout;
  window.setInterval = function () { var id = si.apply(this, arguments); intervals.add(id); return id; };
  window.setTimeout = function (fn) {
    var args = Array.prototype.slice.call(arguments), id;
    if (typeof fn === 'function') { args[0] = function () { timeouts.delete(id); return fn.apply(this, arguments); }; }
    id = st.apply(this, args); timeouts.add(id); return id;
  };
  window.clearInterval = function (id) { intervals.delete(id); timeouts.delete(id); return ci.apply(this, arguments); };
  window.clearTimeout = function (id) { timeouts.delete(id); intervals.delete(id); return ct.apply(this, arguments); };
  var fetch = window.fetch;
  window.fetch = function (input) {
    if (String((input && input.url) || input).indexOf('_dash-update-component') !== -1) { counts.refreshes += 1; }
    return fetch.apply(this, arguments);
  };
  new MutationObserver(function (changes) {
    changes.forEach(function (c) { if (c.target.id === 'wall-root') { counts.rotations += 1; } });
  }).observe(document, {attributes: true, attributeFilter: ['class'], subtree: true});
  window.__wallCounters = function () {
    return {intervals: intervals.size, timeouts: timeouts.size, rotations: counts.rotations, refreshes: counts.refreshes};
  };
})();
"""


def serve(database: str, refresh_s: float) -> tuple[str, object, object]:
    """A threaded server on ``database`` whose minimum refresh is ``refresh_s``; (url, app, server)."""
    ladder = {  # statement < callback < worker < refresh, and pool + statement <= callback
        "DASHBOARD_STATEMENT_TIMEOUT_S": f"{refresh_s * 0.3:g}",
        "DASHBOARD_POOL_TIMEOUT_S": f"{refresh_s * 0.3:g}",
        "DASHBOARD_CALLBACK_TIMEOUT_S": f"{refresh_s * 0.6:g}",
        "DASHBOARD_WORKER_TIMEOUT_S": f"{refresh_s * 0.8:g}",
    }
    settings = settings_from_env(
        {
            "DASHBOARD_DATABASE_URL": database,
            "DASHBOARD_TODAY": END_DATE.isoformat(),
            "DASHBOARD_REFRESH_INTERVAL_S": f"{refresh_s:g}",
            "DASHBOARD_LOG_LEVEL": "WARNING",
            **ladder,
        }
    )
    app = create_app(settings)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would drown the table
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", app, server


def chromium(width: int = 1920, height: int = 1080) -> webdriver.Chrome:
    """Headless Chromium with a callable ``gc()`` and precise heap figures."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--js-flags=--expose-gc",
        "--enable-precise-memory-info",
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    )
    return driver


def _sample_once(driver: webdriver.Chrome) -> dict[str, float]:
    driver.execute_script("if (window.gc) { window.gc(); window.gc(); }")
    page = driver.execute_script(
        "return Object.assign({heap: performance.memory.usedJSHeapSize, nodes: document.getElementsByTagName('*').length,"
        " gc: typeof window.gc === 'function'}, window.__wallCounters());"
    )
    counters = driver.execute_cdp_cmd("Memory.getDOMCounters", {})
    return {**page, "cdp_nodes": counters["nodes"], "listeners": counters["jsEventListeners"], "documents": counters["documents"]}


def sample(driver: webdriver.Chrome, repeat: int = 3) -> dict[str, float]:
    """Heap after a full GC, DOM nodes, listeners, timers and the page's counters: the smallest of
    ``repeat`` readings 1.3 s apart, so a refresh in flight (its response, Plotly's redraw) is not
    taken for growth; the counters are the last reading's."""
    readings = []
    for index in range(repeat):
        if index:
            time.sleep(1.3)
        readings.append(_sample_once(driver))
    least = {key: min(r[key] for r in readings) for key in ("heap", "nodes", "cdp_nodes", "listeners", "timeouts")}
    return {**readings[-1], **least}


def wait_for_panels(driver: webdriver.Chrome) -> None:
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-panel-0 .wall-value"))
    WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".wall-panel .main-svg")) >= 6)


def soak(base: str, minutes: float, refresh_s: float, queries: Callable[[], int]) -> list[tuple[str, float, dict[str, float]]]:
    """Samples at the start, middle and end of ``minutes`` of an accelerated wall; each with the
    server's database query count (``queries()``)."""
    driver = chromium()
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNTERS})
        driver.get(f"{base}/wall?views=overview,defects,suppliers,voc&dwell=1&refresh={refresh_s:g}")
        wait_for_panels(driver)
        time.sleep(5)  # a few rotations and refreshes before the first figures
        started = time.monotonic()
        rows = [("start", 0.0, {**sample(driver), "queries": queries()})]
        for label, fraction in (("middle", 0.5), ("end", 1.0)):
            time.sleep(max(0.0, started + fraction * minutes * 60 - time.monotonic()))
            rows.append((label, time.monotonic() - started, {**sample(driver), "queries": queries()}))
        return rows
    finally:
        driver.quit()


def screenshots(base: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shots = (
        ("wall-dark", "theme=dark", (1920, 1080), folder),
        ("wall-light", "views=defects,suppliers,voc,overview&theme=light", (1920, 1080), folder),
        ("wall-dark-2160p", "theme=dark", (3840, 2160), Path(tempfile.gettempdir())),
        ("wall-light-2160p", "views=defects,suppliers,voc,overview&theme=light", (3840, 2160), Path(tempfile.gettempdir())),
    )
    for name, query, (width, height), target in shots:
        driver = chromium(width, height)
        try:
            driver.get(f"{base}/wall?{query}")
            WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-panel-0 .wall-value"))
            time.sleep(3)  # charts drawn
            path = target / f"{name}.png"
            driver.save_screenshot(str(path))
            print(f"screenshot {path}")
        finally:
            driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--refresh", type=float, default=3.0, help="the server's minimum refresh, seconds (>= 2)")
    parser.add_argument("--screenshots", type=Path, help="save wall-dark.png and wall-light.png here")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # rows appear as they are measured, also in a file
    folder = Path(tempfile.mkdtemp(prefix="wall-bench-"))
    database = f"sqlite:///{folder / 'quality.db'}"
    write_demo(database, "small", end_date=END_DATE, progress=False)
    base, app, server = serve(database, args.refresh)
    repository = app.server.extensions[EXTENSION].repository
    try:
        if args.screenshots:
            screenshots(base, args.screenshots)
        if args.minutes <= 0:
            return
        print(
            f"Wall benchmark: 4 views, dwell 1 s, refresh {args.refresh:g} s (the server's minimum), "
            f"{args.minutes:g} min, small demo data on SQLite, headless Chromium 1920×1080\n"
        )
        rows = soak(base, args.minutes, args.refresh, lambda: repository.queries_run)
        header = (
            f"{'moment':<8}{'elapsed':>9}{'JS heap MB':>12}{'DOM nodes':>11}{'nodes (CDP)':>13}{'listeners':>11}"
            f"{'intervals':>11}{'timeouts':>10}{'rotations':>11}{'refreshes':>11}{'DB queries':>12}"
        )
        print(header)
        for label, elapsed, s in rows:
            print(
                f"{label:<8}{elapsed / 60:>7.1f} m{s['heap'] / 1e6:>12.2f}{s['nodes']:>11,}{s['cdp_nodes']:>13,}"
                f"{s['listeners']:>11,}{s['intervals']:>11}{s['timeouts']:>10}{s['rotations']:>11,}{s['refreshes']:>11,}"
                f"{s['queries']:>12,}"
            )
        if not rows[0][2]["gc"]:
            print("(window.gc was not available: heap figures include garbage)")
        start, end = rows[0][2], rows[-1][2]
        print(
            f"\nbetween start and end: {end['refreshes'] - start['refreshes']:,} refresh callbacks, "
            f"{end['rotations'] - start['rotations']:,} rotations, {end['queries'] - start['queries']:,} database queries "
            f"(cache timeout {app.server.extensions[EXTENSION].settings.cache_timeout_s} s; DB queries counts the "
            "server's total since start-up)"
        )
    finally:
        server.shutdown()
        repository.sources.dispose()


if __name__ == "__main__":
    main()
