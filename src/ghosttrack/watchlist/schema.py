"""The SQL tables, defined once: the stores query them and the migrations must match them.

Timestamps are aware UTC datetimes at the edge. PostgreSQL keeps them as ``timestamptz``
(8 bytes, readable in psql, usable by SQL analytics). SQLite has no timestamp type: there they
are integer microseconds since the Unix epoch — a varint of at most 8 bytes instead of a
26-character ISO string, exact (no float rounding), ordered like the times, and the same
precision as PostgreSQL, so both backends round-trip identical values.

The watchlist is narrow on purpose (the seed's budget: < 0.5 GB for a million videos): short
strings, no metadata, and on SQLite a ``WITHOUT ROWID`` table clustered on the video id, so the
primary key is not stored twice. Revision 0002 (issue 4) adds ``channels`` and ``searches``,
narrow too: what the hunter's schedules need, no metadata. Revision 0003 (issue 10) marks a
ledger row that YouTube said is exhausted and adds ``rejected_keys``, the keys every worker lets
rest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from ghosttrack.clock import ensure_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime: ``timestamptz`` on PostgreSQL, epoch microseconds on SQLite."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        moment = ensure_utc(value)
        if dialect.name == "sqlite":
            return (moment - EPOCH) // MICROSECOND
        return moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return EPOCH + int(value) * MICROSECOND
        return ensure_utc(value)


#: JSON documents: ``jsonb`` on PostgreSQL (compact, indexable), JSON text on SQLite.
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

#: Big integer ids that are SQLite's rowid alias (``INTEGER PRIMARY KEY``) there.
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

watchlist = sa.Table(
    "watchlist",
    metadata,
    sa.Column("video_id", sa.String(20), primary_key=True),
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
    sqlite_with_rowid=False,
)

#: The predicate of the due index, written as a literal: a partial index serves a query only
#: when the query states the same predicate with the same constant (not a bound parameter).
ACTIVE = watchlist.c.status == sa.literal_column("'active'")

sa.Index(
    "ix_watchlist_due",
    watchlist.c.next_track_at,
    watchlist.c.video_id,
    postgresql_where=ACTIVE,
    sqlite_where=ACTIVE,
)

videos = sa.Table(
    "videos",
    metadata,
    sa.Column("video_id", sa.String(20), primary_key=True),
    sa.Column("channel_id", sa.String(32)),
    sa.Column("title", sa.Text()),
    sa.Column("published_at", UtcDateTime()),
    sa.Column("duration_seconds", sa.Integer()),
    sa.Column("tags", Json, nullable=False),
    sa.Column("extra", Json, nullable=False),
    sa.Column("fetched_at", UtcDateTime(), nullable=False, index=True),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime()),
    sa.Column("worker", sa.String(128)),
    sa.Column("counts", Json, nullable=False),
    sa.Column("error", sa.Text()),
)

#: ``quota_limit``, not ``limit``: a reserved word as a column name trips every hand-written query.
quota_usage = sa.Table(
    "quota_usage",
    metadata,
    sa.Column("key_fingerprint", sa.String(64), primary_key=True),
    sa.Column("bucket", sa.String(32), primary_key=True),
    sa.Column("day", sa.Date(), primary_key=True),
    sa.Column("used", sa.Integer(), nullable=False),
    sa.Column("quota_limit", sa.Integer(), nullable=False),
    # YouTube said quotaExceeded: nothing more is granted, nor given back, until the reset.
    sa.Column("exhausted", sa.Boolean(), nullable=False, server_default=sa.false()),
    sqlite_with_rowid=False,
)

#: Keys YouTube rejected (invalid, expired, API not enabled): every worker lets them rest until
#: ``retry_at``, when one call tries again (the key may have been fixed meanwhile). A key's row
#: is deleted when a call on it succeeds.
rejected_keys = sa.Table(
    "rejected_keys",
    metadata,
    sa.Column("key_fingerprint", sa.String(64), primary_key=True),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("rejected_at", UtcDateTime(), nullable=False),
    sa.Column("retry_at", UtcDateTime(), nullable=False),
    sqlite_with_rowid=False,
)

#: The channels the hunter polls. Intervals are whole seconds (``Interval`` has no portable
#: storage on SQLite); the due index serves the poll query as ``ix_watchlist_due`` serves claims.
channels = sa.Table(
    "channels",
    metadata,
    sa.Column("channel_id", sa.String(32), primary_key=True),
    sa.Column("handle", sa.String(64)),
    sa.Column("title", sa.String(200)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("poll_seconds", sa.Integer(), nullable=False),
    sa.Column("next_poll_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("last_polled_at", UtcDateTime()),
    sa.Column("last_upload_at", UtcDateTime()),
    sa.Column("last_video_id", sa.String(20)),
    sa.Column("backfilled", sa.Boolean(), nullable=False),
    sa.Column("stats_next_at", UtcDateTime(), nullable=False),
    sa.Column("added_at", UtcDateTime(), nullable=False),
    sqlite_with_rowid=False,
)

#: Saved searches, run every ``every_seconds`` within the search bucket.
searches = sa.Table(
    "searches",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("query", sa.String(500), nullable=False, unique=True),
    sa.Column("every_seconds", sa.Integer(), nullable=False),
    sa.Column("next_run_at", UtcDateTime(), nullable=False),
    sa.Column("last_run_at", UtcDateTime()),
    sa.Column("added_at", UtcDateTime(), nullable=False),
)
