"""Several trackers on one database: four processes drain a slot's due set — no video claimed
twice, none lost — and the quota ledger never passes its limit, on SQLite and PostgreSQL."""

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


def spend_until_refused(url: str, start: Any, results: Any) -> None:
    db = Database.from_url(url)
    start.wait()
    spent = 0
    while db.ledger.try_spend("key-a", "shared", DAY, 3, 200):
        spent += 3
    results.put(spent)
    db.close()


def test_processes_never_spend_past_the_limit(store_url: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=spend_until_refused, args=(store_url, start, results))
        for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    start.set()
    spent = [results.get(timeout=100) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    db = Database.from_url(store_url)
    assert sum(spent) == 198  # 66 calls of 3 units; a 67th would pass 200
    assert db.ledger.used("key-a", "shared", DAY) == 198
    db.close()


def test_threads_never_spend_past_the_limit(db: Database) -> None:
    granted: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def spend() -> None:
        barrier.wait()
        for _ in range(30):
            ok = db.ledger.try_spend("key-a", "batch_stats", DAY, 1, 100)
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert granted.count(True) == 100
    assert db.ledger.used("key-a", "batch_stats", DAY) == 100
