"""The client's logic against an in-process fake API (httpx.MockTransport): routes, parameters,
quota, retries, key switching, bisection, concurrency and secrecy. Real HTTP against the
simulator is in tests/integration/test_client_*.py."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.errors import (
    BadRequestError,
    BadResponseError,
    ConfigError,
    KeyRejectedError,
    NotFoundError,
    QuotaExhaustedError,
    TransientError,
)
from ghosttrack.quota import BATCH_STATS, SHARED, key_fingerprint, next_reset, pacific_day
from ghosttrack.settings import Settings
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.ledger import LedgerStore
from ghosttrack.youtube.client import STATS_FIELDS, YouTubeClient
from ghosttrack.youtube.models import StatsBatch

KEY_A = "AIzaUnitClientKeyA-000000000000000001"
KEY_B = "AIzaUnitClientKeyB-000000000000000002"
API = "http://yt.test/youtube/v3"
START = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)  # 11:00 in Los Angeles

Reply = Callable[[httpx.Request], httpx.Response]


def error(status: int, reason: str, message: str = "") -> httpx.Response:
    body = {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}}
    return httpx.Response(status, json=body)


def vid(n: int) -> str:
    return f"vid{n:07d}A"


class FakeApi:
    """Answers like the real API; ``script`` overrides the next answers, in order."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.script: deque[Reply] = deque()
        self.bad_ids: set[str] = set()
        self.gone_ids: set[str] = set()
        self.quota_out: set[tuple[str, str]] = set()  # (key, path suffix)
        self.in_flight = 0
        self.peak_in_flight = 0
        self.delay = 0.0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if self.script:
                return self.script.popleft()(request)
            return self.answer(request)
        finally:
            self.in_flight -= 1

    def answer(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("x-goog-api-key") or request.url.params.get("key")
        path = request.url.path
        method = path.rsplit("/", 1)[-1]
        if (key, method) in self.quota_out:
            return error(403, "quotaExceeded", "The request cannot be completed (quota).")
        if method in ("videos", "videos:batchGetStats"):
            ids = request.url.params["id"].split(",")
            if self.bad_ids & set(ids):
                return error(400, "badRequest", "Invalid video id.")
            items = [self.item(v, method) for v in ids if v not in self.gone_ids]
            return httpx.Response(200, json={"items": items})
        return httpx.Response(200, json={"items": []})

    @staticmethod
    def item(video_id: str, method: str) -> dict[str, Any]:
        stats = {"viewCount": str(len(video_id) * 100), "likeCount": "3"}
        if method == "videos":
            snippet = {"publishedAt": "2026-06-30T10:00:00Z", "channelId": "UCchan"}
        else:
            snippet = {"publishTime": "2026-06-30T10:00:00Z"}
        return {"id": video_id, "snippet": snippet, "statistics": stats}

    def paths(self) -> list[str]:
        return [r.url.path.rsplit("/", 1)[-1] for r in self.requests]


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "youtube_api_keys": [KEY_A],
        "youtube_api_url": API,
        "youtube_feed_url": "http://yt.test/feeds/videos.xml",
        "api_max_retries": 3,
        "api_backoff_base": 1.0,
        "api_backoff_max": 8.0,
        "api_concurrency": 4,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def ledger() -> LedgerStore:
    return Database.in_memory().ledger


def client_for(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore, **overrides: Any
) -> YouTubeClient:
    key_in_query = overrides.pop("key_in_query", False)
    return YouTubeClient(
        make_settings(**overrides),
        clock,
        ledger,
        httpx.MockTransport(api),
        key_in_query=key_in_query,
    )


async def test_stats_use_batch_get_stats_with_the_key_in_a_header(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger) as client:
        batch = await client.fetch_stats([vid(1), vid(2)])
    (request,) = api.requests
    assert request.url.path == "/youtube/v3/videos:batchGetStats"
    assert request.url.params["id"] == f"{vid(1)},{vid(2)}"
    assert request.url.params["part"] == "statistics,snippet"
    assert request.headers["x-goog-api-key"] == KEY_A
    assert KEY_A not in str(request.url)
    assert [s.video_id for s in batch.found] == [vid(1), vid(2)]
    assert batch.found[0].channel_id is None
    assert client.calls_made() == {"videos.batchGetStats": 1}
    assert client.units_spent() == {BATCH_STATS: 1}
    assert ledger.used(key_fingerprint(KEY_A), BATCH_STATS, pacific_day(START)) == 1


async def test_with_snippet_uses_videos_list_trimmed_by_fields(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger) as client:
        batch = await client.fetch_stats([vid(1)], with_snippet=True)
    (request,) = api.requests
    assert request.url.path == "/youtube/v3/videos"
    assert request.url.params["fields"] == STATS_FIELDS
    assert request.url.params["part"] == "snippet,statistics"
    assert batch.found[0].channel_id == "UCchan"
    assert client.units_spent() == {SHARED: 1}


async def test_videos_list_when_batch_get_stats_is_off(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger, use_batch_get_stats=False) as client:
        await client.fetch_stats([vid(1)])
    assert api.paths() == ["videos"]


async def test_falls_back_to_videos_list_when_the_batch_bucket_is_spent(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger, batch_stats_quota=2) as client:
        for n in range(4):
            await client.fetch_stats([vid(n)])
    assert api.paths() == ["videos:batchGetStats"] * 2 + ["videos"] * 2
    assert client.units_spent() == {BATCH_STATS: 2, SHARED: 2}


async def test_quota_exceeded_switches_keys_then_raises_until_reset(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.quota_out = {(KEY_A, "videos:batchGetStats"), (KEY_B, "videos:batchGetStats")}
    api.quota_out |= {(KEY_A, "videos")}
    async with client_for(api, clock, ledger, youtube_api_keys=[KEY_A, KEY_B]) as client:
        batch = await client.fetch_stats([vid(1)])
        assert len(batch.found) == 1
        # one try of each bucket per key until one answers
        assert api.requests[-1].headers["x-goog-api-key"] == KEY_B
        assert api.paths()[-1] == "videos"
        api.quota_out.add((KEY_B, "videos"))
        with pytest.raises(QuotaExhaustedError) as caught:
            await client.fetch_stats([vid(2)])
        assert caught.value.resets_at == next_reset(START)
        sent = len(api.requests)
        with pytest.raises(QuotaExhaustedError):  # no call is sent while every key rests
            await client.fetch_stats([vid(3)])
        assert len(api.requests) == sent
        api.quota_out.clear()
        clock.set(next_reset(START))
        assert len((await client.fetch_stats([vid(4)])).found) == 1
    day = pacific_day(START)
    assert ledger.used(key_fingerprint(KEY_A), SHARED, day) == 10_000


async def test_transient_failures_are_retried_with_backoff_on_the_clock(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.extend(
        [
            lambda r: error(503, "backendError"),
            lambda r: httpx.Response(500, text="<html>oops</html>"),
            lambda r: error(403, "rateLimitExceeded"),
        ]
    )
    async with client_for(api, clock, ledger) as client:
        batch = await client.fetch_stats([vid(1)])
        assert len(batch.found) == 1
        assert client.calls_made() == {"videos.batchGetStats": 4}
        assert client.units_spent() == {BATCH_STATS: 4}  # failed calls are charged too
        assert client.errors_seen() == {"transient": 2, "rate": 1}
    # backoff ceilings 1 + 2 + 4 s: the manual clock moved, real time did not pass
    assert timedelta(0) < clock.now() - START <= timedelta(seconds=7)


async def test_timeouts_and_broken_connections_are_retried(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    api.script.extend([timeout, broken])
    async with client_for(api, clock, ledger) as client:
        assert len((await client.fetch_stats([vid(1)])).found) == 1
        assert client.errors_seen() == {"transient": 2}


async def test_retries_are_bounded(api: FakeApi, clock: ManualClock, ledger: LedgerStore) -> None:
    api.script.extend([lambda r: error(503, "backendError")] * 10)
    async with client_for(api, clock, ledger) as client:
        with pytest.raises(TransientError, match="still failed after 4 attempts"):
            await client.fetch_stats([vid(1)])
    assert len(api.requests) == 4  # 1 + api_max_retries


async def test_malformed_bodies_end_in_bad_response(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.extend([lambda r: httpx.Response(200, text='{"items": [')] * 10)
    async with client_for(api, clock, ledger) as client:
        with pytest.raises(BadResponseError, match="GHOSTTRACK_YOUTUBE_API_URL"):
            await client.fetch_stats([vid(1)])
    assert len(api.requests) == 4


async def test_a_malformed_body_then_a_good_one_succeeds(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.append(lambda r: httpx.Response(200, json={"items": [{"id": 5}]}))
    async with client_for(api, clock, ledger) as client:
        assert len((await client.fetch_stats([vid(1)])).found) == 1


async def test_429_past_the_bound_rests_the_bucket_and_moves_to_the_next_key(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.extend([lambda r: httpx.Response(429)] * 4)
    async with client_for(api, clock, ledger, youtube_api_keys=[KEY_A, KEY_B]) as client:
        assert len((await client.fetch_stats([vid(1)])).found) == 1
    keys = [r.headers["x-goog-api-key"] for r in api.requests]
    assert keys[-1] != keys[0]
    rested = key_fingerprint(keys[0])
    assert ledger.used(rested, BATCH_STATS, pacific_day(START)) == 10_000
    assert ledger.used(rested, SHARED, pacific_day(START)) == 0  # only that bucket rests


async def test_429_forever_on_the_only_key_ends_in_quota_exhausted(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.extend([lambda r: httpx.Response(429)] * 100)
    async with client_for(api, clock, ledger, use_batch_get_stats=False) as client:
        with pytest.raises(QuotaExhaustedError) as caught:
            await client.fetch_stats([vid(1)])
    assert caught.value.bucket == SHARED
    assert len(api.requests) == 4


@pytest.mark.parametrize(
    "answer",
    [
        error(400, "keyInvalid", "Bad Request"),
        error(400, "badRequest", "API key not valid. Please pass a valid API key."),
        error(403, "accessNotConfigured", "YouTube Data API v3 has not been used in project 1"),
        error(403, "forbidden", "Forbidden"),
    ],
)
async def test_a_rejected_key_fails_fast_naming_only_its_fingerprint(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore, answer: httpx.Response
) -> None:
    api.script.append(lambda r: answer)
    async with client_for(api, clock, ledger, youtube_api_keys=[KEY_A]) as client:
        with pytest.raises(KeyRejectedError) as caught:
            await client.fetch_stats([vid(1)])
    text = str(caught.value)
    assert key_fingerprint(KEY_A) in text
    assert KEY_A not in text
    assert len(api.requests) == 1


async def test_a_rejected_key_rests_for_every_worker_while_the_others_carry_on(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.append(lambda r: error(400, "keyInvalid", "Bad Request"))
    keys = [KEY_A, KEY_B]
    async with client_for(api, clock, ledger, youtube_api_keys=keys) as client:
        for n in range(4):
            assert len((await client.fetch_stats([vid(n)])).found) == 1
    assert [r.headers["x-goog-api-key"] for r in api.requests] == [KEY_A] + [KEY_B] * 4
    [rejection] = ledger.rejections()
    assert (rejection.key_fingerprint, rejection.reason) == (key_fingerprint(KEY_A), "keyInvalid")
    assert rejection.retry_at == START + timedelta(hours=1)
    async with client_for(api, clock, ledger, youtube_api_keys=keys) as other_worker:
        await other_worker.fetch_stats([vid(5)])
        assert api.requests[-1].headers["x-goog-api-key"] == KEY_B  # it knew from the ledger
        clock.advance(timedelta(hours=1, minutes=5))  # the key may have been fixed: try it
        await other_worker.fetch_stats([vid(6)])
        await other_worker.fetch_stats([vid(7)])
    assert {r.headers["x-goog-api-key"] for r in api.requests[-2:]} == {KEY_A, KEY_B}
    assert ledger.rejections() == []  # it answered: usable again, for everyone


async def test_every_key_rejected_is_an_error(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.extend([lambda r: error(400, "keyInvalid", "Bad Request")] * 2)
    async with client_for(api, clock, ledger, youtube_api_keys=[KEY_A, KEY_B]) as client:
        with pytest.raises(KeyRejectedError):
            await client.fetch_stats([vid(1)])
    assert len(api.requests) == 2
    assert {r.key_fingerprint for r in ledger.rejections()} == {
        key_fingerprint(KEY_A),
        key_fingerprint(KEY_B),
    }


async def test_bad_ids_are_isolated_by_bisection(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    ids = [vid(n) for n in range(50)]
    api.bad_ids = {vid(7), vid(31)}
    api.gone_ids = {vid(40)}
    async with client_for(api, clock, ledger) as client:
        batch = await client.fetch_stats(ids)
    assert sorted(batch.invalid) == [vid(7), vid(31)]
    assert batch.missing == (vid(40),)
    assert len(batch.found) == 47
    assert len(api.requests) <= 2 * 2 * 6 + 1  # ~2 log2(50) calls per bad id


async def test_a_request_rejected_whatever_the_ids_is_an_error(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.extend([lambda r: error(400, "invalidParameter", "fields")] * 20)
    async with client_for(api, clock, ledger) as client:
        with pytest.raises(BadRequestError, match="invalidParameter"):
            await client.fetch_stats([vid(1), vid(2), vid(3)])


async def test_ids_are_checked_before_sending(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger) as client:
        with pytest.raises(ValueError, match="at most 50"):
            await client.fetch_stats([vid(n) for n in range(51)])
        batch = await client.fetch_stats([vid(1), vid(1), "bad,id", ""])
        assert [s.video_id for s in batch.found] == [vid(1)]
        assert batch.invalid == ("bad,id", "")
        assert (await client.fetch_stats(["a b"])).invalid == ("a b",)
    assert [r.url.params["id"] for r in api.requests] == [vid(1)]


async def test_fetch_stats_many_chunks_bounds_concurrency_and_covers_every_id(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.delay = 0.01
    ids = [vid(n) for n in range(1000)]
    async with client_for(api, clock, ledger, api_concurrency=3, batch_size=40) as client:
        batches = [b async for b in client.fetch_stats_many(ids)]
    assert len(batches) == 25
    assert sorted(s.video_id for b in batches for s in b.found) == ids
    assert api.peak_in_flight == 3
    assert all(len(r.url.params["id"].split(",")) == 40 for r in api.requests)


async def test_fetch_stats_many_yields_what_completed_then_raises(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    ids = [vid(n) for n in range(500)]
    got: list[StatsBatch] = []
    async with client_for(api, clock, ledger, batch_stats_quota=3, daily_quota=2) as client:

        async def consume() -> None:
            async for batch in client.fetch_stats_many(ids):
                got.append(batch)

        with pytest.raises(QuotaExhaustedError):
            await consume()
    assert len(got) == 5  # every call that had budget
    assert len(api.requests) == 5


async def test_no_key_is_a_config_error_but_the_feed_needs_none(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry>'
        b'<yt:videoId xmlns:yt="http://www.youtube.com/xml/schemas/2015">'
        b"vid0000001A</yt:videoId><published>2026-06-30T10:00:00+00:00</published></entry></feed>"
    )
    api.script.append(lambda r: httpx.Response(200, content=feed))
    async with client_for(api, clock, ledger, youtube_api_keys=[]) as client:
        result = await client.channel_feed("UCchan")
        with pytest.raises(ConfigError, match="GHOSTTRACK_YOUTUBE_API_KEYS"):
            await client.fetch_stats([vid(1)])
    assert [e.video_id for e in result.entries] == ["vid0000001A"]
    (request,) = api.requests
    assert str(request.url) == "http://yt.test/feeds/videos.xml?channel_id=UCchan"
    assert "x-goog-api-key" not in request.headers
    assert client.calls_made() == {"channel.feed": 1}
    assert client.units_spent() == {}


async def test_a_url_without_scheme_is_a_config_error(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    with pytest.raises(ConfigError, match="GHOSTTRACK_YOUTUBE_API_URL"):
        client_for(api, clock, ledger, youtube_api_url="localhost:8000/youtube/v3")


async def test_key_in_query_is_redacted_from_errors_and_logs(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore, caplog: pytest.LogCaptureFixture
) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout(f"timed out on {request.url}", request=request)

    api.script.extend([timeout] * 4)
    caplog.set_level(logging.DEBUG)
    async with client_for(api, clock, ledger, key_in_query=True) as client:
        with pytest.raises(TransientError) as caught:
            await client.fetch_stats([vid(1)])
        logging.getLogger("httpx").info("HTTP Request: GET %s", api.requests[0].url)
        assert KEY_A not in repr(client)
    assert api.requests[0].url.params["key"] == KEY_A  # the key did travel in the URL
    assert KEY_A not in str(caught.value)
    assert key_fingerprint(KEY_A) in str(caught.value)
    assert caplog.records
    assert KEY_A not in caplog.text
    assert all(KEY_A not in r.getMessage() for r in caplog.records)


async def test_repr_shows_fingerprints(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger, youtube_api_keys=[KEY_A, KEY_B]) as client:
        text = repr(client)
    for key in (KEY_A, KEY_B):
        assert key not in text
        assert key_fingerprint(key) in text


async def test_discovery_calls_send_the_documented_parameters(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger) as client:
        await client.channels(ids=[f"UC{n:021d}A" for n in range(60)], handle="@someone")
        await client.playlist_items("UUx", page_token="tok", max_results=500)
        await client.search(
            "cats", published_after=datetime(2026, 6, 1, tzinfo=UTC), channel_id="UCx"
        )
        await client.video_details([vid(1), vid(2)])
        assert client.calls_made() == {
            "channels.list": 3,
            "playlistItems.list": 1,
            "search.list": 1,
            "videos.list": 1,
        }
        assert client.units_spent() == {SHARED: 5, "search": 1}
    channels = [r for r in api.requests if r.url.path.endswith("/channels")]
    assert sorted(len(r.url.params.get("id", "").split(",")) for r in channels) == [1, 10, 50]
    assert [r.url.params["forHandle"] for r in channels if "forHandle" in r.url.params] == [
        "@someone"
    ]
    playlist = next(r for r in api.requests if r.url.path.endswith("/playlistItems"))
    assert playlist.url.params["maxResults"] == "50"
    assert playlist.url.params["pageToken"] == "tok"
    search = next(r for r in api.requests if r.url.path.endswith("/search"))
    assert search.url.params["publishedAfter"] == "2026-06-01T00:00:00Z"
    assert (search.url.params["q"], search.url.params["type"]) == ("cats", "video")
    details = next(r for r in api.requests if r.url.path.endswith("/videos"))
    assert details.url.params["part"] == "snippet,contentDetails"
    assert "contentDetails(duration)" in details.url.params["fields"]


async def test_search_draws_on_its_own_bucket(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    async with client_for(api, clock, ledger, search_quota=1) as client:
        await client.search("a")
        with pytest.raises(QuotaExhaustedError) as caught:
            await client.search("b")
        assert caught.value.bucket == "search"
        await client.playlist_items("UUx")  # the shared bucket is untouched


async def test_a_missing_playlist_is_not_found(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.append(lambda r: error(404, "playlistNotFound", "The playlist cannot be found."))
    async with client_for(api, clock, ledger) as client:
        with pytest.raises(NotFoundError, match="playlistId=UUgone"):
            await client.playlist_items("UUgone")


async def test_json_body_of_success_is_checked(
    api: FakeApi, clock: ManualClock, ledger: LedgerStore
) -> None:
    api.script.extend([lambda r: httpx.Response(200, content=json.dumps([1]).encode())] * 2)
    async with client_for(api, clock, ledger, api_max_retries=1) as client:
        with pytest.raises(BadResponseError):
            await client.channels(ids=["UCx"])
