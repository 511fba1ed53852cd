"""Suppliers benchmark: the scorecard and one supplier's page, raw SQL vs the page cold and warm vs naive pandas.

    python benchmarks/suppliers.py                # medium demo data, SQLite and PostgreSQL
    python benchmarks/suppliers.py --scale small --backends sqlite --repeat 3

The cases: (a) the scorecard (every supplier) over the last 90 days, all plants, (b) the same for
commodity Castings, (c) supplier S017's page over 90 days and (d) over 12 months. For each case
it prints the raw SQL time of every query the page runs (statement from the registry, executed
and fetched on a warm connection), summed and the slowest one (the repository runs cold queries
up to 4 at a time, so a cold page should land between the two), ``build_scorecard`` or
``build_supplier`` with an empty cache (cold) and the Python part of that (cold minus the time
spent in the repository's fetches), with a filled cache (warm), the server time of the
page request (the layout with its table and charts) through Flask with its response size, and
the naive page: the window's supplier_lots, scars and supplier_audits rows read with
``pd.read_sql``, aggregated in pandas and scored with ``dashboard.metrics.suppliers.scorecard``.
Then the printable scorecard (GET /suppliers/S017/scorecard.pdf?period=12m) cold and warm.

Reuses the databases (and helpers) of benchmarks/overview.py. Times are medians of --repeat
runs. Nothing here asserts: it prints figures to compare.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

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
from dashboard.filters import Filters, resolve_period  # noqa: E402
from dashboard.metrics import suppliers as metrics  # noqa: E402
from dashboard.state import EXTENSION  # noqa: E402
from dashboard.views.suppliers import build_scorecard, build_supplier  # noqa: E402

SUPPLIER, COMMODITY = "S017", "Castings"
PDF_PATH = f"/suppliers/{SUPPLIER}/scorecard.pdf?period=12m"


@dataclasses.dataclass(frozen=True)
class Case:
    """One page to time: its label, which page, and the callback's query (the page's URL parameters)."""

    label: str
    kind: str  # "scorecard" or "supplier"
    query: dict[str, str]

    @property
    def filters(self) -> Filters:
        start, end = resolve_period(self.query["period"], END_DATE)
        return Filters(self.query["period"], start, end, self.query.get("plant"))

    def build(self, repo) -> Any:
        if self.kind == "scorecard":
            return build_scorecard(self.filters, repo, commodity=self.query.get("commodity"), search=self.query.get("q"))
        return build_supplier(self.filters, repo, self.query["supplier"])


CASES = (
    Case("a scorecard, 90d", "scorecard", {"period": "90d"}),
    Case(f"b scorecard {COMMODITY}, 90d", "scorecard", {"period": "90d", "commodity": COMMODITY}),
    Case(f"c supplier {SUPPLIER}, 90d", "supplier", {"period": "90d", "supplier": SUPPLIER}),
    Case(f"d supplier {SUPPLIER}, 12m", "supplier", {"period": "12m", "supplier": SUPPLIER}),
)


class Recorder(RecordingRepository):
    """overview.py's recording repository, plus the derived-frame cache the scorecard uses."""

    def derived(self, name, sources, params, compute):
        return self.inner.derived(name, sources, params, compute)


class FetchTimer:
    """Passes everything through and adds up the time spent in the repository's fetches, so that
    the page's own (Python) work is the rest: metrics, figures, JSON, rows."""

    def __init__(self, inner: SqlRepository) -> None:
        self.inner = inner
        self.fetch_ms = 0.0

    def _timed(self, call, *args, **kwargs):
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.fetch_ms += 1000 * (time.perf_counter() - started)

    def fetch(self, name, filters=None, **params):
        return self._timed(self.inner.fetch, name, filters, **params)

    def fetch_many(self, requests):
        return self._timed(self.inner.fetch_many, requests)

    def derived(self, name, sources, params, compute):
        return self.inner.derived(name, sources, params, compute)


# --- raw SQL ----------------------------------------------------------------------------------


def page_queries(base: SqlRepository, case: Case) -> list[tuple[str, Filters | None, dict[str, Any]]]:
    """Every dataset the page reads for ``case`` (fetch_many and the single fetches), once each."""
    recorder = Recorder(with_empty_cache(base))
    case.build(recorder)
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
    extra = [str(params[k]) for k in ("grain", "commodity", "supplier_id") if params.get(k) is not None]
    return name + (f" ({', '.join(extra)})" if extra else "")


def cold_ms(base: SqlRepository, case: Case, repeat: int) -> tuple[float, float]:
    """Median of the page with an empty cache, and median of its Python part (total - fetches)."""
    totals, computes = [], []
    for _ in range(repeat):
        timer = FetchTimer(with_empty_cache(base))
        started = time.perf_counter()
        case.build(timer)
        total = 1000 * (time.perf_counter() - started)
        totals.append(total)
        computes.append(total - timer.fetch_ms)
    return statistics.median(totals), statistics.median(computes)


# --- naive pandas -----------------------------------------------------------------------------


def naive_case(engine: sa.Engine, tables, case: Case) -> None:
    """What a naive page does: read the window's lots (both periods), the SCARs open in it and the
    audits up to its end into pandas, aggregate there as the SQL does, and score with
    ``metrics.scorecard``; the supplier page also its daily series, parts, SCAR and audit lists."""
    filters = case.filters
    lots_t, scars_t, audits_t, suppliers_t = (tables[t] for t in ("supplier_lots", "scars", "supplier_audits", "suppliers"))
    start, end = filters.start_date, filters.end_exclusive
    where_lots = [lots_t.c.received_date >= filters.previous().start_date, lots_t.c.received_date < end]
    if filters.plant_id:
        where_lots.append(lots_t.c.plant_id == filters.plant_id)
    with engine.connect() as conn:
        suppliers = pd.read_sql(sa.select(suppliers_t), conn)
        lots = pd.read_sql(sa.select(lots_t).where(*where_lots), conn)
        scars = pd.read_sql(
            sa.select(scars_t).where(
                scars_t.c.opened_date < end, sa.or_(scars_t.c.closed_date.is_(None), scars_t.c.closed_date >= start)
            ),
            conn,
        )
        audits = pd.read_sql(sa.select(audits_t).where(audits_t.c.audit_date < end), conn)
    commodity = case.query.get("commodity")
    if commodity:
        keep = set(suppliers.loc[suppliers["commodity"] == commodity, "supplier_id"])
        lots, scars, audits = (f[f["supplier_id"].isin(keep)] for f in (lots, scars, audits))
    first, stop = pd.Timestamp(start), pd.Timestamp(end)
    received, due = pd.to_datetime(lots["received_date"]), pd.to_datetime(lots["due_date"])
    lots = lots.assign(
        date=received,
        period=received.ge(first).map({True: "current", False: "previous"}),
        on_time=(received <= due).astype(int),
        rejected_lot=lots["lot_rejected"].astype(int),
    )
    lot_summary = (
        lots.groupby(["supplier_id", "period"], as_index=False)
        .agg(
            lots=("lot_id", "count"),
            units_received=("units_received", "sum"),
            units_rejected=("units_rejected", "sum"),
            lots_rejected=("rejected_lot", "sum"),
            lots_on_time=("on_time", "sum"),
            chargeback_eur=("chargeback_eur", "sum"),
        )
        .sort_values(["supplier_id", "period"])
    )
    opened, closed, scar_due = (pd.to_datetime(scars[c]) for c in ("opened_date", "closed_date", "due_date"))
    closed_in = (closed >= first) & (closed < stop)
    open_at_end = (opened < stop) & (closed.isna() | (closed >= stop))
    scar_summary = (
        scars.assign(
            scars_opened=((opened >= first) & (opened < stop)).astype(int),
            scars_open=open_at_end.astype(int),
            scars_overdue=(open_at_end & (scar_due < pd.Timestamp(filters.end_date))).astype(int),
            scars_closed=closed_in.astype(int),
            days_to_close_sum=(closed - opened).dt.days.where(closed_in, 0),
        )
        .groupby("supplier_id", as_index=False)[list(metrics.SCAR_MEASURES)]
        .sum()
    )
    latest = (
        audits.sort_values(["supplier_id", "audit_date", "audit_id"], ascending=[True, False, False])
        .drop_duplicates("supplier_id")[["supplier_id", "audit_date", "score_pct", "finding_count"]]
        .sort_values("supplier_id")
    )
    card = metrics.scorecard(lot_summary, scar_summary, latest, suppliers)
    current = lots[lots["period"] == "current"]
    measures = {"lots": ("lot_id", "count"), "units_received": ("units_received", "sum")}
    measures |= {"units_rejected": ("units_rejected", "sum"), "lots_on_time": ("on_time", "sum")}
    if case.kind == "scorecard":
        weekly = current.assign(bucket_date=current["date"].dt.to_period("W").dt.start_time)
        weekly = weekly.groupby(["supplier_id", "bucket_date"], as_index=False).agg(**measures)
        weekly.assign(ppm=1e6 * weekly["units_rejected"] / weekly["units_received"].where(weekly["units_received"] > 0))
        return
    supplier = case.query["supplier"]
    mine = current[current["supplier_id"] == supplier]
    mine.groupby("date", as_index=False).agg(**measures)
    parts = mine.groupby("part_number", as_index=False).agg(
        lots=("lot_id", "count"), units_received=("units_received", "sum"), units_rejected=("units_rejected", "sum")
    )
    parts.sort_values(["units_rejected", "part_number"], ascending=[False, True])
    scars[scars["supplier_id"] == supplier].sort_values(["opened_date", "scar_id"], ascending=False)
    audits[audits["supplier_id"] == supplier].sort_values(["audit_date", "audit_id"])
    card[card["supplier_id"] == supplier]


# --- Flask: callbacks and the PDF -------------------------------------------------------------


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


def page_body(case: Case) -> dict[str, Any]:
    """The page request Dash's renderer sends for the case's URL (a click, a changed filter, a
    pasted link): the layout with the table and charts, or with the supplier's page (as
    tests/app/test_suppliers_page.py)."""
    query = {k: v for k, v in case.query.items() if k != "supplier"}
    path = "/suppliers" if case.kind == "scorecard" else f"/suppliers/{case.query['supplier']}"
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": "?" + urlencode(query)},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def callback_warm(client, case: Case, repeat: int) -> tuple[float, float]:
    """Median server time of the warm page request (ms) and its response size (KB)."""
    body = page_body(case)
    response = client.post("/_dash-update-component", json=body)
    ok = response.status_code == 200 and (b"pooled" if case.kind == "scorecard" else b"Printable scorecard") in response.data
    if not ok:
        raise RuntimeError(f"the page request failed for {case.label}: {response.status_code} {response.data[:300]!r}")
    return median_ms(lambda: client.post("/_dash-update-component", json=body), repeat), len(response.data) / 1024


def callback_cold(app, client, case: Case, repeat: int) -> float:
    """Median server time (ms) of the whole page request with the app's cache emptied first:
    the page, the Dash components and the JSON response."""
    body = page_body(case)
    return median_ms(lambda _: client.post("/_dash-update-component", json=body), repeat, lambda: empty_app_cache(app))


def pdf_once(client) -> int:
    response = client.get(PDF_PATH)
    if response.status_code != 200 or not response.data.startswith(b"%PDF"):
        raise RuntimeError(f"PDF failed: {response.status_code} {response.data[:300]!r}")
    return len(response.data)


def measure_pdf(app, client, repeat: int) -> dict[str, float]:
    """The PDF route with the app's cache emptied before each run (cold: the same connections, a
    new cache) and with a filled one (warm: build_supplier from the cache, the PDF drawn anew)."""
    state = app.server.extensions[EXTENSION]
    original = state.repository
    pdf_once(client)  # untimed: the PDF library's imports and first-use costs out of the cold figure
    try:
        cold = median_ms(lambda _: pdf_once(client), repeat, lambda: setattr(state, "repository", with_empty_cache(original)))
    finally:
        state.repository = original
    size = pdf_once(client)
    return {"cold": cold, "warm": median_ms(lambda: pdf_once(client), repeat), "kb": size / 1024}


# --- one backend ------------------------------------------------------------------------------


def measure_backend(name: str, url: str, repeat: int) -> dict[str, Any]:
    base = fresh_repository(url)
    engine = base.sources.default_engine
    tables = base.sources.tables()
    app = make_app(url)
    client = app.server.test_client()
    client.get("/")
    cases, queries = [], {}
    for case in CASES:
        calls = page_queries(base, case)
        raws = [(query_label(n, p), raw_ms(base, n, f, p, repeat)) for n, f, p in calls]
        queries[case.label] = raws
        cold, compute = cold_ms(base, case, repeat)
        warm_repo = with_empty_cache(base)
        case.build(warm_repo)
        warm = median_ms(lambda c=case, r=warm_repo: c.build(r), repeat)
        callback_ms, response_kb = callback_warm(client, case, repeat)
        callback_cold_ms = callback_cold(app, client, case, repeat)
        naive_case(engine, tables, case)  # untimed: first-use costs (imports, pandas paths) out of the figure
        naive = median_ms(lambda c=case: naive_case(engine, tables, c), max(1, repeat // 2))
        cases.append(
            {
                "label": case.label,
                "queries": len(raws),
                "raw_sum": sum(ms for _, ms in raws),
                "raw_max": max(ms for _, ms in raws),
                "cold": cold,
                "compute": compute,
                "warm": warm,
                "callback": callback_ms,
                "callback_cold": callback_cold_ms,
                "response_kb": response_kb,
                "naive": naive,
            }
        )
    pdf = measure_pdf(app, client, repeat)
    app.server.extensions[EXTENSION].repository.sources.dispose()
    base.sources.dispose()
    return {"backend": name, "cases": cases, "queries": queries, "pdf": pdf}


# --- report -----------------------------------------------------------------------------------


def report(result: dict[str, Any], show_queries: bool) -> None:
    print(f"\n== {result['backend']} ==")
    head = (
        f"{'case':<26}{'n':>3}{'raw sum':>9}{'raw max':>9}{'cold':>8}{'c/sum':>7}{'c/max':>7}{'compute':>9}"
        f"{'warm':>7}{'cb cold':>8}{'cb/sum':>7}{'cb warm':>8}{'resp KB':>8}{'naive':>8}{'nv/cold':>8}"
    )
    print(head + "   (ms)")
    for row in result["cases"]:
        print(
            f"{row['label']:<26}{row['queries']:>3}{row['raw_sum']:>9.1f}{row['raw_max']:>9.1f}{row['cold']:>8.1f}"
            f"{row['cold'] / row['raw_sum']:>7.2f}{row['cold'] / row['raw_max']:>7.2f}{row['compute']:>9.1f}{row['warm']:>7.1f}"
            f"{row['callback_cold']:>8.1f}{row['callback_cold'] / row['raw_sum']:>7.2f}"
            f"{row['callback']:>8.1f}{row['response_kb']:>8.0f}{row['naive']:>8.1f}{row['naive'] / row['cold']:>7.1f}x"
        )
        if show_queries:
            for label, ms in result["queries"][row["label"]]:
                print(f"    {label:<40}{ms:>8.1f}")
    pdf = result["pdf"]
    print(f"\n{'PDF via Flask':<52}{'cold':>8}{'warm':>8}{'KB':>7}   (ms)")
    print(f"{'  GET ' + PDF_PATH:<52}{pdf['cold']:>8.1f}{pdf['warm']:>8.1f}{pdf['kb']:>7.0f}")


LEGEND = """\
  n, raw sum, raw max: the page's queries, each run alone on a warm connection (execute + fetch), summed and
      the slowest; a cold page runs up to 4 at once, so it should land between the two
  cold, warm: build_scorecard / build_supplier with an empty / a filled cache; c/sum, c/max: cold / raw sum, raw max
  compute: the Python part of cold (cold minus the time in the repository's fetches): metrics, figures, rows
  cb cold, cb/sum: the page request a changed filter or a click sends (/suppliers?..., or
      /suppliers/S017 from a scorecard row: the layout with its table and charts) through Flask's
      test client with the app's cache emptied first (the page, Dash components, JSON), and that / raw sum
  cb warm, resp KB: the same request with the cache filled; its response size
  naive: the window's lots, SCARs and audits read with pd.read_sql, aggregated in pandas and scored with
      metrics.scorecard, no figures
  PDF: cold = the app's cache emptied before each request; warm = data cached, the PDF drawn each time"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--queries", action="store_true", help="print every query's raw SQL time under its case")
    parser.add_argument("--reload", action="store_true", help="rewrite the benchmark databases")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(
        f"Suppliers benchmark: {args.scale} demo data ending {END_DATE}, scorecard (all, {COMMODITY}) and supplier "
        f"{SUPPLIER}, median of {args.repeat}; {os.cpu_count()} CPUs"
    )
    print(LEGEND)
    for name, url in database_urls(args.scale, backends).items():
        ensure_data(name, url, args.scale, args.reload)
        report(measure_backend(name, url, args.repeat), args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
