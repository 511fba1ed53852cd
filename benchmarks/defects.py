"""Defects benchmark: the drill path, step by step, raw SQL vs the page cold and warm vs naive pandas.

    python benchmarks/defects.py                  # medium demo data, SQLite and PostgreSQL
    python benchmarks/defects.py --scale small --backends sqlite --repeat 3 --browser

The path is the one a user clicks: (1) all plants, last 90 days → (2) plant P02 → (3) line
P02-L03 → (4) defect code D08 (the records level), and step 4 again over 12 months. For each
step it prints the raw SQL time of every query the page runs (statement from the registry,
executed and fetched on a warm connection), summed and the slowest one (the repository runs
cold queries up to 4 at a time, so a cold page should land between the two), ``build_defects``
with an empty cache (cold) and a filled one (warm), the drill click as a user makes it (cold
for the step with the cache as the previous step's page left it, against the raw SQL of the
queries that click still runs), the server time of the page request a click sends (the
layout with its charts) through Flask cold and warm with its response size, and the naive page: the
step's fact rows read into pandas and aggregated there. Then one page of 100 records (newest
first) cold and warm, and the CSV export through Flask (time to first and last byte, peak RSS
growth). With ``--browser`` it serves the SQLite database in a thread and times, in headless
Chromium, a click on a bar until every graph of the next level is drawn.

Reuses the databases (and helpers) of benchmarks/overview.py. Times are medians of --repeat
runs. Nothing here asserts: it prints figures to compare.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from overview import (  # noqa: E402
    END_DATE,
    RecordingRepository,
    database_urls,
    empty_app_cache,
    ensure_data,
    fresh_repository,
    median_ms,
    with_empty_cache,
)

from dashboard.config import settings_from_env  # noqa: E402
from dashboard.datasets.registry import DATASETS  # noqa: E402
from dashboard.datasets.repository import SqlRepository, cache_key  # noqa: E402
from dashboard.drill import DefectSlice  # noqa: E402
from dashboard.filters import Filters, resolve_period  # noqa: E402
from dashboard.state import EXTENSION  # noqa: E402
from dashboard.views.defect_records import record_page  # noqa: E402
from dashboard.views.defects import BREAKDOWN_BY, build_defects  # noqa: E402

PLANT, LINE, CODE = "P02", "P02-L03", "D08"


@dataclasses.dataclass(frozen=True)
class Step:
    """One level of the drill path: its label and the page's parameters (URL or callback)."""

    label: str
    query: dict[str, str]

    @property
    def filters(self) -> Filters:
        start, end = resolve_period(self.query["period"], END_DATE)
        return Filters(self.query["period"], start, end, self.query.get("plant"))

    @property
    def slice(self) -> DefectSlice:
        return DefectSlice(line_id=self.query.get("line"), defect_code=self.query.get("code"))

    @property
    def url_query(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.query.items())


STEPS = (
    Step("1 all plants, 90d", {"period": "90d"}),
    Step(f"2 plant {PLANT}, 90d", {"period": "90d", "plant": PLANT}),
    Step(f"3 + line {LINE}, 90d", {"period": "90d", "plant": PLANT, "line": LINE}),
    Step(f"4 + code {CODE}, 90d", {"period": "90d", "plant": PLANT, "line": LINE, "code": CODE}),
    Step(f"4 + code {CODE}, 12m", {"period": "12m", "plant": PLANT, "line": LINE, "code": CODE}),
)
RECORDS_STEPS = STEPS[3:]  # the deepest level, 90 days and 12 months
RECORD_PAGE = {"sort": "defect_date", "descending": True, "offset": 0, "limit": 100}
EXPORT_STEPS = (STEPS[4], STEPS[0])  # the asked-for export, and a large one to show streaming


class Recorder(RecordingRepository):
    """overview.py's recording repository, plus the derived-frame cache the defects page uses."""

    def derived(self, name, sources, params, compute):
        return self.inner.derived(name, sources, params, compute)


class ComputeTimer:
    """Passes everything through and times the page's own computation (figures, forecast, u chart):
    the ``compute`` of ``Repository.derived``, which runs on a cold page only."""

    def __init__(self, inner: SqlRepository) -> None:
        self.inner = inner
        self.compute_ms: list[float] = []

    def fetch(self, name, filters=None, **params):
        return self.inner.fetch(name, filters, **params)

    def fetch_many(self, requests):
        return self.inner.fetch_many(requests)

    def derived(self, name, sources, params, compute):
        def timed():
            started = time.perf_counter()
            frame = compute()
            self.compute_ms.append(1000 * (time.perf_counter() - started))
            return frame

        return self.inner.derived(name, sources, params, timed)


# --- raw SQL ----------------------------------------------------------------------------------


def page_queries(base: SqlRepository, step: Step) -> list[tuple[str, Filters | None, dict[str, Any]]]:
    """Every dataset ``build_defects`` reads for ``step`` (fetch_many and the dimension names), once each."""
    recorder = Recorder(with_empty_cache(base))
    build_defects(step.filters, step.slice, recorder)
    seen: dict[str, tuple[str, Filters | None, dict[str, Any]]] = {}
    for name, filters, params in recorder.calls:
        seen.setdefault(cache_key(name, filters, params), (name, filters, params))
    return list(seen.values())


def raw_ms(base: SqlRepository, name: str, filters: Filters | None, params: dict[str, Any], repeat: int) -> float:
    """Execute + fetch of the registry's statement on a warm connection (median)."""
    statement = DATASETS[name](base.sources.tables(), filters, **params)
    engine = base.sources.engine_for(statement)

    def run() -> None:
        with engine.connect() as conn:
            conn.execute(statement).fetchall()

    run()  # warm the connection and the database's own caches
    return median_ms(run, repeat)


def query_label(name: str, params: dict[str, Any]) -> str:
    extra = [str(params[k]) for k in ("grain", "by") if k in params]
    return name + (f" ({', '.join(extra)})" if extra else "")


def after_step(base: SqlRepository, step: Step | None) -> SqlRepository:
    """An empty cache on the warm connections, holding what the page of ``step`` read (none: nothing)."""
    repo = with_empty_cache(base)
    if step is not None:
        build_defects(step.filters, step.slice, repo)
    return repo


def click_cold(
    base: SqlRepository, previous: Step | None, step: Step, calls: list, raws: list[float], repeat: int
) -> tuple[float, float]:
    """The drill click as a user makes it: ``build_defects`` for ``step`` with the cache as the
    ``previous`` step's page left it (its dimension tables, targets and events, nothing of this
    step), and the raw SQL time of the queries that click runs (those not cached). Median ms."""
    probe = after_step(base, previous)
    ran = sum(ms for (n, f, p), ms in zip(calls, raws, strict=True) if probe.cache.get(cache_key(n, f, p)) is None)
    timed = median_ms(lambda repo: build_defects(step.filters, step.slice, repo), repeat, lambda: after_step(base, previous))
    return timed, ran


# --- naive pandas -----------------------------------------------------------------------------


def naive_step(engine: sa.Engine, tables, filters: Filters, slice_: DefectSlice) -> None:
    """What a naive page does: read the step's fact rows (both periods, filtered like the slice)
    into pandas and aggregate there: trends by week and day, breakdown, Pareto, line × week grid."""
    defects, volumes, products, codes = (tables[t] for t in ("defects", "production_volumes", "products", "defect_codes"))
    start, end = filters.previous().start_date, filters.end_exclusive
    where_d = [defects.c.defect_date >= start, defects.c.defect_date < end]
    where_v = [volumes.c.production_date >= start, volumes.c.production_date < end]
    for table, where in ((defects, where_d), (volumes, where_v)):
        if filters.plant_id:
            where.append(table.c.plant_id == filters.plant_id)
        if slice_.line_id:
            where.append(table.c.line_id == slice_.line_id)
        if slice_.product_id:
            where.append(table.c.product_id == slice_.product_id)
    if slice_.defect_code:
        where_d.append(defects.c.defect_code == slice_.defect_code)
    with engine.connect() as conn:
        d = pd.read_sql(sa.select(defects).where(*where_d), conn)
        v = pd.read_sql(sa.select(volumes).where(*where_v), conn)
        p = pd.read_sql(sa.select(products), conn)
        c = pd.read_sql(sa.select(codes), conn)
    current = pd.Timestamp(filters.start_date)
    d["date"] = pd.to_datetime(d["defect_date"])
    v["date"] = pd.to_datetime(v["production_date"])
    v = v.merge(p[["product_id", "opportunities_per_unit"]], on="product_id", how="left")
    v["opportunities"] = v["units_inspected"] * v["opportunities_per_unit"]
    for frame in (d, v):
        frame["period"] = np.where(frame["date"] >= current, "current", "previous")
        frame["week"] = frame["date"].dt.to_period("W").dt.start_time
    d_sums = {"defect_count": "sum", "cost_eur": "sum", "defect_id": "count"}
    v_sums = {"units_inspected": "sum", "units_passed_first_time": "sum", "units_shipped": "sum", "opportunities": "sum"}
    for bucket in ("week", "date"):
        trend = d.groupby(["period", bucket]).agg(d_sums).join(v.groupby(["period", bucket]).agg(v_sums), how="outer")
        trend.assign(dpmo=1e6 * trend["defect_count"] / trend["opportunities"])
    now_d, now_v = d[d["period"] == "current"], v[v["period"] == "current"]
    by = BREAKDOWN_BY.get(slice_.level(filters.plant_id))
    if by is not None:
        now_d.groupby(by)["defect_count"].sum().to_frame().join(now_v.groupby(by)["units_inspected"].sum(), how="left")
    by_code = d.merge(c, on="defect_code", how="left").pivot_table(
        index="defect_code", columns="period", values="defect_count", aggfunc="sum", fill_value=0
    )
    if "current" in by_code:
        ranked = by_code.sort_values("current", ascending=False)
        ranked.assign(cumulative_pct=100 * ranked["current"].cumsum() / max(ranked["current"].sum(), 1))
    grid = now_d.groupby(["line_id", "week"])["defect_count"].sum().to_frame()
    grid.join(now_v.groupby(["line_id", "week"])["units_inspected"].sum(), how="outer")


# --- Flask: callback and export ---------------------------------------------------------------


def make_app(url: str, **env: str):
    """A fresh app on ``url`` (Dash keeps pages and callbacks in module globals: cleared first)."""
    from dash import _callback, _pages

    from dashboard.factory import create_app

    _pages.PAGE_REGISTRY.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    values = {"DASHBOARD_DATABASE_URL": url, "DASHBOARD_TODAY": END_DATE.isoformat(), "DASHBOARD_LOG_LEVEL": "WARNING"}
    values.update({f"DASHBOARD_{k.upper()}": v for k, v in env.items()})
    return create_app(settings_from_env(values))


def page_body(query: dict[str, str]) -> dict[str, Any]:
    """The request Dash's renderer sends for /defects?``query`` (a drill click, a pasted link):
    the page's layout with its charts (as tests/app/test_defects_page.py)."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/defects"},
            {"id": "_pages_location", "property": "search", "value": "?" + urlencode(query)},
        ],
        "changedPropIds": ["_pages_location.search"],
        "state": [],
    }


def callback_cold(app, client, step: Step, repeat: int) -> float:
    """Median server time (ms) of the whole page request with the app's cache emptied first:
    the dimension lists, the controls, build_defects, the Dash components and the JSON response."""
    body = page_body(step.query)
    return median_ms(lambda _: client.post("/_dash-update-component", json=body), repeat, lambda: empty_app_cache(app))


def callback_warm(client, step: Step, repeat: int) -> tuple[float, float]:
    """Median server time of the warm callback (ms) and its response size (KB)."""
    body = page_body(step.query)
    response = client.post("/_dash-update-component", json=body)
    if response.status_code != 200 or b"Records:" not in response.data:
        raise RuntimeError(f"the page request failed for {step.label}: {response.status_code} {response.data[:300]!r}")
    return median_ms(lambda: client.post("/_dash-update-component", json=body), repeat), len(response.data) / 1024


def _status_kb(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(field + ":"))


def _reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def export_once(client, path: str) -> dict[str, float]:
    """One CSV download read to its last byte: times to first/last byte (ms), rows and bytes."""
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    if response.status_code != 200:
        raise RuntimeError(f"export failed: {response.status_code} {response.get_data()[:300]!r}")
    first, size, lines = None, 0, 0
    for chunk in response.iter_encoded():
        if first is None:
            first = time.perf_counter()
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    ended = time.perf_counter()
    return {
        "first_ms": 1000 * ((first or ended) - started),
        "last_ms": 1000 * (ended - started),
        "rows": max(0, lines - 1),
        "mb": size / 1e6,
    }


def measure_export(client, url: str, step: Step, repeat: int) -> dict[str, float | None]:
    path = f"/defects/export.csv?{step.url_query}"
    export_once(client, path)  # dimension tables into the cache; the rows themselves are never cached
    runs = [export_once(client, path) for _ in range(repeat)]
    return {
        "first_ms": statistics.median(r["first_ms"] for r in runs),
        "last_ms": statistics.median(r["last_ms"] for r in runs),
        "rows": runs[0]["rows"],
        "mb": runs[0]["mb"],
        "rss_mb": export_rss_mb(url, path),
    }


def export_rss_mb(url: str, path: str) -> float | None:
    """Peak RSS growth of a fresh process (app built, one small export done) during the export."""
    output = subprocess.run(
        [sys.executable, __file__, "--export-child", path, "--url", url], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["growth_mb"]


def export_child(url: str, path: str) -> None:
    client = make_app(url).server.test_client()
    client.get("/")
    export_once(client, f"/defects/export.csv?period=7d&plant={PLANT}&line={LINE}&code={CODE}")
    gc.collect()
    growth = None
    if _reset_peak_rss():  # VmHWM back to the current RSS, so what follows is the export's own peak
        before = _status_kb("VmRSS")
        export_once(client, path)
        growth = max(0, _status_kb("VmHWM") - before) / 1024
    print(json.dumps({"growth_mb": growth}))


# --- one backend ------------------------------------------------------------------------------


def measure_backend(name: str, url: str, repeat: int) -> dict[str, Any]:
    base = fresh_repository(url)
    engine = base.sources.default_engine
    tables = base.sources.tables()
    app = make_app(url)
    client = app.server.test_client()
    client.get("/")
    steps, queries = [], {}
    for previous, step in zip((None, *STEPS[:-1]), STEPS, strict=True):
        filters, slice_ = step.filters, step.slice
        calls = page_queries(base, step)
        raws = [(query_label(n, p), raw_ms(base, n, f, p, repeat)) for n, f, p in calls]
        queries[step.label] = raws
        click, click_raw = click_cold(base, previous, step, calls, [ms for _, ms in raws], repeat)
        timers: list[ComputeTimer] = []
        cold = median_ms(
            lambda repo, f=filters, s=slice_: build_defects(f, s, repo),
            repeat,
            lambda timers=timers: timers.append(ComputeTimer(with_empty_cache(base))) or timers[-1],
        )
        compute = statistics.median(ms for timer in timers for ms in timer.compute_ms)
        warm_repo = with_empty_cache(base)
        build_defects(filters, slice_, warm_repo)
        warm = median_ms(lambda f=filters, s=slice_, r=warm_repo: build_defects(f, s, r), repeat)
        callback_ms, response_kb = callback_warm(client, step, repeat)
        callback_cold_ms = callback_cold(app, client, step, repeat)
        naive = median_ms(lambda f=filters, s=slice_: naive_step(engine, tables, f, s), max(1, repeat // 2))
        steps.append(
            {
                "label": step.label,
                "queries": len(raws),
                "raw_sum": sum(ms for _, ms in raws),
                "raw_max": max(ms for _, ms in raws),
                "cold": cold,
                "compute": compute,
                "warm": warm,
                "callback": callback_ms,
                "callback_cold": callback_cold_ms,
                "click": click,
                "click_raw": click_raw,
                "response_kb": response_kb,
                "naive": naive,
            }
        )
    records = []
    for step in RECORDS_STEPS:
        filters, slice_ = step.filters, step.slice
        raw = raw_ms(base, "defect_records", filters, {"slice": slice_, **RECORD_PAGE}, repeat) + raw_ms(
            base, "defect_record_count", filters, {"slice": slice_}, repeat
        )
        cold = median_ms(
            lambda repo, f=filters, s=slice_: record_page(f, s, repo, **RECORD_PAGE), repeat, lambda: with_empty_cache(base)
        )
        warm_repo = with_empty_cache(base)
        rows = record_page(filters, slice_, warm_repo, **RECORD_PAGE)
        warm = median_ms(lambda f=filters, s=slice_, r=warm_repo: record_page(f, s, r, **RECORD_PAGE), repeat)
        records.append({"label": step.label, "raw": raw, "cold": cold, "warm": warm, "total": rows.total})
    exports = [{"label": step.label, **measure_export(client, url, step, repeat)} for step in EXPORT_STEPS]
    app.server.extensions[EXTENSION].repository.sources.dispose()
    base.sources.dispose()
    return {"backend": name, "steps": steps, "queries": queries, "records": records, "exports": exports}


# --- browser ----------------------------------------------------------------------------------

READY_JS = """
window.__defectsReady = function (crumb, param) {
  if (param && !location.search.includes(param)) return false;
  const active = document.querySelector('#defects-crumbs .breadcrumb-item.active');
  if (!active || !active.textContent.trim().startsWith(crumb)) return false;
  if (document.querySelector('[data-dash-is-loading="true"]')) return false;
  const graphs = Array.from(document.querySelectorAll('#defects-content .js-plotly-plot'));
  if (!graphs.length) return false;
  return graphs.every((gd) => gd.offsetParent === null || (gd._fullLayout && gd._fullData
      && gd._fullData.length === (gd.data || []).length && gd.querySelector('.main-svg')));
};
"""
# On the next mousedown: note the time, then poll (every 5 ms) until the new level is drawn.
ARM_JS = """
const [crumb, param] = arguments;
const bench = window.__bench = {done: false};
const before = location.href;
window.addEventListener('mousedown', () => {
  bench.clickAt = performance.now();
  const poll = () => {
    if (location.href !== before && window.__defectsReady(crumb, param)) {
      bench.readyAt = performance.now();
      bench.done = true;
    } else {
      setTimeout(poll, 5);
    }
  };
  poll();
}, {capture: true, once: true});
"""
# After a navigation: poll until the page is drawn; performance.now() counts from navigation start.
LOAD_JS = """
const [crumb, done] = arguments;
const poll = () => window.__defectsReady && window.__defectsReady(crumb, null) ? done(performance.now()) : setTimeout(poll, 5);
poll();
"""
# The bar whose customdata is the key: its index in data[0], then that .point of the first bar trace.
BAR_JS = """
const gd = document.querySelector(arguments[0]);
const index = gd ? Array.from(gd.data[0].customdata || []).indexOf(arguments[1]) : -1;
const bars = gd ? gd.querySelectorAll('.trace.bars')[0] : null;
return index < 0 || !bars ? null : bars.querySelectorAll('.point')[index];
"""
HOVERED_JS = """
const gd = document.querySelector(arguments[0]);
return !!(gd && gd._hoverdata && gd._hoverdata.length && gd._hoverdata[0].customdata === arguments[1]);
"""
CLICKS = (
    (f"click plant {PLANT} (breakdown bar)", "breakdown", PLANT, f"plant={PLANT}"),
    (f"click line {LINE} (breakdown bar)", "breakdown", LINE, f"line={LINE}"),
    (f"click code {CODE} (Pareto bar)", "pareto", CODE, f"code={CODE}"),
)


@contextmanager
def live_server(url: str) -> Iterator[str]:
    """The app on ``url`` served by werkzeug in a thread (as tests/browser/conftest.py)."""
    from werkzeug.serving import make_server

    app = make_app(url, refresh_interval_s="3600")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        app.server.extensions[EXTENSION].repository.sources.dispose()


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
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
    driver = webdriver.Chrome(service=Service(os.environ.get("TEST_CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def browser_run(driver, base: str) -> dict[str, float]:
    """Open the page, then click down the path; ms per step (page load: from navigation start)."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/defects?period=90d")
    driver.execute_script(READY_JS)
    times = {"page load /defects?period=90d": driver.execute_async_script(LOAD_JS, "All plants")}
    for label, chart, key, param in CLICKS:
        time.sleep(0.5)  # untimed: let the graphs settle (a resize redraws the bars)
        for attempt in range(3):
            try:
                point = driver.execute_script(BAR_JS, f"#defects-{chart} .js-plotly-plot", key)
                if point is None:
                    raise RuntimeError(f"no bar {key} in #defects-{chart}")
                # 'instant': Bootstrap makes scrolling smooth, and a bar still moving gets the click of its neighbour.
                driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", point)
                # Hover first: Plotly clicks the bar of its hover data (the time counts from mousedown).
                ActionChains(driver).move_to_element(point).perform()
                WebDriverWait(driver, 3, poll_frequency=0.02).until(
                    lambda d, c=chart, k=key: d.execute_script(HOVERED_JS, f"#defects-{c} .js-plotly-plot", k)
                )
                driver.execute_script(ARM_JS, key, param)
                ActionChains(driver).click().perform()
                WebDriverWait(driver, 10, poll_frequency=0.05).until(lambda d, p=param: p in d.current_url)
                break
            except (TimeoutException, StaleElementReferenceException):
                if attempt == 2:
                    raise
        WebDriverWait(driver, 60, poll_frequency=0.05).until(lambda d: d.execute_script("return window.__bench.done"))
        times[label] = driver.execute_script("return window.__bench.readyAt - window.__bench.clickAt")
    return times


def measure_browser(url: str, repeat: int) -> dict[str, Any]:
    """First run on a fresh server (cold cache), then ``repeat`` warm runs (median)."""
    with live_server(url) as base:
        driver = chromium()
        try:
            cold = browser_run(driver, base)
            warm_runs = [browser_run(driver, base) for _ in range(repeat)]
            errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        finally:
            driver.quit()
    warm = {label: statistics.median(run[label] for run in warm_runs) for label in cold}
    return {"cold": cold, "warm": warm, "runs": repeat, "errors": errors}


# --- report -----------------------------------------------------------------------------------


def report(result: dict[str, Any], show_queries: bool) -> None:
    print(f"\n== {result['backend']} ==")
    head = (
        f"{'step':<24}{'n':>3}{'raw sum':>9}{'raw max':>9}{'cold':>8}{'c/sum':>7}{'c/max':>7}{'compute':>9}"
        f"{'click':>7}{'raw':>7}{'cl/raw':>7}{'warm':>7}{'cb cold':>8}{'cb/sum':>7}{'cb warm':>8}{'resp KB':>8}"
        f"{'naive':>8}{'nv/cold':>8}"
    )
    print(head + "   (ms)")
    for row in result["steps"]:
        print(
            f"{row['label']:<24}{row['queries']:>3}{row['raw_sum']:>9.1f}{row['raw_max']:>9.1f}{row['cold']:>8.1f}"
            f"{row['cold'] / row['raw_sum']:>7.2f}{row['cold'] / row['raw_max']:>7.2f}{row['compute']:>9.1f}"
            f"{row['click']:>7.1f}{row['click_raw']:>7.1f}{row['click'] / row['click_raw']:>7.2f}{row['warm']:>7.1f}"
            f"{row['callback_cold']:>8.1f}{row['callback_cold'] / row['raw_sum']:>7.2f}"
            f"{row['callback']:>8.1f}{row['response_kb']:>8.0f}{row['naive']:>8.0f}{row['naive'] / row['cold']:>7.1f}x"
        )
        if show_queries:
            for label, ms in result["queries"][row["label"]]:
                print(f"    {label:<40}{ms:>8.1f}")
    print(f"\n{'records page, 100 rows, newest first':<40}{'records':>9}{'raw SQL':>9}{'cold':>8}{'cold/raw':>9}{'warm':>8}")
    for row in result["records"]:
        print(
            f"{'  ' + row['label']:<40}{row['total']:>9,}{row['raw']:>9.1f}{row['cold']:>8.1f}"
            f"{row['cold'] / row['raw']:>9.2f}{row['warm']:>8.2f}"
        )
    print(f"\n{'CSV export via Flask':<40}{'rows':>9}{'MB':>7}{'1st byte':>9}{'last byte':>10}{'rows/s':>10}{'peak RSS':>9}")
    for row in result["exports"]:
        rss = "n/a" if row["rss_mb"] is None else f"+{row['rss_mb']:.0f} MB"
        rate = row["rows"] / (row["last_ms"] / 1000) if row["last_ms"] else 0
        print(
            f"{'  ' + row['label']:<40}{row['rows']:>9,}{row['mb']:>7.1f}{row['first_ms']:>9.1f}"
            f"{row['last_ms']:>10.1f}{rate:>10,.0f}{rss:>9}"
        )


def report_browser(result: dict[str, Any], scale: str) -> None:
    print(
        f"\n== browser: SQLite {scale}, headless Chromium 1920x1080, werkzeug in a thread; "
        "click → URL, breadcrumb and every graph updated =="
    )
    print(f"{'':<40}{'cold (1st run)':>16}{'warm (median of ' + str(result['runs']) + ')':>20}   (ms)")
    for label, cold in result["cold"].items():
        print(f"{label:<40}{cold:>16.0f}{result['warm'][label]:>20.0f}")
    if result["errors"]:
        print(f"browser console errors: {len(result['errors'])}, first: {result['errors'][0][:200]}")


LEGEND = """\
  n, raw sum, raw max: the step's queries, each run alone on a warm connection (execute + fetch), summed and
      the slowest; a cold page runs up to 4 at once, so it should land between the two
  cold, warm: build_defects with an empty / a filled cache; c/sum, c/max: cold / raw sum, cold / raw max
  compute: the page's own work within cold (figures, forecast, u chart), cached with the data
  click, raw, cl/raw: the drill click as a user makes it: cold for this step with the cache as the previous
      step's page left it (dimension tables, targets, events), the raw SQL of the queries it still runs
      (summed), and the ratio
  cb cold, cb/sum: the whole page request a click sends (/defects?<level>: controls and charts) through
      Flask's test client with the app's cache emptied first (dimension lists, the page, Dash
      components, JSON), and that / raw sum
  cb warm, resp KB: the same request with the cache filled; its response size
  naive: the step's fact rows (both periods) read into pandas and aggregated there, no figures
  CSV export: read to its last byte through Flask's test client; peak RSS: how much a fresh worker's
      peak RSS grows during the export"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also time the clicks in headless Chromium (SQLite)")
    parser.add_argument("--queries", action="store_true", help="print every query's raw SQL time under its step")
    parser.add_argument("--reload", action="store_true", help="rewrite the benchmark databases")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(args.url, args.export_child)
        return 0
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(
        f"Defects benchmark: {args.scale} demo data ending {END_DATE}, drill path all plants → {PLANT} → {LINE} → {CODE}, "
        f"median of {args.repeat}; {os.cpu_count()} CPUs"
    )
    print(LEGEND)
    for name, url in database_urls(args.scale, backends).items():
        ensure_data(name, url, args.scale, args.reload)
        report(measure_backend(name, url, args.repeat), args.queries)
    if args.browser:
        url = database_urls(args.scale, ["sqlite"])["sqlite"]
        ensure_data("sqlite", url, args.scale, reload=False)
        report_browser(measure_browser(url, args.repeat), args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
