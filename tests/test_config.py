"""Settings parsing: types, defaults, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard.config import DEFAULT_SECRET_KEY, Settings, env_names, settings_from_env, timeout_ladder
from dashboard.errors import ConfigError


def test_defaults_use_the_embedded_sqlite_file_and_debug_off() -> None:
    settings = settings_from_env({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("data/quality.db")
    assert settings.debug is False
    assert settings.cache_type == "SimpleCache"
    assert settings.env == "development"


@pytest.mark.parametrize(
    ("name", "raw", "field", "expected"),
    [
        ("DASHBOARD_PORT", "9000", "port", 9000),
        ("DASHBOARD_DEBUG", "true", "debug", True),
        ("DASHBOARD_DEBUG", "0", "debug", False),
        ("DASHBOARD_CACHE_TYPE", "rediscache", "cache_type", "RedisCache"),
        ("DASHBOARD_CACHE_TIMEOUT_S", "60", "cache_timeout_s", 60),
        ("DASHBOARD_LOG_LEVEL", "debug", "log_level", "DEBUG"),
        ("DASHBOARD_TODAY", "2026-11-23", "today", dt.date(2026, 11, 23)),
        ("DASHBOARD_SOURCES_FILE", "/etc/q/sources.toml", "sources_file", Path("/etc/q/sources.toml")),
        ("DASHBOARD_STATEMENT_TIMEOUT_S", "2.5", "statement_timeout_s", 2.5),
        ("DASHBOARD_NUMERIC_THREADS", "4", "numeric_threads", 4),
    ],
)
def test_values_are_parsed_into_types(name: str, raw: str, field: str, expected: object) -> None:
    assert getattr(settings_from_env({name: raw}), field) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DASHBOARD_PORT": "eighty"}, "DASHBOARD_PORT"),
        ({"DASHBOARD_DEBUG": "maybe"}, "DASHBOARD_DEBUG"),
        ({"DASHBOARD_CACHE_TYPE": "Memcached"}, "DASHBOARD_CACHE_TYPE"),
        ({"DASHBOARD_TODAY": "23/11/2026"}, "DASHBOARD_TODAY"),
        ({"DASHBOARD_PROT": "1"}, "Unknown setting"),
        ({"DASHBOARD_CACHE_TYPE": "FileSystemCache"}, "DASHBOARD_CACHE_DIR"),
        ({"DASHBOARD_ENV": "production"}, "DASHBOARD_SECRET_KEY"),
        ({"DASHBOARD_ENV": "production", "DASHBOARD_SECRET_KEY": ""}, "DASHBOARD_SECRET_KEY"),
        ({"DASHBOARD_ENV": "production", "DASHBOARD_SECRET_KEY": DEFAULT_SECRET_KEY}, "DASHBOARD_SECRET_KEY"),
        ({"DASHBOARD_STATEMENT_TIMEOUT_S": "30"}, "DASHBOARD_STATEMENT_TIMEOUT_S"),
        ({"DASHBOARD_WORKER_TIMEOUT_S": "120"}, "DASHBOARD_REFRESH_INTERVAL_S"),
        ({"DASHBOARD_NUMERIC_THREADS": "0"}, "DASHBOARD_NUMERIC_THREADS"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env)


def test_production_starts_with_a_real_secret() -> None:
    settings = settings_from_env({"DASHBOARD_ENV": "production", "DASHBOARD_SECRET_KEY": "x" * 64})
    assert settings.env == "production"


def test_environment_overrides_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("DASHBOARD_PORT=9100\nDASHBOARD_HOST=0.0.0.0\n")
    settings = settings_from_env({"DASHBOARD_PORT": "9200"}, dotenv_path=dotenv)
    assert (settings.port, settings.host) == (9200, "0.0.0.0")


def test_timeout_ladder_of_the_defaults_increases() -> None:
    """statement < callback < gunicorn worker < refresh interval, read from effective settings."""
    values = [value for _, value in timeout_ladder(settings_from_env({}))]
    assert values == sorted(values) and len(set(values)) == len(values)


def test_gunicorn_uses_the_worker_timeout_of_the_ladder(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    monkeypatch.setenv("DASHBOARD_WORKER_TIMEOUT_S", "40")
    import dashboard.gunicorn_conf as conf

    conf = importlib.reload(conf)
    settings = settings_from_env({"DASHBOARD_WORKER_TIMEOUT_S": "40"})
    assert conf.timeout == 40
    assert settings.callback_timeout_s < conf.timeout < settings.refresh_interval_s


def test_gunicorn_workers_freeze_what_loading_the_app_created() -> None:
    import gc

    import dashboard.gunicorn_conf as conf

    before = gc.get_freeze_count()
    try:
        conf.post_worker_init(None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_every_field_has_an_environment_variable() -> None:
    assert len(env_names()) == len(Settings.__dataclass_fields__)
    assert all(name.startswith("DASHBOARD_") for name in env_names())
