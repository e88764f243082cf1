"""``SqlStore``: the ``WatchlistStore`` on SQLite or PostgreSQL, and every statement it runs.

The module has two halves. *Statements*: one small named function per SQL statement, built with
SQLAlchemy Core on the tables of ``schema.py`` (read them to know all the SQL ghosttrack runs).
*The store*: each method opens one transaction, runs statements, and turns rows into the frozen
records of ``records.py`` at the edge; nothing above this module sees a row or a connection.

Bulk writes (add, reschedule) read their rows from ``row_source``: one bind parameter per
column (PostgreSQL arrays, unnested) or one JSON document (SQLite ``json_each``). The SQL text
is then the same for every batch — compiled once, cached — and has no bind-parameter limit;
one statement writes a whole chunk of thousands of rows, never one statement per video.

Concurrency: claims lease rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the write
transaction is ``BEGIN IMMEDIATE``, which serialises writers), visits are written back in one
statement per chunk guarded by the lease owner, and quota is reserved with one atomic upsert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Dialect, Engine, Row
from sqlalchemy.exc import DBAPIError

from ghosttrack.errors import StoreError
from ghosttrack.watchlist.engine import WRITE_OPTIONS, create_engine, failed, unreachable
from ghosttrack.watchlist.migrate import require_head
from ghosttrack.watchlist.records import (
    ABANDONED,
    AddResult,
    ChannelStatus,
    Job,
    JobKind,
    JobStatus,
    NewSearch,
    QuotaUsage,
    SavedSearch,
    VideoMetadata,
    VideoStatus,
    Visit,
    WatchedChannel,
    WatchEntry,
    WatchlistCounts,
)
from ghosttrack.watchlist.schema import (
    ACTIVE,
    channels,
    jobs,
    quota_usage,
    searches,
    videos,
    watchlist,
)

#: Rows per bulk statement (add, reschedule). A row source has no bind-parameter limit; the
#: chunk only bounds the size of one statement.
BULK_CHUNK = 5000
#: Ids per ``IN (…)`` list (SQLite allows 32,766 bind parameters, PostgreSQL 65,535).
ID_CHUNK = 5000
BACKLOG_AFTER = timedelta(hours=1)
#: Rows added (by this store) after which PostgreSQL's planner statistics are first refreshed;
#: then again each time as many rows were added as when they last were (10k, 20k, 40k, …).
ANALYZE_AFTER = 10_000

T = TypeVar("T")
Insert = postgresql.Insert | sqlite.Insert

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


# --- statements: watchlist -------------------------------------------------------------------


def row_source(
    dialect: Dialect, table: sa.Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> sa.FromClause:
    """``rows`` (tuples of values for ``names``, columns of ``table``) as a table named ``src``.

    PostgreSQL: ``unnest(:src_a, :src_b, …) AS src(a, b, …)``, one typed array a column.
    SQLite: ``json_each(:src)``, a JSON array of rows, its values first bound as the columns'
    types bind them (timestamps become epoch microseconds).
    """
    if dialect.name == "postgresql":
        arrays = [
            sa.bindparam(
                f"src_{name}", [row[i] for row in rows], postgresql.ARRAY(table.c[name].type)
            )
            for i, name in enumerate(names)
        ]
        return sa.func.unnest(*arrays).table_valued(*names).render_derived(name="src")
    binds = [table.c[name].type.bind_processor(dialect) for name in names]
    document = json.dumps(
        [
            [v if bind is None else bind(v) for bind, v in zip(binds, row, strict=True)]
            for row in rows
        ]
    )
    each = sa.func.json_each(sa.bindparam("src", document, sa.String())).table_valued("value")
    fields = [
        sa.func.json_extract(each.c.value, sa.literal_column(f"'$[{i}]'")).label(name)
        for i, name in enumerate(names)
    ]
    return sa.select(*fields).subquery("src")


def insert_entries(
    dialect: Dialect, entries: Sequence[WatchEntry], *, revive_removed: bool
) -> sa.Insert:
    """Insert rows, skipping ids present; with ``revive_removed`` a tombstone is overwritten.
    RETURNING names the rows written, so the caller can count them. The ids must be unique."""
    src = row_source(dialect, watchlist, ENTRY_FIELDS, [entry_values(e) for e in entries])
    # WHERE true: SQLite cannot otherwise tell the upsert's ON from a join's ON.
    rows = sa.select(*(src.c[name] for name in ENTRY_FIELDS)).where(sa.true())
    stmt = _insert(dialect, watchlist).from_select(list(ENTRY_FIELDS), rows)
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


# --- statements: videos (ephemeral metadata) -------------------------------------------------


def upsert_videos(dialect: Dialect) -> sa.Insert:
    stmt = _insert(dialect, videos)
    fresh = {c.name: stmt.excluded[c.name] for c in videos.c if not c.primary_key}
    return stmt.on_conflict_do_update(index_elements=[videos.c.video_id], set_=fresh)


def count_videos() -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(videos)


def delete_videos_before(cutoff: datetime) -> sa.Delete:
    return sa.delete(videos).where(videos.c.fetched_at < cutoff)


# --- statements: jobs ------------------------------------------------------------------------


def insert_job(kind: JobKind, now: datetime, worker: str | None) -> sa.Insert:
    return (
        sa.insert(jobs)
        .values(kind=kind.value, status=JobStatus.RUNNING.value, started_at=now, worker=worker)
        .values(counts={})
        .returning(*jobs.c)
    )


def update_job(
    job_id: int, status: JobStatus, now: datetime, counts: Mapping[str, int], error: str | None
) -> sa.Update:
    return (
        sa.update(jobs)
        .where(jobs.c.id == job_id)
        .values(status=status.value, finished_at=now, counts=dict(counts), error=error)
        .returning(*jobs.c)
    )


def select_recent_jobs(limit: int) -> sa.Select[Any]:
    return sa.select(*jobs.c).order_by(jobs.c.id.desc()).limit(limit)


def delete_finished_jobs(cutoff: datetime) -> sa.Delete:
    return sa.delete(jobs).where(jobs.c.finished_at < cutoff)


def abandon_running_jobs(cutoff: datetime, now: datetime) -> sa.Update:
    return (
        sa.update(jobs)
        .where(jobs.c.status == JobStatus.RUNNING.value, jobs.c.started_at < cutoff)
        .values(status=JobStatus.INTERRUPTED.value, finished_at=now, error=ABANDONED)
    )


# --- statements: quota ledger ----------------------------------------------------------------

Q = quota_usage.c


def spend_quota(dialect: Dialect, slot: dict[str, Any], units: int, limit: int) -> sa.Insert:
    """Add ``units`` to a day's use unless that passes ``limit``; one atomic upsert (row lock on
    PostgreSQL, the write lock on SQLite). RETURNING yields a row only when the units were
    reserved. The caller never asks for more than ``limit`` on an absent row."""
    stmt = _insert(dialect, quota_usage).values(**slot, used=units, quota_limit=limit)
    return stmt.on_conflict_do_update(
        index_elements=[Q.key_fingerprint, Q.bucket, Q.day],
        set_={"used": Q.used + stmt.excluded.used, "quota_limit": stmt.excluded.quota_limit},
        where=Q.used + stmt.excluded.used <= stmt.excluded.quota_limit,
    ).returning(Q.used)


def exhaust_quota(dialect: Dialect, slot: dict[str, Any], limit: int) -> sa.Insert:
    """Mark the day's bucket used up: ``used`` rises to ``limit`` (never falls)."""
    stmt = _insert(dialect, quota_usage).values(**slot, used=limit, quota_limit=limit)
    highest = sa.case((Q.used > stmt.excluded.used, Q.used), else_=stmt.excluded.used)
    return stmt.on_conflict_do_update(
        index_elements=[Q.key_fingerprint, Q.bucket, Q.day],
        set_={"used": highest, "quota_limit": stmt.excluded.quota_limit},
    )


def select_used(slot: dict[str, Any]) -> sa.Select[Any]:
    return sa.select(Q.used).where(*(Q[k] == v for k, v in slot.items()))


def select_usage(day: date) -> sa.Select[Any]:
    return (
        sa.select(Q.key_fingerprint, Q.bucket, Q.day, Q.used, Q.quota_limit)
        .where(Q.day == day)
        .order_by(Q.key_fingerprint, Q.bucket)
    )


# --- statements: channels and searches (the hunter) -----------------------------------------

C = channels.c
CHANNEL_FIELDS = tuple(c.name for c in channels.c)
#: A channel row's predicate, as a literal like ACTIVE (see there).
CHANNEL_ACTIVE = C.status == sa.literal_column(f"'{ChannelStatus.ACTIVE.value}'")


def insert_channels(dialect: Dialect, rows: Sequence[WatchedChannel]) -> sa.Insert:
    """Insert channels, skipping ids present; RETURNING names the rows written."""
    stmt = _insert(dialect, channels).values([channel_params(r) for r in rows])
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
    src = row_source(dialect, channels, CHANNEL_FIELDS, [_channel_values(r) for r in rows])
    return (
        sa.update(channels)
        .where(C.channel_id == src.c.channel_id)
        .values(**{name: src.c[name] for name in CHANNEL_FIELDS[1:]})
        .returning(C.channel_id)
    )


S = searches.c


def insert_search(dialect: Dialect, search: NewSearch) -> sa.Insert:
    """Insert a search unless its query is saved already; RETURNING yields the new row."""
    stmt = _insert(dialect, searches).values(
        query=search.query,
        every_seconds=_seconds(search.every),
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


# --- rows → records --------------------------------------------------------------------------


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


def to_job(row: Row[Any]) -> Job:
    m = row._mapping
    return Job(
        id=m["id"],
        kind=JobKind(m["kind"]),
        status=JobStatus(m["status"]),
        started_at=m["started_at"],
        finished_at=m["finished_at"],
        worker=m["worker"],
        counts=dict(m["counts"]),
        error=m["error"],
    )


def to_usage(row: Row[Any]) -> QuotaUsage:
    m = row._mapping
    return QuotaUsage(
        m["key_fingerprint"], m["bucket"], m["day"].isoformat(), m["used"], m["quota_limit"]
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
        "poll_seconds": _seconds(c.poll_every),
        "next_poll_at": c.next_poll_at,
        "last_polled_at": c.last_polled_at,
        "last_upload_at": c.last_upload_at,
        "last_video_id": c.last_video_id,
        "backfilled": c.backfilled,
        "stats_next_at": c.stats_next_at,
        "added_at": c.added_at,
    }


def _channel_values(c: WatchedChannel) -> tuple[Any, ...]:
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


def _seconds(interval: timedelta) -> int:
    return round(interval.total_seconds())


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


def _insert(dialect: Dialect, table: sa.Table) -> Insert:
    if dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _first_of_each(items: Iterable[T], key: Any) -> list[T]:
    seen: dict[Any, T] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


# --- the store -------------------------------------------------------------------------------


class SqlStore:
    """The watchlist, metadata, jobs and quota ledger in SQL. Owns (and disposes) its engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect
        self._added_since_analyze = 0
        self._added_at_last_analyze = 0

    @classmethod
    def from_url(cls, database_url: str | URL, *, check_schema: bool = True) -> SqlStore:
        """Open the database (StoreError when unreachable); with ``check_schema``, insist that
        it is migrated to this version's head (``ghosttrack db upgrade``)."""
        engine = create_engine(database_url)
        if check_schema:
            try:
                require_head(engine)
            except StoreError:
                engine.dispose()
                raise
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._transaction({}) as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._transaction(WRITE_OPTIONS) as conn:
            yield conn

    @contextmanager
    def _transaction(self, options: Mapping[str, Any]) -> Iterator[Connection]:
        """One transaction; a database that cannot be reached, or refuses a statement, raises
        StoreError (never a driver error with a URL in it)."""
        url = self._engine.url
        try:
            conn = self._engine.connect()
        except DBAPIError as exc:
            raise unreachable(url, exc) from exc
        with conn:
            conn.execution_options(**options)
            try:
                with conn.begin():
                    yield conn
            except DBAPIError as exc:
                raise (unreachable if exc.connection_invalidated else failed)(url, exc) from exc

    # --- watchlist -------------------------------------------------------------------------

    def add(self, entries: Sequence[WatchEntry], *, revive_removed: bool) -> AddResult:
        unique = _first_of_each(entries, lambda e: e.video_id)
        added = 0
        with self._write() as conn:
            for chunk in _chunks(unique, BULK_CHUNK):
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
            with self._write() as conn:
                conn.execute(analyze_watchlist())
            self._added_at_last_analyze += self._added_since_analyze
            self._added_since_analyze = 0

    def get(self, video_ids: Sequence[str]) -> list[WatchEntry]:
        found: dict[str, WatchEntry] = {}
        with self._read() as conn:
            for chunk in _chunks(list(dict.fromkeys(video_ids)), ID_CHUNK):
                found.update((r.video_id, to_entry(r)) for r in conn.execute(select_entries(chunk)))
        return [found[v] for v in video_ids if v in found]

    def set_status(
        self, video_ids: Sequence[str], status: VideoStatus, *, next_track_at: datetime
    ) -> int:
        changed = 0
        with self._write() as conn:
            for chunk in _chunks(list(dict.fromkeys(video_ids)), ID_CHUNK):
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
        with self._write() as conn:
            claimed = [to_entry(r) for r in conn.execute(stmt)]
        return sorted(claimed, key=lambda e: (e.next_track_at, e.video_id))

    def reschedule(self, visits: Sequence[Visit], *, worker: str) -> int:
        unique = _first_of_each(visits, lambda v: v.video_id)
        changed = 0
        with self._write() as conn:
            for chunk in _chunks(unique, BULK_CHUNK):
                changed += len(conn.execute(reschedule_visits(self._dialect, chunk, worker)).all())
        return changed

    def release(self, video_ids: Sequence[str], *, worker: str) -> int:
        released = 0
        with self._write() as conn:
            for chunk in _chunks(list(dict.fromkeys(video_ids)), ID_CHUNK):
                released += conn.execute(release_leases(chunk, worker)).rowcount
        return released

    def counts(self, *, now: datetime) -> WatchlistCounts:
        by_tier: dict[str, int] = {}
        by_status: dict[str, int] = {}
        with self._read() as conn:
            for status, tier, count in conn.execute(count_by_status_and_tier()):
                by_status[status] = by_status.get(status, 0) + count
                if status != VideoStatus.REMOVED.value:
                    by_tier[tier] = by_tier.get(tier, 0) + count
            due_now, backlog = conn.execute(count_due_and_overdue(now)).one()
            metadata_rows = conn.execute(count_videos()).scalar_one()
        return WatchlistCounts(
            total=sum(by_tier.values()),
            by_tier=by_tier,
            by_status=by_status,
            due_now=int(due_now),
            backlog=int(backlog),
            metadata_rows=int(metadata_rows),
        )

    def count_due(self, *, due_before: datetime) -> int:
        with self._read() as conn:
            return int(conn.execute(count_due_before(due_before)).scalar_one())

    def next_due_at(self) -> datetime | None:
        with self._read() as conn:
            earliest: datetime | None = conn.execute(earliest_due()).scalar_one()
        return earliest

    # --- videos ----------------------------------------------------------------------------

    def upsert_metadata(self, rows: Sequence[VideoMetadata]) -> int:
        latest = {r.video_id: r for r in rows}  # one row per id: an upsert may not hit a row twice
        if latest:
            with self._write() as conn:
                conn.execute(
                    upsert_videos(self._dialect), [metadata_params(r) for r in latest.values()]
                )
        return len(rows)

    def delete_metadata_before(self, cutoff: datetime) -> int:
        with self._write() as conn:
            return conn.execute(delete_videos_before(cutoff)).rowcount

    # --- channels (the hunter) -------------------------------------------------------------

    def add_channels(self, rows: Sequence[WatchedChannel]) -> AddResult:
        unique = _first_of_each(rows, lambda c: c.channel_id)
        added = 0
        if unique:
            with self._write() as conn:
                for chunk in _chunks(unique, ID_CHUNK // len(CHANNEL_FIELDS)):
                    added += len(conn.execute(insert_channels(self._dialect, chunk)).all())
        return AddResult(added=added, already_present=len(rows) - added)

    def get_channels(self, channel_ids: Sequence[str]) -> list[WatchedChannel]:
        found: dict[str, WatchedChannel] = {}
        with self._read() as conn:
            for chunk in _chunks(list(dict.fromkeys(channel_ids)), ID_CHUNK):
                rows = conn.execute(select_channels(chunk))
                found.update((r.channel_id, to_channel(r)) for r in rows)
        return [found[c] for c in dict.fromkeys(channel_ids) if c in found]

    def list_channels(self) -> list[WatchedChannel]:
        with self._read() as conn:
            return [to_channel(r) for r in conn.execute(select_channels())]

    def remove_channels(self, channel_ids: Sequence[str]) -> int:
        removed = 0
        with self._write() as conn:
            for chunk in _chunks(list(dict.fromkeys(channel_ids)), ID_CHUNK):
                removed += conn.execute(delete_channels(chunk)).rowcount
        return removed

    def due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        with self._read() as conn:
            rows = conn.execute(select_due_channels(C.next_poll_at, now, limit))
            return [to_channel(r) for r in rows]

    def stats_due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        with self._read() as conn:
            rows = conn.execute(select_due_channels(C.stats_next_at, now, limit))
            return [to_channel(r) for r in rows]

    def next_channel_work_at(self) -> datetime | None:
        with self._read() as conn:
            poll, stats = conn.execute(earliest_channel_work()).one()
        return min((t for t in (poll, stats) if t is not None), default=None)

    def update_channels(self, rows: Sequence[WatchedChannel]) -> int:
        unique = _first_of_each(reversed(rows), lambda c: c.channel_id)  # the last one wins
        changed = 0
        with self._write() as conn:
            for chunk in _chunks(unique, BULK_CHUNK):
                changed += len(conn.execute(update_channel_rows(self._dialect, chunk)).all())
        return changed

    # --- saved searches --------------------------------------------------------------------

    def add_search(self, search: NewSearch) -> tuple[SavedSearch, bool]:
        with self._write() as conn:
            row = conn.execute(insert_search(self._dialect, search)).first()
            if row is not None:
                return to_search(row), True
            return to_search(conn.execute(select_search_by_query(search.query)).one()), False

    def list_searches(self) -> list[SavedSearch]:
        with self._read() as conn:
            return [to_search(r) for r in conn.execute(select_searches())]

    def remove_searches(self, search_ids: Sequence[int]) -> int:
        with self._write() as conn:
            return conn.execute(delete_searches(list(dict.fromkeys(search_ids)))).rowcount

    def due_searches(self, *, now: datetime) -> list[SavedSearch]:
        with self._read() as conn:
            return [to_search(r) for r in conn.execute(select_due_searches(now))]

    def record_search_run(
        self, search_id: int, *, ran_at: datetime | None, next_run_at: datetime
    ) -> bool:
        with self._write() as conn:
            return conn.execute(update_search_run(search_id, ran_at, next_run_at)).rowcount > 0

    def next_search_at(self) -> datetime | None:
        with self._read() as conn:
            earliest: datetime | None = conn.execute(earliest_search()).scalar_one()
        return earliest

    # --- jobs ------------------------------------------------------------------------------

    def start_job(self, kind: JobKind, *, now: datetime, worker: str | None) -> Job:
        with self._write() as conn:
            return to_job(conn.execute(insert_job(kind, now, worker)).one())

    def finish_job(
        self,
        job_id: int,
        *,
        status: JobStatus,
        now: datetime,
        counts: Mapping[str, int],
        error: str | None = None,
    ) -> Job:
        with self._write() as conn:
            row = conn.execute(update_job(job_id, status, now, counts, error)).one_or_none()
        if row is None:
            raise StoreError(f"there is no job {job_id} to finish")
        return to_job(row)

    def recent_jobs(self, limit: int = 10) -> list[Job]:
        with self._read() as conn:
            return [to_job(r) for r in conn.execute(select_recent_jobs(limit))]

    def delete_jobs_finished_before(self, cutoff: datetime) -> int:
        with self._write() as conn:
            return conn.execute(delete_finished_jobs(cutoff)).rowcount

    def abandon_jobs_started_before(self, cutoff: datetime, *, now: datetime) -> int:
        with self._write() as conn:
            return conn.execute(abandon_running_jobs(cutoff, now)).rowcount

    # --- quota ledger ----------------------------------------------------------------------

    def try_spend(
        self, key_fingerprint: str, bucket: str, day: date, units: int, limit: int
    ) -> bool:
        if units > limit:
            return False
        slot = _slot(key_fingerprint, bucket, day)
        with self._write() as conn:
            return conn.execute(spend_quota(self._dialect, slot, units, limit)).first() is not None

    def exhaust(self, key_fingerprint: str, bucket: str, day: date, limit: int) -> None:
        slot = _slot(key_fingerprint, bucket, day)
        with self._write() as conn:
            conn.execute(exhaust_quota(self._dialect, slot, limit))

    def used(self, key_fingerprint: str, bucket: str, day: date) -> int:
        with self._read() as conn:
            used = conn.execute(select_used(_slot(key_fingerprint, bucket, day))).scalar()
        return int(used or 0)

    def usage(self, day: date) -> list[QuotaUsage]:
        with self._read() as conn:
            return [to_usage(r) for r in conn.execute(select_usage(day))]


def _slot(key_fingerprint: str, bucket: str, day: date) -> dict[str, Any]:
    return {"key_fingerprint": key_fingerprint, "bucket": bucket, "day": day}
