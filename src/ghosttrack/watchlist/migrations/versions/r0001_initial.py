"""The watchlist, the ephemeral videos metadata, jobs and the quota ledger.

Revision ID: 0001
Revises:
Create Date: 2026-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghosttrack.watchlist.schema import Json, RowId, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_table(
        "watchlist",
        sa.Column("video_id", sa.String(20), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("published_at", UtcDateTime()),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("next_track_at", UtcDateTime(), nullable=False),
        sa.Column("last_tracked_at", UtcDateTime()),
        sa.Column("last_views", sa.BigInteger()),
        sa.Column("misses", sa.SmallInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_until", UtcDateTime()),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("video_id", name="pk_watchlist"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_watchlist_due",
        "watchlist",
        ["next_track_at", "video_id"],
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )
    op.create_table(
        "videos",
        sa.Column("video_id", sa.String(20), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("title", sa.Text()),
        sa.Column("published_at", UtcDateTime()),
        sa.Column("duration_seconds", sa.Integer()),
        sa.Column("tags", Json, nullable=False),
        sa.Column("extra", Json, nullable=False),
        sa.Column("fetched_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("video_id", name="pk_videos"),
    )
    op.create_index("ix_videos_fetched_at", "videos", ["fetched_at"])
    op.create_table(
        "jobs",
        sa.Column("id", RowId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime()),
        sa.Column("worker", sa.String(128)),
        sa.Column("counts", Json, nullable=False),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_table(
        "quota_usage",
        sa.Column("key_fingerprint", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("quota_limit", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_fingerprint", "bucket", "day", name="pk_quota_usage"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("quota_usage")
    op.drop_table("jobs")
    op.drop_index("ix_videos_fetched_at", table_name="videos")
    op.drop_table("videos")
    op.drop_index("ix_watchlist_due", table_name="watchlist")
    op.drop_table("watchlist")
