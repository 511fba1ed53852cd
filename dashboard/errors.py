"""Domain exceptions. Each message says what went wrong and what the user can do."""

from __future__ import annotations


class DashboardError(Exception):
    """Base class: ``str(error)`` is safe to show to a user (no internals, no SQL)."""


class ConfigError(DashboardError):
    """A setting or the source mapping is wrong; raised at start-up or by check-sources."""


class InvalidFilter(DashboardError):
    """A filter value from the URL or a callback is not allowed."""


class DataUnavailable(DashboardError):
    """The quality database could not answer (unreachable, too slow, or failed)."""


class SourceMappingError(ConfigError):
    """A dataset's mapping points at a table or column that does not exist or fit."""


class InvalidInput(DashboardError):
    """A value typed into a form is not allowed; the message names the field and the rule."""


class StoreUnavailable(DashboardError):
    """The dashboard's own database (the app store) could not be read or written."""
