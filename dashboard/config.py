"""Settings: every ``DASHBOARD_*`` environment variable, parsed in one place.

``settings_from_env(environ)`` takes a mapping (``os.environ`` in production, a plain
dict in tests) and returns a frozen :class:`Settings`. Nothing here runs at import time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping
from pathlib import Path

from dashboard.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-change-me"
CACHE_TYPES = ("SimpleCache", "RedisCache", "FileSystemCache", "NullCache")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
ENVIRONMENTS = ("development", "production")
DEMO_SCALES = ("small", "medium", "large")


@dataclasses.dataclass(frozen=True)
class Settings:
    """The dashboard's configuration. Field docs are the README's configuration table."""

    env: str = "development"
    database_url: str = ""
    store_url: str = ""
    auth_header: str = ""
    sources_file: Path | None = None
    cache_type: str = "SimpleCache"
    cache_redis_url: str = "redis://127.0.0.1:6379/0"
    cache_dir: Path | None = None
    cache_timeout_s: int = 300
    cache_socket_timeout_s: float = 0.5
    cache_key_prefix: str = "qdash:"
    stale_keep_s: int = 7 * 24 * 3600
    secret_key: str = DEFAULT_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = 8050
    workers: int = 2
    numeric_threads: int = 1
    log_level: str = "INFO"
    debug: bool = False
    statement_timeout_s: float = 10.0
    pool_timeout_s: float = 5.0
    callback_timeout_s: float = 20.0
    worker_timeout_s: float = 30.0
    refresh_interval_s: float = 60.0
    max_span_days: int = 1100
    today: dt.date | None = None
    demo_scale: str = "small"

    def today_or_now(self) -> dt.date:
        """The date relative periods are resolved against (``DASHBOARD_TODAY`` or today)."""
        return self.today or dt.date.today()


def default_database_url() -> str:
    """The embedded demo database: a SQLite file under ``data/``."""
    return f"sqlite:///{PROJECT_ROOT / 'data' / 'quality.db'}"


def default_store_url() -> str:
    """The embedded app store (check-ins, review editions, display links): ``data/app.db``."""
    return f"sqlite:///{PROJECT_ROOT / 'data' / 'app.db'}"


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false.")


def _number(name: str, raw: str, kind: type, minimum: float) -> int | float:
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number.") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}.")
    return value


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise ConfigError(f"{name}={raw!r} is not one of {', '.join(choices)}.")


def _date(name: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a date (YYYY-MM-DD).") from None


_PARSERS = {
    "env": lambda n, r: _choice(n, r, ENVIRONMENTS),
    "database_url": lambda n, r: r.strip(),
    "store_url": lambda n, r: r.strip(),
    "auth_header": lambda n, r: r.strip(),
    "sources_file": lambda n, r: Path(r).expanduser() if r.strip() else None,
    "cache_type": lambda n, r: _choice(n, r, CACHE_TYPES),
    "cache_redis_url": lambda n, r: r.strip(),
    "cache_dir": lambda n, r: Path(r).expanduser() if r.strip() else None,
    "cache_timeout_s": lambda n, r: _number(n, r, int, 0),
    "cache_socket_timeout_s": lambda n, r: _number(n, r, float, 0.01),
    "cache_key_prefix": lambda n, r: r,
    "stale_keep_s": lambda n, r: _number(n, r, int, 0),
    "secret_key": lambda n, r: r,
    "host": lambda n, r: r.strip(),
    "port": lambda n, r: _number(n, r, int, 1),
    "workers": lambda n, r: _number(n, r, int, 1),
    "numeric_threads": lambda n, r: _number(n, r, int, 1),
    "log_level": lambda n, r: _choice(n, r, LOG_LEVELS),
    "debug": _bool,
    "statement_timeout_s": lambda n, r: _number(n, r, float, 0.1),
    "pool_timeout_s": lambda n, r: _number(n, r, float, 0.1),
    "callback_timeout_s": lambda n, r: _number(n, r, float, 0.1),
    "worker_timeout_s": lambda n, r: _number(n, r, float, 1),
    "refresh_interval_s": lambda n, r: _number(n, r, float, 1),
    "max_span_days": lambda n, r: _number(n, r, int, 1),
    "today": _date,
    "demo_scale": lambda n, r: _choice(n, r, DEMO_SCALES),
}


def env_names() -> list[str]:
    """Every environment variable the dashboard reads, in declaration order."""
    return [f"DASHBOARD_{f.name.upper()}" for f in dataclasses.fields(Settings)]


def settings_from_env(environ: Mapping[str, str], dotenv_path: Path | None = None) -> Settings:
    """Parse ``DASHBOARD_*`` variables (environment first, then an optional ``.env`` file).

    Raises :class:`ConfigError` with the variable's name for any malformed value, for a
    timeout ladder that is out of order, and, in production, for a default or empty
    secret key.
    """
    merged: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        from dotenv import dotenv_values

        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(environ)
    known = set(env_names())
    unknown = sorted(k for k in merged if k.startswith("DASHBOARD_") and k not in known)
    if unknown:
        raise ConfigError(f"Unknown setting(s) {', '.join(unknown)}; see the README's table.")
    values = {}
    for field in dataclasses.fields(Settings):
        name = f"DASHBOARD_{field.name.upper()}"
        if name in merged:
            values[field.name] = _PARSERS[field.name](name, merged[name])
    settings = Settings(**values)
    if not settings.database_url:
        settings = dataclasses.replace(settings, database_url=default_database_url())
    if not settings.store_url:
        settings = dataclasses.replace(settings, store_url=default_store_url())
    validate(settings)
    return settings


def timeout_ladder(settings: Settings) -> list[tuple[str, float]]:
    """The timeouts that must strictly increase, smallest first."""
    return [
        ("DASHBOARD_STATEMENT_TIMEOUT_S", settings.statement_timeout_s),
        ("DASHBOARD_CALLBACK_TIMEOUT_S", settings.callback_timeout_s),
        ("DASHBOARD_WORKER_TIMEOUT_S", settings.worker_timeout_s),
        ("DASHBOARD_REFRESH_INTERVAL_S", settings.refresh_interval_s),
    ]


def validate(settings: Settings) -> None:
    """Refuse settings that would misbehave at run time."""
    ladder = timeout_ladder(settings)
    for (low_name, low), (high_name, high) in itertools.pairwise(ladder):
        if not low < high:
            raise ConfigError(
                f"{low_name} ({low:g}) must be smaller than {high_name} ({high:g}): a slow "
                "query has to fail before the request that waits for it is killed."
            )
    if settings.pool_timeout_s + settings.statement_timeout_s > settings.callback_timeout_s:
        raise ConfigError(
            "DASHBOARD_POOL_TIMEOUT_S + DASHBOARD_STATEMENT_TIMEOUT_S must not exceed DASHBOARD_CALLBACK_TIMEOUT_S."
        )
    if settings.env == "production" and settings.secret_key in ("", DEFAULT_SECRET_KEY):
        raise ConfigError(
            "DASHBOARD_SECRET_KEY must be set to a long random value in production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if settings.cache_type == "FileSystemCache" and settings.cache_dir is None:
        raise ConfigError("DASHBOARD_CACHE_DIR is required when DASHBOARD_CACHE_TYPE=FileSystemCache.")
