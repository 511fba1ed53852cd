"""The app store's first tables: check-ins, review editions, display links.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_checkins",
        sa.Column("checkin_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key_result_id", sa.String(64), nullable=False),
        sa.Column("checkin_date", sa.Date, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("confidence", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        comment="Check-ins recorded in the dashboard (the sources' check-ins stay read-only).",
    )
    op.create_index("ix_store_checkins_key_result_id", "store_checkins", ["key_result_id"])
    op.create_table(
        "store_review_editions",
        sa.Column("edition_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period_query", sa.String(200), nullable=False),
        sa.Column("period_label", sa.String(100), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        comment="Frozen numbers of a review meeting (JSON), compared by the next meeting.",
    )
    op.create_table(
        "store_display_tokens",
        sa.Column("token_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        comment="Read-only display links for wall screens (only a hash of each token is kept).",
    )


def downgrade() -> None:
    op.drop_table("store_display_tokens")
    op.drop_table("store_review_editions")
    op.drop_index("ix_store_checkins_key_result_id", table_name="store_checkins")
    op.drop_table("store_checkins")
