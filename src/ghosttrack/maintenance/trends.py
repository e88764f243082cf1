"""The trends task: keep analytics' ``video_trends`` up to date, recorded as a job.

Most runs recompute only the videos with new samples; once every ``trends_full_every`` a run
recomputes every video, which also picks up samples written long after their time (imports).
"""

from __future__ import annotations

from datetime import datetime

from ghosttrack.analytics.refresh import RefreshResult, State
from ghosttrack.analytics.service import Analytics
from ghosttrack.clock import Clock
from ghosttrack.settings import Settings
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import JobKind, JobStatus


def run_trends_refresh(
    db: Database,
    vault: Vault,
    clock: Clock,
    settings: Settings,
    *,
    full: bool | None = None,
    worker: str | None = None,
) -> RefreshResult:
    """One refresh, recorded as a job; ``full=None`` decides from the last full refresh."""
    jobs = db.jobs
    job = jobs.start_job(JobKind.TRENDS, now=clock.now(), worker=worker)
    try:
        if full is None:
            full = _full_due(vault, clock.now(), settings)
        result = Analytics(vault, db.watchlist, clock, settings).refresh_trends(full=full)
    except Exception as exc:
        jobs.finish_job(job.id, status=JobStatus.FAILED, now=clock.now(), counts={}, error=str(exc))
        raise
    counts = {"videos": result.videos, "total": result.total, "full": int(result.full)}
    jobs.finish_job(job.id, status=JobStatus.SUCCEEDED, now=clock.now(), counts=counts)
    return result


def _full_due(vault: Vault, now: datetime, settings: Settings) -> bool:
    state = State.read(vault)
    return (
        state is None or state.full_at is None or now - state.full_at >= settings.trends_full_every
    )
