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


def current_user() -> str:
    """Who is asking: the header a trusted proxy sets (``DASHBOARD_AUTH_HEADER``) when auth is
    on, else "anonymous" (recorded and shown as such)."""
    from flask import has_request_context, request

    from dashboard.store.interface import ANONYMOUS

    header = get_state().settings.auth_header
    if not header or not has_request_context():
        return ANONYMOUS
    return (request.headers.get(header) or "").strip()[:100] or ANONYMOUS


def write_refusal() -> str | None:
    """Why this request may not write (a display link, or no signed-in user with auth on), or None."""
    if get_state().settings.auth_header and current_user() == "anonymous":
        return "Sign in to record changes: display links and signed-out sessions are read-only."
    return None
