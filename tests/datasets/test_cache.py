"""The frame cache on real backends: round trips, no pickle, broken and hung backends."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import socket
import threading
from collections.abc import Iterator

import pandas as pd
import pytest
import redis
from flask import Flask

from dashboard.config import settings_from_env
from dashboard.datasets.cache import BytesOnlySerializer, FrameCache, decode_frame, encode_frame, make_cache

FRAME = pd.DataFrame(
    {
        "bucket_date": [dt.date(2026, 3, 2), dt.date(2026, 3, 9)],
        "plant_id": ["P01", "P02"],
        "defect_count": [3, 4],
        "cost_eur": [1.5, None],
    }
)
FETCHED = dt.datetime(2026, 11, 23, 7, 40, tzinfo=dt.UTC)


def frame_cache(**env: str) -> FrameCache:
    settings = settings_from_env({f"DASHBOARD_{k.upper()}": v for k, v in env.items()})
    cache = make_cache(settings, Flask(__name__))
    return FrameCache(cache, timeout_s=settings.cache_timeout_s, stale_keep_s=settings.stale_keep_s)


def test_arrow_round_trip_keeps_values_and_time() -> None:
    decoded = decode_frame(encode_frame(FRAME, FETCHED))
    assert decoded.fetched_at == FETCHED
    assert decoded.frame["defect_count"].tolist() == [3, 4]
    assert decoded.frame["bucket_date"].tolist() == FRAME["bucket_date"].tolist()
    assert pd.isna(decoded.frame["cost_eur"].iloc[1])


def test_the_serializer_refuses_anything_but_bytes() -> None:
    with pytest.raises(TypeError, match="bytes only"):
        BytesOnlySerializer().dumps({"a": 1})


@pytest.mark.parametrize("backend", ["SimpleCache", "FileSystemCache"])
def test_local_backends_round_trip(backend: str, tmp_path) -> None:
    cache = frame_cache(cache_type=backend, cache_dir=str(tmp_path))
    assert cache.get("k") is None
    cache.set("k", FRAME, FETCHED)
    hit = cache.get("k")
    assert hit is not None and hit.fetched_at == FETCHED and len(hit.frame) == 2
    assert cache.get_last_good("k") is not None
    assert cache.ping()


def test_null_cache_never_hits() -> None:
    cache = frame_cache(cache_type="NullCache")
    cache.set("k", FRAME, FETCHED)
    assert cache.get("k") is None
    assert not cache.ping()


@pytest.mark.redis
def test_redis_round_trip_stores_arrow_not_pickle(redis_url: str, redis_prefix: str) -> None:
    cache = frame_cache(cache_type="RedisCache", cache_redis_url=redis_url, cache_key_prefix=redis_prefix)
    cache.set("k", FRAME, FETCHED)
    raw = redis.Redis.from_url(redis_url).get(f"{redis_prefix}k")
    assert raw is not None and raw.startswith(b"B\xff\xff\xff\xff")  # tag + Arrow IPC continuation marker
    assert cache.get("k").frame["plant_id"].tolist() == ["P01", "P02"]
    assert redis.Redis.from_url(redis_url).ttl(f"{redis_prefix}k") > 0


class _Boom:
    ran = False

    def __reduce__(self):
        return (_Boom._explode, ())

    @staticmethod
    def _explode():
        _Boom.ran = True
        return "exploded"


@pytest.mark.redis
@pytest.mark.parametrize("planted", [b"!", b"B", b""], ids=["cachelib-pickle", "tagged-bytes", "bare"])
def test_a_pickle_planted_in_redis_is_not_executed(redis_url: str, redis_prefix: str, planted: bytes) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set(f"{redis_prefix}k", planted + pickle.dumps(_Boom()))
    cache = frame_cache(cache_type="RedisCache", cache_redis_url=redis_url, cache_key_prefix=redis_prefix)
    assert cache.get("k") is None
    assert _Boom.ran is False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_redis_down_is_logged_once_and_bypassed(caplog) -> None:
    cache = frame_cache(cache_type="RedisCache", cache_redis_url=f"redis://127.0.0.1:{_free_port()}/0")
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert cache.get("k") is None
            cache.set("k", FRAME, FETCHED)
    assert caplog.text.count("failed on") == 1
    assert cache.last_error is not None
    assert not cache.ping()


@pytest.fixture
def hung_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers (a hung Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_hung_redis_costs_only_the_socket_timeout(hung_server: int) -> None:
    cache = frame_cache(
        cache_type="RedisCache", cache_redis_url=f"redis://127.0.0.1:{hung_server}/0", cache_socket_timeout_s="0.2"
    )
    assert cache.get("k") is None  # returns (after the socket timeout) instead of hanging
    assert "Timeout" in (cache.last_error or "")
