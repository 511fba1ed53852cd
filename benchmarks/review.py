"""Leadership review benchmark: the review view cold and warm, freezing and reopening an edition,
and the PDF meeting pack (HTML, Chromium print, whole job).

    python benchmarks/review.py                    # medium demo data, SQLite and PostgreSQL
    python benchmarks/review.py --scale small --backends sqlite --repeat 3

Per backend the app store lives on a SQLite file in a temporary folder. Cold = an empty cache
(every query of the tiles, the defects, process-control, supplier, complaint, CAPA and OKR
collectors, and their figures); warm = a filled cache. The pack is timed as a whole job (view,
HTML, print) with a warm cache, and its print step alone; the page count comes from pdfinfo when
it is installed. Times are medians of --repeat runs; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from overview import END_DATE, database_urls, ensure_data, fresh_repository, median_ms, with_empty_cache  # noqa: E402

from dashboard.figures.theme import register_templates  # noqa: E402
from dashboard.filters import Filters, resolve_period  # noqa: E402
from dashboard.review_export import PLOTLY_JS, PackJobs, find_chromium, print_pdf  # noqa: E402
from dashboard.store.sql import SqlAppStore  # noqa: E402
from dashboard.views.review import build_review, review_from_payload, review_payload  # noqa: E402
from dashboard.views.review_editions import freeze_review  # noqa: E402
from dashboard.views.review_print import pack_html  # noqa: E402


def filters(period: str, plant: str | None = None) -> Filters:
    start, end = resolve_period(period, END_DATE)
    return Filters(period, start, end, plant)


CASES = (
    ("last 90 days, all plants", filters("90d")),
    ("last 12 months, all plants", filters("12m")),
    ("last 90 days, plant P02", filters("90d", "P02")),
)


def pages(pdf: Path) -> str:
    if not shutil.which("pdfinfo"):
        return "?"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def measure(name: str, url: str, repeat: int) -> None:
    """Print the view, edition and pack figures for one backend."""
    with tempfile.TemporaryDirectory() as folder:
        store = SqlAppStore(f"sqlite:///{Path(folder) / 'app.db'}")
        store.upgrade()
        repo = fresh_repository(url)
        try:
            print(f"\n== {name} (app store: SQLite) ==")
            print(f"{'review view':<36}{'cold':>10}{'warm':>10}{'payload':>12}   (ms, KB)")
            for label, chosen in CASES:
                cold = median_ms(lambda r, f=chosen: build_review(f, r, store), repeat, prepare=lambda: with_empty_cache(repo))
                view = build_review(chosen, repo, store)
                warm = median_ms(lambda f=chosen: build_review(f, repo, store), repeat)
                size = len(json.dumps(review_payload(view))) / 1024
                print(f"{label:<36}{cold:>10.0f}{warm:>10.0f}{size:>12.0f}")

            view = build_review(CASES[0][1], repo, store)
            freeze = median_ms(lambda: freeze_review(store, view, "bench"), repeat)
            edition_id = store.latest_editions(1)[0].edition_id
            reopen = median_ms(lambda: review_from_payload(store.edition(edition_id).payload), repeat)
            print(f"\nfreeze an edition (diff + write): {freeze:.0f} ms; reopen one (read + decode): {reopen:.0f} ms")

            chromium = find_chromium()
            if chromium is None:
                print("PDF pack: skipped (no Chromium found)")
                return
            html = median_ms(lambda: pack_html(view, PLOTLY_JS.as_uri()), repeat)
            page, pdf = Path(folder) / "pack.html", Path(folder) / "pack.pdf"
            page.write_text(pack_html(view, PLOTLY_JS.as_uri()), encoding="utf-8")
            printing = median_ms(lambda: print_pdf(page, pdf, chromium), repeat)
            jobs = PackJobs(root=Path(folder) / "packs", chromium=chromium)

            def whole_job() -> None:
                job = jobs.create("pack.pdf")
                jobs.run(job, lambda: build_review(CASES[0][1], repo, store))
                if jobs.status(job)["state"] != "done":
                    raise RuntimeError(jobs.status(job)["message"])

            started = time.perf_counter()
            whole_job()  # the first Chromium start of the run pays for its caches
            first = 1000 * (time.perf_counter() - started)
            job = median_ms(whole_job, repeat)
            print(f"\nPDF pack, {CASES[0][0]}: {pages(pdf)} pages, {pdf.stat().st_size / 1024:.0f} KB")
            print(f"{'  HTML (charts as JSON, tables)':<36}{html:>10.0f} ms")
            print(f"{'  print (headless Chromium)':<36}{printing:>10.0f} ms")
            print(f"{'  whole job, first of the run':<36}{first:>10.0f} ms")
            print(f"{'  whole job, warm cache':<36}{job:>10.0f} ms")
        finally:
            repo.sources.dispose()
            store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    register_templates()
    urls = database_urls(args.scale, args.backends.split(","))
    print(f"Review benchmark: {args.scale} demo data ending {END_DATE}, median of {args.repeat}")
    for name, url in urls.items():
        ensure_data(name, url, args.scale, args.reload)
        measure(name, url, args.repeat)


if __name__ == "__main__":
    main()
