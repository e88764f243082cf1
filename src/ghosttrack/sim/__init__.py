"""A YouTube Data API v3 simulator: a deterministic synthetic world served over HTTP.

``World`` (the data), ``create_app`` (the ASGI app), ``SimServer`` (loopback, for tests),
``SimConfig`` (quota, keys, faults). See ``ghosttrack simulate``.
"""

from __future__ import annotations

from ghosttrack.sim.app import create_app
from ghosttrack.sim.config import SimConfig
from ghosttrack.sim.world import World

__all__ = ["SimConfig", "SimServer", "World", "create_app"]


def __getattr__(name: str) -> object:
    # uvicorn is imported only when a server is wanted.
    if name == "SimServer":
        from ghosttrack.sim.server import SimServer

        return SimServer
    raise AttributeError(name)
