"""SPC engine benchmark: the per-characteristic work of the process-control page, timed.

    python benchmarks/spc_engine.py                  # working tree only
    python benchmarks/spc_engine.py --against HEAD   # before (HEAD) / after (working tree)
    python benchmarks/spc_engine.py --source db      # frames cut from data/bench-medium.db

Workloads (the page computes one status lamp per characteristic, ~80 per page):

- X̄–R chart, 50 subgroups × 5 values, the four Western Electric rules on X̄;
- I-MR chart, 50 individual values, the four Western Electric rules on I;
- X̄–R chart, 500 subgroups × 5 values, all eight Nelson rules on X̄;
- ``capability`` on 125 values (25 subgroups × 5) with LSL, USL and target, and, for
  reference, the Anderson–Darling call it makes (``scipy.stats.anderson``) on its own;
- one row of the process-control table as ``views/process_control.py`` computes it: the
  50-subgroup X̄–R chart with the first 25 subgroups as baseline, then ``capability`` of the
  25 monitored subgroups (the page computes ~80 of these).

Input frames look like the page's: one row per measurement with ``subgroup_id`` (int),
``measured_at`` (datetime64, subgroups 8 h apart, parts 90 s apart), ``value`` (float) and a
``characteristic_id`` column of pandas' default (Arrow-backed) string dtype. Times are medians
of ``--repeat`` calls per workload after a warm-up, the workloads taking turns. ``--against
REV`` also runs them on the ``dashboard`` package of git revision REV (``git archive`` into a
temporary directory); each engine runs in its own subprocess and the two alternate in
``--chunks`` chunks, so load from other processes on the machine affects both alike. Nothing
here asserts: it prints figures to compare.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SUBGROUP_SIZE = 5
HOURS_APART = 8


def measurements(subgroups: int, size: int, seed: int) -> Any:
    """``subgroups`` × ``size`` normal values (μ 10, σ 1) as the page passes them."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-05T06:00:00")
    group = np.repeat(np.arange(1, subgroups + 1), size)
    offset = (group - 1) * HOURS_APART * 3600 + np.tile(np.arange(size) * 90, subgroups)
    return pd.DataFrame(
        {
            "characteristic_id": pd.Series(["P01-L01-C1"] * len(group), dtype="str"),
            "subgroup_id": group,
            "measured_at": start + offset.astype("timedelta64[s]"),
            "value": rng.normal(10.0, 1.0, len(group)).round(3),
        }
    )


def from_database(path: Path, subgroups: int, size: int) -> Any:
    """The last ``subgroups`` subgroups of the first characteristic with subgroups of ``size``."""
    import pandas as pd

    with sqlite3.connect(path) as connection:
        frame = pd.read_sql_query(
            "SELECT characteristic_id, measured_at, subgroup_id, value FROM spc_measurements "
            "WHERE characteristic_id = (SELECT characteristic_id FROM spc_measurements "
            "GROUP BY characteristic_id, subgroup_id HAVING count(*) = ? LIMIT 1) ORDER BY measured_at",
            connection,
            params=(size,),
        )
    frame["measured_at"] = pd.to_datetime(frame["measured_at"])
    frame["characteristic_id"] = frame["characteristic_id"].astype("str")
    keep = frame["subgroup_id"].drop_duplicates().iloc[-subgroups:]
    return frame[frame["subgroup_id"].isin(keep)].reset_index(drop=True)


def samples_ms(calls: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Wall times of each call in milliseconds, ``repeat`` rounds after 20 untimed warm-up rounds.

    The calls take turns (one of each per round), so a burst of load on a shared machine slows
    all of them alike instead of one workload.
    """
    times: dict[str, list[float]] = {name: [] for name in calls}
    for round_number in range(20 + repeat):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            if round_number >= 20:
                times[name].append(1000 * (time.perf_counter() - started))
    return times


def workloads(source: str) -> dict[str, Callable[[], Any]]:
    """The timed calls, by the name printed."""
    from scipy import stats

    from dashboard.metrics.spc import (
        PHASE_MONITOR,
        Baseline,
        SpecLimits,
        capability,
        imr_chart,
        nelson_rules,
        western_electric_rules,
        xbar_r_chart,
    )

    if source == "db":
        database = ROOT / "data" / "bench-medium.db"
        small, large, study = (from_database(database, count, SUBGROUP_SIZE) for count in (50, 500, 25))
        single = from_database(database, 50, 1)
    else:
        small, large, study = (measurements(count, SUBGROUP_SIZE, seed) for count, seed in ((50, 1), (500, 2), (25, 3)))
        single = measurements(50, 1, 4)
    mean, sigma = float(study["value"].mean()), float(study["value"].std())
    spec = SpecLimits(lsl=mean - 4 * sigma, usl=mean + 4 * sigma, target=mean)
    values = study["value"].to_numpy()
    we, nelson = western_electric_rules(), nelson_rules()
    ids = small["subgroup_id"].drop_duplicates().tolist()
    baseline = (Baseline(start=ids[0], end=ids[24], reason="the first 25 subgroups"),)

    def page_row() -> Any:
        points = xbar_r_chart(small, baselines=baseline, rules=we).location.points
        monitored = points.loc[points["phase"] == PHASE_MONITOR, "subgroup_id"]
        return capability(small[small["subgroup_id"].isin(monitored)], spec)

    return {
        "X̄–R, 50 subgroups × 5, WE rules": lambda: xbar_r_chart(small, rules=we),
        "I-MR, 50 values, WE rules": lambda: imr_chart(single, rules=we),
        "X̄–R, 500 subgroups × 5, Nelson 1–8": lambda: xbar_r_chart(large, rules=nelson),
        "capability, 125 values": lambda: capability(study, spec),
        "  of which Anderson–Darling (scipy)": lambda: stats.anderson(values, "norm", method="interpolate"),
        "page row: X̄–R with baseline + capability": page_row,
    }


def timed(root: str, source: str, repeat: int) -> dict[str, list[float]]:
    """:func:`samples_ms` of the workloads on the ``dashboard`` package under ``root``, in a subprocess."""
    command = [sys.executable, __file__, "--json", "--source", source, "--repeat", str(repeat), "--root", root]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", metavar="REV", help="also time the engine of this git revision (e.g. HEAD)")
    parser.add_argument("--source", choices=("numpy", "db"), default="numpy", help="generated frames or bench-medium.db")
    parser.add_argument("--repeat", type=int, default=200, help="timed calls per workload and engine")
    parser.add_argument("--chunks", type=int, default=4, help="with --against: alternate the engines this many times")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        sys.path.insert(0, args.root)
        print(json.dumps(samples_ms(workloads(args.source), args.repeat)))
        return
    engines = {"working tree": str(ROOT)}
    with tempfile.TemporaryDirectory() as folder:
        if args.against:
            archive = subprocess.run(["git", "archive", args.against, "dashboard"], cwd=ROOT, check=True, capture_output=True)
            with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
                tar.extractall(folder, filter="data")
            engines = {args.against: folder, **engines}
        chunks = args.chunks if args.against else 1
        samples: dict[str, dict[str, list[float]]] = {engine: {} for engine in engines}
        # The engines take turns in chunks, so both see the same machine load.
        for _ in range(chunks):
            for engine, root in engines.items():
                for name, times in timed(root, args.source, max(1, args.repeat // chunks)).items():
                    samples[engine].setdefault(name, []).extend(times)
    medians = {engine: {name: statistics.median(times) for name, times in by_name.items()} for engine, by_name in samples.items()}
    names = list(medians["working tree"])
    width = max(map(len, names))
    print(f"{'median ms':<{width}}" + "".join(f"  {engine:>12}" for engine in engines) + ("  speed-up" if args.against else ""))
    for name in names:
        row = "".join(f"  {medians[engine][name]:12.2f}" for engine in engines)
        if args.against:
            row += f"  {medians[args.against][name] / medians['working tree'][name]:7.1f}×"
        print(f"{name:<{width}}{row}")


if __name__ == "__main__":
    main()
