"""Voice-of-the-customer benchmark: sentiment scoring and the /voc page, cold and warm.

    python benchmarks/voc.py                       # medium demo data, SQLite and PostgreSQL
    python benchmarks/voc.py --scale small --backends sqlite

Prints, per backend: how long VADER takes to score every comment of the data set (the demo's
comments come from templates, so many texts repeat and are scored once; the same number of
distinct synthetic comments is timed too, as real comments are mostly distinct), and
``build_voc`` for the last 90 days and 12 months with an empty cache (cold: the queries, the
scoring of the period's comments and the figures) and a filled one (warm). Times are medians of
--repeat runs; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from overview import END_DATE, database_urls, ensure_data, fresh_repository, median_ms, with_empty_cache  # noqa: E402

from dashboard.filters import Filters  # noqa: E402
from dashboard.metrics.sentiment import score_comments  # noqa: E402
from dashboard.views.voc import build_voc  # noqa: E402

WORDS = [
    "seal",
    "leak",
    "scratch",
    "delivery",
    "late",
    "great",
    "poor",
    "support",
    "quality",
    "packaging",
    "broken",
    "excellent",
    "slow",
    "fast",
    "refund",
]


def distinct_comments(count: int) -> pd.DataFrame:
    """``count`` different English-looking comments of 8-14 words."""
    texts = []
    for i in range(count):
        words = [WORDS[(i * 7 + j * 3 + i // 13) % len(WORDS)] for j in range(8 + i % 7)]
        texts.append(" ".join(words) + f" order {i}.")
    return pd.DataFrame({"feedback_id": range(count), "comment_text": texts})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    urls = database_urls(args.scale, args.backends.split(","))
    print(f"Voice-of-the-customer benchmark: {args.scale} demo data ending {END_DATE}, median of {args.repeat}")
    for name, url in urls.items():
        ensure_data(name, url, args.scale, args.reload)
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            comments = pd.read_sql(
                sa.text("SELECT feedback_id, comment_text FROM customer_feedback WHERE comment_text IS NOT NULL"), connection
            )
        engine.dispose()
        print(f"\n== {name} ==")
        started = time.perf_counter()
        score_comments(comments)
        whole = time.perf_counter() - started
        distinct = distinct_comments(len(comments))
        started = time.perf_counter()
        score_comments(distinct)
        synthetic = time.perf_counter() - started
        unique = comments["comment_text"].nunique()
        each = 1e6 * synthetic / len(distinct)
        print(f"scoring every comment of the data set  {len(comments):>8,}  {whole:7.2f} s  ({unique:,} distinct texts)")
        print(f"scoring as many distinct comments      {len(distinct):>8,}  {synthetic:7.2f} s  ({each:.0f} µs each)")
        repo = fresh_repository(url)
        print(f"\n{'page':<28}{'cold':>10}{'warm':>10}   (ms)")
        for label, days in (("/voc, last 90 days", 90), ("/voc, last 12 months", 365)):
            filters = Filters("custom", END_DATE - dt.timedelta(days=days - 1), END_DATE)
            cold = median_ms(lambda r, f=filters: build_voc(f, r), args.repeat, prepare=lambda r=repo: with_empty_cache(r))
            build_voc(filters, repo)
            warm = median_ms(lambda f=filters, r=repo: build_voc(f, r), args.repeat)
            print(f"{label:<28}{cold:>10.1f}{warm:>10.1f}")
        repo.sources.dispose()


if __name__ == "__main__":
    main()
