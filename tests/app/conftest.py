"""An app per test on the hand-made data, with Dash's page registry cleared between builds."""

from __future__ import annotations

from collections.abc import Iterator

import dash
import pytest
from dash import _callback, _pages

from dashboard.factory import create_app
from dashboard.state import EXTENSION
from tests.helpers import settings_for
from tests.seed import seed


def reset_dash_registries() -> None:
    """Dash keeps pages and ``@callback``s in module globals; a fresh app needs them empty."""
    _pages.PAGE_REGISTRY.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()


def build_app(url: str, **env: str) -> dash.Dash:
    """A fresh app for ``url``."""
    reset_dash_registries()
    return create_app(settings_for(url, **env))


@pytest.fixture
def seeded_sqlite(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    seed(url)
    return url


@pytest.fixture
def app(seeded_sqlite: str) -> Iterator[dash.Dash]:
    application = build_app(seeded_sqlite)
    yield application
    application.server.extensions[EXTENSION].repository.sources.dispose()


@pytest.fixture
def client(app: dash.Dash):
    test_client = app.server.test_client()
    assert test_client.get("/").status_code == 200  # first request sets Dash up
    return test_client
