"""A DataFrame cache on top of any flask-caching backend.

- Values are Arrow IPC bytes; the backend's serializer is replaced by one that stores
  bytes and nothing else, so whoever can write to Redis cannot make the app unpickle code.
- Every backend call is guarded: an error or a hung backend (short socket timeouts, no
  retries) is logged once per outage and the caller goes to the database instead.
- Besides the fresh copy (``cache_timeout_s``), a "last good" copy is kept for
  ``stale_keep_s`` so a page can show the last data when the database is down.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from typing import IO, Any

import pandas as pd
import pyarrow as pa
from flask import Flask
from flask_caching import Cache
from redis.backoff import NoBackoff
from redis.retry import Retry

from dashboard.config import Settings

log = logging.getLogger(__name__)
_FETCHED_AT = b"dashboard.fetched_at"
_STALE_PREFIX = "last-good:"
_DECODED_KEEP = 256  # decoded frames remembered per process (small aggregates)


class BytesOnlySerializer:
    """A cachelib serializer for bytes (and the integers cachelib keeps for itself); no pickle.

    Stored form: ``b"B" + payload`` for bytes, ``b"I" + digits`` for integers. Anything
    else read from the backend (for example a planted pickle) loads as None.
    """

    def dumps(self, value: Any, *_args: Any, **_kwargs: Any) -> bytes:
        """Tag and store ``bytes`` or ``int``; anything else is a programming error."""
        if isinstance(value, bytes):
            return b"B" + value
        if type(value) is int:
            return b"I" + str(value).encode("ascii")
        raise TypeError(f"the frame cache stores bytes only, not {type(value).__name__}")

    def loads(self, value: bytes | None) -> bytes | int | None:
        """The stored bytes or integer, or None for anything this serializer did not write."""
        if not value:
            return None
        if value[:1] == b"B":
            return value[1:]
        if value[:1] == b"I":
            try:
                return int(value[1:])
            except ValueError:
                return None
        return None

    def dump(self, value: Any, f: IO[bytes], *_args: Any, **_kwargs: Any) -> None:
        """File-cache variant of :meth:`dumps`."""
        f.write(self.dumps(value))

    def load(self, f: IO[bytes]) -> bytes | int | None:
        """File-cache variant of :meth:`loads`."""
        return self.loads(f.read())


def cache_config(settings: Settings) -> dict[str, Any]:
    """flask-caching configuration for the settings' backend."""
    config: dict[str, Any] = {
        "CACHE_TYPE": settings.cache_type,
        "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout_s,
        "CACHE_KEY_PREFIX": settings.cache_key_prefix,
        "CACHE_THRESHOLD": 2000,
    }
    if settings.cache_type == "RedisCache":
        timeout = settings.cache_socket_timeout_s
        config["CACHE_REDIS_URL"] = settings.cache_redis_url
        config["CACHE_OPTIONS"] = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
            "health_check_interval": 0,
        }
    if settings.cache_type == "FileSystemCache":
        config["CACHE_DIR"] = str(settings.cache_dir)
    return config


@dataclasses.dataclass(frozen=True)
class CachedFrame:
    """A DataFrame and the moment it was read from the database."""

    frame: pd.DataFrame
    fetched_at: dt.datetime


def arrow_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> pa.Table:
    """Rows as the database returned them, as an Arrow table typed as the cache stores them.

    A query's result goes straight to Arrow: the frame a page gets is ``to_pandas()`` of this
    table, the same frame a later cache hit decodes, and the cache stores it without a second
    conversion from pandas.
    """
    if not rows:
        return pa.Table.from_arrays([pa.array([]) for _ in columns], names=list(columns))
    return pa.Table.from_arrays(
        [_column(name, values) for name, values in zip(columns, zip(*rows, strict=True), strict=True)], names=list(columns)
    )


def _column(name: str, values: Sequence[Any]) -> pa.Array:
    """One column as Arrow; a column whose values mix types (SQLite lets a column hold a number
    in one row and text in the next) is read as text rather than failing the whole page."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        kinds = sorted({type(v).__name__ for v in values if v is not None})
        log.warning("Column %s mixes %s; read as text (%s).", name, ", ".join(kinds), error)
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def encode_frame(frame: pd.DataFrame, fetched_at: dt.datetime) -> bytes:
    """Arrow IPC stream bytes of ``frame`` with ``fetched_at`` in the schema metadata."""
    return encode_table(pa.Table.from_pandas(frame, preserve_index=False), fetched_at)


def encode_table(table: pa.Table, fetched_at: dt.datetime) -> bytes:
    """Arrow IPC stream bytes of ``table`` with ``fetched_at`` in the schema metadata."""
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _FETCHED_AT: fetched_at.isoformat().encode()})
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def decode_frame(payload: bytes) -> CachedFrame:
    """Inverse of :func:`encode_frame`."""
    table = pa.ipc.open_stream(payload).read_all()
    fetched_at = dt.datetime.fromisoformat(table.schema.metadata[_FETCHED_AT].decode())
    return CachedFrame(table.to_pandas(), fetched_at)


def make_cache(settings: Settings, server: Flask) -> Cache:
    """A flask-caching ``Cache`` for ``settings``, bound to ``server``."""
    cache = Cache(config=cache_config(settings))
    with warnings.catch_warnings():
        # NullCache is an explicit choice here; flask-caching warns about it regardless.
        warnings.filterwarnings("ignore", message=".*NullCache.*", category=UserWarning)
        cache.init_app(server)
    return cache


class FrameCache:
    """Guarded get/set of DataFrames in a flask-caching backend."""

    def __init__(self, cache: Cache, *, timeout_s: int, stale_keep_s: int) -> None:
        self._backend = cache.cache
        self._backend.serializer = BytesOnlySerializer()
        self._timeout_s = timeout_s
        self._stale_keep_s = stale_keep_s
        self._lock = threading.Lock()
        self._failing = False
        self._decoded: OrderedDict[str, tuple[bytes, CachedFrame]] = OrderedDict()
        self.last_error: str | None = None

    @property
    def backend_name(self) -> str:
        """The backend's class name, e.g. RedisCache."""
        return type(self._backend).__name__

    def get(self, key: str) -> CachedFrame | None:
        """The fresh copy under ``key``, or None (missing, expired, or backend down)."""
        return self._read(key)

    def get_last_good(self, key: str) -> CachedFrame | None:
        """The last successful result under ``key``, however old (up to ``stale_keep_s``)."""
        return self._read(_STALE_PREFIX + key)

    def set(self, key: str, frame: pd.DataFrame, fetched_at: dt.datetime, *, table: pa.Table | None = None) -> None:
        """Store a successful result (fresh copy and last-good copy). ``table``, when given, is
        ``frame`` as Arrow already (see :func:`arrow_table`) and is stored instead of converting
        ``frame`` again. This process remembers ``frame`` as the decoded copy of what it stored."""
        payload = encode_frame(frame, fetched_at) if table is None else encode_table(table, fetched_at)
        self._guard("set", lambda: self._backend.set(key, payload, timeout=self._timeout_s))
        self._guard("set", lambda: self._backend.set(_STALE_PREFIX + key, payload, timeout=self._stale_keep_s))
        self._remember(key, payload, CachedFrame(frame, fetched_at))

    def try_lock(self, key: str, ttl_s: float) -> bool:
        """Claim the right to compute ``key`` across processes (Redis ``SET NX PX``).

        True when this caller should run the query: it got the lock, the backend is local to
        the process (the in-process lock already serialises), or the backend is down.
        """
        client = getattr(self._backend, "_write_client", None)
        if client is None:
            return True
        name = f"{self._backend._get_prefix()}lock:{key}"
        try:
            return bool(client.set(name, b"1", nx=True, px=max(1, int(ttl_s * 1000))))
        except Exception:  # a broken cache must not stop the query
            return True

    def is_locked(self, key: str) -> bool:
        """True while a lock taken with :meth:`try_lock` is held (False without Redis, or when the
        backend is down: a waiter then stops waiting)."""
        client = getattr(self._backend, "_write_client", None)
        if client is None:
            return False
        return bool(self._guard("exists", lambda: client.exists(f"{self._backend._get_prefix()}lock:{key}")))

    def unlock(self, key: str) -> None:
        """Release a lock taken with :meth:`try_lock`."""
        client = getattr(self._backend, "_write_client", None)
        if client is not None:
            self._guard("unlock", lambda: client.delete(f"{self._backend._get_prefix()}lock:{key}"))

    def ping(self) -> bool:
        """True when the backend answers a write and a read."""
        probe = b"ok"
        ok = self._guard("ping", lambda: self._backend.set("health-probe", probe, timeout=60))
        return bool(ok) and self._guard("ping", lambda: self._backend.get("health-probe")) == probe

    def _read(self, key: str) -> CachedFrame | None:
        payload = self._guard("get", lambda: self._backend.get(key))
        if payload is None:
            return None
        if not isinstance(payload, bytes):
            return None
        digest = hashlib.blake2b(payload, digest_size=16).digest()
        with self._lock:
            remembered = self._decoded.get(key)
            if remembered is not None and remembered[0] == digest:
                self._decoded.move_to_end(key)
                return remembered[1]
        try:
            decoded = decode_frame(payload)
        except (pa.ArrowException, OSError, KeyError, ValueError, TypeError) as error:
            log.warning("Ignoring an unreadable cache entry %s: %s", key, error)
            return None
        self._remember(key, payload, decoded, digest)
        return decoded

    def _remember(self, key: str, payload: bytes, decoded: CachedFrame, digest: bytes | None = None) -> None:
        """Keep ``decoded`` as the frame of ``payload`` under ``key``: decoding Arrow costs ~1 ms a
        frame, and a page reads the same bytes again and again."""
        digest = digest or hashlib.blake2b(payload, digest_size=16).digest()
        with self._lock:
            self._decoded[key] = (digest, decoded)
            self._decoded.move_to_end(key)
            while len(self._decoded) > _DECODED_KEEP:
                self._decoded.popitem(last=False)

    def _guard(self, action: str, call: Any) -> Any:
        try:
            result = call()
        except Exception as error:  # any backend failure means: go to the database
            with self._lock:
                first = not self._failing
                self._failing = True
                self.last_error = f"{type(error).__name__}: {error}"
            if first:
                log.warning(
                    "Cache backend %s failed on %s (%s); reading from the database until it recovers.",
                    self.backend_name,
                    action,
                    self.last_error,
                )
            return None
        if self._failing:
            with self._lock:
                if self._failing:
                    self._failing = False
                    self.last_error = None
                    log.warning("Cache backend %s recovered.", self.backend_name)
        return result
