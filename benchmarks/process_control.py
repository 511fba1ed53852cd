"""Process-control benchmark: the page's queries and view, cold and warm, on the medium demo data.

    python benchmarks/process_control.py                 # SQLite and PostgreSQL (after benchmarks/overview.py)
    python benchmarks/process_control.py --backends sqlite

For the last 12 months it prints, for all plants (80 characteristics) and for one plant: the raw
SQL time of the table query and of the focus query, the whole view with an empty cache (cold)
and a filled one (warm), and the X̄–R chart of 10,000 subgroups of 5 on its own. Reuses the
databases that benchmarks/overview.py loads. Nothing here asserts: it prints figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from overview import END_DATE, database_urls, ensure_data, fresh_repository, median_ms, with_empty_cache  # noqa: E402

from dashboard.filters import Filters  # noqa: E402
from dashboard.metrics import spc  # noqa: E402
from dashboard.views.process_control import (  # noqa: E402
    BASELINE_SUBGROUPS,
    FOCUS_SUBGROUPS,
    RECENT_SUBGROUPS,
    build_process_control,
)

FOCUS = "P02-L03-C1"


def raw_ms(repo, name: str, filters: Filters, repeat: int, **params) -> float:
    statement = repo._datasets[name](repo.sources.tables(), filters, **params)
    engine = repo.sources.engine_for(statement)

    def run() -> None:
        with engine.connect() as conn:
            conn.execute(statement).fetchall()

    return median_ms(run, repeat)


def engine_10k_ms(repeat: int) -> float:
    rng = np.random.default_rng(1)
    count = 10_000
    frame = pd.DataFrame({"subgroup_id": np.repeat(np.arange(count), 5), "value": rng.normal(10, 1, count * 5)})
    baseline = (spc.Baseline(start=0, end=24, reason="first 25"),)
    return median_ms(lambda: spc.xbar_r_chart(frame, baselines=baseline, rules=spc.nelson_rules()), repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Process-control benchmark: medium demo ending {END_DATE}, last 12 months, median of {args.repeat}")
    print(f"{'database / scope':<28}{'table SQL':>11}{'focus SQL':>11}{'view cold':>11}{'view warm':>11}   (ms)")
    for name, url in database_urls("medium", [b.strip() for b in args.backends.split(",")]).items():
        ensure_data(name, url, "medium", reload=False)
        repo = fresh_repository(url)
        for plant in (None, "P02"):
            filters = Filters("12m", END_DATE - dt.timedelta(days=364), END_DATE, plant)
            table = raw_ms(
                repo, "spc_table_measurements", filters, args.repeat, baseline=BASELINE_SUBGROUPS, recent=RECENT_SUBGROUPS
            )
            focus = raw_ms(repo, "spc_measurements", filters, args.repeat, characteristic_id=FOCUS, max_subgroups=FOCUS_SUBGROUPS)
            cold = median_ms(
                lambda r, f=filters: build_process_control(f, r, characteristic_id=FOCUS),
                args.repeat,
                lambda repo=repo: with_empty_cache(repo),
            )
            build_process_control(filters, repo, characteristic_id=FOCUS)
            warm = median_ms(lambda f=filters, r=repo: build_process_control(f, r, characteristic_id=FOCUS), args.repeat)
            scope = f"{name} / {plant or 'all plants'}"
            print(f"{scope:<28}{table:>11.1f}{focus:>11.1f}{cold:>11.1f}{warm:>11.1f}")
        repo.sources.dispose()
    print(f"X̄–R chart, 10,000 subgroups × 5, Nelson 1-8: {engine_10k_ms(args.repeat):.1f} ms (target ≤ 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
