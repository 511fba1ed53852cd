"""Entry point: ``gunicorn app:server`` or ``python app.py`` (dev server, debug only if DASHBOARD_DEBUG)."""

from __future__ import annotations

import os

from dashboard.config import PROJECT_ROOT, settings_from_env
from dashboard.factory import create_app

settings = settings_from_env(os.environ, dotenv_path=PROJECT_ROOT / ".env")
app = create_app(settings)
server = app.server

if __name__ == "__main__":
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
