"""Each error path of the client against the simulator over real HTTP: faults are scripted
through the simulator's admin endpoint (POST /_sim/faults)."""

from __future__ import annotations

import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.errors import (
    BadResponseError,
    KeyRejectedError,
    QuotaExhaustedError,
    TransientError,
)
from ghosttrack.quota import BATCH_STATS, SHARED, key_fingerprint, pacific_day
from ghosttrack.sim.server import SimServer
from ghosttrack.watchlist.database import Database
from tests.fixtures.sim import MakeSim, sim_config
from tests.integration.client_helpers import (
    KEY,
    OTHER_KEY,
    START,
    RecordingTransport,
    client_for,
    inject,
    sim_stats,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def server(make_sim: MakeSim, clock: ManualClock) -> SimServer:
    return make_sim(clock=clock)


@pytest.fixture
def ids(server: SimServer, clock: ManualClock) -> list[str]:
    return server.world.video_ids(50, published_before=clock.now())


async def test_rate_limits_and_429_are_retried_then_succeed(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    await inject(server, {"status": 429}, {"status": 403, "reason": "rateLimitExceeded"})
    async with client_for(server, clock) as client:
        batch = await client.fetch_stats(ids)
        assert client.calls_made() == {"videos.batchGetStats": 3}
        assert client.errors_seen() == {"rate": 2}
    assert len(batch.found) + len(batch.missing) == 50
    assert clock.now() > START  # backed off on the injected clock


async def test_429_past_the_bound_rests_the_bucket(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    ledger = Database.in_memory().ledger
    await inject(server, *[{"status": 429}] * 4)  # 1 + api_max_retries answers
    transport = RecordingTransport()
    async with client_for(server, clock, ledger, transport=transport) as client:
        batch = await client.fetch_stats(ids)
        assert len(batch.found) + len(batch.missing) == 50
        # the batch bucket now rests like an exhausted one: the shared bucket carries on
        await client.fetch_stats(ids[:1])
    assert transport.paths() == ["videos:batchGetStats"] * 4 + ["videos"] * 2
    day = pacific_day(clock.now())
    assert ledger.used(key_fingerprint(KEY), BATCH_STATS, day) == 10_000
    assert ledger.used(key_fingerprint(KEY), SHARED, day) == 2


async def test_429_past_the_bound_on_every_bucket_is_quota_exhausted(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    await inject(server, *[{"status": 429}] * 8)
    async with client_for(server, clock) as client:
        with pytest.raises(QuotaExhaustedError):
            await client.fetch_stats(ids)
        assert client.calls_made() == {"videos.batchGetStats": 4, "videos.list": 4}


async def test_5xx_are_retried(server: SimServer, clock: ManualClock, ids: list[str]) -> None:
    await inject(server, {"status": 503, "reason": "backendError"}, {"status": 500})
    async with client_for(server, clock) as client:
        batch = await client.fetch_stats(ids)
        assert client.errors_seen() == {"transient": 2}
    assert len(batch.found) + len(batch.missing) == 50


async def test_5xx_past_the_bound_is_a_transient_error(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    await inject(server, *[{"status": 503, "reason": "backendError"}] * 4)
    async with client_for(server, clock) as client:
        with pytest.raises(TransientError, match="backendError"):
            await client.fetch_stats(ids)
    stats = await sim_stats(server)
    assert stats["requests"] == {"videos.batchGetStats": 4}


async def test_timeouts_are_retried(server: SimServer, clock: ManualClock, ids: list[str]) -> None:
    await inject(server, {"kind": "timeout"})
    async with client_for(server, clock, api_timeout=1.0) as client:
        batch = await client.fetch_stats(ids)
        assert client.errors_seen() == {"transient": 1}
        assert client.calls_made() == {"videos.batchGetStats": 2}
    assert len(batch.found) + len(batch.missing) == 50


async def test_broken_connections_are_retried(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    await inject(server, {"kind": "disconnect"}, {"kind": "disconnect"})
    async with client_for(server, clock) as client:
        batch = await client.fetch_stats(ids)
        assert client.errors_seen() == {"transient": 2}
    assert len(batch.found) + len(batch.missing) == 50


async def test_a_malformed_body_is_retried(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    await inject(server, {"kind": "malformed"})
    async with client_for(server, clock) as client:
        batch = await client.fetch_stats(ids)
        assert client.errors_seen() == {"malformed": 1}
    assert len(batch.found) + len(batch.missing) == 50


async def test_malformed_bodies_past_the_bound_are_a_bad_response(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    await inject(server, *[{"kind": "malformed"}] * 4)
    async with client_for(server, clock) as client:
        with pytest.raises(BadResponseError):
            await client.fetch_stats(ids)


async def test_an_invalid_key_fails_fast_without_showing_the_key(
    make_sim: MakeSim, clock: ManualClock
) -> None:
    sim = make_sim(config=sim_config(valid_keys=frozenset({OTHER_KEY})), clock=clock)
    ids = sim.world.video_ids(5, published_before=clock.now())
    async with client_for(sim, clock) as client:
        with pytest.raises(KeyRejectedError) as caught:
            await client.fetch_stats(ids)
        assert client.calls_made() == {"videos.batchGetStats": 1}  # not retried
    message = str(caught.value)
    assert KEY not in message
    assert key_fingerprint(KEY) in message
    assert "GHOSTTRACK_YOUTUBE_API_KEYS" in message  # says what to fix


async def test_a_forbidden_call_fails_fast(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    await inject(server, {"status": 403, "reason": "accessNotConfigured"})
    async with client_for(server, clock) as client:
        with pytest.raises(KeyRejectedError, match="enable it"):
            await client.fetch_stats(ids)


async def test_bad_request_isolates_the_bad_id(
    server: SimServer, clock: ManualClock, ids: list[str]
) -> None:
    batch_ids = [*ids[:24], "not.an/id!", *ids[24:49]]
    transport = RecordingTransport()
    async with client_for(server, clock, transport=transport) as client:
        batch = await client.fetch_stats(batch_ids)
    assert batch.invalid == ("not.an/id!",)
    assert sorted([s.video_id for s in batch.found] + list(batch.missing)) == sorted(ids[:49])
    statuses = [status for _, status, _ in transport.exchanges]
    assert statuses[0] == 400
    assert len(statuses) <= 1 + 2 * 6  # bisection: about two calls per halving


async def test_faults_on_the_feed_are_retried(server: SimServer, clock: ManualClock) -> None:
    channel = server.world.channels[0]
    await inject(server, {"status": 503, "method": "feed"}, {"kind": "malformed", "method": "feed"})
    async with client_for(server, clock, youtube_api_keys=[]) as client:
        feed = await client.channel_feed(channel.channel_id)
        assert client.calls_made() == {"channel.feed": 3}
    assert feed.entries
