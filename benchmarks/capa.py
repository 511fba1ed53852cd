"""CAPA page benchmark: raw SQL vs the page cold and warm vs naive pandas, the records grid and the export.

    python benchmarks/capa.py                # medium demo data, SQLite and PostgreSQL
    python benchmarks/capa.py --scale small --backends sqlite --repeat 3

The cases: (a) the CAPA page over the last 12 months, all plants, (b) 90 days at plant P02 with
the breakdown by owner, (c) 12 months listing the overdue CAPAs by week; each page includes "did
they work?", every CAPA closed in the period judged on its defect data by one set-wise query
(``capa_effects``, listed in the query lines). For each case it prints
the raw SQL time of every query the page runs (statement from the registry, executed and fetched
on a warm connection) summed and the slowest, ``build_capa`` with an empty cache (cold) and its
Python part, with a filled cache (warm), the page request through Flask cold and warm with its
response size, one block of the records grid (warm), the CSV export of the listed CAPAs, and the
naive page: the whole capas table read with ``pd.read_sql`` and counted in pandas.

Then one CAPA's page (/capa/<number>) for three demo CAPAs found by title: story 5 (D04 at plant
P01, closed: the effect is compared), story 1 (D08 on P02-L03, open) and the first routine CAPA on
a line and code; the same columns, and the naive page: the CAPA's defect and production rows of
the whole window read into pandas and summed there.

Reuses the databases and helpers of benchmarks/overview.py and benchmarks/suppliers.py. Times are
medians of --repeat runs. Nothing here asserts: it prints figures to compare.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from overview import END_DATE, database_urls, empty_app_cache, ensure_data, fresh_repository, median_ms, with_empty_cache  # noqa: E402
from suppliers import cold_ms, make_app, page_queries, query_label, raw_ms  # noqa: E402

from dashboard.filters import Filters, resolve_period  # noqa: E402
from dashboard.state import EXTENSION  # noqa: E402
from dashboard.views.capa import CapaScope, build_capa, parse_scope  # noqa: E402
from dashboard.views.capa_detail import WINDOW_DAYS, build_capa_detail  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Case:
    """One page to time: its label and its URL parameters."""

    label: str
    query: dict[str, str]

    @property
    def filters(self) -> Filters:
        start, end = resolve_period(self.query["period"], END_DATE)
        return Filters(self.query["period"], start, end, self.query.get("plant"))

    @property
    def scope(self) -> CapaScope:
        return parse_scope(self.query, ())[0]

    def build(self, repo) -> Any:
        return build_capa(self.filters, repo, self.scope, END_DATE)


CASES = (
    Case("a all plants, 12m", {"period": "12m"}),
    Case("b P02 by owner, 90d", {"period": "90d", "plant": "P02", "by": "owner"}),
    Case("c overdue by week, 12m", {"period": "12m", "status": "overdue", "grain": "week"}),
)


@dataclasses.dataclass(frozen=True)
class OneCapa:
    """One CAPA's page to time: its label, how to find it, and (once found) its number."""

    label: str
    where: str  # SQL condition on capas; the lowest matching number is taken
    capa_id: int = 0
    query: dict[str, str] = dataclasses.field(default_factory=dict)

    def build(self, repo) -> Any:
        return build_capa_detail(str(self.capa_id), repo, END_DATE)


# Closed, and opened a whole window after the data's first day (so there is a "before" to compare).
ROUTINE = "title LIKE 'Reduce %' AND closed_date IS NOT NULL AND opened_date >= (SELECT {later} FROM production_volumes)"
ONE_CAPAS = (
    OneCapa("story 5, D04 at P01", "title LIKE 'Eliminate solder bridges%'"),
    OneCapa("story 1, D08 on P02-L03", "title LIKE 'Bore diameter out of tolerance%'"),
    OneCapa("routine, line + code, closed", ROUTINE),
)


def page_body(case: Case | OneCapa) -> dict[str, Any]:
    """The page request Dash's renderer sends for /capa?... or /capa/<number> (a click, a changed
    filter, a pasted link)."""
    path = f"/capa/{case.capa_id}" if isinstance(case, OneCapa) else "/capa"
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": "?" + urlencode(case.query)},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def records_body(case: Case) -> dict[str, Any]:
    """The grid's first block of 100 CAPAs, most overdue first."""
    return {
        "output": "capa-records.getRowsResponse",
        "outputs": {"id": "capa-records", "property": "getRowsResponse"},
        "inputs": [{"id": "capa-records", "property": "getRowsRequest", "value": {"startRow": 0, "endRow": 100}}],
        "changedPropIds": ["capa-records.getRowsRequest"],
        "state": [{"id": "capa-query", "property": "data", "value": case.query}],
    }


def post(client, body: dict[str, Any], must_hold: bytes) -> Any:
    response = client.post("/_dash-update-component", json=body)
    if response.status_code != 200 or must_hold not in response.data:
        raise RuntimeError(f"request failed: {response.status_code} {response.data[:300]!r}")
    return response


def naive_case(engine: sa.Engine, case: Case) -> dict[str, int]:
    """What a naive page does: read every CAPA and count the period's numbers in pandas."""
    with engine.connect() as conn:
        capas = pd.read_sql(sa.text("SELECT * FROM capas"), conn, parse_dates=["opened_date", "due_date", "closed_date"])
    filters = case.filters
    start, end = pd.Timestamp(filters.start_date), pd.Timestamp(filters.end_date)
    if filters.plant_id:
        capas = capas[capas["plant_id"] == filters.plant_id]
    closed = capas[(capas["closed_date"] >= start) & (capas["closed_date"] <= end)]
    still_open = capas[(capas["opened_date"] <= end) & (capas["closed_date"].isna() | (capas["closed_date"] > end))]
    return {
        "closed": len(closed),
        "on_time": int((closed["closed_date"] <= closed["due_date"]).sum()),
        "open": len(still_open),
        "overdue": int((still_open["due_date"] < end).sum()),
        "by_plant": len(still_open.groupby("plant_id").size()),
    }


def naive_one(engine: sa.Engine, capa_id: int) -> tuple[float, float]:
    """What a naive page does for one CAPA: read the defect and production rows of its line (or
    plant) and code over the whole window into pandas and sum them there."""
    with engine.connect() as conn:
        capa = conn.execute(sa.text("SELECT * FROM capas WHERE capa_id = :id"), {"id": capa_id}).mappings().one()
        start = pd.Timestamp(capa["opened_date"]) - pd.Timedelta(days=WINDOW_DAYS)
        end = min(pd.Timestamp(END_DATE), pd.Timestamp(capa["closed_date"] or END_DATE) + pd.Timedelta(days=WINDOW_DAYS))
        where, params = "plant_id = :plant", {"plant": capa["plant_id"], "start": start.date(), "end": end.date()}
        if capa["line_id"]:
            where, params = where + " AND line_id = :line", {**params, "line": capa["line_id"]}
        code = " AND defect_code = :code" if capa["defect_code"] else ""
        defects = pd.read_sql(
            sa.text(f"SELECT defect_date, defect_count FROM defects WHERE {where}{code} AND defect_date BETWEEN :start AND :end"),
            conn,
            params={**params, "code": capa["defect_code"]},
        )
        window = "production_date BETWEEN :start AND :end"
        units = pd.read_sql(
            sa.text(f"SELECT production_date, units_inspected FROM production_volumes WHERE {where} AND {window}"),
            conn,
            params=params,
        )
    return float(defects["defect_count"].sum()), float(units["units_inspected"].sum())


def find_capas(engine: sa.Engine) -> list[OneCapa]:
    """The :data:`ONE_CAPAS` with their numbers in this database."""
    # The first day plus a window: SQLite's date() and PostgreSQL's date + integer.
    sqlite = engine.dialect.name == "sqlite"
    later = f"date(MIN(production_date), '+{WINDOW_DAYS} days')" if sqlite else f"MIN(production_date) + {WINDOW_DAYS}"
    found = []
    with engine.connect() as conn:
        for case in ONE_CAPAS:
            where = case.where.replace("{later}", later)
            number = conn.execute(sa.text(f"SELECT MIN(capa_id) FROM capas WHERE {where}")).scalar_one()
            found.append(dataclasses.replace(case, capa_id=int(number)))
    return found


def page_figures(base, app, client, case: Case | OneCapa, repeat: int, title: bytes) -> dict[str, Any]:
    """What both tables print for a page: its queries' raw SQL, cold, warm and the page request."""
    calls = page_queries(base, case)
    raws = [(query_label(n, p), raw_ms(base, n, f, p, repeat)) for n, f, p in calls]
    cold, compute = cold_ms(base, case, repeat)
    warm_repo = with_empty_cache(base)
    case.build(warm_repo)
    body = page_body(case)
    response = post(client, body, title)
    return {
        "queries": raws,
        "raw_sum": sum(ms for _, ms in raws),
        "raw_max": max(ms for _, ms in raws),
        "cold": cold,
        "compute": compute,
        "warm": median_ms(lambda r=warm_repo: case.build(r), repeat),
        "cb_cold": median_ms(lambda _: post(client, body, b"CAPA"), repeat, lambda: empty_app_cache(app)),
        "cb_warm": median_ms(lambda: post(client, body, b"CAPA"), repeat),
        "kb": len(response.data) / 1024,
    }


def measure_one(base, app, client, engine: sa.Engine, repeat: int) -> list[dict[str, Any]]:
    rows = []
    for case in find_capas(engine):
        naive_one(engine, case.capa_id)  # untimed: first-use costs out of the figure
        rows.append(
            {
                "label": f"{case.capa_id} {case.label}",
                **page_figures(base, app, client, case, repeat, f"CAPA {case.capa_id}".encode()),
                "naive": median_ms(lambda c=case: naive_one(engine, c.capa_id), repeat),
            }
        )
    return rows


def measure_backend(name: str, url: str, repeat: int) -> dict[str, Any]:
    base = fresh_repository(url)
    engine = base.sources.default_engine
    app = make_app(url)
    client = app.server.test_client()
    client.get("/")
    with engine.connect() as conn:
        capa_rows = conn.execute(sa.text("SELECT COUNT(*) FROM capas")).scalar_one()
    rows = []
    for case in CASES:
        export = f"/capa/export.csv?{urlencode(case.query)}"
        client.get(export).get_data()
        naive_case(engine, case)  # untimed: first-use costs out of the figure
        rows.append(
            {
                "label": case.label,
                **page_figures(base, app, client, case, repeat, b"Corrective and preventive actions"),
                "grid": median_ms(lambda c=case: post(client, records_body(c), b"rowCount"), repeat),
                "export": median_ms(lambda e=export: client.get(e).get_data(), repeat),
                "naive": median_ms(lambda c=case: naive_case(engine, c), repeat),
            }
        )
    one = measure_one(base, app, client, engine, repeat)
    app.server.extensions[EXTENSION].repository.sources.dispose()
    base.sources.dispose()
    return {"backend": name, "capas": capa_rows, "cases": rows, "one": one}


def table(title: str, width: int, rows: list[dict[str, Any]], extra: tuple[str, ...], show_queries: bool) -> None:
    """One table: the columns both kinds of page share, then ``extra`` (grid, export)."""
    heads = {"grid": "grid", "export": "export"}
    print(
        f"{title:<{width}}{'n':>3}{'raw sum':>9}{'raw max':>9}{'cold':>8}{'c/sum':>7}{'compute':>9}{'warm':>7}"
        f"{'cb cold':>9}{'cb warm':>9}{'resp KB':>8}" + "".join(f"{heads[e]:>8}" for e in extra) + f"{'naive':>8}   (ms)"
    )
    for row in rows:
        print(
            f"{row['label']:<{width}}{len(row['queries']):>3}{row['raw_sum']:>9.1f}{row['raw_max']:>9.1f}{row['cold']:>8.1f}"
            f"{row['cold'] / row['raw_sum']:>7.2f}{row['compute']:>9.1f}{row['warm']:>7.1f}{row['cb_cold']:>9.1f}"
            f"{row['cb_warm']:>9.1f}{row['kb']:>8.0f}" + "".join(f"{row[e]:>8.1f}" for e in extra) + f"{row['naive']:>8.1f}"
        )
        if show_queries:
            for label, ms in row["queries"]:
                print(f"    {label:<40}{ms:>8.1f}")


def report(result: dict[str, Any], show_queries: bool) -> None:
    print(f"\n== {result['backend']} ({result['capas']:,} CAPAs) ==")
    table("case", 24, result["cases"], ("grid", "export"), show_queries)
    table("one CAPA (/capa/<number>)", 34, result["one"], (), show_queries)


LEGEND = """\
  n, raw sum, raw max: the page's queries, each run alone on a warm connection (execute + fetch), summed and the slowest
  cold, warm: build_capa with an empty / a filled cache; c/sum: cold / raw sum; compute: cold minus the time in fetches
  cb cold, cb warm, resp KB: the page request (/capa?...: layout, numbers, charts) through Flask's test client with the
      app's cache emptied first / filled, and its response size
  grid: the records grid's first block of 100 (warm); export: GET /capa/export.csv for the case (streamed, no cache)
  naive: every CAPA read with pd.read_sql and the headline numbers counted in pandas (no figures); for one CAPA,
      its window's defect and production rows read with pd.read_sql and summed"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--queries", action="store_true", help="print every query's raw SQL time under its case")
    parser.add_argument("--reload", action="store_true", help="rewrite the benchmark databases")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"CAPA benchmark: {args.scale} demo data ending {END_DATE}, median of {args.repeat}; {os.cpu_count()} CPUs")
    print(LEGEND)
    for name, url in database_urls(args.scale, backends).items():
        ensure_data(name, url, args.scale, args.reload)
        report(measure_backend(name, url, args.repeat), args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
