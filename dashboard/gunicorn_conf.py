"""gunicorn settings from the dashboard's settings: ``gunicorn -c python:dashboard.gunicorn_conf app:server``.

The worker timeout comes from DASHBOARD_WORKER_TIMEOUT_S, so the timeout ladder
(statement < callback < worker < refresh) holds in production too.
"""

import gc
import os

from dashboard.config import PROJECT_ROOT, settings_from_env

_settings = settings_from_env(os.environ, dotenv_path=PROJECT_ROOT / ".env")

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
threads = 4
worker_class = "gthread"
timeout = int(_settings.worker_timeout_s)
graceful_timeout = int(_settings.worker_timeout_s)
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level.lower()


def on_starting(_server: object) -> None:
    """Migrate the app store once, in the master, before workers start (they find it current)."""
    from dashboard.store.sql import SqlAppStore

    store = SqlAppStore(_settings.store_url, timeout_s=_settings.pool_timeout_s)
    try:
        store.upgrade()
    finally:
        store.dispose()


def post_worker_init(_worker: object) -> None:
    """Once a worker has loaded the app, move everything loading created (Plotly's validators,
    pandas, the app itself) out of the garbage collector's view: a full collection then scans
    only what requests leave behind, so its pauses stay out of the slowest requests."""
    gc.collect()
    gc.freeze()
