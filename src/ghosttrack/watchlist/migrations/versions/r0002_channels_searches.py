"""The hunter's tables: the channels it polls and the saved searches it runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-06-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghosttrack.watchlist.schema import RowId, UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("handle", sa.String(64)),
        sa.Column("title", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("poll_seconds", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", UtcDateTime(), nullable=False),
        sa.Column("last_polled_at", UtcDateTime()),
        sa.Column("last_upload_at", UtcDateTime()),
        sa.Column("last_video_id", sa.String(20)),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.Column("stats_next_at", UtcDateTime(), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name="pk_channels"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_channels_next_poll_at", "channels", ["next_poll_at"])
    op.create_table(
        "searches",
        sa.Column("id", RowId, autoincrement=True, nullable=False),
        sa.Column("query", sa.String(500), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("next_run_at", UtcDateTime(), nullable=False),
        sa.Column("last_run_at", UtcDateTime()),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_searches"),
        sa.UniqueConstraint("query", name="uq_searches_query"),
    )


def downgrade() -> None:
    op.drop_table("searches")
    op.drop_index("ix_channels_next_poll_at", table_name="channels")
    op.drop_table("channels")
