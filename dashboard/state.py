"""The accessor pages use to reach the running app's settings, repository and app store.

State is kept on the Flask app (``app.extensions``), never in a module global, so every
app built in a test or a worker has its own.
"""

from __future__ import annotations

import dataclasses

from flask import current_app

from dashboard.config import Settings
from dashboard.datasets.interface import Repository
from dashboard.store.interface import AppStore

EXTENSION = "quality_dashboard"


@dataclasses.dataclass
class AppState:
    """The settings, repository and app store of one app."""

    settings: Settings
    repository: Repository
    store: AppStore


def get_state() -> AppState:
    """The running app's state (inside a request or a callback)."""
    return current_app.extensions[EXTENSION]
