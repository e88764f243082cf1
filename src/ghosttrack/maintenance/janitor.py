"""The janitor: deletes ``videos`` metadata older than the retention, and keeps the jobs table
small (old records dropped, runs whose worker died marked interrupted).

It never touches the watchlist or the vault: tracking goes on after the metadata is gone
("ghost tracking").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ghosttrack.clock import Clock
from ghosttrack.settings import Settings
from ghosttrack.watchlist.discovery import DiscoveryStore
from ghosttrack.watchlist.jobs import JobStore
from ghosttrack.watchlist.records import Job, JobKind, JobStatus


@dataclass(frozen=True, slots=True)
class JanitorResult:
    deleted: int
    cutoff: datetime
    jobs_deleted: int = 0
    jobs_abandoned: int = 0


def run_janitor(
    discovery: DiscoveryStore,
    jobs: JobStore,
    clock: Clock,
    settings: Settings,
    *,
    worker: str | None = None,
    job: Job | None = None,
) -> JanitorResult:
    """One janitor pass, recorded as a job (``job``: one recorded already, by the web API)."""
    now = clock.now()
    job = job or jobs.start_job(JobKind.JANITOR, now=now, worker=worker)
    cutoff = now - settings.metadata_retention
    try:
        result = JanitorResult(
            deleted=discovery.delete_metadata_before(cutoff),
            cutoff=cutoff,
            jobs_deleted=jobs.delete_jobs_finished_before(now - settings.jobs_retention),
            jobs_abandoned=jobs.abandon_jobs_started_before(
                now - settings.job_abandoned_after, now=now
            ),
        )
    except Exception as exc:
        jobs.finish_job(job.id, status=JobStatus.FAILED, now=clock.now(), counts={}, error=str(exc))
        raise
    counts = {
        "deleted": result.deleted,
        "jobs_deleted": result.jobs_deleted,
        "jobs_abandoned": result.jobs_abandoned,
    }
    jobs.finish_job(job.id, status=JobStatus.SUCCEEDED, now=clock.now(), counts=counts)
    return result
