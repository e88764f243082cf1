"""Quota in blocks and keys that rest: a ledger row YouTube said is exhausted, and the keys it
rejected, shared by every worker.

Revision ID: 0003
Revises: 0002
Create Date: 2026-06-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ghosttrack.watchlist.schema import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column(
        "quota_usage",
        sa.Column("exhausted", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "rejected_keys",
        sa.Column("key_fingerprint", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("rejected_at", UtcDateTime(), nullable=False),
        sa.Column("retry_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_fingerprint", name="pk_rejected_keys"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("rejected_keys")
    with op.batch_alter_table("quota_usage") as batch:
        batch.drop_column("exhausted")
