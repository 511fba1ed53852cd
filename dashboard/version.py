"""``/version``: an id of the code this server runs, so an unattended screen (``/wall``) notices an
upgrade and reloads itself.

The id is a hash of the package's source and the assets, the same in every worker process of
one release (a process start time would differ between workers and reload screens for nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import dash
from flask import Flask, Response, jsonify

PACKAGE = Path(__file__).resolve().parent
SUFFIXES = (".py", ".js", ".css")


def build_id(roots: Iterable[Path]) -> str:
    """A short hash of every source, script and style file under ``roots`` and of Dash's version."""
    digest = hashlib.sha256(dash.__version__.encode())
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def install_version_endpoint(server: Flask, assets: Path) -> str:
    """Serve ``GET /version`` → ``{"build": "<id>"}`` (never cached); returns the id."""
    build = build_id([PACKAGE, assets])

    @server.get("/version")
    def version() -> Response:
        response = jsonify(build=build)
        response.headers["Cache-Control"] = "no-store"
        return response

    return build
