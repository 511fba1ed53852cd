"""Runs registered datasets against the sources, through the frame cache.

- The cache key is built from the dataset name, the resolved filter and the sorted
  parameters, hashed; only successful results are cached.
- Concurrent cold requests for one key run the query (or build the derived frame) once
  (single-flight): a lock per key within the process, and with Redis a short ``SET NX`` lock
  across worker processes. A process that waits stops waiting when the lock's holder lets go
  without a result (its query failed) and runs the query itself.
- When the database fails, the last good copy is returned marked ``stale``; with no copy
  at all, :class:`DataUnavailable` carries a message the page can show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pyarrow as pa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dashboard.datasets.cache import CachedFrame, FrameCache, arrow_table
from dashboard.datasets.interface import Dataset, DatasetRequest, RowStream
from dashboard.datasets.registry import DATASETS, Builder
from dashboard.errors import DashboardError, DataUnavailable, InvalidFilter
from dashboard.filters import Filters
from dashboard.sources.mapping import Sources

log = logging.getLogger(__name__)
KEY_VERSION = "1"
MAX_ROWS = 50_000
STREAM_CHUNK_ROWS = 5_000
_POLL_S = 0.05


def cache_key(name: str, filters: Filters | None, params: Mapping[str, Any]) -> str:
    """``ds:<name>:<hash>`` of the dataset name, resolved filter and parameters."""
    spec = {
        "v": KEY_VERSION,
        "name": name,
        "filters": filters.cache_token() if filters else None,
        "params": {k: str(v) for k, v in sorted(params.items())},
    }
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:32]
    return f"ds:{name}:{digest}"


def describe_failure(error: Exception) -> str:
    """A user-facing sentence for a database failure (no SQL, no internals)."""
    text = str(getattr(error, "orig", error)).lower()
    if "timeout" in text or "interrupted" in text or "canceling statement" in text:
        return "The quality database took too long to answer; try a shorter period or one plant."
    if "unable to open database file" in text:
        return (
            "The quality database file cannot be opened; check DASHBOARD_DATABASE_URL, "
            "or create demo data with 'python -m dashboard demo'."
        )
    if "no such table" in text or "does not exist" in text or "undefinedtable" in text:
        return (
            "The quality database has no such table; check the source mapping with "
            "'python -m dashboard check-sources', or create demo data with 'python -m dashboard demo'."
        )
    return "Cannot reach the quality database; check that it is running and that DASHBOARD_DATABASE_URL is right."


class SqlRepository:
    """The repository views use (see ``dashboard.datasets.interface.Repository``)."""

    def __init__(
        self,
        sources: Sources,
        cache: FrameCache,
        datasets: Mapping[str, Builder] = DATASETS,
        *,
        lock_wait_s: float = 15.0,
        parallel_queries: int = 4,
    ) -> None:
        self._sources = sources
        self._parallel_queries = max(1, parallel_queries)
        self._cache = cache
        self._lock_wait_s = lock_wait_s
        self._datasets = dict(datasets)
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()
        self.queries_run = 0

    @property
    def sources(self) -> Sources:
        """The sources this repository reads."""
        return self._sources

    @property
    def cache(self) -> FrameCache:
        """The frame cache."""
        return self._cache

    def fetch(self, name: str, filters: Filters | None = None, **params: Any) -> Dataset:
        """The dataset ``name``: from the cache, else from the database (once per key at a time)."""
        if name not in self._datasets:
            raise InvalidFilter(f"Unknown dataset '{name}'.")
        key = cache_key(name, filters, params)
        hit = self._cache.get(key)
        if hit is not None:
            return Dataset(hit.frame, hit.fetched_at)
        with self._single_flight(key) as hit:
            if hit is not None:
                return Dataset(hit.frame, hit.fetched_at)
            try:
                fresh, table = self._read(name, filters, params)
                self._cache.set(key, fresh.frame, fresh.fetched_at, table=table)
            except (SQLAlchemyError, DBAPIError) as error:
                return self._fallback(name, key, error)
            return Dataset(fresh.frame, fresh.fetched_at)

    @contextmanager
    def _single_flight(self, key: str) -> Iterator[CachedFrame | None]:
        """The right to compute ``key`` (once per key at a time, across threads and, with
        Redis, across processes): yields what another thread or process stored meanwhile, or
        None for the caller to compute and store it, holding the locks until the block ends."""
        with self._lock_for(key):
            hit = self._cache.get(key)
            owned = False
            if hit is None:
                owned = self._cache.try_lock(key, self._lock_wait_s)
                if not owned:
                    # Another process is computing it; None when it gave up (then compute here).
                    hit = self._wait_for(key)
            try:
                yield hit
            finally:
                if owned:
                    self._cache.unlock(key)

    def _wait_for(self, key: str) -> CachedFrame | None:
        """Poll the cache until another process stores ``key``; None when that process let go
        of its lock without storing (its query failed) or after the lock wait."""
        deadline = time.monotonic() + self._lock_wait_s
        while time.monotonic() < deadline:
            time.sleep(_POLL_S)
            hit = self._cache.get(key)
            if hit is not None:
                return hit
            if not self._cache.is_locked(key):
                return self._cache.get(key)  # it may have stored just before letting go
        return None

    def fetch_many(self, requests: Sequence[DatasetRequest]) -> list[Dataset | DashboardError]:
        """Fetch several datasets; those not in the cache run concurrently (at most
        ``parallel_queries`` at a time), so a cold page waits for its slowest query rather
        than for the sum of them. Failures come back in place of their dataset."""

        def one(request: DatasetRequest) -> Dataset | DashboardError:
            try:
                return self.fetch(request.name, request.filters, **dict(request.params))
            except DashboardError as error:
                return error

        results: list[Dataset | DashboardError | None] = []
        cold: list[int] = []
        for index, request in enumerate(requests):
            hit = self._cache.get(cache_key(request.name, request.filters, dict(request.params)))
            results.append(Dataset(hit.frame, hit.fetched_at) if hit is not None else None)
            if hit is None:
                cold.append(index)
        if len(cold) == 1 or self._parallel_queries == 1:
            for index in cold:
                results[index] = one(requests[index])
        elif cold:
            # The sources' long-lived threads, at most parallel_queries of them for this call.
            pool, waiting = self._sources.query_threads(), iter(cold)
            running = {pool.submit(one, requests[i]): i for i in itertools.islice(waiting, self._parallel_queries)}
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    results[running.pop(future)] = future.result()
                    if (index := next(waiting, None)) is not None:
                        running[pool.submit(one, requests[index])] = index
        return results  # type: ignore[return-value]

    def derived(
        self, name: str, sources: Sequence[Dataset], params: Mapping[str, Any], compute: Callable[[], pd.DataFrame]
    ) -> pd.DataFrame:
        """A frame computed from ``sources``, cached under the sources' read times and ``params``.

        Concurrent requests for one key compute it once, as :meth:`fetch` runs a query once.
        Stale sources are not cached against: a computation on a last-good copy runs each time.
        """
        if any(source.stale for source in sources):
            return compute()
        stamps = [source.fetched_at.isoformat() for source in sources]
        key = "derived:" + cache_key(name, None, {"sources": stamps, **params}).removeprefix("ds:")
        hit = self._cache.get(key)
        if hit is not None:
            return hit.frame
        with self._single_flight(key) as hit:  # a page opened on many screens at once is built once
            if hit is not None:
                return hit.frame
            frame = compute()
            self._cache.set(key, frame, max((source.fetched_at for source in sources), default=dt.datetime.now(dt.UTC)))
            return frame

    def stream(self, name: str, filters: Filters | None = None, **params: Any) -> RowStream:
        """Run ``name`` with a server-side cursor where the database has one and yield its rows
        in chunks of ``STREAM_CHUNK_ROWS``; the connection is held until the rows are read or the
        stream is closed. Nothing is cached."""
        if name not in self._datasets:
            raise InvalidFilter(f"Unknown dataset '{name}'.")
        statement = self._datasets[name](self._sources.tables(), filters, **params)
        engine = self._sources.engine_for(statement)
        try:
            connection = engine.connect().execution_options(stream_results=True, max_row_buffer=STREAM_CHUNK_ROWS)
        except (SQLAlchemyError, DBAPIError) as error:
            log.warning("Export %s: %s", name, str(getattr(error, "orig", error)).splitlines()[0][:300])
            raise DataUnavailable(describe_failure(error)) from error
        try:
            result = connection.execute(statement)
        except (SQLAlchemyError, DBAPIError) as error:
            connection.close()
            log.warning("Export %s: %s", name, str(getattr(error, "orig", error)).splitlines()[0][:300])
            raise DataUnavailable(describe_failure(error)) from error
        with self._locks_guard:
            self.queries_run += 1

        def release() -> None:
            result.close()
            connection.close()

        def chunks() -> Iterator[list[tuple[Any, ...]]]:
            try:
                for partition in result.partitions(STREAM_CHUNK_ROWS):
                    yield [tuple(row) for row in partition]
            finally:
                release()

        return RowStream(tuple(result.keys()), chunks(), release)

    def run_uncached(self, name: str, filters: Filters | None = None, **params: Any) -> pd.DataFrame:
        """Run a dataset's query without the cache (benchmarks, checks)."""
        return self._read(name, filters, params)[0].frame

    def _read(self, name: str, filters: Filters | None, params: Mapping[str, Any]) -> tuple[CachedFrame, pa.Table]:
        """Run ``name``: its frame and read time, and the same rows as Arrow for the cache."""
        statement = self._datasets[name](self._sources.tables(), filters, **params)
        engine = self._sources.engine_for(statement)
        with engine.connect() as connection:
            result = connection.execute(statement)
            rows = result.fetchmany(MAX_ROWS + 1)
            columns = list(result.keys())
        if len(rows) > MAX_ROWS:
            raise InvalidFilter(f"The dataset '{name}' would return more than {MAX_ROWS:,} rows; narrow the filters.")
        with self._locks_guard:
            self.queries_run += 1
        table = arrow_table(columns, rows)
        return CachedFrame(table.to_pandas(), dt.datetime.now(dt.UTC)), table

    def _fallback(self, name: str, key: str, error: Exception) -> Dataset:
        message = describe_failure(error)
        log.error("Dataset %s failed: %s", name, error.__class__.__name__, exc_info=log.isEnabledFor(logging.DEBUG))
        log.warning("Dataset %s: %s", name, str(getattr(error, "orig", error)).splitlines()[0][:300])
        last = self._cache.get_last_good(key)
        if last is None:
            raise DataUnavailable(message) from error
        return Dataset(last.frame, last.fetched_at, stale=True, problem=message)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = threading.Lock()
                self._locks[key] = lock
            return lock
