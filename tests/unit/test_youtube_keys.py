"""Choosing a key with budget, per bucket and per Pacific day, and hiding the secret."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.ledger import MemoryLedger
from ghosttrack.quota import BATCH_STATS, SHARED, QuotaPolicy, key_fingerprint, pacific_day
from ghosttrack.youtube.keys import ApiKey, KeyPool

# 23:00 in Los Angeles on 30 June 2026 (PDT, UTC-7)
LATE_EVENING = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


def make_pool(
    secrets: list[str], shared: int = 3
) -> tuple[KeyPool, MemoryLedger, ManualClock, list[ApiKey]]:
    clock = ManualClock(LATE_EVENING)
    ledger = MemoryLedger()
    policy = QuotaPolicy(buckets={SHARED: shared, BATCH_STATS: 1, "search": 100})
    keys = [ApiKey(s) for s in secrets]
    return KeyPool(keys, ledger, policy, clock), ledger, clock, keys


def test_api_key_shows_only_its_fingerprint() -> None:
    key = ApiKey("AIzaSECRET-unit-0001")
    assert key.secret == "AIzaSECRET-unit-0001"
    assert "SECRET" not in repr(key)
    assert "SECRET" not in str(key)
    assert "SECRET" not in f"{[key]}"
    assert key.fingerprint == key_fingerprint("AIzaSECRET-unit-0001")
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_keys_are_taken_in_turn() -> None:
    pool, _, _, keys = make_pool(["k-one-0001", "k-two-0002"])
    chosen = [pool.reserve(SHARED, 1) for _ in range(4)]
    assert chosen == [keys[0], keys[1], keys[0], keys[1]]


def test_reservation_is_recorded_in_the_ledger_per_key_bucket_and_day() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001"])
    assert pool.reserve(SHARED, 2) is keys[0]
    day = pacific_day(clock.now())
    assert ledger.used(keys[0].fingerprint, SHARED, day) == 2
    assert ledger.used(keys[0].fingerprint, BATCH_STATS, day) == 0


def test_a_key_out_of_budget_is_skipped_then_none_is_left() -> None:
    pool, _, _, keys = make_pool(["k-one-0001", "k-two-0002"], shared=2)
    got = [pool.reserve(SHARED, 1) for _ in range(4)]
    assert sorted(k.fingerprint for k in got if k) == sorted(
        [keys[0].fingerprint] * 2 + [keys[1].fingerprint] * 2
    )
    assert pool.reserve(SHARED, 1) is None
    assert not pool.has_budget(SHARED)
    assert pool.has_budget(BATCH_STATS)  # buckets are independent


def test_an_exhausted_key_rests_until_pacific_midnight() -> None:
    pool, ledger, clock, keys = make_pool(["k-one-0001", "k-two-0002"], shared=100)
    pool.exhaust(keys[0], SHARED)
    assert ledger.used(keys[0].fingerprint, SHARED, pacific_day(clock.now())) == 100
    assert {pool.reserve(SHARED, 1) for _ in range(5)} == {keys[1]}
    clock.advance(timedelta(minutes=59))  # 23:59 Pacific: still the same quota day
    assert pool.reserve(SHARED, 1) is keys[1]
    pool.exhaust(keys[1], SHARED)
    assert pool.reserve(SHARED, 1) is None
    clock.advance(timedelta(minutes=1))  # midnight in Los Angeles: every bucket is new
    assert {pool.reserve(SHARED, 1) for _ in range(2)} == {keys[0], keys[1]}


def test_a_bucket_of_size_zero_is_never_used() -> None:
    clock = ManualClock(LATE_EVENING)
    policy = QuotaPolicy(buckets={SHARED: 10, BATCH_STATS: 0, "search": 0})
    pool = KeyPool([ApiKey("k-one-0001")], MemoryLedger(), policy, clock)
    assert pool.reserve(BATCH_STATS, 1) is None
    assert pool.reserve(SHARED, 1) is not None


def test_a_preferred_key_is_kept_while_it_has_budget() -> None:
    pool, _, _, keys = make_pool(["k-one-0001", "k-two-0002"], shared=2)
    assert [pool.reserve(SHARED, 1, prefer=keys[1]) for _ in range(3)] == [
        keys[1],
        keys[1],
        keys[0],
    ]
    pool.exhaust(keys[0], SHARED)
    assert pool.reserve(SHARED, 1, prefer=keys[0]) is None
