"""One tracking pass, read as a story: claim a chunk of due videos, fetch them 50 ids a call,
make the samples durable in the vault, then reschedule the chunk in one statement.

A sample is acknowledged (its watchlist row advanced) only after its vault file is durable, so a
crash at any point loses nothing acknowledged: the worst case is a video tracked twice when its
lease expires. Quota exhaustion, a stop request and transient API failures leave the unvisited
videos due (their leases released), never half-written.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from ghosttrack.clock import Clock
from ghosttrack.errors import KeyRejectedError, QuotaExhaustedError, YouTubeError
from ghosttrack.schedule import sample_of, visit_found, visit_invalid, visit_missing
from ghosttrack.settings import Settings
from ghosttrack.vault.records import Sample, SampleSource
from ghosttrack.watchlist.jobs import JobStore
from ghosttrack.watchlist.records import Job, JobKind, JobStatus, Visit, WatchEntry
from ghosttrack.watchlist.watchlist import WatchlistStore
from ghosttrack.youtube.models import StatsBatch, VideoStats

log = logging.getLogger("ghosttrack.tracker")

#: Calls a pass keeps claimed ahead, per call the client may have in flight: the client's
#: gate always has the next calls waiting, while earlier chunks are being stored.
CALLS_AHEAD = 2


class StatsSource(Protocol):
    """The part of the YouTube client the tracker uses."""

    async def fetch_stats(
        self, video_ids: Sequence[str], *, with_snippet: bool = False
    ) -> StatsBatch: ...

    def calls_made(self) -> Mapping[str, int]: ...

    async def give_back_quota(self) -> None: ...


class SampleSink(Protocol):
    """The part of the vault the tracker uses."""

    def write_samples(self, samples: Sequence[Sample]) -> list[str]: ...


class FeedSamples(Protocol):
    """Quota-free counts for some claimed videos (``ghosttrack.hunter.feeds.FeedSampler``):
    those it answers for are not sent to the API."""

    async def stats_for(self, entries: Sequence[WatchEntry]) -> Sequence[VideoStats]: ...


ProgressCallback = Callable[[int], None]


@dataclass
class PassResult:
    """What one pass did; becomes the job's counts."""

    tracked: int = 0
    missing: int = 0
    unavailable: int = 0
    released: int = 0
    calls: int = 0
    files: int = 0
    errors: int = 0
    feed_samples: int = 0  # samples taken from channel feeds instead of the API
    units_saved: int = 0  # calls (units) those spared
    stopped_by: str | None = None  # "quota", "signal", "limit" or None (nothing more due)
    calls_by_method: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counts = {
            "tracked": self.tracked,
            "missing": self.missing,
            "unavailable": self.unavailable,
            "released": self.released,
            "calls": self.calls,
            "files": self.files,
            "errors": self.errors,
            "feed_samples": self.feed_samples,
            "units_saved": self.units_saved,
        }
        counts.update({f"calls:{m}": n for m, n in sorted(self.calls_by_method.items())})
        return counts


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Tracker:
    """Tracks what is due. Several trackers may share one watchlist: leases keep them apart."""

    def __init__(
        self,
        watchlist: WatchlistStore,
        jobs: JobStore,
        youtube: StatsSource,
        vault: SampleSink,
        clock: Clock,
        settings: Settings,
        *,
        worker: str | None = None,
        feed_samples: FeedSamples | None = None,
    ) -> None:
        self.watchlist = watchlist
        self.jobs = jobs
        self.youtube = youtube
        self.vault = vault
        self.clock = clock
        self.settings = settings
        self.tiers = settings.tier_table()
        self.worker = worker or settings.worker_name or default_worker_name()
        self.feed_samples = feed_samples

    async def run_once(
        self,
        *,
        limit: int | None = None,
        stop: asyncio.Event | None = None,
        progress: ProgressCallback | None = None,
        lookahead: timedelta = timedelta(0),
        job: Job | None = None,
    ) -> PassResult:
        """One pass over what is due now (and within ``lookahead``), recorded as a job (``job``:
        one recorded already, as the web API does to answer with its id before the pass)."""
        job = job or self.jobs.start_job(JobKind.TRACK, now=self.clock.now(), worker=self.worker)
        result = PassResult()
        calls_before = dict(self.youtube.calls_made())
        try:
            try:
                await self._pass(result, limit, stop or asyncio.Event(), progress, lookahead)
            finally:
                await self.youtube.give_back_quota()  # what this pass reserved and did not spend
        except KeyRejectedError as exc:
            self._finish(job.id, result, calls_before, JobStatus.FAILED, str(exc))
            raise
        except BaseException as exc:
            status = JobStatus.INTERRUPTED if _is_cancel(exc) else JobStatus.FAILED
            self._finish(job.id, result, calls_before, status, f"{type(exc).__name__}: {exc}")
            raise
        status = JobStatus.INTERRUPTED if result.stopped_by == "signal" else JobStatus.SUCCEEDED
        error = "stopped: quota exhausted" if result.stopped_by == "quota" else None
        self._finish(job.id, result, calls_before, status, error)
        return result

    async def _pass(
        self,
        result: PassResult,
        limit: int | None,
        stop: asyncio.Event,
        progress: ProgressCallback | None,
        lookahead: timedelta,
    ) -> None:
        remaining = limit
        in_flight: set[asyncio.Task[None]] = set()
        most_in_flight = self._chunks_in_flight()
        try:
            while not stop.is_set() and result.stopped_by is None:
                size = self.settings.claim_size
                if remaining is not None:
                    size = min(size, remaining)
                if size <= 0:
                    result.stopped_by = "limit"
                    break
                chunk = await self._claim_off_loop(size, lookahead)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                in_flight.add(asyncio.create_task(self._track_chunk(chunk, result, progress)))
                if len(in_flight) >= most_in_flight:
                    done, in_flight = await asyncio.wait(
                        in_flight, return_when=asyncio.FIRST_COMPLETED
                    )
                    for task in done:
                        task.result()  # re-raise a fatal error (invalid key, store down)
            while in_flight:
                task = in_flight.pop()
                await task
        finally:
            for task in in_flight:
                task.cancel()
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
        if stop.is_set() and result.stopped_by is None:
            result.stopped_by = "signal"

    def _chunks_in_flight(self) -> int:
        """Chunks fetched and stored at once: enough claimed calls to keep the client's most
        calls in flight busy ``CALLS_AHEAD`` times over, and one more being stored."""
        s = self.settings
        calls_per_chunk = max(1, s.claim_size // s.batch_size)
        return -(-CALLS_AHEAD * s.api_concurrency // calls_per_chunk) + 1

    async def _claim_off_loop(self, size: int, lookahead: timedelta) -> list[WatchEntry]:
        """Claim in a thread, so the calls in flight go on meanwhile; a pass cancelled during
        the claim gives the claimed videos back rather than leave them leased."""
        claim = asyncio.ensure_future(asyncio.to_thread(self._claim, size, lookahead))
        try:
            return await asyncio.shield(claim)
        except asyncio.CancelledError:
            chunk = await claim
            self.watchlist.release([e.video_id for e in chunk], worker=self.worker)
            raise

    def _claim(self, size: int, lookahead: timedelta) -> list[WatchEntry]:
        now = self.clock.now()
        return self.watchlist.claim_due(
            now=now,
            limit=size,
            worker=self.worker,
            lease_until=now + self.settings.lease,
            due_before=now + lookahead,
        )

    async def _track_chunk(
        self, chunk: list[WatchEntry], result: PassResult, progress: ProgressCallback | None
    ) -> None:
        """Fetch a claimed chunk, store its samples, reschedule it; release what was not done.
        Videos a channel feed answers for cost nothing; the rest go to the API."""
        by_id = {entry.video_id: entry for entry in chunk}
        try:
            from_feeds = await self._from_feeds(chunk)
            fed = {stats.video_id for stats in from_feeds.found}
            batches = self._batches([e for e in chunk if e.video_id not in fed])
            outcomes = await asyncio.gather(
                *(
                    self.youtube.fetch_stats(ids, with_snippet=with_snippet)
                    for ids, with_snippet in batches
                ),
                return_exceptions=True,
            )
        except asyncio.CancelledError:
            self.watchlist.release(list(by_id), worker=self.worker)  # nothing of it was stored
            raise
        samples: list[Sample] = []
        visits: list[Visit] = []
        unanswered: list[str] = []
        if from_feeds.found:
            self._visits_from(from_feeds, by_id, samples, visits, result, SampleSource.FEED)
            result.feed_samples += len(from_feeds.found)
            result.units_saved += len(self._batches(chunk)) - len(batches)
        for (ids, _), outcome in zip(batches, outcomes, strict=True):
            if isinstance(outcome, KeyRejectedError) or not isinstance(
                outcome, StatsBatch | YouTubeError
            ):
                # Fatal (a rejected key, or anything unforeseen): give the whole chunk back.
                self.watchlist.release(list(by_id), worker=self.worker)
                raise outcome
            if isinstance(outcome, QuotaExhaustedError):
                result.stopped_by = "quota"
                unanswered.extend(ids)
            elif isinstance(outcome, YouTubeError):  # retries ran out, or a bad answer
                log.warning("a batch of %d videos stays due: %s", len(ids), outcome)
                result.errors += 1
                unanswered.extend(ids)
            else:
                result.calls += 1
                self._visits_from(outcome, by_id, samples, visits, result)
        # Off the event loop: fsync and SQL must not stall the calls of the chunks in flight.
        result.files += await asyncio.to_thread(self._acknowledge, samples, visits)
        result.tracked += len(samples)
        if unanswered:
            result.released += self.watchlist.release(unanswered, worker=self.worker)
        if progress is not None:
            progress(len(chunk))

    def _batches(self, chunk: list[WatchEntry]) -> list[tuple[list[str], bool]]:
        """Ids in calls of ``batch_size``; videos missing published_at or channel need a snippet."""
        need_snippet = [e.video_id for e in chunk if e.published_at is None or e.channel_id is None]
        known = [
            e.video_id for e in chunk if e.published_at is not None and e.channel_id is not None
        ]
        size = self.settings.batch_size
        batches = [(known[i : i + size], False) for i in range(0, len(known), size)]
        batches += [(need_snippet[i : i + size], True) for i in range(0, len(need_snippet), size)]
        return batches

    async def _from_feeds(self, chunk: list[WatchEntry]) -> StatsBatch:
        if self.feed_samples is None:
            return StatsBatch(found=())
        return StatsBatch(found=tuple(await self.feed_samples.stats_for(chunk)))

    def _visits_from(
        self,
        batch: StatsBatch,
        by_id: dict[str, WatchEntry],
        samples: list[Sample],
        visits: list[Visit],
        result: PassResult,
        source: SampleSource = SampleSource.API,
    ) -> None:
        now = self.clock.now()
        for stats in batch.found:
            entry = by_id.get(stats.video_id)
            if entry is None:
                continue  # an id we did not ask for: ignore rather than trust it
            samples.append(sample_of(stats, entry, source))
            visits.append(visit_found(entry, stats, self.tiers, now))
        for video_id in batch.missing:
            visit = visit_missing(by_id[video_id], self.tiers, now, self.settings.miss_limit)
            visits.append(visit)
            result.missing += 1
            result.unavailable += visit.status != by_id[video_id].status
        for video_id in batch.invalid:
            visits.append(visit_invalid(by_id[video_id], self.tiers, now))
            result.unavailable += 1

    def _acknowledge(self, samples: list[Sample], visits: list[Visit]) -> int:
        """Vault first (durable), watchlist second: the order that makes a crash lose nothing.
        Returns the number of vault files written."""
        files = len(self.vault.write_samples(samples)) if samples else 0
        if visits:
            self.watchlist.reschedule(visits, worker=self.worker)
        return files

    def _finish(
        self,
        job_id: int,
        result: PassResult,
        calls_before: Mapping[str, int],
        status: JobStatus,
        error: str | None,
    ) -> None:
        after = self.youtube.calls_made()
        result.calls_by_method = {
            m: n - calls_before.get(m, 0) for m, n in after.items() if n - calls_before.get(m, 0)
        }
        self.jobs.finish_job(
            job_id, status=status, now=self.clock.now(), counts=result.counts(), error=error
        )


def _is_cancel(exc: BaseException) -> bool:
    return isinstance(exc, asyncio.CancelledError | KeyboardInterrupt)
