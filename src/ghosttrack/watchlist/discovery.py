"""``DiscoveryStore``: what the hunter works from — the watched channels and their schedules,
the saved searches — and the ephemeral ``videos`` metadata it writes and the janitor deletes;
with every statement it runs on them.

Tracking never reads any of it: a video stays on the watchlist after its metadata is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine, Row

from ghosttrack.watchlist.bulk import (
    BULK_CHUNK,
    ID_CHUNK,
    chunks,
    first_of_each,
    id_chunks,
    row_source,
    seconds,
)
from ghosttrack.watchlist.bulk import insert as dialect_insert
from ghosttrack.watchlist.engine import Transactions
from ghosttrack.watchlist.records import (
    AddResult,
    ChannelStatus,
    NewSearch,
    SavedSearch,
    VideoMetadata,
    WatchedChannel,
)
from ghosttrack.watchlist.schema import channels, searches, videos

# --- statements: videos (ephemeral metadata) -------------------------------------------------


def upsert_videos(dialect: Dialect) -> sa.Insert:
    stmt = dialect_insert(dialect, videos)
    fresh = {c.name: stmt.excluded[c.name] for c in videos.c if not c.primary_key}
    return stmt.on_conflict_do_update(index_elements=[videos.c.video_id], set_=fresh)


def count_videos() -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(videos)


def delete_videos_before(cutoff: datetime) -> sa.Delete:
    return sa.delete(videos).where(videos.c.fetched_at < cutoff)


def select_videos(video_ids: Sequence[str]) -> sa.Select[Any]:
    return sa.select(*videos.c).where(videos.c.video_id.in_(video_ids))


# --- statements: channels --------------------------------------------------------------------

C = channels.c
CHANNEL_FIELDS = tuple(c.name for c in channels.c)
#: A channel row's predicate, as a literal like the watchlist's ACTIVE (see there).
CHANNEL_ACTIVE = C.status == sa.literal_column(f"'{ChannelStatus.ACTIVE.value}'")


def insert_channels(dialect: Dialect, rows: Sequence[WatchedChannel]) -> sa.Insert:
    """Insert channels, skipping ids present; RETURNING names the rows written."""
    stmt = dialect_insert(dialect, channels).values([channel_params(r) for r in rows])
    return stmt.on_conflict_do_nothing(index_elements=[C.channel_id]).returning(C.channel_id)


def select_channels(channel_ids: Sequence[str] | None = None) -> sa.Select[Any]:
    query = sa.select(*channels.c).order_by(C.added_at, C.channel_id)
    return query if channel_ids is None else query.where(C.channel_id.in_(channel_ids))


def delete_channels(channel_ids: Sequence[str]) -> sa.Delete:
    return sa.delete(channels).where(C.channel_id.in_(channel_ids))


def select_due_channels(column: sa.Column[Any], now: datetime, limit: int) -> sa.Select[Any]:
    """Active channels whose ``column`` (next poll, next statistics) is at or before ``now``."""
    return (
        sa.select(*channels.c)
        .where(CHANNEL_ACTIVE, column <= now)
        .order_by(column, C.channel_id)
        .limit(limit)
    )


def earliest_channel_work() -> sa.Select[Any]:
    return sa.select(sa.func.min(C.next_poll_at), sa.func.min(C.stats_next_at)).where(
        CHANNEL_ACTIVE
    )


def update_channel_rows(dialect: Dialect, rows: Sequence[WatchedChannel]) -> sa.Update:
    """Write whole channel rows back in one UPDATE … FROM; RETURNING counts them."""
    src = row_source(dialect, channels, CHANNEL_FIELDS, [channel_values(r) for r in rows])
    return (
        sa.update(channels)
        .where(C.channel_id == src.c.channel_id)
        .values(**{name: src.c[name] for name in CHANNEL_FIELDS[1:]})
        .returning(C.channel_id)
    )


# --- statements: saved searches --------------------------------------------------------------

S = searches.c


def insert_search(dialect: Dialect, search: NewSearch) -> sa.Insert:
    """Insert a search unless its query is saved already; RETURNING yields the new row."""
    stmt = dialect_insert(dialect, searches).values(
        query=search.query,
        every_seconds=seconds(search.every),
        next_run_at=search.next_run_at,
        added_at=search.added_at,
    )
    return stmt.on_conflict_do_nothing(index_elements=[S.query]).returning(*searches.c)


def select_searches() -> sa.Select[Any]:
    return sa.select(*searches.c).order_by(S.id)


def select_search_by_query(query: str) -> sa.Select[Any]:
    return sa.select(*searches.c).where(S.query == query)


def select_due_searches(now: datetime) -> sa.Select[Any]:
    return sa.select(*searches.c).where(S.next_run_at <= now).order_by(S.next_run_at, S.id)


def delete_searches(search_ids: Sequence[int]) -> sa.Delete:
    return sa.delete(searches).where(S.id.in_(search_ids))


def update_search_run(search_id: int, ran_at: datetime | None, next_run_at: datetime) -> sa.Update:
    values: dict[str, Any] = {"next_run_at": next_run_at}
    if ran_at is not None:
        values["last_run_at"] = ran_at
    return sa.update(searches).where(S.id == search_id).values(**values)


def earliest_search() -> sa.Select[Any]:
    return sa.select(sa.func.min(S.next_run_at))


# --- rows ↔ records --------------------------------------------------------------------------


def metadata_params(row: VideoMetadata) -> dict[str, Any]:
    return {
        "video_id": row.video_id,
        "channel_id": row.channel_id,
        "title": row.title,
        "published_at": row.published_at,
        "duration_seconds": row.duration_seconds,
        "tags": list(row.tags),
        "extra": dict(row.extra),
        "fetched_at": row.fetched_at,
    }


def to_metadata(row: Row[Any]) -> VideoMetadata:
    m = row._mapping
    return VideoMetadata(
        video_id=m["video_id"],
        channel_id=m["channel_id"],
        title=m["title"],
        published_at=m["published_at"],
        duration_seconds=m["duration_seconds"],
        tags=tuple(m["tags"]),
        fetched_at=m["fetched_at"],
        extra=dict(m["extra"]),
    )


def to_channel(row: Row[Any]) -> WatchedChannel:
    m = row._mapping
    return WatchedChannel(
        channel_id=m["channel_id"],
        handle=m["handle"],
        title=m["title"],
        status=ChannelStatus(m["status"]),
        poll_every=timedelta(seconds=m["poll_seconds"]),
        next_poll_at=m["next_poll_at"],
        last_polled_at=m["last_polled_at"],
        last_upload_at=m["last_upload_at"],
        last_video_id=m["last_video_id"],
        backfilled=bool(m["backfilled"]),
        stats_next_at=m["stats_next_at"],
        added_at=m["added_at"],
    )


def channel_params(c: WatchedChannel) -> dict[str, Any]:
    """A channel's column values, in the order of the table's columns (CHANNEL_FIELDS)."""
    return {
        "channel_id": c.channel_id,
        "handle": c.handle,
        "title": c.title,
        "status": c.status.value,
        "poll_seconds": seconds(c.poll_every),
        "next_poll_at": c.next_poll_at,
        "last_polled_at": c.last_polled_at,
        "last_upload_at": c.last_upload_at,
        "last_video_id": c.last_video_id,
        "backfilled": c.backfilled,
        "stats_next_at": c.stats_next_at,
        "added_at": c.added_at,
    }


def channel_values(c: WatchedChannel) -> tuple[Any, ...]:
    params = channel_params(c)
    return tuple(params[name] for name in CHANNEL_FIELDS)


def to_search(row: Row[Any]) -> SavedSearch:
    m = row._mapping
    return SavedSearch(
        id=m["id"],
        query=m["query"],
        every=timedelta(seconds=m["every_seconds"]),
        next_run_at=m["next_run_at"],
        last_run_at=m["last_run_at"],
        added_at=m["added_at"],
    )


# --- the store -------------------------------------------------------------------------------


class DiscoveryStore:
    """Channels, saved searches and video metadata: the hunter's tables."""

    def __init__(self, engine: Engine) -> None:
        self._tx = Transactions(engine)
        self._dialect = engine.dialect

    # --- videos (ephemeral metadata) ---------------------------------------------------------

    def upsert_metadata(self, rows: Sequence[VideoMetadata]) -> int:
        latest = {r.video_id: r for r in rows}  # one row per id: an upsert may not hit a row twice
        if latest:
            with self._tx.write() as conn:
                conn.execute(
                    upsert_videos(self._dialect), [metadata_params(r) for r in latest.values()]
                )
        return len(rows)

    def count_metadata(self) -> int:
        """Rows of ``videos`` (``status`` shows them)."""
        with self._tx.read() as conn:
            return int(conn.execute(count_videos()).scalar_one())

    def delete_metadata_before(self, cutoff: datetime) -> int:
        """The janitor's statement: drop metadata fetched before ``cutoff``."""
        with self._tx.write() as conn:
            return conn.execute(delete_videos_before(cutoff)).rowcount

    def get_metadata(self, video_ids: Sequence[str]) -> list[VideoMetadata]:
        """The metadata rows still kept of ``video_ids`` (the janitor drops them)."""
        with self._tx.read() as conn:
            return [to_metadata(r) for r in conn.execute(select_videos(list(video_ids)))]

    # --- channels ----------------------------------------------------------------------------

    def add_channels(self, rows: Sequence[WatchedChannel]) -> AddResult:
        """Insert channels; ids already present are left as they are (counted as present)."""
        unique = first_of_each(rows, lambda c: c.channel_id)
        added = 0
        if unique:
            with self._tx.write() as conn:
                for chunk in chunks(unique, ID_CHUNK // len(CHANNEL_FIELDS)):
                    added += len(conn.execute(insert_channels(self._dialect, chunk)).all())
        return AddResult(added=added, already_present=len(rows) - added)

    def get_channels(self, channel_ids: Sequence[str]) -> list[WatchedChannel]:
        found: dict[str, WatchedChannel] = {}
        with self._tx.read() as conn:
            for chunk in id_chunks(channel_ids):
                rows = conn.execute(select_channels(chunk))
                found.update((r.channel_id, to_channel(r)) for r in rows)
        return [found[c] for c in dict.fromkeys(channel_ids) if c in found]

    def list_channels(self) -> list[WatchedChannel]:
        """Every channel, in the order they were added."""
        with self._tx.read() as conn:
            return [to_channel(r) for r in conn.execute(select_channels())]

    def remove_channels(self, channel_ids: Sequence[str]) -> int:
        """Forget channels (their videos stay on the watchlist); returns the count."""
        removed = 0
        with self._tx.write() as conn:
            for chunk in id_chunks(channel_ids):
                removed += conn.execute(delete_channels(chunk)).rowcount
        return removed

    def due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        """Active channels whose next poll is at or before ``now``, the most overdue first."""
        with self._tx.read() as conn:
            rows = conn.execute(select_due_channels(C.next_poll_at, now, limit))
            return [to_channel(r) for r in rows]

    def stats_due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        """Active channels whose statistics are due at or before ``now``."""
        with self._tx.read() as conn:
            rows = conn.execute(select_due_channels(C.stats_next_at, now, limit))
            return [to_channel(r) for r in rows]

    def next_channel_work_at(self) -> datetime | None:
        """The earliest poll or statistics time of an active channel; None when none."""
        with self._tx.read() as conn:
            poll, stats = conn.execute(earliest_channel_work()).one()
        return min((t for t in (poll, stats) if t is not None), default=None)

    def update_channels(self, rows: Sequence[WatchedChannel]) -> int:
        """Write channel rows back (poll outcomes, schedules) in one statement a chunk."""
        unique = first_of_each(reversed(rows), lambda c: c.channel_id)  # the last one wins
        changed = 0
        with self._tx.write() as conn:
            for chunk in chunks(unique, BULK_CHUNK):
                changed += len(conn.execute(update_channel_rows(self._dialect, chunk)).all())
        return changed

    # --- saved searches ----------------------------------------------------------------------

    def add_search(self, search: NewSearch) -> tuple[SavedSearch, bool]:
        """Save a search; when its query is saved already, that one and False."""
        with self._tx.write() as conn:
            row = conn.execute(insert_search(self._dialect, search)).first()
            if row is not None:
                return to_search(row), True
            return to_search(conn.execute(select_search_by_query(search.query)).one()), False

    def list_searches(self) -> list[SavedSearch]:
        with self._tx.read() as conn:
            return [to_search(r) for r in conn.execute(select_searches())]

    def remove_searches(self, search_ids: Sequence[int]) -> int:
        with self._tx.write() as conn:
            return conn.execute(delete_searches(list(dict.fromkeys(search_ids)))).rowcount

    def due_searches(self, *, now: datetime) -> list[SavedSearch]:
        with self._tx.read() as conn:
            return [to_search(r) for r in conn.execute(select_due_searches(now))]

    def record_search_run(
        self, search_id: int, *, ran_at: datetime | None, next_run_at: datetime
    ) -> bool:
        """Note a run at ``ran_at`` (None: a failed run, ``last_run_at`` stays) and the next;
        False when the search was removed meanwhile."""
        with self._tx.write() as conn:
            return conn.execute(update_search_run(search_id, ran_at, next_run_at)).rowcount > 0

    def next_search_at(self) -> datetime | None:
        with self._tx.read() as conn:
            earliest: datetime | None = conn.execute(earliest_search()).scalar_one()
        return earliest
