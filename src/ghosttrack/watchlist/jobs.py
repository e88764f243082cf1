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


def select_jobs_page(
    before_id: int | None, limit: int, kind: JobKind | None, status: JobStatus | None
) -> sa.Select[Any]:
    """Jobs newest first (keyset: ids below ``before_id``), optionally of one kind or status."""
    query = sa.select(*jobs.c).order_by(jobs.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(jobs.c.id < before_id)
    if kind is not None:
        query = query.where(jobs.c.kind == kind.value)
    if status is not None:
        query = query.where(jobs.c.status == status.value)
    return query


def select_job(job_id: int) -> sa.Select[Any]:
    return sa.select(*jobs.c).where(jobs.c.id == job_id)


def update_running_job_counts(job_id: int, counts: Mapping[str, int]) -> sa.Update:
    """A running job's progress; a finished job's counts are final and stay."""
    return (
        sa.update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == JobStatus.RUNNING.value)
        .values(counts=dict(counts))
    )


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

    def list_jobs(
        self,
        *,
        before_id: int | None = None,
        limit: int = 50,
        kind: JobKind | None = None,
        status: JobStatus | None = None,
    ) -> list[Job]:
        """Jobs newest first, with ids below ``before_id`` (a keyset page), filtered."""
        with self._tx.read() as conn:
            rows = conn.execute(select_jobs_page(before_id, limit, kind, status))
            return [to_job(r) for r in rows]

    def get_job(self, job_id: int) -> Job | None:
        with self._tx.read() as conn:
            row = conn.execute(select_job(job_id)).one_or_none()
        return None if row is None else to_job(row)

    def update_job_counts(self, job_id: int, counts: Mapping[str, int]) -> bool:
        """Record a running job's progress; False when it is no longer running."""
        with self._tx.write() as conn:
            return conn.execute(update_running_job_counts(job_id, counts)).rowcount > 0

    def delete_jobs_finished_before(self, cutoff: datetime) -> int:
        """Drop the records of runs that ended before ``cutoff`` (the jobs table stays small)."""
        with self._tx.write() as conn:
            return conn.execute(delete_finished_jobs(cutoff)).rowcount

    def abandon_jobs_started_before(self, cutoff: datetime, *, now: datetime) -> int:
        """Mark runs still 'running' since before ``cutoff`` as interrupted: their worker died
        without recording an end (SIGKILL, power loss)."""
        with self._tx.write() as conn:
            return conn.execute(abandon_running_jobs(cutoff, now)).rowcount
