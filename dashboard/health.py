"""``/healthz``: database and cache status. Degraded (still 200) when one of them is down."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.exc import SQLAlchemyError

from dashboard.datasets.repository import SqlRepository

log = logging.getLogger(__name__)


def health_report(repo: SqlRepository) -> dict[str, Any]:
    """``{"status": "ok"|"degraded", "database": {...}, "cache": {...}}``."""
    started = time.perf_counter()
    try:
        probe = select(literal(1)).select_from(repo.sources.clause("plants")).limit(1)
        engine = repo.sources.engine_for(probe)
        with engine.connect() as connection:
            connection.execute(probe)
        database = {"status": "ok", "dialect": engine.dialect.name}
    except SQLAlchemyError as error:
        log.warning("Health check: database unreachable (%s)", type(error).__name__)
        database = {"status": "down", "error": type(error).__name__}
    database["latency_ms"] = round(1000 * (time.perf_counter() - started), 1)
    cache_ok = repo.cache.ping()
    cache = {"status": "ok" if cache_ok else "down", "backend": repo.cache.backend_name}
    status = "ok" if database["status"] == "ok" and cache_ok else "degraded"
    return {"status": status, "database": database, "cache": cache}
