"""How many calls are in flight: additive increase, multiplicative decrease (AIMD), as TCP
finds the capacity of a path.

``Aimd`` is the pure rule: it starts low and doubles per round trip while calls succeed (slow
start); after the first sign of overload (HTTP 429, 5xx, a timeout, a dropped connection) it
halves, then grows by one call per round trip. One overload halves the limit once, however many
calls that were in flight report it: only a call started after the last decrease can cause the
next. ``Gate`` lets calls through under the limit, on an event loop.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass


@dataclass
class Aimd:
    """The limit on calls in flight, between ``low`` and ``high``. Pure: no I/O, no clock."""

    low: int
    high: int
    decrease: float = 0.5
    limit: float = 0.0
    slow_start: bool = True
    epoch: int = 0  # bumped by every decrease

    def __post_init__(self) -> None:
        if not 1 <= self.low <= self.high:
            raise ValueError(f"need 1 <= low <= high, got low={self.low}, high={self.high}")
        if not 0 < self.decrease < 1:
            raise ValueError(f"the decrease factor must be within (0, 1), got {self.decrease}")
        self.limit = float(min(max(self.limit, self.low), self.high))

    @property
    def allowed(self) -> int:
        """Calls that may be in flight now."""
        return int(self.limit + 1e-9)  # a round of 1/n steps adds up to 1 - ε

    def succeeded(self, in_flight: int) -> None:
        """A call came back answered. The limit grows only while it binds (``in_flight`` calls,
        this one included, filled it): an idle client does not talk itself into a burst."""
        if in_flight < self.allowed:
            return
        step = 1.0 if self.slow_start else 1.0 / self.allowed
        self.limit = min(float(self.high), self.limit + step)

    def overloaded(self, epoch: int) -> bool:
        """A call started in ``epoch`` met an overload: halve once per round. True if it did."""
        if epoch != self.epoch:
            return False  # the limit already came down for the round this call belonged to
        self.slow_start = False
        self.limit = max(float(self.low), self.limit * self.decrease)
        self.epoch += 1
        return True


class Gate:
    """Admits calls while fewer than ``aimd.allowed`` are in flight, first come, first served."""

    def __init__(self, aimd: Aimd) -> None:
        self.aimd = aimd
        self.in_flight = 0
        self._promised = 0  # waiters woken for a free place, not yet running
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def enter(self) -> int:
        """Wait for room; returns the epoch the call starts in (hand it back to ``leave``)."""
        if self._waiters or self.in_flight + self._promised >= self.aimd.allowed:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._promised -= 1  # a place was promised to this call: pass it on
                    self._wake()
                else:
                    self._waiters.remove(waiter)
                raise
            self._promised -= 1
        self.in_flight += 1
        return self.aimd.epoch

    def leave(self, epoch: int, *, overloaded: bool = False) -> None:
        """A call is done: it met an overload, or an answer (which lets the limit grow)."""
        if overloaded:
            self.aimd.overloaded(epoch)
        else:
            self.aimd.succeeded(self.in_flight)
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight + self._promised < self.aimd.allowed:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._promised += 1
