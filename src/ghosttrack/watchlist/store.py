"""The one narrow interface to the SQL store. Implementations: ``SqlStore`` (SQLite or
PostgreSQL, in ``sql.py``) and ``MemoryStore`` (``memory.py``, for unit tests).

The store holds no domain logic: callers compute tiers and schedules (``ghosttrack.tiers``) and
hand the store finished rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from ghosttrack.watchlist.records import (
    AddResult,
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


class WatchlistStore(Protocol):
    # --- watchlist -------------------------------------------------------------------------

    def add(self, entries: Sequence[WatchEntry], *, revive_removed: bool) -> AddResult:
        """Insert new rows; ids already present are left as they are (counted as present).

        A row with status REMOVED is a tombstone: discovery (``revive_removed=False``) leaves it
        removed; a user's explicit ``add`` (``revive_removed=True``) replaces it with the entry.
        """
        ...

    def get(self, video_ids: Sequence[str]) -> list[WatchEntry]: ...

    def set_status(
        self, video_ids: Sequence[str], status: VideoStatus, *, next_track_at: datetime
    ) -> int:
        """Pause, remove (tombstone) or revive (ACTIVE, misses reset) rows; returns the count."""
        ...

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
        ...

    def count_due(self, *, due_before: datetime) -> int:
        """Active rows due by ``due_before``, leased or not (the daemon's "is a pass worth it")."""
        ...

    def reschedule(self, visits: Sequence[Visit], *, worker: str) -> int:
        """Write visit outcomes in one statement and release their leases. Only rows still
        leased by ``worker`` change (a worker whose lease expired cannot overwrite another's)."""
        ...

    def release(self, video_ids: Sequence[str], *, worker: str) -> int:
        """Give leased rows back untouched (they stay due)."""
        ...

    def counts(self, *, now: datetime) -> WatchlistCounts: ...

    def next_due_at(self) -> datetime | None:
        """The earliest next_track_at of an active row (leased or not); None when none."""
        ...

    # --- videos (ephemeral metadata) -------------------------------------------------------

    def upsert_metadata(self, rows: Sequence[VideoMetadata]) -> int: ...

    def delete_metadata_before(self, cutoff: datetime) -> int:
        """The janitor's statement: drop metadata fetched before ``cutoff``."""
        ...

    # --- channels (the hunter) -------------------------------------------------------------

    def add_channels(self, rows: Sequence[WatchedChannel]) -> AddResult:
        """Insert channels; ids already present are left as they are (counted as present)."""
        ...

    def get_channels(self, channel_ids: Sequence[str]) -> list[WatchedChannel]: ...

    def list_channels(self) -> list[WatchedChannel]:
        """Every channel, in the order they were added."""
        ...

    def remove_channels(self, channel_ids: Sequence[str]) -> int:
        """Forget channels (their videos stay on the watchlist); returns the count."""
        ...

    def due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        """Active channels whose next poll is at or before ``now``, the most overdue first."""
        ...

    def stats_due_channels(self, *, now: datetime, limit: int) -> list[WatchedChannel]:
        """Active channels whose statistics are due at or before ``now``."""
        ...

    def next_channel_work_at(self) -> datetime | None:
        """The earliest poll or statistics time of an active channel; None when none."""
        ...

    def update_channels(self, rows: Sequence[WatchedChannel]) -> int:
        """Write channel rows back (poll outcomes, schedules) in one statement a chunk."""
        ...

    # --- saved searches --------------------------------------------------------------------

    def add_search(self, search: NewSearch) -> tuple[SavedSearch, bool]:
        """Save a search; when its query is saved already, that one and False."""
        ...

    def list_searches(self) -> list[SavedSearch]: ...

    def remove_searches(self, search_ids: Sequence[int]) -> int: ...

    def due_searches(self, *, now: datetime) -> list[SavedSearch]: ...

    def record_search_run(
        self, search_id: int, *, ran_at: datetime | None, next_run_at: datetime
    ) -> bool:
        """Note a run at ``ran_at`` (None: a failed run, ``last_run_at`` stays) and the next;
        False when the search was removed meanwhile."""
        ...

    def next_search_at(self) -> datetime | None: ...

    # --- jobs ------------------------------------------------------------------------------

    def start_job(self, kind: JobKind, *, now: datetime, worker: str | None) -> Job: ...

    def finish_job(
        self,
        job_id: int,
        *,
        status: JobStatus,
        now: datetime,
        counts: Mapping[str, int],
        error: str | None = None,
    ) -> Job: ...

    def recent_jobs(self, limit: int = 10) -> list[Job]: ...

    def delete_jobs_finished_before(self, cutoff: datetime) -> int:
        """Drop the records of runs that ended before ``cutoff`` (the jobs table stays small)."""
        ...

    def abandon_jobs_started_before(self, cutoff: datetime, *, now: datetime) -> int:
        """Mark runs still 'running' since before ``cutoff`` as interrupted: their worker died
        without recording an end (SIGKILL, power loss)."""
        ...

    # --- quota ledger (see ghosttrack.ledger.QuotaLedger) -----------------------------------

    def try_spend(
        self, key_fingerprint: str, bucket: str, day: date, units: int, limit: int
    ) -> bool: ...

    def exhaust(self, key_fingerprint: str, bucket: str, day: date, limit: int) -> None: ...

    def used(self, key_fingerprint: str, bucket: str, day: date) -> int: ...

    def usage(self, day: date) -> list[QuotaUsage]: ...

    def close(self) -> None: ...
