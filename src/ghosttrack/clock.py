"""Injectable clocks: every read of the time in ghosttrack goes through one of these.

``SystemClock`` is the real time; ``FixedClock`` pins it (``GHOSTTRACK_NOW``);
``AcceleratedClock`` runs simulated time faster than real time, defined only by settings so that
two processes (a tracker and a simulator) configured alike agree on what time it is;
``ManualClock`` is advanced by hand — and by ``sleep`` — so tests simulate days in milliseconds.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What ghosttrack needs to know about time."""

    def now(self) -> datetime:
        """The current (possibly simulated) time, timezone-aware, in UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


def ensure_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class SystemClock:
    """The real wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FixedClock:
    """Always the same moment; ``sleep`` returns at once (a pinned command does one pass)."""

    def __init__(self, moment: datetime) -> None:
        self._moment = ensure_utc(moment)

    def now(self) -> datetime:
        return self._moment

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


class ManualClock:
    """A clock moved by the test: ``advance`` and ``sleep`` move time forward instantly."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("a clock does not run backwards")
        self._now += delta

    def set(self, moment: datetime) -> None:
        moment = ensure_utc(moment)
        if moment < self._now:
            raise ValueError("a clock does not run backwards")
        self._now = moment

    async def sleep(self, seconds: float) -> None:
        self.advance(timedelta(seconds=max(0.0, seconds)))
        await asyncio.sleep(0)


class AcceleratedClock:
    """Simulated time = ``start`` + (real time − ``anchor``) × ``speed``.

    Everything is given, nothing is read at construction, so processes built from the same
    settings share one timeline.
    """

    def __init__(self, start: datetime, anchor: datetime, speed: float) -> None:
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self.start = ensure_utc(start)
        self.anchor = ensure_utc(anchor)
        self.speed = speed

    def now(self) -> datetime:
        real_elapsed = time.time() - self.anchor.timestamp()
        return self.start + timedelta(seconds=real_elapsed * self.speed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)
