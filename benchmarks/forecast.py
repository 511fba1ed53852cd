"""Forecast benchmark: ``metrics.forecast.forecast`` with the numeric libraries' default thread
pool beside the one-thread cap the app sets (``DASHBOARD_NUMERIC_THREADS``, default 1).

    python benchmarks/forecast.py
    python benchmarks/forecast.py --busy 2        # with two other processes keeping the CPUs busy
    python benchmarks/forecast.py --repeat 41 --threads 4

The defects page forecasts its trend on every cold build: two ETS fits (statsmodels), each an
L-BFGS-B optimisation over a few parameters. Series of 14 weekly, 52 weekly and 90 daily
points (a fixed random walk around 40 defects with weekly noise), the sizes the page meets.
For each, the median of ``--repeat`` calls after a warm-up, first with the pool the libraries
start with (or ``--threads``), then capped at one thread with ``threadpoolctl``, taking turns
so load from other processes affects both alike. ``--busy N`` runs N processes that keep a CPU
busy each meanwhile, as the other workers and requests of a loaded server do: a thread pool's
workers then wait for CPUs the busy processes hold. Nothing here asserts: it prints figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from dashboard.metrics.forecast import forecast  # noqa: E402

HORIZON = 4
SERIES = (("14 weeks", 14, "W-MON"), ("52 weeks", 52, "W-MON"), ("90 days", 90, "D"))


def series(points: int, freq: str) -> pd.Series:
    rng = np.random.default_rng(20261125)
    values = 40 + np.cumsum(rng.normal(0, 1.5, points)) + rng.normal(0, 4, points)
    return pd.Series(np.maximum(values, 0), index=pd.date_range("2026-01-05", periods=points, freq=freq))


def timed(values: pd.Series, limit: int | None) -> float:
    with threadpool_limits(limits=limit):
        started = time.perf_counter()
        forecast(values, HORIZON)
        return 1000 * (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--threads", type=int, default=None, help="the uncapped pool's size (default: the libraries' own)")
    parser.add_argument("--busy", type=int, default=0, help="processes keeping a CPU busy each during the run")
    args = parser.parse_args()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        return run(args)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def run(args: argparse.Namespace) -> int:
    pools = sorted({(p["internal_api"], p["num_threads"]) for p in threadpool_info()})
    busy = f"; {args.busy} other process(es) keeping CPUs busy" if args.busy else ""
    print(f"Forecast benchmark: horizon {HORIZON}, median of {args.repeat}; thread pools at start: {pools}{busy}")
    print(f"{'series':<12}{'pool ' + str(args.threads or 'default'):>16}{'1 thread':>12}{'ratio':>8}   (ms)")
    for label, points, freq in SERIES:
        values = series(points, freq)
        for limit in (args.threads, 1):  # warm-up: imports and first-use costs out of the figures
            timed(values, limit)
        wide, one = [], []
        for _ in range(args.repeat):
            wide.append(timed(values, args.threads))
            one.append(timed(values, 1))
        uncapped, capped = statistics.median(wide), statistics.median(one)
        print(f"{label:<12}{uncapped:>16.1f}{capped:>12.1f}{uncapped / capped:>7.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
