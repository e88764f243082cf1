"""An in-memory ``WatchlistStore`` for unit tests: the same behaviour as ``SqlStore``, no I/O.

The store contract tests run against it and the SQL store alike, so the fake cannot drift.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta

from ghosttrack.ledger import MemoryLedger
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

BACKLOG_AFTER = timedelta(hours=1)


@dataclasses.dataclass
class _Lease:
    owner: str
    until: datetime


class MemoryStore:
    """Dictionaries behind a lock; leases and tombstones behave as in SQL."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._rows: dict[str, WatchEntry] = {}
        self._leases: dict[str, _Lease] = {}
        self._metadata: dict[str, VideoMetadata] = {}
        self._jobs: dict[int, Job] = {}
        self._ledger = MemoryLedger()
        self._channels: dict[str, WatchedChannel] = {}
        self._searches: dict[int, SavedSearch] = {}
        self._search_ids = 0

    # --- watchlist ---------------------------------------------------------------------------

    def add(self, entries: Sequence[WatchEntry], *, revive_removed: bool) -> AddResult:
        added = 0
        with self._lock:
            for entry in entries:
                existing = self._rows.get(entry.video_id)
                replace = (
                    existing is not None
                    and revive_removed
                    and existing.status is VideoStatus.REMOVED
                )
                if existing is None or replace:
                    self._rows[entry.video_id] = entry
                    self._leases.pop(entry.video_id, None)
                    added += 1
        return AddResult(added=added, already_present=len(entries) - added)

    def get(self, video_ids: Sequence[str]) -> list[WatchEntry]:
        with self._lock:
            return [self._rows[v] for v in video_ids if v in self._rows]

    def set_status(
        self, video_ids: Sequence[str], status: VideoStatus, *, next_track_at: datetime
    ) -> int:
        changed = 0
        with self._lock:
            for video_id in video_ids:
                row = self._rows.get(video_id)
                if row is None:
                    continue
                misses = 0 if status is VideoStatus.ACTIVE else row.misses
                self._rows[video_id] = dataclasses.replace(
                    row, status=status, next_track_at=next_track_at, misses=misses
                )
                self._leases.pop(video_id, None)
                changed += 1
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
        horizon = now if due_before is None else due_before
        with self._lock:
            due = [
                row
                for row in self._rows.values()
                if row.status is VideoStatus.ACTIVE
                and row.next_track_at <= horizon
                and self._lease_free(row.video_id, now)
            ]
            due.sort(key=lambda r: (r.next_track_at, r.video_id))
            claimed = due[:limit]
            for row in claimed:
                self._leases[row.video_id] = _Lease(worker, lease_until)
            return claimed

    def _lease_free(self, video_id: str, now: datetime) -> bool:
        lease = self._leases.get(video_id)
        return lease is None or lease.until <= now

    def reschedule(self, visits: Sequence[Visit], *, worker: str) -> int:
        changed = 0
        with self._lock:
            for visit in visits:
                lease = self._leases.get(visit.video_id)
                row = self._rows.get(visit.video_id)
                if row is None or lease is None or lease.owner != worker:
                    continue
                self._rows[visit.video_id] = dataclasses.replace(
                    row,
                    tier=visit.tier,
                    status=visit.status,
                    next_track_at=visit.next_track_at,
                    last_tracked_at=visit.last_tracked_at,
                    last_views=visit.last_views,
                    misses=visit.misses,
                    published_at=visit.published_at,
                    channel_id=visit.channel_id,
                )
                del self._leases[visit.video_id]
                changed += 1
        return changed

    def release(self, video_ids: Sequence[str], *, worker: str) -> int:
        released = 0
        with self._lock:
            for video_id in video_ids:
                lease = self._leases.get(video_id)
                if lease is not None and lease.owner == worker:
                    del self._leases[video_id]
                    released += 1
        return released

    def counts(self, *, now: datetime) -> WatchlistCounts:
        with self._lock:
            rows = list(self._rows.values())
            by_tier: dict[str, int] = {}
            by_status: dict[str, int] = {}
            for row in rows:
                by_status[row.status.value] = by_status.get(row.status.value, 0) + 1
                if row.status is not VideoStatus.REMOVED:
                    by_tier[row.tier] = by_tier.get(row.tier, 0) + 1
            active = [r for r in rows if r.status is VideoStatus.ACTIVE]
            return WatchlistCounts(
                total=sum(1 for r in rows if r.status is not VideoStatus.REMOVED),
                by_tier=by_tier,
                by_status=by_status,
                due_now=sum(1 for r in active if r.next_track_at <= now),
                backlog=sum(1 for r in active if r.next_track_at < now - BACKLOG_AFTER),
                metadata_rows=len(self._metadata),
            )

    def count_due(self, *, due_before: datetime) -> int:
        with self._lock:
            return sum(
                1
                for r in self._rows.values()
                if r.status is VideoStatus.ACTIVE and r.next_track_at <= due_before
            )

    def next_due_at(self) -> datetime | None:
        with self._lock:
            due = [r.next_track_at for r in self._rows.values() if r.status is VideoStatus.ACTIVE]
            return min(due, default=None)

    # --- videos ------------------------------------------------------------------------------

    def upsert_metadata(self, rows: Sequence[VideoMetadata]) -> int:
        with self._lock:
            for row in rows:
                self._metadata[row.video_id] = row
        return len(rows)

    def delete_metadata_before(self, cutoff: datetime) -> int:
        with self._lock:
            expired = [k for k, v in self._metadata.items() if v.fetched_at < cutoff]
            for key in expired:
                del self._metadata[key]
        return len(expired)

    # --- channels (the hunter) ---------------------------------------------------------------

    def add_channels(self, rows: Sequence[WatchedChannel]) -> AddResult:
        added = 0
        with self._lock:
            for row in rows:
                if row.channel_id not in self._channels:
                    self._channels[row.channel_id] = _whole_seconds(row)
                    added += 1
        return AddResult(added=added, already_present=len(rows) - added)

    def get_channels(self, channel_ids: Sequence[str]) -> list[WatchedChannel]:
        with self._lock:
            return [self._channels[c] for c in dict.fromkeys(channel_ids) if c in self._channels]

    def list_channels(self) -> list[WatchedChannel]:
        with self._lock:
            return sorted(self._channels.values(), key=lambda c: (c.added_at, c.channel_id))

    def remove_channels(self, channel_ids: Sequence[str]) -> int:
        with self._lock:
            return sum(self._channels.pop(c, None) is not None for c in set(channel_ids))

    def due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        return self._due(lambda c: c.next_poll_at, now, limit)

    def stats_due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        return self._due(lambda c: c.stats_next_at, now, limit)

    def _due(
        self, when: Callable[[WatchedChannel], datetime], now: datetime, limit: int
    ) -> list[WatchedChannel]:
        with self._lock:
            due = [c for c in self._active_channels() if when(c) <= now]
        return sorted(due, key=lambda c: (when(c), c.channel_id))[:limit]

    def _active_channels(self) -> list[WatchedChannel]:
        return [c for c in self._channels.values() if c.status is ChannelStatus.ACTIVE]

    def next_channel_work_at(self) -> datetime | None:
        with self._lock:
            active = self._active_channels()
        times = [c.next_poll_at for c in active] + [c.stats_next_at for c in active]
        return min(times, default=None)

    def update_channels(self, rows: Sequence[WatchedChannel]) -> int:
        changed: set[str] = set()
        with self._lock:
            for row in rows:
                if row.channel_id in self._channels:
                    self._channels[row.channel_id] = _whole_seconds(row)
                    changed.add(row.channel_id)
        return len(changed)

    # --- saved searches ----------------------------------------------------------------------

    def add_search(self, search: NewSearch) -> tuple[SavedSearch, bool]:
        with self._lock:
            for saved in self._searches.values():
                if saved.query == search.query:
                    return saved, False
            self._search_ids += 1
            saved = SavedSearch(
                id=self._search_ids,
                query=search.query,
                every=timedelta(seconds=round(search.every.total_seconds())),
                next_run_at=search.next_run_at,
                last_run_at=None,
                added_at=search.added_at,
            )
            self._searches[saved.id] = saved
            return saved, True

    def list_searches(self) -> list[SavedSearch]:
        with self._lock:
            return sorted(self._searches.values(), key=lambda s: s.id)

    def remove_searches(self, search_ids: Sequence[int]) -> int:
        with self._lock:
            return sum(self._searches.pop(i, None) is not None for i in set(search_ids))

    def due_searches(self, *, now: datetime) -> list[SavedSearch]:
        with self._lock:
            due = [s for s in self._searches.values() if s.next_run_at <= now]
        return sorted(due, key=lambda s: (s.next_run_at, s.id))

    def record_search_run(
        self, search_id: int, *, ran_at: datetime | None, next_run_at: datetime
    ) -> bool:
        with self._lock:
            saved = self._searches.get(search_id)
            if saved is None:
                return False
            self._searches[search_id] = dataclasses.replace(
                saved,
                last_run_at=saved.last_run_at if ran_at is None else ran_at,
                next_run_at=next_run_at,
            )
            return True

    def next_search_at(self) -> datetime | None:
        with self._lock:
            return min((s.next_run_at for s in self._searches.values()), default=None)

    # --- jobs --------------------------------------------------------------------------------

    def start_job(self, kind: JobKind, *, now: datetime, worker: str | None) -> Job:
        with self._lock:
            job = Job(len(self._jobs) + 1, kind, JobStatus.RUNNING, now, None, worker, {}, None)
            self._jobs[job.id] = job
            return job

    def finish_job(
        self,
        job_id: int,
        *,
        status: JobStatus,
        now: datetime,
        counts: Mapping[str, int],
        error: str | None = None,
    ) -> Job:
        with self._lock:
            job = dataclasses.replace(
                self._jobs[job_id], status=status, finished_at=now, counts=dict(counts), error=error
            )
            self._jobs[job_id] = job
            return job

    def recent_jobs(self, limit: int = 10) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.id, reverse=True)[:limit]

    def delete_jobs_finished_before(self, cutoff: datetime) -> int:
        with self._lock:
            old = [
                job.id
                for job in self._jobs.values()
                if job.finished_at is not None and job.finished_at < cutoff
            ]
            for job_id in old:
                del self._jobs[job_id]
        return len(old)

    def abandon_jobs_started_before(self, cutoff: datetime, *, now: datetime) -> int:
        with self._lock:
            stale = [
                job
                for job in self._jobs.values()
                if job.status is JobStatus.RUNNING and job.started_at < cutoff
            ]
            for job in stale:
                self._jobs[job.id] = dataclasses.replace(
                    job, status=JobStatus.INTERRUPTED, finished_at=now, error=ABANDONED
                )
        return len(stale)

    # --- quota ledger ------------------------------------------------------------------------

    def try_spend(
        self, key_fingerprint: str, bucket: str, day: date, units: int, limit: int
    ) -> bool:
        return self._ledger.try_spend(key_fingerprint, bucket, day, units, limit)

    def exhaust(self, key_fingerprint: str, bucket: str, day: date, limit: int) -> None:
        self._ledger.exhaust(key_fingerprint, bucket, day, limit)

    def used(self, key_fingerprint: str, bucket: str, day: date) -> int:
        return self._ledger.used(key_fingerprint, bucket, day)

    def usage(self, day: date) -> list[QuotaUsage]:
        return self._ledger.usage(day)

    def close(self) -> None:
        """Nothing to release."""


def _whole_seconds(row: WatchedChannel) -> WatchedChannel:
    """Intervals as SQL keeps them: whole seconds."""
    return dataclasses.replace(
        row, poll_every=timedelta(seconds=round(row.poll_every.total_seconds()))
    )
