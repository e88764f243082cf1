"""``JobStore``: the job log — one row per run of anything (tracking pass, discovery, janitor,
import, migration, maintenance) with its counts — and every statement it runs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row

from ghosttrack.errors import StoreError
from ghosttrack.watchlist.engine import Transactions
from ghosttrack.watchlist.records import ABANDONED, Job, JobKind, JobStatus
from ghosttrack.watchlist.schema import jobs

# --- statements ------------------------------------------------------------------------------


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


# --- the store -------------------------------------------------------------------------------


class JobStore:
    """Every run starts a job and finishes it with its counts; the janitor keeps the log short."""

    def __init__(self, engine: Engine) -> None:
        self._tx = Transactions(engine)

    def start_job(self, kind: JobKind, *, now: datetime, worker: str | None) -> Job:
        with self._tx.write() as conn:
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
        with self._tx.write() as conn:
            row = conn.execute(update_job(job_id, status, now, counts, error)).one_or_none()
        if row is None:
            raise StoreError(f"there is no job {job_id} to finish")
        return to_job(row)

    def recent_jobs(self, limit: int = 10) -> list[Job]:
        with self._tx.read() as conn:
            return [to_job(r) for r in conn.execute(select_recent_jobs(limit))]

    def delete_jobs_finished_before(self, cutoff: datetime) -> int:
        """Drop the records of runs that ended before ``cutoff`` (the jobs table stays small)."""
        with self._tx.write() as conn:
            return conn.execute(delete_finished_jobs(cutoff)).rowcount

    def abandon_jobs_started_before(self, cutoff: datetime, *, now: datetime) -> int:
        """Mark runs still 'running' since before ``cutoff`` as interrupted: their worker died
        without recording an end (SIGKILL, power loss)."""
        with self._tx.write() as conn:
            return conn.execute(abandon_running_jobs(cutoff, now)).rowcount
