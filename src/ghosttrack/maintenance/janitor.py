"""The janitor: deletes ``videos`` metadata older than the retention, and nothing else.

It never touches the watchlist or the vault: tracking goes on after the metadata is gone
("ghost tracking").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ghosttrack.clock import Clock
from ghosttrack.settings import Settings
from ghosttrack.watchlist.records import JobKind, JobStatus
from ghosttrack.watchlist.store import WatchlistStore


@dataclass(frozen=True, slots=True)
class JanitorResult:
    deleted: int
    cutoff: datetime


def run_janitor(
    store: WatchlistStore, clock: Clock, settings: Settings, *, worker: str | None = None
) -> JanitorResult:
    """One janitor pass, recorded as a job."""
    now = clock.now()
    job = store.start_job(JobKind.JANITOR, now=now, worker=worker)
    cutoff = now - settings.metadata_retention
    try:
        deleted = store.delete_metadata_before(cutoff)
    except Exception as exc:
        store.finish_job(
            job.id, status=JobStatus.FAILED, now=clock.now(), counts={}, error=str(exc)
        )
        raise
    store.finish_job(
        job.id, status=JobStatus.SUCCEEDED, now=clock.now(), counts={"deleted": deleted}
    )
    return JanitorResult(deleted=deleted, cutoff=cutoff)
