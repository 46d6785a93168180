"""The analyst's review of events: its current state and the log of every change.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import geo.store.columns

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("event_id", geo.store.columns.Name(64), nullable=False),
        sa.Column("article", geo.store.columns.Name(255), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("event_type", geo.store.columns.Name(64), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("status", geo.store.columns.Name(16), nullable=False),
        sa.Column("corrected", geo.store.columns.JSONText(), nullable=False),
        sa.Column("merged_into", geo.store.columns.Name(64), nullable=True),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", geo.store.columns.Name(255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(
        "reviews_key",
        "reviews",
        ["article", "evidence_start", "evidence_end", "event_type"],
        unique=False,
    )
    op.create_table(
        "review_log",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("event_id", geo.store.columns.Name(64), nullable=False),
        sa.Column("action", geo.store.columns.Name(16), nullable=False),
        sa.Column("fields", geo.store.columns.JSONText(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", geo.store.columns.Name(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("event_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("review_log")
    op.drop_table("reviews")
