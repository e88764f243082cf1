"""The client against the simulator over real HTTP on loopback: what it sends, what it gets
back, and how it spends quota (batchGetStats first, key switching, the Pacific midnight reset)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.errors import QuotaExhaustedError
from ghosttrack.quota import BATCH_STATS, SEARCH, SHARED, QuotaPolicy, key_fingerprint, next_reset
from ghosttrack.sim.server import SimServer
from ghosttrack.watchlist.database import Database
from ghosttrack.youtube.client import STATS_FIELDS
from tests.fixtures.sim import MakeSim, sim_config
from tests.integration.client_helpers import (
    KEY,
    OTHER_KEY,
    START,
    RecordingTransport,
    client_for,
    sim_stats,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def server(make_sim: MakeSim, clock: ManualClock) -> SimServer:
    return make_sim(clock=clock)


def published(sim: SimServer, clock: ManualClock, n: int) -> list[str]:
    ids = sim.world.video_ids(n, published_before=clock.now())
    assert len(ids) == n
    return ids


async def test_batch_get_stats_first_50_ids_per_call(server: SimServer, clock: ManualClock) -> None:
    ids = published(server, clock, 500)
    transport = RecordingTransport()
    async with client_for(server, clock, transport=transport) as client:
        batches = [b async for b in client.fetch_stats_many(ids)]
        assert client.calls_made() == {"videos.batchGetStats": 10}
    found_ids = [s.video_id for b in batches for s in b.found]
    missing_ids = [m for b in batches for m in b.missing]
    assert sorted(found_ids + missing_ids) == sorted(ids)
    assert all(len(r.url.params["id"].split(",")) == 50 for r, _, _ in transport.exchanges)
    assert set(transport.paths()) == {"videos:batchGetStats"}
    found = [s for b in batches for s in b.found]
    assert len(found) >= 450  # a few may be private or deleted by now
    assert all(s.published_at is not None for s in found)
    assert all(s.channel_id is None for s in found)  # batchGetStats sends no channel
    stats = await sim_stats(server)
    assert stats["units"][key_fingerprint(KEY)] == {BATCH_STATS: 10}


async def test_videos_list_with_snippet_sends_fields_and_gets_the_channel(
    server: SimServer, clock: ManualClock
) -> None:
    ids = published(server, clock, 50)
    transport = RecordingTransport()
    async with client_for(server, clock, transport=transport) as client:
        batch = await client.fetch_stats(ids, with_snippet=True)
    ((request, status, body),) = transport.exchanges
    assert status == 200
    assert request.url.path.endswith("/videos")
    assert request.url.params["fields"] == STATS_FIELDS
    assert b'"title"' not in body  # trimmed to what is stored
    assert b'"kind"' not in body
    assert all(s.channel_id and s.channel_id.startswith("UC") for s in batch.found)
    assert {s.channel_id for s in batch.found} <= {c.channel_id for c in server.world.channels}


async def test_counts_match_the_world(server: SimServer, clock: ManualClock) -> None:
    ids = published(server, clock, 400)
    async with client_for(server, clock) as client:
        batches = [b async for b in client.fetch_stats_many(ids, with_snippet=True)]
    found = {s.video_id: s for b in batches for s in b.found}
    missing = {m for b in batches for m in b.missing}
    for video_id in ids:
        truth = server.world.stats(video_id, clock.now())
        if truth is None:
            assert video_id in missing
            continue
        got = found[video_id]
        assert (got.views, got.likes, got.comments) == (truth.views, truth.likes, truth.comments)
        assert got.channel_id == truth.channel_id
    # hidden likes and comments turned off arrive as None, never 0
    assert any(s.likes is None for s in found.values())
    assert any(s.comments is None for s in found.values())


async def test_batch_bucket_spent_falls_back_to_videos_list(
    server: SimServer, clock: ManualClock
) -> None:
    ids = published(server, clock, 10)
    transport = RecordingTransport()
    async with client_for(server, clock, transport=transport, batch_stats_quota=3) as client:
        for video_id in ids[:6]:
            assert len((await client.fetch_stats([video_id])).found) <= 1
        assert client.units_spent() == {BATCH_STATS: 3, SHARED: 3}
    assert transport.paths() == ["videos:batchGetStats"] * 3 + ["videos"] * 3


async def test_quota_exceeded_switches_keys_raises_then_resumes_after_pacific_midnight(
    make_sim: MakeSim, clock: ManualClock
) -> None:
    policy = QuotaPolicy(buckets={SHARED: 3, BATCH_STATS: 2, SEARCH: 1})
    sim = make_sim(config=sim_config(quota=policy), clock=clock)
    ids = published(sim, clock, 20)
    ledger = Database.in_memory().ledger
    transport = RecordingTransport()
    keys = [KEY, OTHER_KEY]
    async with client_for(sim, clock, ledger, transport=transport, youtube_api_keys=keys) as client:
        for video_id in ids[:10]:  # 2 keys x (2 batch + 3 shared)
            await client.fetch_stats([video_id])
        with pytest.raises(QuotaExhaustedError) as caught:
            await client.fetch_stats([ids[10]])
        assert caught.value.resets_at == next_reset(clock.now())
        sent = len(transport.exchanges)
        with pytest.raises(QuotaExhaustedError):
            await client.fetch_stats([ids[11]])
        assert len(transport.exchanges) == sent  # every key rests: nothing is sent

        statuses = [status for _, status, _ in transport.exchanges]
        assert statuses.count(200) == 10
        assert statuses.count(403) == 4  # each bucket of each key said quotaExceeded once
        day_stats = (await sim_stats(sim))["units"]
        assert day_stats == {key_fingerprint(k): {BATCH_STATS: 2, SHARED: 3} for k in keys}

        clock.set(next_reset(clock.now()) - timedelta(seconds=1))
        with pytest.raises(QuotaExhaustedError):
            await client.fetch_stats([ids[12]])
        clock.advance(timedelta(seconds=1))  # midnight in Los Angeles
        batch = await client.fetch_stats([ids[12]])
        assert [s.video_id for s in batch.found] == [ids[12]]
        assert transport.paths()[-1] == "videos:batchGetStats"


async def test_the_ledger_stops_calls_before_the_api_has_to(
    server: SimServer, clock: ManualClock
) -> None:
    ids = published(server, clock, 5)
    transport = RecordingTransport()
    async with client_for(
        server, clock, transport=transport, daily_quota=2, batch_stats_quota=1
    ) as client:
        for video_id in ids[:3]:
            await client.fetch_stats([video_id])
        with pytest.raises(QuotaExhaustedError):
            await client.fetch_stats([ids[3]])
    assert [status for _, status, _ in transport.exchanges] == [200, 200, 200]


async def test_discovery_endpoints(server: SimServer, clock: ManualClock) -> None:
    world = server.world
    first, second = world.channels[0], world.channels[1]
    async with client_for(server, clock) as client:
        channels = await client.channels(ids=[first.channel_id], handle=second.handle)
        assert [c.channel_id for c in channels] == [first.channel_id, second.channel_id]
        assert channels[1].handle is not None
        assert channels[1].handle.lower() == second.handle.lower()
        assert channels[0].uploads_playlist_id == first.uploads_playlist_id

        page = await client.playlist_items(first.uploads_playlist_id, max_results=5)
        assert 0 < len(page.items) <= 5
        assert all(e.channel_id == first.channel_id for e in page.items)
        times = [e.published_at for e in page.items]
        assert times == sorted(times, reverse=True)  # newest first
        if page.next_page_token:
            following = await client.playlist_items(
                first.uploads_playlist_id, page_token=page.next_page_token, max_results=5
            )
            assert not {e.video_id for e in following.items} & {e.video_id for e in page.items}

        hits = await client.search("", channel_id=first.channel_id, max_results=3)
        assert all(h.channel_id == first.channel_id for h in hits.items)

        details = await client.video_details([e.video_id for e in page.items])
        assert {d.video_id for d in details} <= {e.video_id for e in page.items}
        assert all(d.channel_id == first.channel_id for d in details)

        feed = await client.channel_feed(first.channel_id)
        assert feed.entries
        assert all(e.channel_id == first.channel_id for e in feed.entries)
        assert client.calls_made()["channel.feed"] == 1
        assert SEARCH in client.units_spent()
