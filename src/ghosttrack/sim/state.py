"""The simulator's mutable state: quota used per key, the scripted faults, the counters."""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ghosttrack.quota import QuotaPolicy, key_fingerprint, pacific_day
from ghosttrack.sim.apierrors import DEFAULT_REASON_FOR_STATUS
from ghosttrack.sim.codec import derive_key
from ghosttrack.sim.config import SimConfig

FAULT_KINDS = frozenset({"error", "malformed", "timeout", "disconnect", "delay"})
FEED = "feed"


@dataclass(frozen=True)
class Fault:
    """One injected failure. ``method`` limits it to one API method (``"feed"`` for the feed);
    ``delay`` (real seconds) is waited before it acts; ``kind="delay"`` only delays."""

    kind: str
    status: int = 0
    reason: str | None = None
    message: str | None = None
    method: str | None = None
    delay: float = 0.0

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Fault:
        """Read ``{"status": 503, "reason": "backendError"}``, ``{"kind": "timeout"}``…"""
        unknown = set(obj) - {"kind", "status", "reason", "message", "method", "delay"}
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}")
        kind = str(obj.get("kind", "error" if "status" in obj else ""))
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {sorted(FAULT_KINDS)}, not {kind!r}")
        status = int(obj.get("status", 0))
        if kind == "error" and not 400 <= status <= 599:
            raise ValueError("an error fault needs an HTTP status between 400 and 599")
        reason = obj.get("reason")
        if kind == "error" and reason is None:
            reason = DEFAULT_REASON_FOR_STATUS.get(status, "backendError")
        return cls(
            kind=kind,
            status=status,
            reason=None if reason is None else str(reason),
            message=None if obj.get("message") is None else str(obj["message"]),
            method=None if obj.get("method") is None else str(obj["method"]),
            delay=float(obj.get("delay", 0.0)),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for name in ("status", "reason", "message", "method", "delay"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out


class QuotaMeter:
    """Units used per key fingerprint, per bucket, per Pacific day."""

    def __init__(self, policy: QuotaPolicy) -> None:
        self.policy = policy
        self._used: Counter[tuple[str, date, str]] = Counter()

    def charge(self, fingerprint: str, method: str, at: datetime) -> str | None:
        """Take the method's cost; return the exhausted bucket instead when it does not fit."""
        cost = self.policy.cost_of(method)
        slot = (fingerprint, pacific_day(at), cost.bucket)
        if self._used[slot] + cost.units > self.policy.limit_of(cost.bucket):
            return cost.bucket
        self._used[slot] += cost.units
        return None

    def used(self, fingerprint: str, bucket: str, at: datetime) -> int:
        return self._used[(fingerprint, pacific_day(at), bucket)]

    def snapshot(self, at: datetime) -> dict[str, dict[str, int]]:
        """``{fingerprint: {bucket: units}}`` for the Pacific day of ``at``."""
        today = pacific_day(at)
        out: dict[str, dict[str, int]] = {}
        for (fingerprint, day, bucket), units in self._used.items():
            if day == today:
                out.setdefault(fingerprint, {})[bucket] = units
        return out

    def by_day(self) -> dict[str, dict[str, dict[str, int]]]:
        out: dict[str, dict[str, dict[str, int]]] = {}
        for (fingerprint, day, bucket), units in sorted(self._used.items()):
            out.setdefault(day.isoformat(), {}).setdefault(fingerprint, {})[bucket] = units
        return out

    def reset(self) -> None:
        self._used.clear()


class SimState:
    """Everything a running simulator remembers between requests."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.meter = QuotaMeter(config.quota)
        self.faults: deque[Fault] = deque()
        self.requests: Counter[str] = Counter()
        self.responses: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self._rng = random.Random(derive_key(config.seed, 40))
        self._fingerprints: dict[str, str] = {}

    def fingerprint(self, key: str) -> str:
        found = self._fingerprints.get(key)
        if found is None:
            if len(self._fingerprints) > 10_000:
                self._fingerprints.clear()
            found = self._fingerprints[key] = key_fingerprint(key)
        return found

    def next_fault(self, method: str) -> Fault | None:
        """The first scripted fault for this method, else one drawn from the configured rates."""
        for i, fault in enumerate(self.faults):
            if fault.method == method or (fault.method is None and method != FEED):
                del self.faults[i]
                return fault
        if method == FEED:
            return None
        return self._draw()

    def _draw(self) -> Fault | None:
        c = self.config
        if not (
            c.error_rate or c.rate_limit_rate or c.timeout_rate or c.disconnect_rate
            or c.malformed_rate
        ):  # fmt: skip
            return None
        u = self._rng.random()
        for rate, fault in (
            (c.error_rate, Fault("error", 503 if self._rng.random() < 0.5 else 500)),
            (c.rate_limit_rate, Fault("error", 429, "rateLimitExceeded")),
            (c.timeout_rate, Fault("timeout")),
            (c.disconnect_rate, Fault("disconnect")),
            (c.malformed_rate, Fault("malformed")),
        ):
            if u < rate:
                return fault
            u -= rate
        return None

    def latency(self) -> float:
        c = self.config
        if not c.latency and not c.latency_jitter:
            return 0.0
        return c.latency + c.latency_jitter * self._rng.random()

    def stats(self, at: datetime) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "responses": dict(self.responses),
            "units": self.meter.snapshot(at),
            "units_by_day": self.meter.by_day(),
            "injected": dict(self.injected),
            "rejected": dict(self.rejected),
            "pending_faults": [f.to_json() for f in self.faults],
        }

    def reset(self) -> None:
        self.meter.reset()
        self.faults.clear()
        for counter in (self.requests, self.responses, self.injected, self.rejected):
            counter.clear()
