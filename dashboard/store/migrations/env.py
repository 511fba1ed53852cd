"""Alembic environment: runs migrations on the connection ``AppStore.upgrade`` hands over.

On PostgreSQL a transaction-scoped advisory lock serialises workers that start together.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from dashboard.store.tables import metadata

MIGRATION_LOCK = 7_421_003  # any constant; identifies the app store's migration lock

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.run_migrations()
