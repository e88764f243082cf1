"""The simulator as an ASGI app: YouTube Data API v3 paths under ``/youtube/v3/``, the channel
feed under ``/feeds/videos.xml``, and (only when ``config.admin``) ``/_sim/…`` to script faults,
change rates and read counters.

A request goes: count it → scripted or random fault → latency → key → quota → the method.
Quota is charged for every request that reaches the method (real YouTube charges invalid
requests too); injected faults and quota refusals cost nothing. Keys are never logged or echoed:
the stats name them by fingerprint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ghosttrack.clock import Clock
from ghosttrack.quota import next_reset
from ghosttrack.sim import api
from ghosttrack.sim.apierrors import ApiError, error_body
from ghosttrack.sim.config import SimConfig
from ghosttrack.sim.feed import channel_feed
from ghosttrack.sim.state import FEED, Fault, SimState
from ghosttrack.sim.world import World

JSON_TYPE = "application/json; charset=UTF-8"
Handler = api.Handler

API_METHODS: tuple[tuple[str, str, Handler], ...] = (
    ("/youtube/v3/videos", "videos.list", api.videos_list),
    ("/youtube/v3/videos:batchGetStats", "videos.batchGetStats", api.batch_get_stats),
    ("/youtube/v3/channels", "channels.list", api.channels_list),
    ("/youtube/v3/playlistItems", "playlistItems.list", api.playlist_items_list),
    ("/youtube/v3/search", "search.list", api.search_list),
)
MALFORMED_BODY = b'{\n  "kind": "youtube#videoListResponse",\n  "items": [\n    {"id": "'


def dumps(body: Any) -> bytes:
    return orjson.dumps(body)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON_TYPE)


def create_app(config: SimConfig, clock: Clock, world: World | None = None) -> Starlette:
    """The simulator app. ``world`` defaults to the one ``config`` describes (pass one to share
    it between apps or with the test that inspects it)."""
    simulator = Simulator(config, clock, world)
    app = Starlette(routes=simulator.routes())
    app.state.simulator = simulator
    return app


class Simulator:
    """The world, the clock and the state behind one app."""

    def __init__(self, config: SimConfig, clock: Clock, world: World | None = None) -> None:
        self.world = world or World(
            config.seed, config.videos, config.channels, config.epoch, config.horizon
        )
        self.clock = clock
        self.state = SimState(config)

    @property
    def config(self) -> SimConfig:
        return self.state.config

    def routes(self) -> list[Route]:
        routes = [
            Route(path, self._api_endpoint(method, handler), methods=["GET"])
            for path, method, handler in API_METHODS
        ]
        routes.append(Route("/feeds/videos.xml", self.feed, methods=["GET"]))
        if self.config.admin:
            routes += [
                Route("/_sim/faults", self.admin_faults, methods=["GET", "POST", "DELETE"]),
                Route("/_sim/config", self.admin_config, methods=["GET", "POST"]),
                Route("/_sim/stats", self.admin_stats, methods=["GET"]),
                Route("/_sim/reset", self.admin_reset, methods=["POST"]),
                Route("/_sim/world", self.admin_world, methods=["GET"]),
            ]
        return routes

    # ---- the API ---------------------------------------------------------------------------

    def _api_endpoint(self, method: str, handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            return await self.serve(request, method, handler)

        return endpoint

    async def serve(self, request: Request, method: str, handler: Handler) -> Response:
        state = self.state
        state.requests[method] += 1
        fault = await self._pre(method)
        if fault is not None:
            return fault
        params = request.query_params
        key = params.get("key") or request.headers.get("x-goog-api-key") or ""
        refusal = self._check_key(key)
        if refusal is not None:
            return refusal
        now = self.clock.now()
        exhausted = state.meter.charge(state.fingerprint(key), method, now)
        if exhausted is not None:
            state.rejected["quotaExceeded"] += 1
            return self._error(403, "quotaExceeded")
        try:
            body = handler(self.world, params, now.timestamp())
        except ApiError as exc:
            state.responses[str(exc.status)] += 1
            return json_response(exc.body(), exc.status)
        state.responses["200"] += 1
        return json_response(body)

    async def _pre(self, method: str) -> Response | None:
        """Latency and the fault for this request, if any."""
        fault = self.state.next_fault(method)
        delay = self.state.latency() + (fault.delay if fault is not None else 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        if fault is None or fault.kind == "delay":
            return None
        label = fault.kind if fault.kind != "error" else f"{fault.status}:{fault.reason}"
        self.state.injected[label] += 1
        return self._fault_response(fault)

    def _check_key(self, key: str) -> Response | None:
        config = self.config
        if not key:
            self.state.rejected["forbidden"] += 1
            return self._error(403, "forbidden")
        if config.invalid_key_mode or (
            config.valid_keys is not None and key not in config.valid_keys
        ):
            self.state.rejected["keyInvalid"] += 1
            return self._error(400, "keyInvalid")
        return None

    def _error(self, status: int, reason: str) -> Response:
        self.state.responses[str(status)] += 1
        return json_response(error_body(status, reason), status)

    def _fault_response(self, fault: Fault) -> Response:
        if fault.kind == "error":
            self.state.responses[str(fault.status)] += 1
            body = error_body(fault.status, fault.reason, fault.message)
            return json_response(body, fault.status)
        if fault.kind == "malformed":
            return Response(MALFORMED_BODY, media_type=JSON_TYPE)
        if fault.kind == "timeout":
            return _Hang(self.config.hang_seconds)
        return _Disconnect()

    # ---- the feed --------------------------------------------------------------------------

    async def feed(self, request: Request) -> Response:
        self.state.requests[FEED] += 1
        fault = await self._pre(FEED)
        if fault is not None:
            return fault
        params = request.query_params
        channel_id = params.get("channel_id") or ""
        playlist_id = params.get("playlist_id") or ""
        if not channel_id and playlist_id.startswith("UU"):
            channel_id = "UC" + playlist_id[2:]
        channel = self.world.channel_by_id(channel_id)
        now = self.clock.now()
        if channel is None or channel.created_at > now.timestamp():
            self.state.responses["404"] += 1
            return Response(
                "<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)</title></html>",
                status_code=404,
                media_type="text/html; charset=UTF-8",
            )
        self.state.responses["200"] += 1
        return Response(
            channel_feed(self.world, channel, now.timestamp()),
            media_type="application/atom+xml; charset=UTF-8",
        )

    # ---- administration (tests, demos) -----------------------------------------------------

    async def admin_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.state.faults.clear()
        elif request.method == "POST":
            try:
                payload = await request.json()
                faults = [Fault.from_json(item) for item in payload.get("next", [])]
            except (ValueError, TypeError, AttributeError) as exc:
                return json_response({"error": f"bad fault script: {exc}"}, 400)
            self.state.faults.extend(faults)
        return json_response({"pending": [f.to_json() for f in self.state.faults]})

    async def admin_config(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = await request.json()
                self.state.config = self.config.with_runtime(changes)
            except (ValueError, TypeError, AttributeError) as exc:
                return json_response({"error": str(exc)}, 400)
        return json_response(self.config.runtime_view())

    async def admin_stats(self, request: Request) -> Response:
        now = self.clock.now()
        body = self.state.stats(now)
        body["now"] = now.isoformat()
        body["quota_resets_at"] = next_reset(now).isoformat()
        return json_response(body)

    async def admin_reset(self, request: Request) -> Response:
        self.state.reset()
        return json_response({"reset": True})

    async def admin_world(self, request: Request) -> Response:
        sample = min(int(request.query_params.get("sample", "5")), 1000)
        world, now = self.world, self.clock.now()
        channels = world.channels[:sample]
        return json_response(
            {
                "seed": world.seed,
                "videos": world.video_count,
                "channels": world.channel_count,
                "epoch": world.epoch.isoformat(),
                "now": now.isoformat(),
                "video_ids": world.video_ids(sample, published_before=now),
                "channel_ids": [c.channel_id for c in channels],
                "handles": [c.handle for c in channels],
            }
        )


class _Hang(Response):
    """A request that never gets its answer: wait until the client gives up (or
    ``seconds`` pass, then answer 503)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(dumps(error_body(503, "backendError")), 503, media_type=JSON_TYPE)
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def until_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        try:
            await asyncio.wait_for(until_disconnect(), self.seconds)
        except TimeoutError:
            await super().__call__(scope, receive, send)


class _Disconnect(Response):
    """Headers promise a body that never comes: the connection closes half-way."""

    def __init__(self) -> None:
        super().__init__(b"", 200, media_type=JSON_TYPE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", JSON_TYPE.encode()), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"kind": "yout', "more_body": True})
