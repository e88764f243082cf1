"""The async YouTube Data API v3 client.

Keep-alive connection pools (one small pool per concurrent call). The calls in flight adapt
(``concurrency.Gate``: AIMD between ``api_concurrency_min`` and ``api_concurrency``): more while
calls are answered, half as many after a 429, a 5xx or a timeout. A call takes its quota from
its key's block of units reserved in the shared ledger (``keys.KeyPool``) when its turn to be
sent comes, not before, so a call never goes out on a key that has rested meanwhile; retried
calls are charged again (YouTube charges failed calls too). Tracking calls leave discovery's
reserve of the shared bucket alone. Failures are classified from the real error body:

- ``quotaExceeded`` / ``dailyLimitExceeded``: the key's bucket rests until Pacific midnight (for
  every worker: the ledger row is marked) and the call moves to the next key with budget; with
  none left, ``QuotaExhaustedError``.
- rate limits, HTTP 429, 5xx, timeouts, broken connections, malformed bodies: retried with
  exponential backoff and full jitter (slept on the injected clock), a bounded number of times;
  then ``TransientError`` (or ``BadResponseError``). A key that keeps answering 429 past the
  bound rests like an exhausted one.
- an invalid or forbidden key: it rests (for every worker, ``key_retry``) and the call moves to
  another key; with none left, ``KeyRejectedError``, naming the key by fingerprint.
- ``badRequest`` on a batch of ids: the batch is bisected to isolate the bad ids.

The key travels in the ``X-Goog-Api-Key`` header (so it is never part of a URL) unless
``key_in_query`` is set; either way it is redacted from logs, exception text and reprs.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlencode

import httpx

import ghosttrack
from ghosttrack.clock import Clock
from ghosttrack.errors import (
    BadRequestError,
    BadResponseError,
    ConfigError,
    KeyRejectedError,
    NotFoundError,
    QuotaExhaustedError,
    TransientError,
    YouTubeError,
)
from ghosttrack.ledger import QuotaLedger
from ghosttrack.quota import next_reset
from ghosttrack.settings import Settings
from ghosttrack.youtube._parse import (
    MalformedResponse,
    load_json,
    parse_channels,
    parse_error,
    parse_feed,
    parse_playlist_page,
    parse_search_page,
    parse_stats,
    parse_video_details,
)
from ghosttrack.youtube._retry import (
    OVERLOAD,
    RETRIED,
    Failure,
    Verdict,
    backoff_delay,
    classify,
    key_hint,
)
from ghosttrack.youtube.concurrency import Aimd, Gate
from ghosttrack.youtube.keys import ApiKey, KeyPool
from ghosttrack.youtube.models import (
    ChannelFeed,
    ChannelInfo,
    PlaylistPage,
    SearchPage,
    StatsBatch,
    VideoDetails,
)
from ghosttrack.youtube.redact import install_log_redaction, redact

logger = logging.getLogger("ghosttrack.youtube")

MAX_IDS = 50
VIDEOS_LIST = "videos.list"
BATCH_GET_STATS = "videos.batchGetStats"
CHANNELS_LIST = "channels.list"
PLAYLIST_ITEMS_LIST = "playlistItems.list"
SEARCH_LIST = "search.list"
CHANNEL_FEED = "channel.feed"  # the RSS feed: no key, no quota

# Partial responses: only what ghosttrack stores crosses the network.
STATS_FIELDS = (
    "items(id,snippet(publishedAt,channelId),statistics(viewCount,likeCount,commentCount))"
)
DETAILS_FIELDS = (
    "items(id,snippet(publishedAt,channelId,title,description,tags,categoryId,"
    "liveBroadcastContent),contentDetails(duration))"
)

# An id that cannot even be put in a comma-separated list is invalid without asking YouTube;
# other odd ids are sent, and bisection isolates them if YouTube rejects the batch.
_SENDABLE_ID = re.compile(r"^[^,\s]{1,64}$")

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class _Route:
    """One way to make a call: the API method (for quota), its URL and parameters."""

    method: str
    url: str
    params: Mapping[str, str]
    keyless: bool = False
    tracking: bool = False  # leaves discovery's reserve alone


@dataclass
class _Counters:
    calls: Counter[str] = field(default_factory=Counter)
    units: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


class YouTubeClient:
    """The YouTube Data API v3, as ghosttrack uses it. Use as ``async with``."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        ledger: QuotaLedger,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        key_in_query: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        install_log_redaction()
        self._settings = settings
        self._clock = clock
        self._policy = settings.quota_policy()
        self._keys = KeyPool(
            [ApiKey(k) for k in settings.api_keys],
            ledger,
            self._policy,
            clock,
            block=settings.quota_block,
            key_retry=settings.key_retry,
        )
        self._api_url = _checked_url(settings.youtube_api_url, "GHOSTTRACK_YOUTUBE_API_URL")
        self._feed_url = _checked_url(settings.youtube_feed_url, "GHOSTTRACK_YOUTUBE_FEED_URL")
        self._key_in_query = key_in_query
        self._rng = rng or random.Random()
        self._counters = _Counters()
        self._parsed_urls: dict[str, httpx.URL] = {}
        most = settings.api_concurrency
        self._gate = Gate(Aimd(min(settings.api_concurrency_min, most), most))
        self._pools = _connection_pools(settings, transport)
        # One pool per call in flight (or the injected transport's pool, shared).
        self._free = list(self._pools) * (settings.api_concurrency // len(self._pools))

    def __repr__(self) -> str:
        keys = ", ".join(k.fingerprint for k in self._keys.keys)
        return redact(
            f"YouTubeClient(api_url={self._api_url!r}, keys=[{keys}], "
            f"concurrency={self._settings.api_concurrency})"
        )

    async def __aenter__(self) -> YouTubeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Give back unspent quota; close the connection pools."""
        try:
            await self.give_back_quota()
        finally:
            for pool in self._pools:
                await pool.aclose()

    async def give_back_quota(self) -> None:
        """Return the units reserved but not spent to the ledger, for other workers (and
        ``status``): the end of a pass, or of a discovery run."""
        await self._keys.give_back()

    @property
    def concurrency(self) -> int:
        """Calls allowed in flight now (it adapts)."""
        return self._gate.aimd.allowed

    # What was spent, for job records

    def calls_made(self) -> Mapping[str, int]:
        """Calls sent per API method (retries included: YouTube charges them too)."""
        return dict(self._counters.calls)

    def units_spent(self) -> Mapping[str, int]:
        """Quota units reserved per bucket by this client."""
        return dict(self._counters.units)

    def errors_seen(self) -> Mapping[str, int]:
        """Failed attempts per kind (quota, rate, transient, malformed, rejected, ...)."""
        return dict(self._counters.errors)

    # Statistics

    async def fetch_stats(
        self, video_ids: Sequence[str], *, with_snippet: bool = False
    ) -> StatsBatch:
        """Counts for up to 50 videos in one call (more only when a bad id must be isolated).

        Uses ``videos.batchGetStats`` (its own bucket) when enabled and some key has budget
        there, else ``videos.list``. ``with_snippet=True`` forces ``videos.list``, whose snippet
        carries the channel id as well as the publication time.
        """
        ids = _unique(video_ids)
        if len(ids) > MAX_IDS:
            raise ValueError(f"at most {MAX_IDS} ids per call, got {len(ids)}")
        sendable = [v for v in ids if _SENDABLE_ID.match(v)]
        unsendable = tuple(v for v in ids if not _SENDABLE_ID.match(v))
        if not sendable:
            return StatsBatch(found=(), missing=(), invalid=unsendable)

        async def fetch(chunk: list[str]) -> StatsBatch:
            return await self._stats_call(chunk, with_snippet)

        parts, invalid = await self._bisect(sendable, fetch)
        return StatsBatch(
            found=tuple(s for p in parts for s in p.found),
            missing=tuple(m for p in parts for m in p.missing),
            invalid=(*invalid, *unsendable),
        )

    async def fetch_stats_many(
        self, video_ids: Sequence[str], *, with_snippet: bool = False
    ) -> AsyncIterator[StatsBatch]:
        """Counts for any number of videos: batches of ``settings.batch_size`` ids, fetched as
        many at a time as the gate allows, yielded as they complete.

        On an error no new batch is started; the batches in flight are finished and yielded
        (their quota is spent), then the first error is raised.
        """
        size = self._settings.batch_size
        ids = _unique(video_ids)
        chunks = deque(ids[i : i + size] for i in range(0, len(ids), size))
        results: asyncio.Queue[StatsBatch | BaseException | None] = asyncio.Queue()
        failed = False

        async def worker() -> None:
            nonlocal failed
            try:
                while chunks and not failed:
                    chunk = chunks.popleft()
                    try:
                        results.put_nowait(await self.fetch_stats(chunk, with_snippet=with_snippet))
                    except Exception as exc:
                        failed = True
                        results.put_nowait(exc)
            finally:
                results.put_nowait(None)

        workers = [
            asyncio.create_task(worker())
            for _ in range(min(self._settings.api_concurrency, len(chunks)))
        ]
        try:
            first_error: BaseException | None = None
            running = len(workers)
            while running:
                item = await results.get()
                if item is None:
                    running -= 1
                elif isinstance(item, BaseException):
                    first_error = first_error or item
                else:
                    yield item
            if first_error is not None:
                raise first_error
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _stats_call(self, ids: list[str], with_snippet: bool) -> StatsBatch:
        joined = ",".join(ids)
        routes = []
        if self._settings.use_batch_get_stats and not with_snippet:
            routes.append(
                _Route(
                    BATCH_GET_STATS,
                    f"{self._api_url}/videos:batchGetStats",
                    {"id": joined, "part": "statistics,snippet"},
                    tracking=True,
                )
            )
        routes.append(
            _Route(
                VIDEOS_LIST,
                f"{self._api_url}/videos",
                {"id": joined, "part": "snippet,statistics", "fields": STATS_FIELDS},
                tracking=True,
            )
        )

        def parse(route: _Route, content: bytes) -> StatsBatch:
            return parse_stats(load_json(content), ids, self._clock.now())

        return await self._call(routes, parse)

    # Discovery

    async def video_details(self, video_ids: Sequence[str]) -> list[VideoDetails]:
        """Titles, channels, publication times, durations and tags (``videos.list``).

        Ids YouTube does not return (deleted, private) or rejects are left out.
        """
        ids = [v for v in _unique(video_ids) if _SENDABLE_ID.match(v)]

        async def fetch(chunk: list[str]) -> list[VideoDetails]:
            params = {"id": ",".join(chunk), "part": "snippet,contentDetails"}
            params["fields"] = DETAILS_FIELDS
            route = _Route(VIDEOS_LIST, f"{self._api_url}/videos", params)
            return await self._call([route], lambda _, c: parse_video_details(load_json(c)))

        async def fetch_chunk(chunk: list[str]) -> list[VideoDetails]:
            parts, _ = await self._bisect(chunk, fetch)
            return [d for part in parts for d in part]

        chunks = await asyncio.gather(*(fetch_chunk(c) for c in _chunked(ids, MAX_IDS)))
        return [d for chunk in chunks for d in chunk]

    async def channels(
        self, *, ids: Sequence[str] = (), handle: str | None = None
    ) -> list[ChannelInfo]:
        """Channels by id (50 per call) and/or by handle (``forHandle``), with statistics."""
        part = "snippet,contentDetails,statistics"
        url = f"{self._api_url}/channels"
        queries = [{"id": ",".join(c), "part": part} for c in _chunked(_unique(ids), MAX_IDS)]
        if handle is not None:
            queries.append({"forHandle": handle, "part": part})

        async def fetch(params: Mapping[str, str]) -> list[ChannelInfo]:
            route = _Route(CHANNELS_LIST, url, params)
            return await self._call(
                [route], lambda _, c: parse_channels(load_json(c), self._clock.now())
            )

        pages = await asyncio.gather(*(fetch(q) for q in queries))
        return [c for page in pages for c in page]

    async def playlist_items(
        self, playlist_id: str, *, page_token: str | None = None, max_results: int = 50
    ) -> PlaylistPage:
        """One page of a playlist (a channel's uploads: ``UU…``), newest first."""
        params = {
            "playlistId": playlist_id,
            "part": "snippet,contentDetails",
            "maxResults": str(_clamp(max_results)),
        }
        if page_token:
            params["pageToken"] = page_token
        route = _Route(PLAYLIST_ITEMS_LIST, f"{self._api_url}/playlistItems", params)
        return await self._call([route], lambda _, c: parse_playlist_page(load_json(c)))

    async def search(
        self,
        query: str,
        *,
        published_after: datetime | None = None,
        channel_id: str | None = None,
        page_token: str | None = None,
        max_results: int = 50,
    ) -> SearchPage:
        """One page of videos matching ``query``, newest first (``search.list``, its own bucket)."""
        params = {
            "part": "snippet",
            "type": "video",
            "order": "date",
            "maxResults": str(_clamp(max_results)),
        }
        if query:
            params["q"] = query
        if published_after is not None:
            params["publishedAfter"] = _rfc3339(published_after)
        if channel_id:
            params["channelId"] = channel_id
        if page_token:
            params["pageToken"] = page_token
        route = _Route(SEARCH_LIST, f"{self._api_url}/search", params)
        return await self._call([route], lambda _, c: parse_search_page(load_json(c)))

    async def channel_feed(self, channel_id: str) -> ChannelFeed:
        """The channel's RSS feed: its latest uploads with views and likes, free of quota."""
        route = _Route(CHANNEL_FEED, self._feed_url, {"channel_id": channel_id}, keyless=True)
        return await self._call([route], lambda _, c: parse_feed(c, channel_id, self._clock.now()))

    # The call machinery

    async def _bisect(
        self, ids: list[str], fetch: Callable[[list[str]], Awaitable[R]], *, top: bool = True
    ) -> tuple[list[R], list[str]]:
        """Results for ``ids``, splitting the batch in halves until each bad id is alone.

        When every id of a batch of several turns out bad, the request itself is wrong (not
        the ids): that is raised rather than reported as a batch of invalid ids.
        """
        try:
            return [await fetch(ids)], []
        except BadRequestError as exc:
            if len(ids) == 1:
                logger.warning("YouTube rejects video id %r as invalid; skipping it", ids[0])
                return [], list(ids)
            error = exc
        results: list[R] = []
        invalid: list[str] = []
        middle = len(ids) // 2
        for half in (ids[:middle], ids[middle:]):
            found, bad = await self._bisect(half, fetch, top=False)
            results.extend(found)
            invalid.extend(bad)
        if top and len(invalid) == len(ids):
            raise error
        return results, invalid

    async def _call(self, routes: Sequence[_Route], parse: Callable[[_Route, bytes], T]) -> T:
        """Send the first route some key has budget for; retry, switch keys, or give up."""
        failures = 0
        key: ApiKey | None = None
        while True:
            route, key, failure = await self._send(routes, key)
            if isinstance(failure, bytes):
                try:
                    return parse(route, failure)
                except MalformedResponse as exc:
                    failure = Failure(Verdict.MALFORMED, 200, "malformed", str(exc))
            self._counters.errors[failure.verdict.value] += 1
            if failure.verdict is Verdict.QUOTA and key is not None:
                await self._rest(key, route, failure)
                failures = 0
                continue
            if failure.verdict is Verdict.REJECTED and key is not None:
                await self._keys.reject(key, failure.reason)
                if self._keys.any_usable():
                    logger.warning("%s; the other keys carry on", self._fatal(failure, route, key))
                    failures = 0
                    continue
            if failure.verdict not in RETRIED:
                raise self._fatal(failure, route, key)
            failures += 1
            if failures <= self._settings.api_max_retries:
                await self._back_off(failures, route, failure)
                continue
            if failure.verdict is Verdict.RATE and key is not None:
                await self._rest(key, route, failure)  # 429 past the bound: the bucket ran out
                failures = 0
                continue
            raise self._gave_up(failure, route, failures)

    async def _send(
        self, routes: Sequence[_Route], prefer: ApiKey | None
    ) -> tuple[_Route, ApiKey | None, bytes | Failure]:
        """One attempt, when the gate lets it through: its quota is taken only then, so that
        no call goes out on a key that rested while it waited."""
        epoch = await self._gate.enter()
        overloaded = False
        try:
            route, key = await self._reserve(routes, prefer)
            answer = await self._attempt(route, key)
            overloaded = isinstance(answer, Failure) and answer.verdict in OVERLOAD
        finally:
            self._gate.leave(epoch, overloaded=overloaded)
        if key is not None and isinstance(answer, bytes):
            await self._keys.answered(key)
        return route, key, answer

    async def _reserve(
        self, routes: Sequence[_Route], prefer: ApiKey | None
    ) -> tuple[_Route, ApiKey | None]:
        bucket = ""
        for route in routes:
            if route.keyless:
                return route, None
            if not self._keys.keys:
                raise ConfigError(
                    "no YouTube Data API key is configured: set GHOSTTRACK_YOUTUBE_API_KEYS "
                    "(comma-separated keys)"
                )
            cost = self._policy.cost_of(route.method)
            bucket = cost.bucket
            kept = self._policy.kept_from_tracking(bucket) if route.tracking else 0
            key = await self._keys.reserve(cost.bucket, cost.units, kept=kept, prefer=prefer)
            if key is not None:
                self._counters.units[cost.bucket] += cost.units
                return route, key
        raise QuotaExhaustedError(bucket, next_reset(self._clock.now()))

    async def _attempt(self, route: _Route, key: ApiKey | None) -> bytes | Failure:
        """Send one request; its body on success, else what went wrong."""
        params = dict(route.params)
        headers = {}
        if key is not None:
            if self._key_in_query:
                params["key"] = key.secret
            else:
                headers["X-Goog-Api-Key"] = key.secret
        self._counters.calls[route.method] += 1
        misconfigured = ""
        http = self._free.pop()
        started = time.perf_counter()
        try:
            response = await http.get(self._url(route.url, params), headers=headers)
        except httpx.TimeoutException as exc:
            return Failure(Verdict.TRANSIENT, 0, "timeout", _describe(exc))
        except httpx.UnsupportedProtocol as exc:
            misconfigured = _describe(exc)
        except httpx.TransportError as exc:
            return Failure(Verdict.TRANSIENT, 0, "connection", _describe(exc))
        except httpx.InvalidURL as exc:
            misconfigured = _describe(exc)
        finally:
            self._free.append(http)
        if misconfigured:
            raise ConfigError(
                f"cannot call {route.url!r} ({misconfigured}): check GHOSTTRACK_YOUTUBE_API_URL "
                "and GHOSTTRACK_YOUTUBE_FEED_URL (they must start with http:// or https://)"
            )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s via %s: HTTP %d in %.1f ms",
                route.method,
                key.fingerprint if key else "no key",
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        if 200 <= response.status_code < 300:
            return response.content
        return classify(response.status_code, parse_error(response.content))

    def _url(self, base: str, params: Mapping[str, str]) -> httpx.URL:
        """``base?params``, built without re-parsing the whole URL: httpx would spend a third
        of a call's CPU checking a long id list character by character."""
        parsed = self._parsed_urls.get(base)
        if parsed is None:
            parsed = self._parsed_urls[base] = httpx.URL(base)
        return parsed.copy_with(query=urlencode(params, safe=",()").encode("ascii"))

    async def _back_off(self, failures: int, route: _Route, failure: Failure) -> None:
        s = self._settings
        delay = backoff_delay(failures - 1, s.api_backoff_base, s.api_backoff_max, self._rng)
        logger.info(
            "%s failed (%s); retry %d of %d in %.2f s",
            route.method,
            _summary(failure),
            failures,
            s.api_max_retries,
            delay,
        )
        await self._clock.sleep(delay)

    async def _rest(self, key: ApiKey, route: _Route, failure: Failure) -> None:
        bucket = self._policy.cost_of(route.method).bucket
        if not await self._keys.exhaust(key, bucket):
            return
        logger.warning(
            "the %r bucket of %s is used up (%s); it rests until %s",
            bucket,
            key.fingerprint,
            _summary(failure),
            next_reset(self._clock.now()).isoformat(),
        )

    def _fatal(self, failure: Failure, route: _Route, key: ApiKey | None) -> YouTubeError:
        said = _summary(failure)
        if failure.verdict is Verdict.REJECTED and key is not None:
            return KeyRejectedError(
                redact(
                    f"YouTube rejected API key {key.fingerprint} on {route.method} ({said}): "
                    f"{key_hint(failure.reason)}"
                )
            )
        if failure.verdict is Verdict.BAD_REQUEST:
            return BadRequestError(redact(f"YouTube rejected the {route.method} request ({said})"))
        if failure.verdict is Verdict.NOT_FOUND:
            what = ", ".join(f"{k}={v}" for k, v in route.params.items() if k != "part")
            return NotFoundError(redact(f"{route.method}: nothing found for {what} ({said})"))
        return YouTubeError(redact(f"{route.method} failed ({said})"))

    def _gave_up(self, failure: Failure, route: _Route, failures: int) -> YouTubeError:
        said = _summary(failure)
        if failure.verdict is Verdict.MALFORMED:
            return BadResponseError(
                redact(
                    f"{route.method} answered {failures} times with a body that could not be "
                    f"understood ({said}); check that GHOSTTRACK_YOUTUBE_API_URL points at the "
                    "YouTube Data API v3"
                )
            )
        return TransientError(
            redact(
                f"{route.method} still failed after {failures} attempts ({said}); the API or the "
                "network is having trouble: try again later, or raise GHOSTTRACK_API_MAX_RETRIES"
            )
        )


def _connection_pools(
    settings: Settings, transport: httpx.AsyncBaseTransport | None
) -> list[httpx.AsyncClient]:
    """Keep-alive connection pools: one small pool per concurrent call.

    httpcore scans every connection of a pool on each request and each response, so the CPU
    per call of one pool grows with its size (twice the CPU per call at 32 connections as at
    8). Small pools keep it flat. Each holds two connections: the API and the feed are
    different hosts. An injected transport (tests, proxies) is used as the one shared pool.
    """
    timeout = httpx.Timeout(settings.api_timeout)
    headers = {"User-Agent": f"ghosttrack/{ghosttrack.__version__} (gzip)"}
    if transport is not None:
        return [httpx.AsyncClient(transport=transport, timeout=timeout, headers=headers)]
    tls = httpx.create_ssl_context()  # built once: loading the CA bundle costs ~30 ms
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    return [
        httpx.AsyncClient(verify=tls, timeout=timeout, limits=limits, headers=headers)
        for _ in range(settings.api_concurrency)
    ]


def _checked_url(url: str, variable: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{variable} must be an http:// or https:// URL, got {url!r}")
    return url.rstrip("/")


def _summary(failure: Failure) -> str:
    status = f"HTTP {failure.status}, " if failure.status else ""
    message = f": {failure.message[:200]}" if failure.message else ""
    return redact(f"{status}{failure.reason}{message}")


def _describe(exc: Exception) -> str:
    """An httpx exception as text, without the request (whose URL or headers hold the key)."""
    text = str(exc)
    return redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _chunked(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _clamp(max_results: int) -> int:
    return max(1, min(MAX_IDS, max_results))


def _rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
