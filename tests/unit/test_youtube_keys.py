"""Choosing a key with budget, per bucket and per Pacific day, from blocks of units reserved in
the ledger; resting keys; and hiding the secret. (SQLite in memory as the ledger.)"""

from __future__ import annotations

import asyncio
import pickle
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.quota import (
    BATCH_STATS,
    SEARCH,
    SHARED,
    QuotaPolicy,
    key_fingerprint,
    next_block,
    pacific_day,
)
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.ledger import LedgerStore
from ghosttrack.youtube.keys import ApiKey, KeyPool


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# 23:00 in Los Angeles on 30 June 2026 (PDT, UTC-7)
LATE_EVENING = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


class CountingLedger(LedgerStore):
    """The SQL ledger, counting the reservations asked of it."""

    def __init__(self) -> None:
        super().__init__(Database.in_memory().engine)
        self.asked = 0

    def reserve(self, *args: Any, **kwargs: Any) -> int:
        self.asked += 1
        return super().reserve(*args, **kwargs)


def make_pool(
    secrets: list[str],
    shared: int = 3,
    *,
    block: int = 100,
    start: datetime = LATE_EVENING,
    reserve: int = 0,
) -> tuple[KeyPool, CountingLedger, ManualClock, list[ApiKey]]:
    clock = ManualClock(start)
    ledger = CountingLedger()
    policy = QuotaPolicy(
        buckets={SHARED: shared, BATCH_STATS: 1, SEARCH: 100}, reserves={SHARED: reserve}
    )
    keys = [ApiKey(s) for s in secrets]
    return KeyPool(keys, ledger, policy, clock, block=block), ledger, clock, keys


def test_api_key_shows_only_its_fingerprint() -> None:
    key = ApiKey("AIzaSECRET-unit-0001")
    assert key.secret == "AIzaSECRET-unit-0001"
    assert "SECRET" not in repr(key)
    assert "SECRET" not in str(key)
    assert "SECRET" not in f"{[key]}"
    assert key.fingerprint == key_fingerprint("AIzaSECRET-unit-0001")
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_blocks_double_up_to_the_most_a_block_may_hold() -> None:
    sizes = [1]
    for _ in range(9):
        sizes.append(next_block(sizes[-1], 1, 100))
    assert sizes == [1, 2, 4, 8, 16, 32, 64, 100, 100, 100]
    assert next_block(0, 1, 100) == 1
    assert next_block(4, 150, 100) == 150  # one call's worth, whatever the bound


async def test_keys_are_taken_in_turn() -> None:
    pool, _, _, keys = make_pool(["k-one-0001", "k-two-0002"], shared=1000)
    chosen = [await pool.reserve(SHARED, 1) for _ in range(200)]
    assert chosen[:2] == [keys[0], keys[1]]
    assert 50 <= chosen.count(keys[0]) <= 150  # both carry the load (blocks come unevenly)


async def test_calls_take_units_from_blocks_and_the_unspent_go_back() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001"], shared=10_000)
    for _ in range(1000):
        assert await pool.reserve(SHARED, 1) is keys[0]
    day = pacific_day(clock.now())
    assert ledger.asked < 25  # blocks of 1, 2, 4, … 100: not once a call
    assert 1000 <= ledger.used(keys[0].fingerprint, SHARED, day) <= 1100
    await pool.give_back()
    assert ledger.used(keys[0].fingerprint, SHARED, day) == 1000
    assert ledger.used(keys[0].fingerprint, BATCH_STATS, day) == 0


async def test_a_key_out_of_budget_is_skipped_then_none_is_left() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001", "k-two-0002"], shared=2)
    got = [await pool.reserve(SHARED, 1) for _ in range(4)]
    assert sorted(k.fingerprint for k in got if k) == sorted(
        [keys[0].fingerprint] * 2 + [keys[1].fingerprint] * 2
    )
    assert await pool.reserve(SHARED, 1) is None
    assert await pool.reserve(BATCH_STATS, 1) is not None  # buckets are independent
    day = pacific_day(clock.now())
    assert [ledger.used(k.fingerprint, SHARED, day) for k in keys] == [2, 2]


async def test_tracking_leaves_the_reserve_to_discovery() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001"], shared=10, reserve=4)
    tracked = 0
    while await pool.reserve(SHARED, 1, kept=4):
        tracked += 1
    assert tracked == 6
    discovered = 0
    while await pool.reserve(SHARED, 1):
        discovered += 1
    assert discovered == 4
    assert ledger.used(keys[0].fingerprint, SHARED, pacific_day(clock.now())) == 10


async def test_an_exhausted_key_rests_until_pacific_midnight_for_every_worker() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001", "k-two-0002"], shared=100)
    await pool.exhaust(keys[0], SHARED)
    assert ledger.used(keys[0].fingerprint, SHARED, pacific_day(clock.now())) == 100
    assert {await pool.reserve(SHARED, 1) for _ in range(5)} == {keys[1]}
    other = KeyPool(
        keys, ledger, QuotaPolicy(buckets={SHARED: 100, BATCH_STATS: 1, SEARCH: 1}), clock
    )
    assert {await other.reserve(SHARED, 1) for _ in range(5)} == {keys[1]}  # via the ledger
    clock.advance(timedelta(minutes=59))  # 23:59 Pacific: still the same quota day
    assert await pool.reserve(SHARED, 1) is keys[1]
    await pool.exhaust(keys[1], SHARED)
    assert await pool.reserve(SHARED, 1) is None
    clock.advance(timedelta(minutes=1))  # midnight in Los Angeles: every bucket is new
    assert {await pool.reserve(SHARED, 1) for _ in range(2)} == {keys[0], keys[1]}


@pytest.mark.parametrize(
    ("evening", "midnight", "quota_day"),
    [
        # 7 March 2026, 23:30 PST (UTC-8): the next day has 23 hours (clocks spring forward)
        (utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 8), date(2026, 3, 8)),
        # 8 March 2026, 23:30 PDT (UTC-7): the end of that 23-hour day
        (utc(2026, 3, 9, 6, 30), utc(2026, 3, 9, 7), date(2026, 3, 9)),
        # 1 November 2026 has 25 hours (clocks fall back): it ends at 08:00 UTC, not 07:00
        (utc(2026, 11, 2, 7, 30), utc(2026, 11, 2, 8), date(2026, 11, 2)),
    ],
)
async def test_a_key_rests_until_the_pacific_midnight_of_a_dst_change_day(
    evening: datetime, midnight: datetime, quota_day: date
) -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001"], shared=100, start=evening)
    await pool.exhaust(keys[0], SHARED)
    clock.set(midnight - timedelta(seconds=1))
    assert await pool.reserve(SHARED, 1) is None
    clock.set(midnight)
    assert pacific_day(clock.now()) == quota_day
    assert await pool.reserve(SHARED, 1) is keys[0]
    await pool.give_back()
    assert ledger.used(keys[0].fingerprint, SHARED, quota_day) == 1


async def test_a_bucket_of_size_zero_is_never_used() -> None:
    clock = ManualClock(LATE_EVENING)
    policy = QuotaPolicy(buckets={SHARED: 10, BATCH_STATS: 0, SEARCH: 0})
    pool = KeyPool([ApiKey("k-one-0001")], Database.in_memory().ledger, policy, clock)
    assert await pool.reserve(BATCH_STATS, 1) is None
    assert await pool.reserve(SHARED, 1) is not None


async def test_a_preferred_key_is_kept_while_it_has_budget() -> None:
    pool, _, _, keys = make_pool(["k-one-0001", "k-two-0002"], shared=2)
    assert [await pool.reserve(SHARED, 1, prefer=keys[1]) for _ in range(3)] == [
        keys[1],
        keys[1],
        keys[0],
    ]
    await pool.exhaust(keys[0], SHARED)
    assert await pool.reserve(SHARED, 1, prefer=keys[0]) is None


async def test_a_crashed_worker_takes_at_most_one_block_with_it() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001"], shared=10_000, block=50)
    for _ in range(500):
        await pool.reserve(SHARED, 1)
    # the worker dies here: nothing is given back
    used = ledger.used(keys[0].fingerprint, SHARED, pacific_day(clock.now()))
    assert 500 <= used <= 500 + 50


async def test_calls_waiting_together_share_one_refill_at_a_time() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001"], shared=1000, block=10)
    chosen = await asyncio.gather(*(pool.reserve(SHARED, 1) for _ in range(300)))
    assert chosen == [keys[0]] * 300  # none was told "no budget" while a refill was under way
    day = pacific_day(clock.now())
    assert ledger.used(keys[0].fingerprint, SHARED, day) <= 300 + 10  # one block ahead at most
    await pool.give_back()
    assert ledger.used(keys[0].fingerprint, SHARED, day) == 300
