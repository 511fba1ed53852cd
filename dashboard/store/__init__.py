"""The app store: the database the dashboard owns and writes (check-ins, review editions,
display links), separate from the read-only quality sources. Its schema is managed with
Alembic migrations (``dashboard/store/migrations``)."""
