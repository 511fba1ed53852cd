"""The app store's tables (one ``MetaData``); migrations in ``migrations/versions`` create them."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

checkins = Table(
    "store_checkins",
    metadata,
    Column("checkin_id", Integer, primary_key=True, autoincrement=True),
    Column("key_result_id", String(64), nullable=False, index=True),
    Column("checkin_date", Date, nullable=False),
    Column("value", Float, nullable=False),
    Column("confidence", Integer, nullable=True),
    Column("comment", Text, nullable=True),
    Column("author", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    comment="Check-ins recorded in the dashboard (the sources' check-ins stay read-only).",
)

editions = Table(
    "store_review_editions",
    metadata,
    Column("edition_id", Integer, primary_key=True, autoincrement=True),
    Column("period_query", String(200), nullable=False),
    Column("period_label", String(100), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("payload", Text, nullable=False),
    comment="Frozen numbers of a review meeting (JSON), compared by the next meeting.",
)

display_tokens = Table(
    "store_display_tokens",
    metadata,
    Column("token_id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    comment="Read-only display links for wall screens (only a hash of each token is kept).",
)
