"""Tracking tiers: how often a video is visited, by its age. Pure functions, no I/O.

A tier table is an ordered list of rules: a video whose age is below a rule's ``max_age`` takes
that rule's ``interval``; the last rule has no upper bound. Visits are aligned to a grid that
starts where the tier starts (age 0 for the first tier), so samples land at exact ages —
hourly at 1 h, 2 h, …; daily at 1 d, 2 d, … — whatever the delay of the previous visit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ghosttrack.duration import format_duration


@dataclass(frozen=True, slots=True)
class TierRule:
    """Videos younger than ``max_age`` (None = no limit) are visited every ``interval``."""

    name: str
    max_age: timedelta | None
    interval: timedelta


@dataclass(frozen=True, slots=True)
class Schedule:
    """The outcome of scheduling one visit: the tier now and when to come back."""

    tier: str
    next_track_at: datetime


class TierTable:
    """An ordered set of tier rules, validated once."""

    def __init__(self, rules: Sequence[TierRule]) -> None:
        _validate(rules)
        self.rules: tuple[TierRule, ...] = tuple(rules)
        self._starts = [timedelta(0)] + [r.max_age for r in rules[:-1] if r.max_age is not None]

    @property
    def first(self) -> TierRule:
        return self.rules[0]

    def names(self) -> list[str]:
        return [r.name for r in self.rules]

    def rule_for_age(self, age: timedelta) -> TierRule:
        """The rule for a video of this age (a negative age — clock skew — is the first tier)."""
        for rule in self.rules:
            if rule.max_age is None or age < rule.max_age:
                return rule
        return self.rules[-1]  # unreachable after validation: the last rule is open-ended

    def schedule(self, published_at: datetime | None, now: datetime) -> Schedule:
        """The tier at ``now`` and the next visit: the first grid point strictly after ``now``."""
        if published_at is None:
            return Schedule(self.first.name, now + self.first.interval)
        age = max(now - published_at, timedelta(0))
        index = self._index_for_age(age)
        rule = self.rules[index]
        start = self._starts[index]
        steps = math.floor((age - start) / rule.interval) + 1
        next_age = start + steps * rule.interval
        if rule.max_age is not None and next_age > rule.max_age:
            next_age = rule.max_age  # the next tier's first grid point is its start
        return Schedule(rule.name, published_at + next_age)

    def describe(self) -> list[dict[str, str]]:
        """Rows for the CLI, the docs and the dashboard."""
        rows = []
        for start, rule in zip(self._starts, self.rules, strict=True):
            until = "forever" if rule.max_age is None else format_duration(rule.max_age)
            rows.append(
                {
                    "tier": rule.name,
                    "from age": format_duration(start) if start else "0",
                    "until age": until,
                    "every": format_duration(rule.interval),
                }
            )
        return rows

    def _index_for_age(self, age: timedelta) -> int:
        for index, rule in enumerate(self.rules):
            if rule.max_age is None or age < rule.max_age:
                return index
        return len(self.rules) - 1


def _validate(rules: Sequence[TierRule]) -> None:
    if not rules:
        raise ValueError("a tier table needs at least one tier")
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise ValueError(f"tier names must be unique, got {names}")
    previous = timedelta(0)
    for rule in rules[:-1]:
        if rule.max_age is None:
            raise ValueError(f"only the last tier may have no max_age; {rule.name!r} has none")
        if rule.max_age <= previous:
            raise ValueError(f"tier {rule.name!r}: max_age must grow from tier to tier")
        previous = rule.max_age
    if rules[-1].max_age is not None:
        raise ValueError(
            f"the last tier {rules[-1].name!r} must have no max_age (it is open-ended)"
        )
    for rule in rules:
        if rule.interval <= timedelta(0):
            raise ValueError(f"tier {rule.name!r}: interval must be positive")


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

#: The presets users can name in settings (``tier_preset``).
PRESETS: Mapping[str, TierTable] = {
    # The ghost-tracking seed: hourly under 24 h, daily to 7 days, weekly after.
    "ghost": TierTable(
        [
            TierRule("HOURLY", 24 * HOUR, HOUR),
            TierRule("DAILY", 7 * DAY, DAY),
            TierRule("WEEKLY", None, 7 * DAY),
        ]
    ),
    # The view-tracking checklist: daily under 30 days, every 3 days to 180 days, weekly after.
    "priority": TierTable(
        [
            TierRule("DAILY", 30 * DAY, DAY),
            TierRule("EVERY_3_DAYS", 180 * DAY, 3 * DAY),
            TierRule("WEEKLY", None, 7 * DAY),
        ]
    ),
}

DEFAULT_PRESET = "ghost"
