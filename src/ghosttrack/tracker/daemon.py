"""``ghosttrack run``: discover and track as videos come due, run maintenance (the janitor and
its kin) on their schedules, sleep between.

One tick reads as one story: discovery if some is due (new uploads are due at once); a tracking
pass; the maintenance tasks that are due; then sleep until the next video, discovery or task is
due (or the quota resets), waking at once on a stop request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from ghosttrack.clock import Clock
from ghosttrack.maintenance.runner import Maintenance
from ghosttrack.quota import next_reset
from ghosttrack.schedule import pass_is_due
from ghosttrack.settings import Settings
from ghosttrack.tracker.tracker import PassResult, Tracker
from ghosttrack.watchlist.watchlist import WatchlistStore

log = logging.getLogger("ghosttrack.daemon")

#: The shortest sleep between two looks at the watchlist while videos wait for company.
MIN_NAP = timedelta(seconds=30)


class Discoverer(Protocol):
    """What the daemon runs beside tracking (``ghosttrack.hunter.Hunter``)."""

    def next_due_at(self) -> datetime | None: ...

    async def run_once(self, *, stop: asyncio.Event | None = None) -> Any: ...


class Daemon:
    """Runs a Tracker, a Discoverer (optional) and maintenance (optional) until asked to stop."""

    def __init__(
        self,
        tracker: Tracker,
        watchlist: WatchlistStore,
        clock: Clock,
        settings: Settings,
        *,
        on_pass: Callable[[PassResult], None] | None = None,
        maintenance: Maintenance | None = None,
        discoverer: Discoverer | None = None,
        on_discovery: Callable[[Any], None] | None = None,
    ) -> None:
        self.tracker = tracker
        self.watchlist = watchlist
        self.clock = clock
        self.settings = settings
        self.on_pass = on_pass
        self.maintenance = maintenance
        self.discoverer = discoverer
        self.on_discovery = on_discovery

    async def run(self, stop: asyncio.Event) -> None:
        rest_until: datetime | None = None  # the quota ran out: tracking rests until the reset
        while not stop.is_set():
            if self.discoverer is not None and _is_due(self.discoverer.next_due_at(), self.clock):
                found = await self.discoverer.run_once(stop=stop)
                if self.on_discovery is not None:
                    self.on_discovery(found)
            if self._pass_is_due(rest_until):
                result = await self.tracker.run_once(stop=stop, lookahead=self.settings.early_visit)
                if self.on_pass is not None:
                    self.on_pass(result)
                rest_until = self._rest_after(result)
            if self.maintenance is not None:
                await self.maintenance.run_due()
            wake = self._wake_time(rest_until)
            await sleep_or_stop(self.clock, (wake - self.clock.now()).total_seconds(), stop)

    def _pass_is_due(self, rest_until: datetime | None) -> bool:
        now = self.clock.now()
        if rest_until is not None and now < rest_until:
            return False
        return pass_is_due(
            due_soon=self.watchlist.count_due(due_before=now + self.settings.early_visit),
            oldest_due=self.watchlist.next_due_at(),
            now=now,
            batch_size=self.settings.batch_size,
            wait=self.settings.batch_wait,
        )

    def _rest_after(self, result: PassResult) -> datetime | None:
        if result.stopped_by != "quota":
            return None
        log.info("quota exhausted: tracking sleeps until the Pacific midnight reset")
        return next_reset(self.clock.now())

    def _wake_time(self, rest_until: datetime | None) -> datetime:
        now = self.clock.now()
        candidates = []
        if self.maintenance is not None and (task_due := self.maintenance.next_due_at()):
            candidates.append(task_due)
        if rest_until is not None and now < rest_until:
            candidates.append(rest_until)
        else:
            candidates.append(now + self.settings.idle_poll)
            next_due = self.watchlist.next_due_at()
            if next_due is not None:
                # Look again when the next video comes due, or soon if some wait for company.
                candidates.append(max(next_due, now + MIN_NAP))
        discovery = self.discoverer.next_due_at() if self.discoverer is not None else None
        if discovery is not None:
            candidates.append(discovery)  # feeds cost no quota: discovery goes on regardless
        return min(candidates)


def _is_due(moment: datetime | None, clock: Clock) -> bool:
    return moment is not None and moment <= clock.now()


async def sleep_or_stop(clock: Clock, seconds: float, stop: asyncio.Event) -> None:
    """Sleep on the clock, returning early when ``stop`` is set."""
    if seconds <= 0 or stop.is_set():
        await asyncio.sleep(0)
        return
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sleeper, stopper):
            task.cancel()
        await asyncio.gather(sleeper, stopper, return_exceptions=True)
