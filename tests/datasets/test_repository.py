"""The repository on real databases: caching, single-flight, stale fallback, row caps."""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import threading
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import text

from dashboard.datasets.registry import DATASETS
from dashboard.datasets.repository import SqlRepository, cache_key
from dashboard.drill import EffectScope
from dashboard.errors import DataUnavailable, InvalidFilter
from dashboard.filters import Filters
from dashboard.sources import schema
from dashboard.sources.engines import make_source_engine
from dashboard.sources.mapping import Sources
from tests.helpers import frame_cache_for, repository_for, settings_for
from tests.seed import seed

MARCH = Filters("custom", dt.date(2026, 3, 1), dt.date(2026, 3, 31))
# One CAPA's datasets: CAPA 1, and D01 on P01-L01 around March.
ONE_CAPA = {
    "capa_id": 1,
    "scope": EffectScope(
        "P01", "P01-L01", "D01", dt.date(2026, 2, 1), dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    ),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded_url(request: pytest.FixtureRequest, tmp_path) -> str:
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    return url


def test_every_dataset_runs_on_both_databases(seeded_url: str) -> None:
    # The hand-made data has no SCAR, no supplier audit and no overdue CAPA; one of each makes every
    # dataset non-empty.
    engine = sa.create_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(
            schema.scars.insert(),
            {
                "supplier_id": "S001",
                "opened_date": dt.date(2026, 3, 6),
                "due_date": dt.date(2026, 3, 20),
                "closed_date": dt.date(2026, 3, 18),
                "scar_status": "closed",
                "description": "Scratched housings",
            },
        )
        conn.execute(
            schema.supplier_audits.insert(),
            {"supplier_id": "S001", "audit_date": dt.date(2026, 3, 12), "score_pct": 88.0, "finding_count": 2},
        )
        capa = {"plant_id": "P01", "capa_source": "internal", "owner": "Q", "opened_date": dt.date(2026, 2, 1)}
        capa |= {"line_id": None, "defect_code": None, "closed_date": None}  # one set of keys for every row
        conn.execute(
            schema.capas.insert(),
            [
                {**capa, "title": "Overdue", "due_date": dt.date(2026, 3, 10)},
                # Closed in March on a line and a code: its effect is measured (capa_effects).
                {
                    **capa,
                    "title": "Closed",
                    "line_id": "P01-L01",
                    "defect_code": "D01",
                    "due_date": dt.date(2026, 3, 10),
                    "closed_date": dt.date(2026, 3, 5),
                },
            ],
        )
        conn.execute(
            schema.audit_findings.insert(),
            {
                "plant_id": "P01",
                "audit_date": dt.date(2026, 1, 20),
                "audit_type": "internal",
                "iso_clause": "7.5",
                "finding_severity": "minor",
                "closed_date": None,
                "capa_id": 1,
            },
        )
    engine.dispose()
    repo = repository_for(seeded_url)
    params = {
        "grain": "week",
        "formula": "sql:SELECT COUNT(*) AS value FROM defects WHERE defect_date < :end_date",
        "characteristic_id": "P01-L01-C1",
        "supplier_id": "S001",
        "quarter": "2026-Q1",
        "feed": "defects",
        "today": dt.date(2026, 3, 31),
        **ONE_CAPA,
    }
    for name in DATASETS:
        frame = repo.fetch(name, MARCH, **params).frame
        assert not frame.empty, name
    repo.sources.dispose()


def test_second_fetch_is_served_from_the_cache(seeded_url: str) -> None:
    repo = repository_for(seeded_url)
    first = repo.fetch("defect_summary", MARCH, grain="week")
    second = repo.fetch("defect_summary", MARCH, grain="week")
    assert repo.queries_run == 1
    assert second.fetched_at == first.fetched_at
    assert second.frame.equals(first.frame)
    repo.fetch("defect_summary", MARCH, grain="month")
    assert repo.queries_run == 2
    repo.sources.dispose()


def test_summary_sums_match_the_hand_made_rows(seeded_url: str) -> None:
    repo = repository_for(seeded_url)
    frame = repo.fetch("defect_summary", MARCH, grain="month").frame
    current = frame[frame["period"] == "current"]
    assert current["defect_count"].sum() == 40 and current["cost_eur"].sum() == pytest.approx(400.0)
    assert list(current["bucket_date"]) == [dt.date(2026, 3, 1)]
    previous = frame[frame["period"] == "previous"]
    assert previous["defect_count"].sum() == 50
    plant = Filters("custom", MARCH.start_date, MARCH.end_date, "P02")
    frame = repo.fetch("defect_summary", plant, grain="month").frame
    assert frame["defect_count"].sum() == 10
    repo.sources.dispose()


def test_cache_key_depends_on_resolved_values_and_params() -> None:
    other_label = Filters("90d", MARCH.start_date, MARCH.end_date)
    assert cache_key("defect_summary", MARCH, {"grain": "week"}) == cache_key("defect_summary", other_label, {"grain": "week"})
    assert cache_key("defect_summary", MARCH, {"grain": "week"}) != cache_key("defect_summary", MARCH, {"grain": "day"})
    assert cache_key("defect_summary", MARCH, {}) != cache_key("capa_summary", MARCH, {})


@pytest.mark.postgres
def test_fifty_concurrent_cold_requests_run_the_query_once(pg_url: str) -> None:
    slow = {"slow": lambda tables, filters, **params: text("SELECT pg_sleep(0.3), 1 AS answer")}
    settings = settings_for(pg_url)
    from tests.helpers import frame_cache_for

    sources = Sources(make_source_engine(pg_url, settings), {}, lambda url: make_source_engine(url, settings))
    repo = SqlRepository(sources, frame_cache_for(settings), slow)
    results, barrier = [], threading.Barrier(50)

    def request() -> None:
        barrier.wait()
        results.append(repo.fetch("slow", MARCH).frame["answer"].iloc[0])

    threads = [threading.Thread(target=request) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 50
    assert repo.queries_run == 1
    sources.dispose()


def _dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere"


def test_database_down_serves_the_last_good_copy_marked_stale(sqlite_url: str) -> None:
    seed(sqlite_url)
    good = repository_for(sqlite_url)
    fresh = good.fetch("defect_summary", MARCH, grain="week")
    key = cache_key("defect_summary", MARCH, {"grain": "week"})
    good.cache._backend.delete(key)  # the fresh copy expires; the last-good copy stays
    settings = settings_for(_dead_url(), pool_timeout_s="1")
    dead = Sources(make_source_engine(settings.database_url, settings), {}, None)
    down = SqlRepository(dead, good.cache)
    stale = down.fetch("defect_summary", MARCH, grain="week")
    assert stale.stale and stale.fetched_at == fresh.fetched_at
    assert "Cannot reach the quality database" in stale.problem
    assert stale.frame.equals(fresh.frame)
    with pytest.raises(DataUnavailable, match="Cannot reach"):
        down.fetch("capa_summary", MARCH, grain="week")  # never fetched: nothing to fall back on
    good.sources.dispose()


def test_missing_table_says_what_to_do(sqlite_url: str) -> None:
    sqlite3.connect(sqlite_url.removeprefix("sqlite:///")).close()  # an empty database file
    repo = repository_for(sqlite_url)
    with pytest.raises(DataUnavailable, match="check-sources"):
        repo.fetch("plants")


def test_missing_sqlite_file_says_what_to_do_and_is_not_created(sqlite_url: str) -> None:
    repo = repository_for(sqlite_url)
    with pytest.raises(DataUnavailable, match="python -m dashboard demo"):
        repo.fetch("plants")
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_unknown_dataset_is_refused(sqlite_url: str) -> None:
    with pytest.raises(InvalidFilter, match="Unknown dataset"):
        repository_for(sqlite_url).fetch("users")


def test_sqlite_source_connections_are_read_only(sqlite_url: str) -> None:
    seed(sqlite_url)
    engine = make_source_engine(sqlite_url, settings_for(sqlite_url))
    with engine.connect() as conn, pytest.raises(Exception, match=r"readonly|read-only|attempt to write"):
        conn.execute(text("DELETE FROM defects"))
    engine.dispose()


@pytest.mark.postgres
def test_postgres_source_connections_are_read_only_with_a_statement_timeout_and_no_jit(pg_url: str) -> None:
    seed(pg_url)
    engine = make_source_engine(pg_url, settings_for(pg_url, statement_timeout_s="0.5", callback_timeout_s="8"))
    with engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "500ms"
        assert conn.execute(text("SHOW jit")).scalar() == "off"  # a compile can take seconds; our queries take ms
        with pytest.raises(Exception, match="read-only"):
            conn.execute(text("DELETE FROM defects"))
    with engine.connect() as conn, pytest.raises(Exception, match="statement timeout"):
        conn.execute(text("SELECT pg_sleep(3)"))
    engine.dispose()


def test_sqlite_statement_timeout_interrupts_a_runaway_query(sqlite_url: str) -> None:
    seed(sqlite_url)
    engine = make_source_engine(sqlite_url, settings_for(sqlite_url, statement_timeout_s="0.2", callback_timeout_s="8"))
    runaway = text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
    with engine.connect() as conn, pytest.raises(Exception, match="interrupted"):
        conn.execute(runaway)
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_sharing_redis_run_a_cold_query_once(pg_url: str, redis_url: str, redis_prefix: str) -> None:
    """Two repositories (as in two gunicorn workers) with 25 concurrent requests each."""
    from tests.helpers import frame_cache_for

    slow = {"slow": lambda tables, filters, **params: text("SELECT pg_sleep(0.3), 1 AS answer")}
    settings = settings_for(pg_url, cache_type="RedisCache", cache_redis_url=redis_url, cache_key_prefix=redis_prefix)
    workers = []
    for _ in range(2):
        sources = Sources(make_source_engine(pg_url, settings), {}, None)
        workers.append(SqlRepository(sources, frame_cache_for(settings), slow, lock_wait_s=10))
    results, barrier = [], threading.Barrier(50)

    def request(repo: SqlRepository) -> None:
        barrier.wait()
        results.append(repo.fetch("slow", MARCH).frame["answer"].iloc[0])

    threads = [threading.Thread(target=request, args=(workers[i % 2],)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 50
    assert sum(repo.queries_run for repo in workers) == 1
    for repo in workers:
        repo.sources.dispose()


def test_fetch_many_keeps_order_and_returns_failures_in_place(seeded_url: str) -> None:
    from dashboard.datasets.interface import DatasetRequest

    repo = repository_for(seeded_url)
    repo.fetch("plants")  # one warm, the rest cold
    requests = [
        DatasetRequest.of("defect_summary", MARCH, grain="week"),
        DatasetRequest.of("plants"),
        DatasetRequest.of("defect_summary", MARCH, grain="fortnight"),
        DatasetRequest.of("capa_summary", MARCH, grain="week"),
    ]
    results = repo.fetch_many(requests)
    assert list(results[1].frame["plant_id"]) == ["P01", "P02"]
    assert results[0].frame["defect_count"].sum() == 90
    assert isinstance(results[2], InvalidFilter)
    assert results[3].frame["capas_closed"].sum() == 2
    assert repo.queries_run == 3  # plants once, two cold summaries; the bad grain never ran
    repo.sources.dispose()


def test_derived_frames_are_cached_until_a_source_is_read_again(seeded_url: str) -> None:
    import dataclasses

    import pandas as pd

    repo = repository_for(seeded_url)
    source = repo.fetch("plants")
    calls = []

    def compute() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"n": [len(source.frame)]})

    assert repo.derived("count", [source], {"x": 1}, compute)["n"].tolist() == [2]
    assert repo.derived("count", [source], {"x": 1}, compute)["n"].tolist() == [2]
    assert len(calls) == 1
    repo.derived("count", [source], {"x": 2}, compute)  # other parameters: computed again
    newer = dataclasses.replace(source, fetched_at=source.fetched_at + dt.timedelta(seconds=1))
    repo.derived("count", [newer], {"x": 1}, compute)  # the source was read again
    repo.derived("count", [dataclasses.replace(source, stale=True)], {"x": 1}, compute)  # stale: never cached
    assert len(calls) == 4
    repo.sources.dispose()


def test_fetch_many_runs_at_most_parallel_queries_on_threads_that_outlive_the_call(sqlite_url: str) -> None:
    """Cold queries run on the sources' long-lived threads (a page does not start new ones),
    never more than ``parallel_queries`` of one call at a time."""
    from dashboard.datasets.interface import DatasetRequest

    seed(sqlite_url)
    settings = settings_for(sqlite_url)
    guard, running, most, names = threading.Lock(), [0], [0], set()

    def slow(_tables, _filters, **params):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
            names.add(threading.current_thread().name)
        threading.Event().wait(0.03)
        with guard:
            running[0] -= 1
        return sa.select(sa.literal(params["n"]).label("n"))

    sources = Sources(make_source_engine(sqlite_url, settings), {}, None)
    repo = SqlRepository(sources, frame_cache_for(settings), {"slow": slow}, parallel_queries=2)
    first = repo.fetch_many([DatasetRequest.of("slow", n=n) for n in range(6)])
    threads_after_first = threading.active_count()
    second = repo.fetch_many([DatasetRequest.of("slow", n=n) for n in range(6, 12)])
    assert [int(r.frame["n"].iloc[0]) for r in first + second] == list(range(12))
    assert most[0] == 2
    assert names and all(name.startswith("query") for name in names)
    assert threading.active_count() == threads_after_first  # the second call started no threads
    sources.dispose()


def test_concurrent_requests_for_one_derived_frame_compute_it_once(sqlite_url: str) -> None:
    """A page opened on many screens at once is built once; the others get that result."""
    import pandas as pd

    seed(sqlite_url)
    repo = repository_for(sqlite_url)
    source = repo.fetch("plants")
    calls, results, barrier = [], [], threading.Barrier(20)

    def compute() -> pd.DataFrame:
        calls.append(1)
        threading.Event().wait(0.2)  # long enough for every other thread to arrive meanwhile
        return pd.DataFrame({"n": [len(calls)]})

    def request() -> None:
        barrier.wait()
        results.append(repo.derived("page", [source], {"view": 1}, compute)["n"].tolist())

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert results == [[1]] * 20
    repo.sources.dispose()


def _worker_repository(url: str, redis_url: str, prefix: str, **kwargs) -> SqlRepository:
    """A repository as one gunicorn worker has it: its own engine and in-process locks, the shared Redis."""
    settings = settings_for(url, cache_type="RedisCache", cache_redis_url=redis_url, cache_key_prefix=prefix)
    sources = Sources(make_source_engine(url, settings), {}, None)
    return SqlRepository(sources, frame_cache_for(settings), **kwargs)


@pytest.mark.redis
def test_a_derived_frame_is_built_once_across_worker_processes(sqlite_url: str, redis_url: str, redis_prefix: str) -> None:
    import pandas as pd

    seed(sqlite_url)
    first = _worker_repository(sqlite_url, redis_url, redis_prefix)
    second = _worker_repository(sqlite_url, redis_url, redis_prefix)
    source = first.fetch("plants")
    assert second.fetch("plants").fetched_at == source.fetched_at  # the shared cache: same read
    calls, started = [], threading.Event()

    def compute() -> pd.DataFrame:
        calls.append(threading.current_thread().name)
        started.set()
        threading.Event().wait(0.3)
        return pd.DataFrame({"built_by": [threading.current_thread().name]})

    builder = threading.Thread(target=lambda: first.derived("page", [source], {}, compute), name="first")
    builder.start()
    started.wait(5)
    frame = second.derived("page", [source], {}, compute)  # waits for the first worker's result
    builder.join()
    assert calls == ["first"]
    assert frame["built_by"].tolist() == ["first"]
    for repo in (first, second):
        repo.sources.dispose()


@pytest.mark.redis
def test_a_waiting_worker_runs_the_query_itself_once_the_holder_lets_go_without_a_result(
    sqlite_url: str, redis_url: str, redis_prefix: str
) -> None:
    """When the worker running a query fails (and releases its lock), the others stop waiting
    at once rather than for the whole lock wait, and run the query themselves."""
    seed(sqlite_url)
    waiting = _worker_repository(sqlite_url, redis_url, redis_prefix, lock_wait_s=60)
    key = cache_key("plants", None, {})
    assert waiting.cache.try_lock(key, 60)  # another worker has started the query
    result: list = []
    thread = threading.Thread(target=lambda: result.append(waiting.fetch("plants")))
    thread.start()
    thread.join(0.5)
    assert thread.is_alive() and waiting.queries_run == 0  # waits for the other worker
    waiting.cache.unlock(key)  # whose query failed: it lets go with nothing stored
    thread.join(10)
    assert not thread.is_alive(), "still waiting for a lock nobody holds"
    assert waiting.queries_run == 1 and len(result[0].frame) == 2
    assert not waiting.cache.is_locked(key)
    waiting.sources.dispose()


def test_a_cold_read_gives_the_frame_a_cache_hit_decodes(seeded_url: str) -> None:
    # A page must not see one dtype when it ran the query and another when it read the cache.
    repo = repository_for(seeded_url)
    params = {"grain": "week", "characteristic_id": "P01-L01-C1", "supplier_id": "S001", "quarter": "2026-Q1"}
    params |= {"feed": "defects", "today": dt.date(2026, 3, 31), **ONE_CAPA}
    other = SqlRepository(repo.sources, frame_cache_for(settings_for(seeded_url)))
    try:
        for name in DATASETS:
            if name == "kpi_sql":
                continue  # needs a formula; covered above
            cold = repo.fetch(name, MARCH, **params).frame
            key = cache_key(name, MARCH, params)
            payload = repo.cache._backend.get(key)
            other.cache._backend.set(key, payload)
            decoded = other.fetch(name, MARCH, **params).frame  # decoded from the stored bytes
            pd.testing.assert_frame_equal(cold, decoded, check_exact=True, obj=name)
        assert other.queries_run == 0
    finally:
        repo.sources.dispose()


def test_a_column_of_mixed_types_is_read_as_text(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # SQLite keeps whatever a row was given; a code column holding 101 in one row and 'D08' in
    # the next must not fail the page.
    url = f"sqlite:///{tmp_path / 'mixed.db'}"
    with sqlite3.connect(tmp_path / "mixed.db") as conn:
        conn.execute("CREATE TABLE codes (code NUMERIC, n INTEGER)")
        conn.executemany("INSERT INTO codes VALUES (?, ?)", [(101, 1), ("D08", 2), (None, 3)])
    base = repository_for(url)

    def mixed(tables, filters, **params):
        return sa.select(sa.column("code"), sa.column("n")).select_from(sa.table("codes")).order_by(sa.column("n"))

    repo = SqlRepository(base.sources, base.cache, {"mixed": mixed})
    with caplog.at_level("WARNING"):
        frame = repo.fetch("mixed").frame
    assert frame["code"].tolist()[:2] == ["101", "D08"] and pd.isna(frame["code"].iloc[2])
    assert frame["n"].tolist() == [1, 2, 3]
    assert "Column code mixes int, str; read as text" in caplog.text
    assert repo.fetch("mixed").frame.equals(frame)  # and the cache holds it
    base.sources.dispose()
