"""``WatchlistStore``: the watchlist rows — add, claim, reschedule, release, count — and every
statement it runs on them.

The store holds no domain logic: callers compute tiers and schedules (``ghosttrack.tiers``,
``ghosttrack.schedule``) and hand it finished rows; rows come back as ``WatchEntry`` records.

Concurrency: claims lease rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the write
transaction is ``BEGIN IMMEDIATE``, which serialises writers), and visits are written back in
one statement per chunk, guarded by the lease owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine, Row

from ghosttrack.watchlist.bulk import BULK_CHUNK, chunks, first_of_each, id_chunks, row_source
from ghosttrack.watchlist.bulk import insert as dialect_insert
from ghosttrack.watchlist.engine import Transactions
from ghosttrack.watchlist.records import (
    AddResult,
    VideoStatus,
    Visit,
    WatchEntry,
    WatchlistCounts,
)
from ghosttrack.watchlist.schema import ACTIVE, watchlist

BACKLOG_AFTER = timedelta(hours=1)
#: Rows added (by this store) after which PostgreSQL's planner statistics are first refreshed;
#: then again each time as many rows were added as when they last were (10k, 20k, 40k, …).
ANALYZE_AFTER = 10_000

W = watchlist.c
WATCH_COLUMNS = (
    W.video_id,
    W.channel_id,
    W.published_at,
    W.tier,
    W.status,
    W.next_track_at,
    W.last_tracked_at,
    W.last_views,
    W.misses,
    W.added_at,
)
#: A WatchEntry's columns, in the order of ``entry_values``; a new row has no lease.
ENTRY_FIELDS = tuple(c.name for c in WATCH_COLUMNS)
VISIT_FIELDS = (
    "video_id",
    "tier",
    "status",
    "next_track_at",
    "last_tracked_at",
    "last_views",
    "misses",
    "published_at",
    "channel_id",
)


# --- statements ------------------------------------------------------------------------------


def insert_entries(
    dialect: Dialect, entries: Sequence[WatchEntry], *, revive_removed: bool
) -> sa.Insert:
    """Insert rows, skipping ids present; with ``revive_removed`` a tombstone is overwritten.
    RETURNING names the rows written, so the caller can count them. The ids must be unique."""
    src = row_source(dialect, watchlist, ENTRY_FIELDS, [entry_values(e) for e in entries])
    # WHERE true: SQLite cannot otherwise tell the upsert's ON from a join's ON.
    rows = sa.select(*(src.c[name] for name in ENTRY_FIELDS)).where(sa.true())
    stmt = dialect_insert(dialect, watchlist).from_select(list(ENTRY_FIELDS), rows)
    if revive_removed:
        replaced: dict[str, Any] = {name: stmt.excluded[name] for name in ENTRY_FIELDS[1:]}
        replaced.update(lease_owner=None, lease_until=None)
        done = stmt.on_conflict_do_update(
            index_elements=[W.video_id],
            set_=replaced,
            where=W.status == sa.literal_column(f"'{VideoStatus.REMOVED.value}'"),
        )
    else:
        done = stmt.on_conflict_do_nothing(index_elements=[W.video_id])
    return done.returning(W.video_id)


def analyze_watchlist() -> sa.TextClause:
    """Refresh PostgreSQL's statistics. Until autovacuum gets to a freshly imported table the
    planner has no histogram of ``next_track_at``, guesses that a handful of rows are due, and
    sorts every due row for each claim (400 ms with 1M due) instead of reading the due index in
    order (15 ms)."""
    return sa.text("ANALYZE watchlist")


def select_entries(video_ids: Sequence[str]) -> sa.Select[Any]:
    return sa.select(*WATCH_COLUMNS).where(W.video_id.in_(video_ids))


def select_page(after: str | None, limit: int, channel_id: str | None) -> sa.Select[Any]:
    """A page of rows by video_id, after ``after``; of one channel when given."""
    stmt = sa.select(*WATCH_COLUMNS).order_by(W.video_id).limit(limit)
    if after is not None:
        stmt = stmt.where(W.video_id > after)
    if channel_id is not None:
        stmt = stmt.where(W.channel_id == channel_id)
    return stmt


def update_status(
    video_ids: Sequence[str], status: VideoStatus, next_track_at: datetime
) -> sa.Update:
    """Pause, tombstone or revive; any lease is dropped, so a tracker holding one cannot undo
    the change, and a revived row starts again with no misses."""
    values: dict[str, Any] = {
        "status": status.value,
        "next_track_at": next_track_at,
        "lease_owner": None,
        "lease_until": None,
    }
    if status is VideoStatus.ACTIVE:
        values["misses"] = 0
    return sa.update(watchlist).where(W.video_id.in_(video_ids)).values(**values)


def claim(
    dialect: Dialect,
    *,
    now: datetime,
    due_before: datetime,
    limit: int,
    worker: str,
    lease_until: datetime,
) -> sa.Update:
    """Lease the oldest active rows due by ``due_before`` whose lease is free at ``now``.

    The due rows are picked in a MATERIALIZED CTE, evaluated exactly once: as a plain ``IN``
    subquery PostgreSQL may rescan it once per row updated, and each rescan skips the rows just
    leased and locks new ones, so the LIMIT would not hold. SKIP LOCKED lets concurrent
    claimers pass each other's rows, and locking re-checks the WHERE on the newest row version,
    so a row leased meanwhile is never taken twice. On PostgreSQL the leased ids come back as
    one array (``= ANY(ARRAY(…))``), which always plans as a primary-key lookup; a join with
    the CTE may turn into a scan of the whole table. SQLite serialises writers (BEGIN
    IMMEDIATE) and takes the ids with ``IN``.
    """
    free = sa.or_(W.lease_until.is_(None), W.lease_until <= now)
    due = (
        sa.select(W.video_id)
        .where(ACTIVE, W.next_track_at <= due_before, free)
        .order_by(W.next_track_at, W.video_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    due_ids = sa.select(due.c.video_id)
    if dialect.name == "postgresql":
        picked = W.video_id == sa.any_(sa.func.array(due_ids.scalar_subquery()))
    else:
        picked = W.video_id.in_(due_ids)
    return (
        sa.update(watchlist)
        .where(picked)
        .values(lease_owner=worker, lease_until=lease_until)
        .returning(*WATCH_COLUMNS)
    )


def reschedule_visits(dialect: Dialect, visits: Sequence[Visit], worker: str) -> sa.Update:
    """Write a chunk of visits in one UPDATE … FROM, only where ``worker`` still holds the
    lease, releasing it. RETURNING counts the rows. The ids must be unique.

    The lease check is a join condition (``src.lease_owner`` is ``worker`` on every row), not a
    filter on a constant: PostgreSQL's statistics, gathered while no row was leased, put
    ``lease_owner = 'w'`` at one row and then join by scanning the whole source once per row
    (160 ms for 1,000 visits instead of 12 ms); as a join it looks rows up by primary key.
    """
    names = (*VISIT_FIELDS, "lease_owner")
    src = row_source(dialect, watchlist, names, [(*visit_values(v), worker) for v in visits])
    return (
        sa.update(watchlist)
        .where(W.video_id == src.c.video_id, W.lease_owner == src.c.lease_owner)
        .values(
            **{name: src.c[name] for name in VISIT_FIELDS[1:]}, lease_owner=None, lease_until=None
        )
        .returning(W.video_id)
    )


def release_leases(video_ids: Sequence[str], worker: str) -> sa.Update:
    return (
        sa.update(watchlist)
        .where(W.video_id.in_(video_ids), W.lease_owner == worker)
        .values(lease_owner=None, lease_until=None)
    )


def count_by_status_and_tier() -> sa.Select[Any]:
    return sa.select(W.status, W.tier, sa.func.count()).group_by(W.status, W.tier)


def count_due_before(due_before: datetime) -> sa.Select[Any]:
    return sa.select(sa.func.count()).where(ACTIVE, W.next_track_at <= due_before)


def count_due_and_overdue(now: datetime) -> sa.Select[Any]:
    """Due now and overdue by more than an hour, read off the due index."""
    overdue = sa.case((W.next_track_at < now - BACKLOG_AFTER, 1), else_=0)
    return sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(overdue), 0)).where(
        ACTIVE, W.next_track_at <= now
    )


def earliest_due() -> sa.Select[Any]:
    return sa.select(sa.func.min(W.next_track_at)).where(ACTIVE)


def count_tracked_since(since: datetime) -> sa.Select[Any]:
    return sa.select(sa.func.count()).where(W.last_tracked_at >= since)


# --- rows ↔ records --------------------------------------------------------------------------


def to_entry(row: Row[Any]) -> WatchEntry:
    m = row._mapping
    return WatchEntry(
        video_id=m["video_id"],
        channel_id=m["channel_id"],
        published_at=m["published_at"],
        tier=m["tier"],
        status=VideoStatus(m["status"]),
        next_track_at=m["next_track_at"],
        last_tracked_at=m["last_tracked_at"],
        last_views=m["last_views"],
        misses=m["misses"],
        added_at=m["added_at"],
    )


def entry_values(e: WatchEntry) -> tuple[Any, ...]:
    """The values of ENTRY_FIELDS (a plain tuple: a million-row import builds a million)."""
    return (
        e.video_id,
        e.channel_id,
        e.published_at,
        e.tier,
        e.status.value,
        e.next_track_at,
        e.last_tracked_at,
        e.last_views,
        e.misses,
        e.added_at,
    )


def visit_values(v: Visit) -> tuple[Any, ...]:
    """The values of VISIT_FIELDS."""
    return (
        v.video_id,
        v.tier,
        v.status.value,
        v.next_track_at,
        v.last_tracked_at,
        v.last_views,
        v.misses,
        v.published_at,
        v.channel_id,
    )


# --- the store -------------------------------------------------------------------------------


class WatchlistStore:
    """The tracked videos: one narrow row each, its tier, its next visit, a claim lease."""

    def __init__(self, engine: Engine) -> None:
        self._tx = Transactions(engine)
        self._dialect = engine.dialect
        self._added_since_analyze = 0
        self._added_at_last_analyze = 0

    def add(self, entries: Sequence[WatchEntry], *, revive_removed: bool) -> AddResult:
        """Insert new rows; ids already present are left as they are (counted as present).

        A row with status REMOVED is a tombstone: discovery (``revive_removed=False``) leaves it
        removed; a user's explicit ``add`` (``revive_removed=True``) replaces it with the entry.
        """
        unique = first_of_each(entries, lambda e: e.video_id)
        added = 0
        with self._tx.write() as conn:
            for chunk in chunks(unique, BULK_CHUNK):
                stmt = insert_entries(self._dialect, chunk, revive_removed=revive_removed)
                added += len(conn.execute(stmt).all())
        self._note_added(added)
        return AddResult(added=added, already_present=len(entries) - added)

    def _note_added(self, added: int) -> None:
        """ANALYZE after big imports (PostgreSQL), doubling the interval: a 1M import analyses
        7 times, and an import in small chunks as well as one in a single call."""
        if self._dialect.name != "postgresql":
            return
        self._added_since_analyze += added
        if self._added_since_analyze >= max(ANALYZE_AFTER, self._added_at_last_analyze):
            with self._tx.write() as conn:
                conn.execute(analyze_watchlist())
            self._added_at_last_analyze += self._added_since_analyze
            self._added_since_analyze = 0

    def get(self, video_ids: Sequence[str]) -> list[WatchEntry]:
        """The rows of these ids, in the order asked (absent ids left out)."""
        found: dict[str, WatchEntry] = {}
        with self._tx.read() as conn:
            for chunk in id_chunks(video_ids):
                found.update((r.video_id, to_entry(r)) for r in conn.execute(select_entries(chunk)))
        return [found[v] for v in video_ids if v in found]

    def scan(
        self, *, after: str | None, limit: int, channel_id: str | None = None
    ) -> list[WatchEntry]:
        """Up to ``limit`` rows with ``video_id > after`` (from the first when None), by
        video_id: the whole watchlist a page at a time (analytics). ``channel_id``: one
        channel's rows."""
        with self._tx.read() as conn:
            return [to_entry(r) for r in conn.execute(select_page(after, limit, channel_id))]

    def set_status(
        self, video_ids: Sequence[str], status: VideoStatus, *, next_track_at: datetime
    ) -> int:
        """Pause, remove (tombstone) or revive (ACTIVE, misses reset) rows; returns the count."""
        changed = 0
        with self._tx.write() as conn:
            for chunk in id_chunks(video_ids):
                changed += conn.execute(update_status(chunk, status, next_track_at)).rowcount
        return changed

    def claim_due(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_until: datetime,
        due_before: datetime | None = None,
    ) -> list[WatchEntry]:
        """Lease up to ``limit`` active rows due by ``due_before`` (default ``now``; oldest due
        first) to ``worker``. Rows leased until after ``now`` are skipped; an expired lease is
        free. A ``due_before`` after ``now`` lets a pass fill its calls with videos due soon.
        """
        if limit <= 0:
            return []
        stmt = claim(
            self._dialect,
            now=now,
            due_before=now if due_before is None else due_before,
            limit=limit,
            worker=worker,
            lease_until=lease_until,
        )
        with self._tx.write() as conn:
            claimed = [to_entry(r) for r in conn.execute(stmt)]
        return sorted(claimed, key=lambda e: (e.next_track_at, e.video_id))

    def reschedule(self, visits: Sequence[Visit], *, worker: str) -> int:
        """Write visit outcomes in one statement a chunk and release their leases. Only rows
        still leased by ``worker`` change (a worker whose lease expired cannot overwrite
        another's)."""
        unique = first_of_each(visits, lambda v: v.video_id)
        changed = 0
        with self._tx.write() as conn:
            for chunk in chunks(unique, BULK_CHUNK):
                changed += len(conn.execute(reschedule_visits(self._dialect, chunk, worker)).all())
        return changed

    def release(self, video_ids: Sequence[str], *, worker: str) -> int:
        """Give leased rows back untouched (they stay due)."""
        released = 0
        with self._tx.write() as conn:
            for chunk in id_chunks(video_ids):
                released += conn.execute(release_leases(chunk, worker)).rowcount
        return released

    def counts(self, *, now: datetime) -> WatchlistCounts:
        by_tier: dict[str, int] = {}
        by_status: dict[str, int] = {}
        with self._tx.read() as conn:
            for status, tier, count in conn.execute(count_by_status_and_tier()):
                by_status[status] = by_status.get(status, 0) + count
                if status != VideoStatus.REMOVED.value:
                    by_tier[tier] = by_tier.get(tier, 0) + count
            due_now, backlog = conn.execute(count_due_and_overdue(now)).one()
        return WatchlistCounts(
            total=sum(by_tier.values()),
            by_tier=by_tier,
            by_status=by_status,
            due_now=int(due_now),
            backlog=int(backlog),
        )

    def count_due(self, *, due_before: datetime) -> int:
        """Active rows due by ``due_before``, leased or not (the daemon's "is a pass worth it")."""
        with self._tx.read() as conn:
            return int(conn.execute(count_due_before(due_before)).scalar_one())

    def next_due_at(self) -> datetime | None:
        """The earliest next_track_at of an active row (leased or not); None when none."""
        with self._tx.read() as conn:
            earliest: datetime | None = conn.execute(earliest_due()).scalar_one()
        return earliest

    def count_tracked_since(self, since: datetime) -> int:
        """Rows visited at or after ``since`` (videos tracked today)."""
        with self._tx.read() as conn:
            return int(conn.execute(count_tracked_since(since)).scalar_one())
