"""Runs asked for through the API: started in the background, answered at once with a job id.

The job is recorded before the run starts (so the answer can name it) and handed to the run.
One run of a kind at a time in this process: asking again while one goes answers with that
job, whether the API or the daemon beside it started it (same worker name). A tracking run
writes its progress (``done`` of ``total`` videos) into the job's counts as it goes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ghosttrack.clock import Clock
from ghosttrack.errors import GhosttrackError
from ghosttrack.hunter import discovery
from ghosttrack.maintenance.janitor import run_janitor
from ghosttrack.settings import Settings
from ghosttrack.tracker.tracker import PassResult, Tracker
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import Job, JobKind, JobStatus
from ghosttrack.youtube.client import YouTubeClient

log = logging.getLogger("ghosttrack.web.runs")


class RunKind(StrEnum):
    TRACKING = "tracking"
    DISCOVERY = "discovery"
    JANITOR = "janitor"
    COMPACTION = "compaction"


JOB_KINDS = {
    RunKind.TRACKING: JobKind.TRACK,
    RunKind.DISCOVERY: JobKind.DISCOVER,
    RunKind.JANITOR: JobKind.JANITOR,
}


class RunRefused(GhosttrackError):
    """This run cannot start here (no API key, a kind this version cannot run)."""


@dataclass(frozen=True)
class RunStarted:
    job: Job
    started: bool  # False: one of this kind was going already, and ``job`` is that one


class RunService:
    """Starts runs in the background, one of each kind at a time."""

    def __init__(
        self,
        db: Database,
        vault: Vault,
        clock: Clock,
        settings: Settings,
        youtube: YouTubeClient | None,
        *,
        worker: str,
        on_pass: Callable[[PassResult], None] | None = None,
    ) -> None:
        self.db = db
        self.vault = vault
        self.clock = clock
        self.settings = settings
        self.youtube = youtube
        self.worker = worker
        self.on_pass = on_pass
        self._tasks: dict[RunKind, tuple[int, asyncio.Task[None]]] = {}
        self._stop = asyncio.Event()

    def start(self, kind: RunKind, *, limit: int | None = None) -> RunStarted:
        """Record the job and start the run, or name the run of this kind going already."""
        going = self._going(kind)
        if going is not None:
            return RunStarted(going, started=False)
        run = self._runner(kind, limit)
        job = self.db.jobs.start_job(JOB_KINDS[kind], now=self.clock.now(), worker=self.worker)
        task = asyncio.create_task(self._guarded(job, run(job)), name=f"run:{kind}:{job.id}")
        self._tasks[kind] = (job.id, task)
        return RunStarted(job, started=True)

    async def close(self) -> None:
        """Stop the runs in hand (they end as interrupted) and wait for them."""
        self._stop.set()
        tasks = [task for _, task in self._tasks.values()]
        await asyncio.gather(*tasks, return_exceptions=True)

    def _going(self, kind: RunKind) -> Job | None:
        mine = self._tasks.get(kind)
        if mine is not None and not mine[1].done():
            return self.db.jobs.get_job(mine[0])
        if kind not in JOB_KINDS:
            return None
        running = self.db.jobs.list_jobs(kind=JOB_KINDS[kind], status=JobStatus.RUNNING, limit=20)
        return next((j for j in running if j.worker == self.worker), None)

    def _runner(
        self, kind: RunKind, limit: int | None
    ) -> Callable[[Job], Coroutine[Any, Any, None]]:
        if kind is RunKind.COMPACTION:
            raise RunRefused("compaction is not part of this version yet: nothing was started")
        if kind is RunKind.JANITOR:
            return self._janitor
        if self.youtube is None:
            raise RunRefused(
                f"a {kind} run needs a YouTube API key: set GHOSTTRACK_YOUTUBE_API_KEYS "
                "(or use `ghosttrack run`, which runs the simulator demo without one)"
            )
        if kind is RunKind.DISCOVERY:
            return self._discover
        return lambda job: self._track(job, limit)

    async def _guarded(self, job: Job, run: Coroutine[Any, Any, None]) -> None:
        """A run's failure is in its job record; the log says so too, without a traceback
        into the web server's log."""
        try:
            await run
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("run %s (job %d) failed: %s", job.kind, job.id, exc)

    async def _track(self, job: Job, limit: int | None) -> None:
        assert self.youtube is not None
        due = self.db.watchlist.count_due(due_before=self.clock.now())
        total = due if limit is None else min(due, limit)
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            done += n
            self.db.jobs.update_job_counts(job.id, {"done": done, "total": max(total, done)})

        self.db.jobs.update_job_counts(job.id, {"done": 0, "total": total})
        found = discovery(self.db, self.youtube, self.vault, self.clock, self.settings)
        tracker = Tracker(
            self.db.watchlist,
            self.db.jobs,
            self.youtube,
            self.vault,
            self.clock,
            self.settings,
            worker=self.worker,
            feed_samples=found.feed_samples,
        )
        result = await tracker.run_once(limit=limit, stop=self._stop, progress=progress, job=job)
        if self.on_pass is not None:
            self.on_pass(result)

    async def _discover(self, job: Job) -> None:
        assert self.youtube is not None
        hunter = discovery(
            self.db, self.youtube, self.vault, self.clock, self.settings, worker=self.worker
        ).hunter
        await hunter.run_once(every_channel=True, stop=self._stop, job=job)

    async def _janitor(self, job: Job) -> None:
        await asyncio.to_thread(
            run_janitor,
            self.db.discovery,
            self.db.jobs,
            self.clock,
            self.settings,
            worker=self.worker,
            job=job,
        )
