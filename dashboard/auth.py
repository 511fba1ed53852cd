"""Authentication by a trusted reverse proxy, and read-only display links for wall screens.

With ``DASHBOARD_AUTH_HEADER`` set (e.g. ``X-Forwarded-User``), every request must carry that
header, which the proxy in front of the dashboard sets to the signed-in user; without it the
answer is 401. A wall screen instead opens ``/wall?display=<token>`` with a display link made by
``python -m dashboard display-link create``: the token is checked against the app store (only its
hash is kept there), remembered in the signed session cookie, and re-checked at most every
``RECHECK_S`` seconds, so revoking a link stops its screens within that time. A display session
reaches only the wall and what the wall needs, and can write nothing.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Response, request, session

from dashboard.config import Settings
from dashboard.errors import StoreUnavailable
from dashboard.store.interface import AppStore

log = logging.getLogger(__name__)
RECHECK_S = 30.0
SESSION_KEY = "display_token"
OPEN_PATHS = ("/healthz",)
DISPLAY_PATHS = ("/wall", "/_dash-", "/assets/", "/_favicon.ico", "/_reload-hash", "/version")


class _TokenCheck:
    """Remembers recent answers of the app store for display tokens (per process)."""

    def __init__(self, store: AppStore) -> None:
        self._store = store
        self._answers: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def valid(self, token: str) -> bool:
        now = time.monotonic()
        with self._lock:
            answer = self._answers.get(token)
        if answer is not None and now - answer[1] < RECHECK_S:
            return answer[0]
        try:
            ok = self._store.display_token_valid(token)
        except StoreUnavailable:
            # Keep a screen that was let in showing through an app-store outage; admit no new one.
            return bool(answer and answer[0])
        with self._lock:
            if len(self._answers) > 1000:
                self._answers.clear()
            self._answers[token] = (ok, now)
        return ok


def is_display_session() -> bool:
    """Whether this request comes from a wall screen's display link (read-only)."""
    return bool(session.get(SESSION_KEY)) and not _signed_in_user_header()


def _signed_in_user_header() -> str:
    from dashboard.state import get_state

    header = get_state().settings.auth_header
    return (request.headers.get(header) or "").strip() if header else ""


def install_auth(server: Flask, settings: Settings, store: AppStore) -> None:
    """Require the proxy's user header on every request, except display links on the wall."""
    header = settings.auth_header
    if not header:
        return
    tokens = _TokenCheck(store)

    @server.before_request
    def require_user() -> Response | None:
        path = request.path
        if path in OPEN_PATHS or (request.headers.get(header) or "").strip():
            return None
        offered = request.args.get("display")
        if offered and path.startswith("/wall"):
            if tokens.valid(offered):
                session[SESSION_KEY] = offered
                session.permanent = True
                return None
            log.warning("Refused a display link that is unknown or revoked (from %s)", request.remote_addr)
            return Response("This display link is unknown or has been revoked; ask for a new one.\n", 401, mimetype="text/plain")
        remembered = session.get(SESSION_KEY)
        if remembered:
            if not tokens.valid(remembered):
                session.pop(SESSION_KEY, None)
                return Response("This display link has been revoked; ask for a new one.\n", 401, mimetype="text/plain")
            if path.startswith(DISPLAY_PATHS) or path == "/":
                return None if path != "/" else Response("", 302, {"Location": "/wall"})
            return Response("A display link opens only the wall (/wall).\n", 403, mimetype="text/plain")
        return Response(
            f"Sign in first: this dashboard expects the {header} header from its sign-in proxy.\n",
            401,
            mimetype="text/plain",
        )
