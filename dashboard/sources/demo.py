"""The deterministic demo data set: ``write_demo`` fills every canonical table.

Three years of a five-plant manufacturer ending on ``end_date``, with five planted
stories the views must reveal (see ``data/README.md``). The same (seed, scale,
end_date) gives the same rows, in the same order, on every database.

Generation lives in ``demo_*`` modules (one per subject area); loading in ``demo_load``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable

import numpy as np
from sqlalchemy import create_engine, inspect, make_url
from sqlalchemy.pool import NullPool
from tqdm import tqdm

from dashboard.config import settings_from_env
from dashboard.errors import ConfigError
from dashboard.sources import schema
from dashboard.sources.demo_dims import make_dims
from dashboard.sources.demo_governance import make_capas_and_findings, make_process_events, make_risks
from dashboard.sources.demo_kpis import make_kpi_definitions
from dashboard.sources.demo_load import load_tables, table_length
from dashboard.sources.demo_okr import make_okrs
from dashboard.sources.demo_plan import SCALES, Columns, check_scale, make_plan, quarter_label, quarter_of, story_dates
from dashboard.sources.demo_production import make_production
from dashboard.sources.demo_spc import make_spc
from dashboard.sources.demo_suppliers import make_suppliers
from dashboard.sources.demo_voc import make_feedback

DEFAULT_SEED = 20261124
STORY_TEXT = {
    "step_change": "Story 1: P02-L03 step change (D08 x2.5, P02-L03-C1 mean +1.5 sigma)",
    "supplier_ramp_start": "Story 2: S017 PPM starts rising from ~800 towards ~6,000",
    "supplier_first_scar": "Story 2: first SCAR for S017 (the second one follows 25 days later)",
    "okr_quarter_start": "Story 3: key result {quarter}-T02-K1 starts; its check-ins stall after three weeks",
    "internal_rise_start": "Story 4: internal D12 (seal leak) rate rises x2.6 for four weeks",
    "complaint_surge_start": "Story 4: D12 complaint surge starts (four weeks)",
    "complaint_surge_end": "Story 4: last day of the D12 complaint surge",
    "capa_closed": "Story 5: CAPA on D04 at P01 closed effective; D04 rate at P01 falls ~65 %",
}


def generate_tables(
    scale: str = "small",
    end_date: dt.date | None = None,
    seed: int = DEFAULT_SEED,
    step: Callable[[str], None] = lambda name: None,
) -> dict[str, Columns]:
    """Every canonical table as columns (numpy arrays), without touching a database."""
    plan = make_plan(scale, end_date or dt.date.today() - dt.timedelta(days=1))
    # One independent stream per subject area: the small, scale-independent tables (dimensions,
    # OKRs, CAPAs, audit findings) come out identical at every scale, and tuning one generator leaves the others alone.
    dims_rng, production_rng, spc_rng, supplier_rng, feedback_rng, okr_rng, governance_rng = np.random.default_rng(seed).spawn(7)
    step("dimensions")
    dims = make_dims(dims_rng)
    tables = dict(dims.tables)
    step("production and defects")
    facts, stats = make_production(production_rng, plan, dims)
    tables.update(facts)
    step("SPC measurements")
    tables["spc_measurements"] = make_spc(spc_rng, plan, dims, stats.running)
    step("suppliers")
    tables.update(make_suppliers(supplier_rng, plan, dims))
    step("customer feedback")
    tables["customer_feedback"] = make_feedback(feedback_rng, plan, dims, stats)
    step("OKRs, CAPAs, audits, risks")
    tables.update(make_okrs(okr_rng, plan))
    tables.update(make_capas_and_findings(governance_rng, plan, dims))
    tables["risks"] = make_risks(governance_rng, plan, dims)
    tables["process_events"] = make_process_events(governance_rng, plan, dims)
    tables["kpi_definitions"] = make_kpi_definitions()
    missing = set(schema.DATASETS) - set(tables)
    if missing:
        raise RuntimeError(f"demo generator misses tables {sorted(missing)}")
    return tables


def _prepare_sqlite_path(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)


def write_demo(
    url: str, scale: str = "small", *, end_date: dt.date | None = None, seed: int = DEFAULT_SEED, progress: bool = True
) -> dict[str, int]:
    """Drop and recreate every canonical table on `url` and fill it; returns row counts per table."""
    check_scale(scale)
    end_date = end_date or dt.date.today() - dt.timedelta(days=1)
    with tqdm(total=6, desc="generating", unit="step", disable=not progress, file=sys.stderr, leave=False) as bar:
        started: list[str] = []

        def step(name: str) -> None:
            if started:  # the previous step is done
                bar.update(1)
            started.append(name)
            bar.set_postfix_str(name)

        tables = generate_tables(scale, end_date, seed, step)
        bar.update(bar.total - bar.n)
    counts = {name: table_length(tables[name]) for name in schema.DATASETS}
    _prepare_sqlite_path(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with tqdm(
            total=sum(counts.values()), desc="loading", unit="rows", unit_scale=True, disable=not progress, file=sys.stderr
        ) as bar:

            def advance(table: str, rows: int) -> None:
                bar.set_postfix_str(table)
                bar.update(rows)

            load_tables(engine, tables, advance)
    finally:
        engine.dispose()
    return counts


def ensure_demo(url: str, scale: str) -> bool:
    """Write the demo only if the database has no ``defects`` table yet; True if it wrote."""
    check_scale(scale)
    _prepare_sqlite_path(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        exists = inspect(engine).has_table("defects")
    finally:
        engine.dispose()
    if exists:
        return False
    write_demo(url, scale, progress=sys.stderr.isatty())
    return True


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def main(argv: list[str] | None = None) -> int:
    """``python -m dashboard demo``: write the demo database and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m dashboard demo", description="Write the demo quality database.")
    parser.add_argument("--scale", choices=tuple(SCALES), default="small", help="~100k / 1M / 10M defect rows")
    parser.add_argument("--url", help="SQLAlchemy URL (default: DASHBOARD_DATABASE_URL or data/quality.db)")
    parser.add_argument("--end-date", type=_date, help="last day of the data (default: yesterday)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    url = args.url or settings_from_env(os.environ).database_url
    end_date = args.end_date or dt.date.today() - dt.timedelta(days=1)
    try:
        counts = write_demo(url, args.scale, end_date=end_date, seed=args.seed, progress=not args.quiet)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    start = make_plan(args.scale, end_date).start
    print(
        f"Wrote the {args.scale} demo (seed {args.seed}, {start} .. {end_date}) to "
        f"{make_url(url).render_as_string(hide_password=True)}"
    )
    for name, rows in counts.items():
        print(f"  {name:<22} {rows:>12,} rows")
    print("Planted stories (see data/README.md):")
    quarter = quarter_label(*quarter_of(end_date))
    for key, day in story_dates(end_date).items():
        print(f"  {day.isoformat()}  {STORY_TEXT[key].format(quarter=quarter)}")
    return 0
