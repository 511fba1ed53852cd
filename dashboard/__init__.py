"""Quality KPI/OKR dashboard."""

__version__ = "0.1.0"
