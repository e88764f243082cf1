"""Several trackers on one database: four processes drain a slot's due set — no video claimed
twice, none lost — and the quota ledger never passes its limit, whether reserved a call at a
time or in blocks by four workers' key pools, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from datetime import timedelta
from typing import Any

from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import VideoStatus, Visit
from tests.integration.test_store_contract import DAY, LEASE, NOW, entry

VIDEOS = 3000
WORKERS = 4
NEXT_SLOT = NOW + timedelta(hours=1)


def track_until_drained(url: str, worker: str, start: Any, results: Any) -> None:
    """A tracker's loop over one slot: claim a batch, "visit" it, reschedule it to the next
    slot; the random batch sizes and pauses shuffle the interleaving of the four processes."""
    db = Database.from_url(url)
    rng = random.Random(worker)
    claimed: list[str] = []
    start.wait()
    try:
        while batch := db.watchlist.claim_due(
            now=NOW, limit=rng.randint(20, 120), worker=worker, lease_until=LEASE
        ):
            claimed.extend(e.video_id for e in batch)
            time.sleep(rng.random() / 200)
            visits = [
                Visit(e.video_id, "HOURLY", VideoStatus.ACTIVE, NEXT_SLOT, NOW, 1, 0, None, None)
                for e in batch
            ]
            if db.watchlist.reschedule(visits, worker=worker) != len(batch):
                raise AssertionError(f"{worker} lost leases it held")
        results.put((worker, claimed))
    except Exception as exc:  # reported by the test
        results.put((worker, repr(exc)))
    finally:
        db.close()


def test_four_processes_drain_a_slot_without_overlap_or_loss(store_url: str) -> None:
    db = Database.from_url(store_url)
    db.watchlist.add([entry(i) for i in range(VIDEOS)], revive_removed=False)
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=track_until_drained, args=(store_url, f"w{n}", start, results))
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    start.set()
    outcomes = dict(results.get(timeout=100) for _ in processes)
    for process in processes:
        process.join(timeout=30)

    failures = {w: o for w, o in outcomes.items() if isinstance(o, str)}
    assert failures == {}
    claimed = [video for videos in outcomes.values() for video in videos]
    assert len(claimed) == VIDEOS  # nobody claimed a video twice…
    assert set(claimed) == {f"video{i:06d}" for i in range(VIDEOS)}  # …and none was lost
    assert sum(1 for videos in outcomes.values() if videos) > 1  # the work was shared
    counts = db.watchlist.counts(now=NOW)
    assert counts.due_now == 0
    assert db.watchlist.next_due_at() == NEXT_SLOT
    db.close()


BUDGET = 3000
BLOCK = 40


def call_in_blocks(url: str, worker: int, start: Any, results: Any) -> None:
    """A worker's key pool taking one unit a call until the budget is gone, giving back what it
    holds every so often (the end of a pass); worker 0 crashes, keeping its last block."""
    import asyncio

    from ghosttrack.clock import FixedClock
    from ghosttrack.quota import BATCH_STATS, SEARCH, SHARED, QuotaPolicy
    from ghosttrack.youtube.keys import ApiKey, KeyPool

    async def calls() -> int:
        db = Database.from_url(url)
        policy = QuotaPolicy(buckets={SHARED: BUDGET, BATCH_STATS: 0, SEARCH: 0})
        clock = FixedClock(NOW)
        pool = KeyPool([ApiKey("shared-key-0001")], db.ledger, policy, clock, block=BLOCK)
        rng = random.Random(worker)
        taken = 0
        start.wait()
        try:
            while await pool.reserve(SHARED, 1):
                taken += 1
                if rng.random() < 0.01:
                    await pool.give_back()
                if rng.random() < 0.05:
                    await asyncio.sleep(rng.random() / 500)
            if worker != 0:
                await pool.give_back()
            return taken
        finally:
            db.close()

    try:
        results.put((worker, asyncio.run(calls())))
    except Exception as exc:  # reported by the test
        results.put((worker, repr(exc)))


def test_four_workers_reserving_in_blocks_never_pass_the_budget(store_url: str) -> None:
    from ghosttrack.quota import SHARED, key_fingerprint, pacific_day

    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=call_in_blocks, args=(store_url, n, start, results))
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    start.set()
    taken = dict(results.get(timeout=100) for _ in processes)
    for process in processes:
        process.join(timeout=30)

    assert all(isinstance(n, int) for n in taken.values()), taken
    calls = sum(taken.values())
    db = Database.from_url(store_url)
    used = db.ledger.used(key_fingerprint("shared-key-0001"), SHARED, pacific_day(NOW))
    db.close()
    assert calls <= BUDGET  # never more calls than the budget, together
    assert calls >= BUDGET - WORKERS * BLOCK  # and the budget was not lost to blocks…
    assert calls <= used <= calls + BLOCK  # …except the crashed worker's last one, at most
    assert sum(1 for n in taken.values() if n) > 1  # the budget was shared


def test_threads_never_spend_past_the_limit(db: Database) -> None:
    granted: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def spend() -> None:
        barrier.wait()
        for _ in range(30):
            ok = db.ledger.reserve("key-a", "batch_stats", DAY, at_least=1, at_most=1, limit=100)
            ok = bool(ok)
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert granted.count(True) == 100
    assert db.ledger.used("key-a", "batch_stats", DAY) == 100
