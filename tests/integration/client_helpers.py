"""Shared by tests/integration/test_client_*.py: a client wired to a simulator on loopback, a
transport that records what crossed the wire, and the simulator's admin endpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from ghosttrack.clock import ManualClock
from ghosttrack.settings import Settings
from ghosttrack.sim.server import SimServer
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.ledger import LedgerStore
from ghosttrack.youtube.client import YouTubeClient
from tests.fixtures.sim import SIM_EPOCH

# A month into the simulated world: plenty of published videos.
START = SIM_EPOCH + timedelta(days=30)  # 2026-07-01 00:00 UTC = 30 June 17:00 in Los Angeles

KEY = "AIzaIntegrationSecretKey-0123456789ABCD"
OTHER_KEY = "AIzaIntegrationOtherKey--0123456789WXYZ"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Real HTTP, plus a record of each request and its answer's body."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[tuple[httpx.Request, int, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        body = await response.aread()
        self.exchanges.append((request, response.status_code, body))
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    async def aclose(self) -> None:
        await self._inner.aclose()

    def paths(self) -> list[str]:
        return [r.url.path.rsplit("/", 1)[-1] for r, _, _ in self.exchanges]


def settings_for(sim: SimServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "youtube_api_keys": [KEY],
        "youtube_api_url": sim.base_url,
        "youtube_feed_url": sim.feed_url,
        "api_max_retries": 3,
        "api_backoff_base": 0.5,
        "api_backoff_max": 4.0,
        "api_timeout": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


def client_for(
    sim: SimServer,
    clock: ManualClock,
    ledger: LedgerStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    **overrides: Any,
) -> YouTubeClient:
    settings = settings_for(sim, **overrides)
    return YouTubeClient(settings, clock, ledger or Database.in_memory().ledger, transport)


async def inject(sim: SimServer, *faults: dict[str, Any]) -> None:
    """Script the simulator's next answers through its admin endpoint."""
    async with httpx.AsyncClient() as admin:
        response = await admin.post(f"{sim.root_url}/_sim/faults", json={"next": list(faults)})
        response.raise_for_status()


async def sim_stats(sim: SimServer) -> dict[str, Any]:
    async with httpx.AsyncClient() as admin:
        response = await admin.get(f"{sim.root_url}/_sim/stats")
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats
