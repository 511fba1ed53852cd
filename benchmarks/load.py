"""Load benchmark: many viewers at once against gunicorn, cold and warm, on PostgreSQL and Redis.

    python benchmarks/load.py                       # medium demo data, 1-16 viewers, 3 rounds
    python benchmarks/load.py --clients 1,4 --rounds 1 --scale small
    python benchmarks/load.py --app-dir /path/to/other/checkout   # the same load on other code

What a quality review meeting does when it opens the dashboard after the cache expired, and what
a wall of screens does at its refresh. The server is the production one: gunicorn with the
settings of ``dashboard/gunicorn_conf.py`` (DASHBOARD_WORKERS workers × 4 threads), the
medium demo data in PostgreSQL and a RedisCache under a key prefix of its own (deleted after).
Each request is the one a browser sends to open a /defects link (or a drill click): the page with
its charts, timed by the client from sending to the last byte of the response.

Scenarios, for each number of viewers c in --clients:

- distinct cold: 16 different /defects views (drill levels, plants, lines, codes, grains) with
  the cache emptied first; c viewers share them out and open theirs one after another, all
  starting together. c = 1 is the baseline: one viewer opening the 16 views in turn.
- same cold: c viewers open the same all-plants view at the same moment with the cache emptied
  first (the screens of a wall, or a meeting, after the cache expired).
- distinct warm: the 16 views again with the cache filled.

It prints per-request latency (median, 95th percentile, slowest), the wall time for the round
and the views per second, next to the c = 1 baseline. Medians over --rounds rounds. Nothing here
asserts: it prints figures to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from defects import page_body  # noqa: E402
from overview import END_DATE, database_urls, ensure_data  # noqa: E402

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
VIEWS: tuple[dict[str, str], ...] = (
    {"period": "90d"},
    *({"period": "90d", "plant": plant} for plant in ("P01", "P02", "P03", "P04", "P05")),
    {"period": "90d", "plant": "P01", "line": "P01-L01"},
    {"period": "90d", "plant": "P02", "line": "P02-L03"},
    {"period": "90d", "plant": "P03", "line": "P03-L02"},
    {"period": "90d", "plant": "P04", "line": "P04-L05"},
    {"period": "90d", "plant": "P05", "line": "P05-L07"},
    {"period": "90d", "plant": "P02", "line": "P02-L03", "code": "D08"},
    {"period": "90d", "plant": "P01", "line": "P01-L02", "code": "D01"},
    {"period": "90d", "plant": "P03", "grain": "day"},
    {"period": "12m", "plant": "P04"},
    {"period": "12m"},
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving ``app_dir``'s app on ``url``, with a Redis cache under its own prefix."""

    def __init__(self, app_dir: Path, url: str, workers: int) -> None:
        self.prefix = f"qdash-bench-load-{os.getpid()}:"
        self.port = free_port()
        self.store = Path(tempfile.mkdtemp(prefix="qdash-load-")) / "app.db"
        env = {
            **os.environ,
            "DASHBOARD_DATABASE_URL": url,
            "DASHBOARD_STORE_URL": f"sqlite:///{self.store}",
            "DASHBOARD_CACHE_TYPE": "RedisCache",
            "DASHBOARD_CACHE_REDIS_URL": REDIS_URL,
            "DASHBOARD_CACHE_KEY_PREFIX": self.prefix,
            "DASHBOARD_TODAY": END_DATE.isoformat(),
            "DASHBOARD_HOST": "127.0.0.1",
            "DASHBOARD_PORT": str(self.port),
            "DASHBOARD_WORKERS": str(workers),
            "DASHBOARD_LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "python:dashboard.gunicorn_conf", "--access-logfile", "/dev/null", "app:server"],
            cwd=app_dir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {self.process.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        import redis

        self.redis = redis.Redis.from_url(REDIS_URL)

    def empty_cache(self) -> None:
        keys = list(self.redis.scan_iter(match=self.prefix + "*", count=1000))
        for start in range(0, len(keys), 500):
            self.redis.delete(*keys[start : start + 500])

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.empty_cache()
        self.redis.close()
        shutil.rmtree(self.store.parent, ignore_errors=True)


def open_view(base: str, query: dict[str, str]) -> float:
    """One page request for /defects?``query``, ms from sending to its last byte (it must have succeeded)."""
    body = json.dumps(page_body(query)).encode()
    request = urllib.request.Request(
        base + "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        data = response.read()
    elapsed = 1000 * (time.perf_counter() - started)
    if b"Records:" not in data:
        raise RuntimeError(f"the page request failed for {query}: {data[:300]!r}")
    return elapsed


def run_round(base: str, queues: list[list[dict[str, str]]]) -> tuple[list[float], float]:
    """Each queue is one viewer opening its views in turn; all viewers start together.
    Returns every request's latency and the round's wall time (ms)."""
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(queues) + 1)

    def viewer(views: list[dict[str, str]]) -> None:
        start.wait()
        for query in views:
            try:
                elapsed = open_view(base, query)
            except BaseException as error:  # reported after the round
                errors.append(error)
                return
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=viewer, args=(q,)) for q in queues]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = 1000 * (time.perf_counter() - started)
    if errors:
        raise RuntimeError(f"{len(errors)} request(s) failed, first: {errors[0]}")
    return latencies, wall


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(server: Server, scenario: str, clients: int, rounds: int) -> dict[str, float]:
    """Median over ``rounds`` of each figure of one scenario at ``clients`` viewers."""
    figures: dict[str, list[float]] = {"p50": [], "p95": [], "max": [], "wall": [], "per_s": []}
    for _ in range(rounds):
        if scenario == "same cold":
            queues = [[VIEWS[0]] for _ in range(clients)]
        else:
            queues = [list(VIEWS[i::clients]) for i in range(clients)]
        if scenario.endswith("cold"):
            server.empty_cache()
        else:
            run_round(server.base, [list(VIEWS)])  # fill the cache (untimed)
        latencies, wall = run_round(server.base, queues)
        figures["p50"].append(statistics.median(latencies))
        figures["p95"].append(percentile(latencies, 0.95))
        figures["max"].append(max(latencies))
        figures["wall"].append(wall)
        figures["per_s"].append(1000 * len(latencies) / wall)
    return {name: statistics.median(values) for name, values in figures.items()}


def report(results: dict[str, dict[int, dict[str, float]]], workers: int, rounds: int, app_dir: Path) -> None:
    print(
        f"\n== load: gunicorn {workers} workers × 4 threads ({app_dir}), PostgreSQL medium, RedisCache; "
        f"median of {rounds} rounds; {os.cpu_count()} CPUs =="
    )
    print("  latency: one /defects page request, client-side; wall: the round; views/s: requests / wall")
    print("  vs 1: wall time against one viewer doing the same views (distinct) or one request (same)")
    columns = ("viewers", 8), ("requests", 9), ("p50", 8), ("p95", 8), ("max", 8), ("wall", 9), ("views/s", 9), ("vs 1", 7)
    print(f"{'scenario':<16}" + "".join(f"{name:>{width}}" for name, width in columns) + "   (ms)")
    for scenario, by_clients in results.items():
        baseline = by_clients.get(1)
        for clients, f in by_clients.items():
            requests = clients if scenario == "same cold" else len(VIEWS)
            ratio = f"{f['wall'] / baseline['wall']:.2f}" if baseline else "–"
            print(
                f"{scenario:<16}{clients:>8}{requests:>9}{f['p50']:>8.0f}{f['p95']:>8.0f}{f['max']:>8.0f}"
                f"{f['wall']:>9.0f}{f['per_s']:>9.1f}{ratio:>7}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--clients", default="1,2,4,8,16", help="numbers of viewers, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (DASHBOARD_WORKERS)")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout whose app gunicorn serves")
    parser.add_argument("--reload", action="store_true", help="rewrite the demo data first")
    args = parser.parse_args()
    clients = sorted({max(1, int(c)) for c in args.clients.split(",")})

    url = database_urls(args.scale, ["postgresql"])["postgresql"]
    ensure_data("postgresql", url, args.scale, args.reload)
    server = Server(args.app_dir.resolve(), url, args.workers)
    try:
        run_round(server.base, [list(VIEWS)])  # workers import everything and open connections (untimed)
        results: dict[str, dict[int, dict[str, float]]] = {}
        for scenario in ("distinct cold", "same cold", "distinct warm"):
            results[scenario] = {c: measure(server, scenario, c, args.rounds) for c in clients}
    finally:
        server.close()
    report(results, args.workers, args.rounds, args.app_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
