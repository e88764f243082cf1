"""The tracker's decisions, with SQLite in memory and a scripted statistics source."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.errors import KeyRejectedError, QuotaExhaustedError, TransientError
from ghosttrack.operations import add_ids
from ghosttrack.settings import Settings
from ghosttrack.tracker.tracker import Tracker
from ghosttrack.vault.records import Sample
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import JobStatus, NewVideo, VideoStatus, WatchEntry
from ghosttrack.youtube.models import StatsBatch, VideoStats

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CHANNEL = "UCxxxxxxxxxxxxxxxxxxxxxA"


def vid(n: int) -> str:
    return f"vid{n:07d}A"


class ScriptedYouTube:
    """Answers from a dict of live videos; ids listed in ``fail_with`` raise instead."""

    def __init__(self, clock: ManualClock, live: set[str]) -> None:
        self.clock = clock
        self.live = live
        self.fail_with: dict[str, Exception] = {}
        self.calls: list[tuple[list[str], bool]] = []

    async def fetch_stats(
        self, video_ids: Sequence[str], *, with_snippet: bool = False
    ) -> StatsBatch:
        self.calls.append((list(video_ids), with_snippet))
        for video_id in video_ids:
            if video_id in self.fail_with:
                raise self.fail_with[video_id]
        found = [
            VideoStats(v, 100, 5, None, START - timedelta(hours=1), CHANNEL, self.clock.now())
            for v in video_ids
            if v in self.live
        ]
        return StatsBatch(found=found, missing=[v for v in video_ids if v not in self.live])

    def calls_made(self) -> Mapping[str, int]:
        return {"videos.list": len(self.calls)}

    async def give_back_quota(self) -> None:
        self.given_back = getattr(self, "given_back", 0) + 1


class ListVault:
    def __init__(self) -> None:
        self.samples: list[Sample] = []

    def write_samples(self, samples: Sequence[Sample]) -> list[str]:
        self.samples.extend(samples)
        return ["file"] if samples else []


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def make(clock: ManualClock, n: int, live: set[str] | None = None, **settings: object):
    db = Database.in_memory()
    cfg = Settings(_env_file=None, **settings)  # type: ignore[call-arg]
    add_ids(
        db.watchlist,
        cfg.tier_table(),
        clock,
        [NewVideo(vid(i)) for i in range(n)],
        revive_removed=True,
    )
    youtube = ScriptedYouTube(clock, {vid(i) for i in range(n)} if live is None else live)
    vault = ListVault()
    tracker = Tracker(db.watchlist, db.jobs, youtube, vault, clock, cfg, worker="w1")
    return db, youtube, vault, tracker


async def test_pass_tracks_everything_due_in_calls_of_50(clock: ManualClock) -> None:
    db, youtube, vault, tracker = make(clock, 120)
    result = await tracker.run_once()
    assert result.tracked == 120
    assert sorted(len(ids) for ids, _ in youtube.calls) == [20, 50, 50]
    assert {s.video_id for s in vault.samples} == {vid(i) for i in range(120)}
    assert db.watchlist.counts(now=clock.now()).due_now == 0
    job = db.jobs.recent_jobs(1)[0]
    assert job.status is JobStatus.SUCCEEDED
    assert job.counts["tracked"] == 120
    assert youtube.given_back == 1  # the quota reserved for the pass and not spent


async def test_first_visit_asks_for_the_snippet_then_not_again(clock: ManualClock) -> None:
    db, youtube, _, tracker = make(clock, 3)
    await tracker.run_once()
    assert [snippet for _, snippet in youtube.calls] == [True]
    [entry] = db.watchlist.get([vid(0)])
    assert entry.channel_id == CHANNEL
    assert entry.published_at == START - timedelta(hours=1)
    assert entry.tier == "HOURLY"
    assert entry.next_track_at == START + timedelta(hours=1)  # grid: published + 2 h
    clock.advance(timedelta(hours=1))
    await tracker.run_once()
    assert [snippet for _, snippet in youtube.calls] == [True, False]


async def test_missing_three_visits_in_a_row_becomes_unavailable(clock: ManualClock) -> None:
    db, _, vault, tracker = make(clock, 2, live={vid(0)})
    for _ in range(3):
        await tracker.run_once()
        clock.advance(timedelta(hours=2))
    [gone] = db.watchlist.get([vid(1)])
    assert gone.status is VideoStatus.UNAVAILABLE
    assert gone.misses == 3
    assert all(s.video_id == vid(0) for s in vault.samples)
    before = len(vault.samples)
    clock.advance(timedelta(days=30))
    await tracker.run_once()
    assert len(vault.samples) == before + 1  # the unavailable one costs nothing


async def test_quota_exhaustion_stops_and_leaves_the_rest_due(clock: ManualClock) -> None:
    db, youtube, vault, tracker = make(clock, 100, claim_size=100)
    youtube.fail_with[vid(99)] = QuotaExhaustedError("shared", START + timedelta(hours=8))
    result = await tracker.run_once()
    assert result.stopped_by == "quota"
    assert result.tracked == 50
    counts = db.watchlist.counts(now=clock.now())
    assert counts.due_now == 50
    # released, not leased: a second worker could take them at once
    assert (
        len(
            db.watchlist.claim_due(
                now=clock.now(),
                limit=100,
                worker="w2",
                lease_until=clock.now() + timedelta(minutes=5),
            )
        )
        == 50
    )
    assert len(vault.samples) == 50


async def test_transient_failure_keeps_batch_due_and_counts_an_error(clock: ManualClock) -> None:
    db, youtube, _, tracker = make(clock, 60)
    youtube.fail_with[vid(59)] = TransientError("503 after 5 retries")
    result = await tracker.run_once()
    assert result.errors == 1
    assert result.tracked == 50
    assert db.watchlist.counts(now=clock.now()).due_now == 10


async def test_invalid_key_fails_the_job_and_releases(clock: ManualClock) -> None:
    db, youtube, _, tracker = make(clock, 10)
    youtube.fail_with[vid(0)] = KeyRejectedError("key key-abc is invalid")
    with pytest.raises(KeyRejectedError):
        await tracker.run_once()
    assert youtube.given_back == 1  # a failed pass gives its quota back too
    assert db.jobs.recent_jobs(1)[0].status is JobStatus.FAILED
    assert db.watchlist.counts(now=clock.now()).due_now == 10
    claimed = db.watchlist.claim_due(
        now=clock.now(), limit=10, worker="w2", lease_until=clock.now() + timedelta(minutes=1)
    )
    assert len(claimed) == 10


async def test_limit_and_stop_request(clock: ManualClock) -> None:
    db, _, _, tracker = make(clock, 30, claim_size=10)
    result = await tracker.run_once(limit=15)
    assert result.tracked == 15
    stop = asyncio.Event()
    stop.set()
    result = await tracker.run_once(stop=stop)
    assert result.tracked == 0
    assert result.stopped_by == "signal"
    assert db.jobs.recent_jobs(1)[0].status is JobStatus.INTERRUPTED


async def test_a_pass_cancelled_while_claiming_leaves_no_lease(clock: ManualClock) -> None:
    db, _, _, tracker = make(clock, 10)
    started, go_on = threading.Event(), threading.Event()
    claim_due = db.watchlist.claim_due

    def slow_claim(**kwargs: Any) -> list[WatchEntry]:
        started.set()
        go_on.wait(10)
        return claim_due(**kwargs)

    db.watchlist.claim_due = slow_claim  # type: ignore[method-assign]
    task = asyncio.ensure_future(tracker.run_once())
    await asyncio.to_thread(started.wait, 10)
    task.cancel()
    go_on.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert db.jobs.recent_jobs(1)[0].status is JobStatus.INTERRUPTED
    claimed = claim_due(
        now=clock.now(), limit=10, worker="w2", lease_until=clock.now() + timedelta(minutes=1)
    )
    assert len(claimed) == 10  # the claim that finished after the cancel was given back
