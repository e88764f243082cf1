"""A YouTube Data API v3 simulator: a deterministic synthetic world served over HTTP.

``World`` (the data), ``create_app`` (the ASGI app), ``SimServer`` / ``SimProcess`` (loopback,
for tests and benchmarks), ``SimConfig`` (quota, keys, faults). See ``ghosttrack simulate``.
"""

from __future__ import annotations

from ghosttrack.sim.app import create_app
from ghosttrack.sim.config import SimConfig
from ghosttrack.sim.server import SimProcess, SimServer
from ghosttrack.sim.world import World

__all__ = ["SimConfig", "SimProcess", "SimServer", "World", "create_app"]
