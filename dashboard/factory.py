"""``create_app(settings)``: the one place that wires every layer together."""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from flask import Flask, jsonify
from flask_caching import Cache
from threadpoolctl import threadpool_limits

from dashboard.config import PROJECT_ROOT, Settings
from dashboard.datasets.cache import FrameCache, make_cache
from dashboard.datasets.repository import SqlRepository
from dashboard.figures.theme import register_templates
from dashboard.health import health_report
from dashboard.http import install_callback_validation, install_error_handlers, install_security_headers
from dashboard.sources.engines import make_source_engine
from dashboard.sources.mapping import Sources, load_mappings
from dashboard.state import EXTENSION, AppState, get_state
from dashboard.store.sql import SqlAppStore

PAGES_FOLDER = Path(__file__).resolve().parent / "pages"


def build_repository(settings: Settings, cache: Cache) -> SqlRepository:
    """The sources and the cached repository for ``settings``."""
    sources = Sources(
        make_source_engine(settings.database_url, settings),
        load_mappings(settings.sources_file),
        lambda url: make_source_engine(url, settings),
    )
    frames = FrameCache(cache, timeout_s=settings.cache_timeout_s, stale_keep_s=settings.stale_keep_s)
    return SqlRepository(sources, frames, lock_wait_s=settings.pool_timeout_s + settings.statement_timeout_s)


def create_app(settings: Settings) -> dash.Dash:
    """A configured Dash app; its Flask server is ``app.server``."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    limit_numeric_threads(settings)
    server = Flask("dashboard", root_path=str(PROJECT_ROOT))
    server.config.update(SECRET_KEY=settings.secret_key, DEBUG=settings.debug, MAX_CONTENT_LENGTH=9 * 1024 * 1024)
    cache = make_cache(settings, server)
    store = SqlAppStore(settings.store_url, timeout_s=settings.pool_timeout_s)
    store.upgrade()
    server.extensions[EXTENSION] = AppState(settings, build_repository(settings, cache), store)
    register_templates()

    app = dash.Dash(
        "dashboard",
        server=server,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        assets_folder=str(PROJECT_ROOT / "assets"),
        title="Quality dashboard",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        compress=False,
    )
    from dashboard.components.shell import shell
    from dashboard.pages._shared import register_shared_callbacks

    app.layout = shell()
    register_shared_callbacks(app)

    @server.get("/healthz")
    def healthz():
        return jsonify(health_report(get_state().repository))

    from dashboard.auth import install_auth
    from dashboard.exports import install_exports
    from dashboard.version import install_version_endpoint

    install_auth(server, settings, store)
    install_exports(server)
    from dashboard.review_export import install_review_export

    install_review_export(server)
    install_version_endpoint(server, PROJECT_ROOT / "assets")
    install_callback_validation(server, app)
    install_security_headers(server, app)
    install_error_handlers(server)
    _register_scripts(app, settings)
    return app


def limit_numeric_threads(settings: Settings) -> None:
    """Cap the threads of the native numeric libraries (OpenBLAS, MKL, OpenMP) in this process
    at ``DASHBOARD_NUMERIC_THREADS``. The dashboard's arrays hold a few hundred points, where a
    BLAS thread pool only waits for CPUs that other requests and workers hold: with the
    libraries' default pool a forecast took 1.4-4 times as long while other processes kept
    both CPUs busy, and the same time on idle ones (``benchmarks/forecast.py --busy 2``).
    Process-wide, so it also covers the query threads and every request thread."""
    threadpool_limits(limits=settings.numeric_threads)


def _register_scripts(app: dash.Dash, settings: Settings) -> None:
    """Render the index page once, so this process knows every script it may serve.

    Dash registers its component scripts while rendering the index; a worker process that
    is asked for a script before it has rendered an index itself (the index came from another
    worker) would otherwise answer 500.
    """
    headers = {"Accept": "text/html"} | ({settings.auth_header: "start-up"} if settings.auth_header else {})
    response = app.server.test_client().get("/", headers=headers)
    if response.status_code != 200:
        logging.getLogger(__name__).warning("Could not render the index at start-up (%s)", response.status)
