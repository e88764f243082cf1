"""Maintenance tasks on their own schedules, run by ``ghosttrack run`` between tracking passes.

A task is a name, a period and a blocking callable (the janitor today; compaction, retention
and the trends refresh join it). ``Maintenance`` knows when each is next due and runs the due
ones off the event loop, so the daemon's tick stays one story: discover, track, maintain, sleep.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ghosttrack.clock import Clock

log = logging.getLogger("ghosttrack.maintenance")


@dataclass(frozen=True)
class Task:
    """One kind of maintenance: ``run`` is called every ``every`` (first at start)."""

    name: str
    every: timedelta
    run: Callable[[], object]


#: Told of every finished task: its name and what ``run`` returned.
OnDone = Callable[[str, object], None]


class Maintenance:
    """The due times of a set of tasks, and a way to run the due ones."""

    def __init__(self, tasks: Sequence[Task], clock: Clock, *, on_done: OnDone | None = None):
        names = [t.name for t in tasks]
        if len(set(names)) != len(names):
            raise ValueError(f"maintenance task names must be unique, got {names}")
        for task in tasks:
            if task.every <= timedelta(0):
                raise ValueError(f"maintenance task {task.name!r}: the period must be positive")
        self.tasks = tuple(tasks)
        self.clock = clock
        self.on_done = on_done
        self._next: dict[str, datetime] = {}

    def next_due_at(self) -> datetime | None:
        """When the next task is due (now, for one that never ran); None without tasks."""
        now = self.clock.now()
        return min((self._next.get(t.name, now) for t in self.tasks), default=None)

    async def run_due(self) -> list[str]:
        """Run every due task, one after the other, in a thread; return their names.

        A failing task is logged and scheduled again like a successful one: maintenance never
        stops tracking. Each task records its own job (with the error) in the job log.
        """
        ran = []
        for task in self.tasks:
            now = self.clock.now()
            if self._next.get(task.name, now) > now:
                continue
            try:
                outcome = await asyncio.to_thread(task.run)
            except Exception:
                log.exception("maintenance task %s failed", task.name)
            else:
                if self.on_done is not None:
                    self.on_done(task.name, outcome)
            self._next[task.name] = self.clock.now() + task.every
            ran.append(task.name)
        return ran
