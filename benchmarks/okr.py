"""OKR benchmark: the /okr view and a key result's panel cold and warm, and check-in writes to
the app store (one at a time, and from 8 writers at once).

    python benchmarks/okr.py                       # medium demo data, SQLite and PostgreSQL
    python benchmarks/okr.py --scale small --backends sqlite

Per backend the app store lives on the same kind of database as the sources (a SQLite file, or
a throwaway PostgreSQL database that is dropped afterwards). Cold = an empty cache (the queries,
the KPI series of linked key results, the forecasts and figures); warm = a filled cache (the
forecasts and figures are recomputed, the app store is read). Times are medians of --repeat
runs; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402
from overview import END_DATE, PG_ADMIN, database_urls, ensure_data, fresh_repository, median_ms, with_empty_cache  # noqa: E402

from dashboard.store.interface import CheckinEntry  # noqa: E402
from dashboard.store.sql import SqlAppStore  # noqa: E402
from dashboard.views.okr import build_okr  # noqa: E402
from dashboard.views.okr_detail import build_key_result  # noqa: E402

WRITERS, WRITES_EACH = 8, 25
STORY = "2026-Q4-T02-K1"
LINKED = "2026-Q4-D1-K1"


def store_url(name: str, folder: Path) -> tuple[str, callable]:
    """A fresh app store for ``name`` and a function that removes it."""
    if name == "sqlite":
        return f"sqlite:///{folder / 'app.db'}", lambda: None
    database = f"qdash_bench_store_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{database}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.dispose()

    return sa.make_url(PG_ADMIN).set(database=database).render_as_string(hide_password=False), drop


def writes(store: SqlAppStore) -> tuple[float, float, int]:
    """Median single-write latency (ms), and the rate (writes/s) and count landed with 8 writers."""
    entry = CheckinEntry(STORY, END_DATE, 2.5, 7, "benchmark", "bench")
    single = []
    for _ in range(50):
        started = time.perf_counter()
        store.add_checkin(entry)
        single.append((time.perf_counter() - started) * 1000)
    before = len(store.checkins([STORY]))
    barrier = threading.Barrier(WRITERS)

    def writer() -> None:
        barrier.wait()
        for _ in range(WRITES_EACH):
            store.add_checkin(entry)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    landed = len(store.checkins([STORY])) - before
    return statistics.median(single), landed / elapsed, landed


def measure(name: str, url: str, repeat: int) -> None:
    """Print the view timings and the write figures for one backend."""
    with tempfile.TemporaryDirectory() as folder:
        location, drop = store_url(name, Path(folder))
        store = SqlAppStore(location)
        store.upgrade()
        repo = fresh_repository(url)
        try:
            print(f"\n== {name} (sources and app store) ==")
            print(f"{'step':<44}{'cold':>10}{'warm':>10}   (ms)")
            steps = (
                ("/okr, every team (31 key results)", lambda r: build_okr("2026-Q4", None, r, store, END_DATE)),
                ("/okr, one team", lambda r: build_okr("2026-Q4", "Machining Greenville", r, store, END_DATE)),
                (
                    "key result from check-ins (panel)",
                    lambda r: build_key_result(build_okr("2026-Q4", None, r, store, END_DATE), STORY, r, END_DATE),
                ),
                (
                    "KPI-linked key result (panel + I chart)",
                    lambda r: build_key_result(
                        build_okr("2026-Q4", None, r, store, END_DATE),
                        LINKED,
                        r,
                        END_DATE,
                        kpis=r.fetch("kpi_definitions").frame,
                    ),
                ),
            )
            for label, step in steps:
                cold = median_ms(step, repeat, prepare=lambda: with_empty_cache(repo))
                step(repo)
                warm = median_ms(lambda s=step: s(repo), repeat)
                print(f"{label:<44}{cold:>10.1f}{warm:>10.1f}")
            single, rate, landed = writes(store)
            expected = WRITERS * WRITES_EACH
            print(f"\ncheck-in write, one at a time: median {single:.1f} ms")
            print(f"{WRITERS} writers x {WRITES_EACH} check-ins at once: {landed}/{expected} landed, {rate:.0f} writes/s")
        finally:
            repo.sources.dispose()
            store.dispose()
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    urls = database_urls(args.scale, args.backends.split(","))
    print(f"OKR benchmark: {args.scale} demo data ending {END_DATE}, median of {args.repeat}")
    for name, url in urls.items():
        ensure_data(name, url, args.scale, args.reload)
        measure(name, url, args.repeat)


if __name__ == "__main__":
    main()
