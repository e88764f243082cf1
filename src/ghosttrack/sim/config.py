"""What a simulator instance is: its world, its quota, its keys and the faults it injects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from ghosttrack.quota import QuotaPolicy
from ghosttrack.sim.world import DEFAULT_EPOCH, DEFAULT_HORIZON

# Fields POST /_sim/config may change while the simulator runs.
RUNTIME_FIELDS = frozenset(
    {
        "latency",
        "latency_jitter",
        "error_rate",
        "rate_limit_rate",
        "timeout_rate",
        "disconnect_rate",
        "malformed_rate",
        "hang_seconds",
        "invalid_key_mode",
    }
)


@dataclass(frozen=True)
class SimConfig:
    """A simulator's settings. Rates are probabilities per API request, drawn from a generator
    seeded with ``seed`` (so a run with the same requests in the same order fails the same way).

    ``valid_keys=None`` accepts any key; a set accepts only those keys. ``invalid_key_mode``
    rejects every key (like a revoked key). Latencies and ``hang_seconds`` are real seconds.
    """

    seed: int = 0
    videos: int = 10_000
    channels: int | None = None
    epoch: datetime = DEFAULT_EPOCH
    horizon: timedelta = DEFAULT_HORIZON
    quota: QuotaPolicy = field(default_factory=QuotaPolicy)
    valid_keys: frozenset[str] | None = field(default=None, repr=False)
    invalid_key_mode: bool = False
    latency: float = 0.0
    latency_jitter: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    timeout_rate: float = 0.0
    disconnect_rate: float = 0.0
    malformed_rate: float = 0.0
    hang_seconds: float = 30.0
    admin: bool = False

    def __post_init__(self) -> None:
        rates = (
            self.error_rate,
            self.rate_limit_rate,
            self.timeout_rate,
            self.disconnect_rate,
            self.malformed_rate,
        )
        if any(not 0.0 <= r <= 1.0 for r in rates) or sum(rates) > 1.0:
            raise ValueError("fault rates must be within 0..1 and sum to at most 1")
        if self.latency < 0 or self.latency_jitter < 0 or self.hang_seconds < 0:
            raise ValueError("latency, latency_jitter and hang_seconds must not be negative")
        if self.videos < 1:
            raise ValueError("the simulated world needs at least one video")

    def with_runtime(self, changes: Mapping[str, Any]) -> SimConfig:
        """A copy with the run-time fields in ``changes`` replaced; unknown names are refused."""
        unknown = set(changes) - RUNTIME_FIELDS
        if unknown:
            raise ValueError(
                f"cannot change {sorted(unknown)} at run time; changeable: {sorted(RUNTIME_FIELDS)}"
            )
        typed: dict[str, Any] = {}
        for name, value in changes.items():
            typed[name] = bool(value) if name == "invalid_key_mode" else float(value)
        return replace(self, **typed)

    def runtime_view(self) -> dict[str, Any]:
        """The run-time fields and their values (what GET/POST /_sim/config shows)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in RUNTIME_FIELDS}
