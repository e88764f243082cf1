"""What is wrong, and when an episode of it opens and closes: pure functions, no I/O.

A *condition* is something wrong now, named by a key that stays the same while it lasts (a
bucket's exhaustion is keyed by its day, a failed job by its id). An *episode* runs from the
check that first sees a key to the first check that no longer does: it is told when it opens
and when it closes, never in between, however often the check runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ghosttrack.watchlist.records import Job, QuotaUsage, WatchlistCounts


@dataclass(frozen=True, slots=True)
class Condition:
    key: str
    message: str


@dataclass(frozen=True, slots=True)
class Thresholds:
    backlog: int  # alert when more videos than this are overdue by over an hour
    on_schedule: float  # alert when the on-schedule share falls below this


@dataclass(frozen=True, slots=True)
class Changes:
    opened: list[Condition]
    closed: list[str]  # keys of the episodes that ended
    active: frozenset[str]


def conditions(
    *,
    counts: WatchlistCounts,
    on_schedule: float | None,
    usage: Sequence[QuotaUsage],
    failed_jobs: Iterable[Job],
    thresholds: Thresholds,
    now: datetime,
) -> list[Condition]:
    """Everything wrong at ``now``, from what the store says."""
    found = [
        Condition(f"job-failed:{job.id}", f"{job.kind} job {job.id} failed: {job.error or '?'}")
        for job in failed_jobs
    ]
    if counts.due_now:
        found += [
            Condition(
                f"bucket-exhausted:{u.key_fingerprint}:{u.bucket}:{u.day}",
                f"the {u.bucket} quota of {u.key_fingerprint} is used up ({u.used}/{u.limit}) "
                f"with {counts.due_now} videos due at {now:%H:%M} UTC: they wait for the "
                "Pacific midnight reset",
            )
            for u in usage
            if u.limit > 0 and u.used >= u.limit
        ]
    if counts.backlog > thresholds.backlog:
        found.append(
            Condition(
                "backlog",
                f"backlog: {counts.backlog} videos overdue by over an hour "
                f"(threshold {thresholds.backlog})",
            )
        )
    if on_schedule is not None and on_schedule < thresholds.on_schedule:
        found.append(
            Condition(
                "on-schedule",
                f"on-schedule share {on_schedule:.1%} is below its target "
                f"{thresholds.on_schedule:.1%}",
            )
        )
    return found


def step(active: frozenset[str], now_wrong: Sequence[Condition]) -> Changes:
    """The episodes that open (wrong now, not before) and close (wrong before, not now)."""
    keys = frozenset(c.key for c in now_wrong)
    opened = [c for c in now_wrong if c.key not in active]
    closed = sorted(active - keys)
    return Changes(opened=opened, closed=closed, active=keys)
