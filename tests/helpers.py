"""Builders shared by tests: settings and repositories on real databases and caches."""

from __future__ import annotations

from flask import Flask

from dashboard.config import Settings, settings_from_env
from dashboard.datasets.cache import FrameCache, make_cache
from dashboard.datasets.repository import SqlRepository
from dashboard.factory import build_repository


def settings_for(url: str, **env: str) -> Settings:
    """Settings for ``url`` with extra ``DASHBOARD_*`` values given in lower case."""
    values = {"DASHBOARD_DATABASE_URL": url, "DASHBOARD_TODAY": "2026-03-31"}
    values.update({f"DASHBOARD_{k.upper()}": v for k, v in env.items()})
    return settings_from_env(values)


def repository_for(url: str, **env: str) -> SqlRepository:
    """A repository on ``url`` with its own cache (SimpleCache unless told otherwise)."""
    settings = settings_for(url, **env)
    return build_repository(settings, make_cache(settings, Flask(__name__)))


def frame_cache_for(settings: Settings) -> FrameCache:
    """A frame cache for ``settings``, bound to a throwaway Flask app."""
    return FrameCache(
        make_cache(settings, Flask(__name__)), timeout_s=settings.cache_timeout_s, stale_keep_s=settings.stale_keep_s
    )
