"""Overview benchmark: raw SQL vs the data layer (cold, warm) vs the naive pandas way.

    python benchmarks/overview.py                 # medium demo data, SQLite and PostgreSQL
    python benchmarks/overview.py --scale small --backends sqlite

For each query the overview runs (last 90 days, all plants) it prints the raw SQL time
(execute + fetch on a warm connection), the time through the data layer with an empty
cache (cold) and with a filled one (warm), and for the whole page the same plus the warm
server time of the overview callback through Flask, and the "naive" page: fact tables read
into pandas and aggregated there. Peak RSS is measured in fresh subprocesses. Times are
medians of --repeat runs. Nothing here asserts: it prints figures to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from dashboard.config import settings_from_env  # noqa: E402
from dashboard.datasets.cache import FrameCache, make_cache  # noqa: E402
from dashboard.datasets.repository import SqlRepository  # noqa: E402
from dashboard.factory import build_repository, limit_numeric_threads  # noqa: E402
from dashboard.filters import Filters, parse_filters  # noqa: E402
from dashboard.state import EXTENSION  # noqa: E402
from dashboard.views.overview import build_overview  # noqa: E402

END_DATE = dt.date(2026, 11, 23)
PG_ADMIN = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def median_ms(run: Callable[..., Any], repeat: int, prepare: Callable[[], Any] | None = None) -> float:
    """Median wall time of ``run`` in milliseconds; ``prepare()`` (untimed) makes its argument."""
    times = []
    for _ in range(repeat):
        argument = prepare() if prepare else None
        started = time.perf_counter()
        run(argument) if prepare else run()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def database_urls(scale: str, backends: list[str]) -> dict[str, str]:
    """Where each backend's benchmark database lives (created on first use)."""
    urls = {}
    if "sqlite" in backends:
        urls["sqlite"] = f"sqlite:///{ROOT / 'data' / f'bench-{scale}.db'}"
    if "postgresql" in backends:
        urls["postgresql"] = sa.make_url(PG_ADMIN).set(database=f"qdash_bench_{scale}").render_as_string(hide_password=False)
    return urls


def ensure_data(name: str, url: str, scale: str, reload: bool) -> None:
    """Write the demo data unless it is already there (or --reload)."""
    from dashboard.sources.demo import write_demo

    if name == "postgresql":
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        database = sa.make_url(url).database
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
        admin.dispose()
    engine = sa.create_engine(url)
    present = sa.inspect(engine).has_table("defects")
    engine.dispose()
    if reload or not present:
        started = time.perf_counter()
        counts = write_demo(url, scale, end_date=END_DATE, progress=False)
        print(f"  loaded {scale} demo into {name} in {time.perf_counter() - started:.1f} s ({counts['defects']:,} defect rows)")


class RecordingRepository:
    """Passes fetches through and records them, to learn which queries the overview runs."""

    def __init__(self, inner: SqlRepository) -> None:
        self.inner = inner
        self.calls: list[tuple[str, Filters | None, dict[str, Any]]] = []

    def fetch(self, name: str, filters: Filters | None = None, **params: Any):
        self.calls.append((name, filters, params))
        return self.inner.fetch(name, filters, **params)

    def fetch_many(self, requests):
        self.calls.extend((r.name, r.filters, dict(r.params)) for r in requests)
        return self.inner.fetch_many(requests)


def fresh_repository(url: str) -> SqlRepository:
    """A repository with its own engine and an empty in-process cache."""
    from flask import Flask

    settings = settings_from_env({"DASHBOARD_DATABASE_URL": url, "DASHBOARD_TODAY": END_DATE.isoformat()})
    limit_numeric_threads(settings)  # as create_app does
    return build_repository(settings, make_cache(settings, Flask("bench")))


def with_empty_cache(repo: SqlRepository) -> SqlRepository:
    """The same sources (and warm connection pool) behind a new, empty cache: a cold request
    in a running server, where connections already exist but the cache has nothing."""
    from flask import Flask

    settings = settings_from_env({})
    cache = FrameCache(make_cache(settings, Flask("bench")), timeout_s=300, stale_keep_s=3600)
    return SqlRepository(repo.sources, cache)


def empty_app_cache(app) -> None:
    """Give the app a new repository on the same sources (and warm connection pool) with an
    empty cache: its next request runs as on a server that has cached nothing."""
    state = app.server.extensions[EXTENSION]
    state.repository = with_empty_cache(state.repository)


def overview_filters() -> Filters:
    return parse_filters({"period": "90d"}, today=END_DATE, plants=[], max_span_days=1100).filters


def naive_page(engine: sa.Engine, filters: Filters) -> None:
    """What a naive dashboard does: read the fact tables into pandas, filter and sum there."""
    start, end = pd.Timestamp(filters.previous().start_date), pd.Timestamp(filters.end_exclusive)
    with engine.connect() as conn:
        frames = {
            t: pd.read_sql_table(t, conn)
            for t in (
                "production_volumes",
                "products",
                "defects",
                "customer_feedback",
                "supplier_lots",
                "capas",
                "okr_key_results",
                "okr_checkins",
                "audit_findings",
                "kpi_definitions",
            )
        }
    volumes = frames["production_volumes"].merge(frames["products"], on="product_id")
    for table, column in (
        ("defects", "defect_date"),
        ("customer_feedback", "received_date"),
        ("supplier_lots", "received_date"),
        ("capas", "closed_date"),
    ):
        data = frames[table]
        dates = pd.to_datetime(data[column])
        data = data[(dates >= start) & (dates < end)]
        data.assign(week=pd.to_datetime(data[column]).dt.to_period("W")).groupby("week").sum(numeric_only=True)
    dates = pd.to_datetime(volumes["production_date"])
    window = volumes[(dates >= start) & (dates < end)]
    window.assign(opportunities=window["units_inspected"] * window["opportunities_per_unit"]).groupby("production_date").sum(
        numeric_only=True
    )


def measure_backend(name: str, url: str, repeat: int) -> dict[str, Any]:
    """Per-query and whole-page timings for one database."""
    filters = overview_filters()
    recorder = RecordingRepository(fresh_repository(url))
    build_overview(filters, recorder)  # learn the queries (and warm the database's own caches)
    engine = recorder.inner.sources.default_engine
    rows = []
    for query_name, query_filters, params in recorder.calls:
        statement = recorder.inner._datasets[query_name](recorder.inner.sources.tables(), query_filters, **params)

        def raw(statement=statement) -> None:
            with engine.connect() as conn:
                conn.execute(statement).fetchall()

        def cold(repo: SqlRepository, query_name=query_name, query_filters=query_filters, params=params) -> None:
            repo.fetch(query_name, query_filters, **params)

        warm_repo = fresh_repository(url)
        warm_repo.fetch(query_name, query_filters, **params)
        label = query_name + (f" ({params['grain']})" if "grain" in params else "")
        if query_name == "kpi_sql":
            label += " previous" if query_filters != filters else " current"
        rows.append(
            {
                "query": label,
                "raw_ms": median_ms(raw, repeat),
                "cold_ms": median_ms(cold, repeat, lambda: with_empty_cache(recorder.inner)),
                "warm_ms": median_ms(lambda r=warm_repo, q=query_name, f=query_filters, p=params: r.fetch(q, f, **p), repeat),
            }
        )
    page_cold = median_ms(lambda repo: build_overview(filters, repo), repeat, lambda: with_empty_cache(recorder.inner))
    warm = fresh_repository(url)
    build_overview(filters, warm)
    page_warm = median_ms(lambda: build_overview(filters, warm), repeat)
    naive = median_ms(lambda: naive_page(engine, filters), max(1, repeat // 2))
    return {
        "backend": name,
        "rows": rows,
        "page_cold_ms": page_cold,
        "page_warm_ms": page_warm,
        "callback_warm_ms": callback_warm_ms(url, repeat),
        "naive_ms": naive,
        "raw_sum_ms": sum(r["raw_ms"] for r in rows),
    }


def callback_warm_ms(url: str, repeat: int) -> float:
    """Server time of the overview callback through Flask's test client, cache warm."""
    from dash import _callback, _pages

    from dashboard.factory import create_app

    _pages.PAGE_REGISTRY.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    app = create_app(
        settings_from_env(
            {"DASHBOARD_DATABASE_URL": url, "DASHBOARD_TODAY": END_DATE.isoformat(), "DASHBOARD_LOG_LEVEL": "WARNING"}
        )
    )
    client = app.server.test_client()
    client.get("/")
    body = {
        "output": "..overview-tiles.children...overview-status.children..",
        "outputs": [{"id": "overview-tiles", "property": "children"}, {"id": "overview-status", "property": "children"}],
        "inputs": [{"id": "overview-refresh", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["overview-refresh.n_intervals"],
        "state": [{"id": "overview-query", "property": "data", "value": {"period": "90d"}}],
    }
    assert client.post("/_dash-update-component", json=body).status_code == 200
    return median_ms(lambda: client.post("/_dash-update-component", json=body), repeat)


def peak_rss_mb(mode: str, url: str) -> float:
    """Peak RSS of a fresh process doing ``mode`` ('app': a worker serving the overview; 'naive')."""
    output = subprocess.run(
        [sys.executable, __file__, "--rss-child", mode, "--url", url], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["peak_rss_mb"]


def rss_child(mode: str, url: str) -> None:
    filters = overview_filters()
    if mode == "app":
        callback_warm_ms(url, 3)
        for period in ("7d", "30d", "90d", "qtd", "ytd", "12m"):
            build_overview(
                parse_filters({"period": period}, today=END_DATE, plants=[], max_span_days=1100).filters, fresh_repository(url)
            )
    else:
        naive_page(sa.create_engine(url), filters)
    # VmHWM is this process's own high-water mark (ru_maxrss would carry the parent's over exec).
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"peak_rss_mb": peak_kb / 1024}))


def report(result: dict[str, Any], rss_app: float, rss_naive: float) -> None:
    print(f"\n== {result['backend']} ==")
    print(f"{'query':<34}{'raw SQL ms':>12}{'cold ms':>10}{'cold/raw':>10}{'warm ms':>10}")
    for row in result["rows"]:
        print(
            f"{row['query']:<34}{row['raw_ms']:>12.1f}{row['cold_ms']:>10.1f}"
            f"{row['cold_ms'] / row['raw_ms']:>10.2f}{row['warm_ms']:>10.2f}"
        )
    raw_sum = result["raw_sum_ms"]
    print(
        f"{'whole page (build_overview)':<34}{raw_sum:>12.1f}{result['page_cold_ms']:>10.1f}"
        f"{result['page_cold_ms'] / raw_sum:>10.2f}{result['page_warm_ms']:>10.2f}"
    )
    print(f"{'overview callback via Flask, warm':<34}{'':>12}{'':>10}{'':>10}{result['callback_warm_ms']:>10.2f}")
    print(
        f"{'naive pandas page':<34}{'':>12}{result['naive_ms']:>10.1f}"
        f"{'':>10}   naive / cold = {result['naive_ms'] / result['page_cold_ms']:.1f}x"
    )
    print(f"peak RSS: app worker {rss_app:.0f} MB, naive page {rss_naive:.0f} MB")
    print("targets: page cold <= 1.2x raw SQL sum; warm <= 20 ms; >= 20x faster than naive; <= 300 MB per worker")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reload", action="store_true", help="rewrite the benchmark databases")
    parser.add_argument("--rss-child", choices=("app", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.url)
        return 0
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(
        f"Overview benchmark: {args.scale} demo data ending {END_DATE}, last 90 days, all plants, "
        f"median of {args.repeat}; {os.cpu_count()} CPUs"
    )
    for name, url in database_urls(args.scale, backends).items():
        ensure_data(name, url, args.scale, args.reload)
        result = measure_backend(name, url, args.repeat)
        report(result, peak_rss_mb("app", url), peak_rss_mb("naive", url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
