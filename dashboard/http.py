"""HTTP hardening: security headers, callback-request validation, error pages without traces."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import dash
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
CALLBACK_PATH = "_dash-update-component"
MAX_CALLBACK_BODY = 8 * 1024 * 1024  # a 5 MB upload is ~6.7 MB as base64


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """A CSP that Dash works under: scripts from this origin and the renderer's inline hashes."""
    scripts = " ".join(script_hashes)  # Dash returns them quoted, e.g. 'sha256-...'
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {scripts}".strip(),
            # Plotly and Bootstrap components set inline styles.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def install_security_headers(server: Flask, app: dash.Dash) -> None:
    """Set CSP, frame-ancestors, nosniff and a referrer policy on every response."""
    cache: dict[str, str] = {}

    @server.after_request
    def _headers(response: Response) -> Response:
        if "csp" not in cache:
            cache["csp"] = content_security_policy(app.csp_hashes())
        response.headers.setdefault("Content-Security-Policy", cache["csp"])
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def _reject(reason: str) -> Response:
    log.warning("Rejected a callback request from %s: %s", request.remote_addr, reason)
    response = jsonify({"error": "Invalid callback request.", "reason": reason})
    response.status_code = 400
    return response


def _ids(items: Any) -> list[tuple[str, str]] | None:
    if not isinstance(items, list):
        return None
    found = []
    for item in items:
        if isinstance(item, list):  # wildcard (pattern-matching) inputs arrive as lists
            continue
        if not isinstance(item, dict) or not isinstance(item.get("property"), str) or "id" not in item:
            return None
        ident = item["id"]
        found.append((ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True), item["property"]))
    return found


def _declared(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(i["id"]), i["property"]) for i in items if not str(i["id"]).startswith("{")]


def validate_callback_body(body: Any, callback_map: dict[str, Any]) -> str | None:
    """Why a callback request body is not one the app declared, or None when it is."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "unknown output"
    declared = callback_map[output]
    for part, key in (("inputs", "inputs"), ("state", "state")):
        sent = _ids(body.get(part, []))
        if sent is None:
            return f"malformed {part}"
        expected = _declared(declared.get(key, []))
        plain_sent = [s for s in sent if not s[0].startswith("{")]
        if expected and plain_sent != expected:
            return f"{part} do not match the callback"
    if "changedPropIds" in body and not isinstance(body["changedPropIds"], list):
        return "malformed changedPropIds"
    return None


def install_callback_validation(server: Flask, app: dash.Dash) -> None:
    """Answer forged or malformed callback requests with 400 before Dash sees them."""

    @server.before_request
    def _validate() -> Response | None:
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        if request.content_length is not None and request.content_length > MAX_CALLBACK_BODY:
            return _reject("body too large")
        body = request.get_json(silent=True)
        reason = validate_callback_body(body, app.callback_map)
        return _reject(reason) if reason else None


def install_error_handlers(server: Flask) -> None:
    """Every error answers with a short message; tracebacks go to the log only."""

    @server.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response, int]:
        return jsonify({"error": error.name, "status": error.code}), error.code or 500

    @server.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return jsonify({"error": "Internal error; the details are in the server log."}), 500
