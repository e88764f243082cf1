"""Tracking passes against the simulator over real HTTP, when a key's quota runs out sooner than
the settings say and when YouTube rejects a key: nothing more is sent on an exhausted bucket or
a rejected key, the other keys carry on, the unvisited videos stay due, and every worker (and
``status``) knows which keys rest."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.operations import add_ids, status_report
from ghosttrack.quota import BATCH_STATS, SEARCH, SHARED, QuotaPolicy, key_fingerprint, pacific_day
from ghosttrack.sim.server import SimServer
from ghosttrack.tracker.tracker import PassResult, Tracker
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import NewVideo
from ghosttrack.youtube.client import YouTubeClient
from tests.fixtures.sim import MakeSim, sim_config
from tests.integration.client_helpers import START, settings_for

BAD, GOOD_1, GOOD_2 = "AIzaRevokedKey-000000001", "AIzaGoodKey-0000000001", "AIzaGoodKey-0000000002"


@dataclass
class Exchange:
    key: str
    path: str
    sent: float
    received: float
    status: int
    reason: str


class TimedTransport(httpx.AsyncBaseTransport):
    """Real HTTP, noting when each request left and when its answer came back."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.monotonic()
        response = await self._inner.handle_async_request(request)
        body = await response.aread()
        reason = ""
        if response.status_code >= 400:
            reason = httpx.Response(200, content=body).json()["error"]["errors"][0]["reason"]
        self.exchanges.append(
            Exchange(
                request.headers["x-goog-api-key"],
                request.url.path.rsplit("/", 1)[-1],
                sent,
                time.monotonic(),
                response.status_code,
                reason,
            )
        )
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    async def aclose(self) -> None:
        await self._inner.aclose()

    def first(self, reason: str, key: str) -> Exchange:
        return min(
            (e for e in self.exchanges if e.reason == reason and e.key == key),
            key=lambda e: e.received,
        )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def track(
    sim: SimServer, clock: ManualClock, db: Database, keys: list[str], videos: int, tmp: object
) -> tuple[PassResult, TimedTransport]:
    settings = settings_for(sim, youtube_api_keys=keys, api_concurrency=16)
    ids = sim.world.video_ids(videos, published_before=clock.now())
    add_ids(
        db.watchlist, settings.tier_table(), clock, [NewVideo(v) for v in ids], revive_removed=True
    )
    transport = TimedTransport()
    vault = Vault(str(tmp), clock=clock)
    async with YouTubeClient(settings, clock, db.ledger, transport) as youtube:
        tracker = Tracker(db.watchlist, db.jobs, youtube, vault, clock, settings, worker="w1")
        result = await tracker.run_once()
    return result, transport


async def test_nothing_is_sent_on_a_bucket_after_its_first_quota_refusal(
    make_sim: MakeSim, clock: ManualClock, tmp_path: object
) -> None:
    # The key really holds 5 units a bucket; the settings believe the default 10,000.
    policy = QuotaPolicy(buckets={SHARED: 5, BATCH_STATS: 5, SEARCH: 1})
    sim = make_sim(config=sim_config(quota=policy, videos=12_000), clock=clock)
    db = Database.in_memory()
    result, transport = await track(sim, clock, db, [GOOD_1], 10_000, tmp_path)

    answered = [e for e in transport.exchanges if e.status == 200]
    refused = [e for e in transport.exchanges if e.reason == "quotaExceeded"]
    assert len(answered) == 5  # first visits: videos.list, the shared bucket
    first_refusal = transport.first("quotaExceeded", GOOD_1)
    assert all(e.sent < first_refusal.received for e in transport.exchanges)
    assert len(refused) <= 16  # at most the calls already in flight
    assert result.stopped_by == "quota"
    assert result.tracked == 5 * 50
    assert db.watchlist.counts(now=clock.now()).due_now == 10_000 - 250  # the rest stay due
    [usage] = db.ledger.usage(pacific_day(START))
    assert usage.exhausted
    db.close()


async def test_a_rejected_key_rests_and_the_others_carry_on_until_they_run_out(
    make_sim: MakeSim, clock: ManualClock, tmp_path: object
) -> None:
    policy = QuotaPolicy(buckets={SHARED: 3, BATCH_STATS: 3, SEARCH: 1})
    config = sim_config(quota=policy, valid_keys=frozenset({GOOD_1, GOOD_2}))
    sim = make_sim(config=config, clock=clock)
    db = Database.in_memory()
    keys = [BAD, GOOD_1, GOOD_2]
    result, transport = await track(sim, clock, db, keys, 500, tmp_path)

    rejected = transport.first("keyInvalid", BAD)
    assert all(e.sent < rejected.received for e in transport.exchanges if e.key == BAD)
    assert sum(e.status == 200 for e in transport.exchanges) == 6  # 3 on each good key
    for good in (GOOD_1, GOOD_2):
        refusal = transport.first("quotaExceeded", good)
        assert all(e.sent < refusal.received for e in transport.exchanges if e.key == good)
    assert result.tracked == 300
    assert result.stopped_by == "quota"
    assert db.watchlist.counts(now=clock.now()).due_now == 200

    fingerprints = [key_fingerprint(k) for k in keys]
    report = status_report(
        db, Vault(str(tmp_path), clock=clock).stats(), clock, key_fingerprints=fingerprints
    )
    states = {k.fingerprint: (k.state, k.reason) for k in report.keys}
    assert states == {
        fingerprints[0]: ("rejected", "API_KEY_INVALID"),  # the most specific reason given
        fingerprints[1]: ("resting", None),
        fingerprints[2]: ("resting", None),
    }
    bad_calls = sum(e.key == BAD for e in transport.exchanges)  # charged when sent
    assert [k.buckets[SHARED].used for k in report.keys] == [bad_calls, 10_000, 10_000]
    assert all(BAD not in str(k) for k in report.keys)

    # Another worker learns it all from the ledger: it sends nothing at all.
    clock.advance(timedelta(minutes=1))
    again, transport = await track(sim, clock, db, keys, 0, tmp_path)
    assert transport.exchanges == []
    assert again.stopped_by == "quota"
    assert db.watchlist.counts(now=clock.now()).due_now == 200
    db.close()
