"""Known changes in what YouTube counts as a view, as data users can extend.

When YouTube changes what a view is, counts jump (or stall) for reasons that have nothing to do
with a video's audience. Analytics never call such a jump a breakout: an interval that overlaps
a change is not judged. The table starts with the changes ghosttrack knows of; more come from
``ghosttrack.toml`` (``[[methodology_changes]]``). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from ghosttrack.analytics.series import Floats


@dataclass(frozen=True, slots=True)
class MethodologyChange:
    """A period during which YouTube changed how views are counted (``scope``: which videos)."""

    start: datetime
    end: datetime
    scope: str
    note: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"methodology change {self.note!r}: end is before start")


KNOWN_CHANGES: tuple[MethodologyChange, ...] = (
    MethodologyChange(
        datetime(2025, 3, 31, tzinfo=UTC),
        datetime(2025, 4, 1, tzinfo=UTC),
        "shorts",
        "Shorts count a view on every start or replay",
    ),
    MethodologyChange(
        datetime(2026, 8, 24, tzinfo=UTC),
        datetime(2026, 8, 28, tzinfo=UTC),
        "all",
        "YouTube changed what counts as a view for all formats",
    ),
)


def changes_table(extra: Iterable[MethodologyChange] = ()) -> tuple[MethodologyChange, ...]:
    """The known changes plus the user's, in time order."""
    return tuple(sorted({*KNOWN_CHANGES, *extra}, key=lambda c: (c.start, c.end, c.note)))


def overlapping(t0: Floats, t1: Floats, changes: Sequence[MethodologyChange]) -> np.ndarray:
    """Which intervals ``[t0, t1]`` (Unix seconds) overlap a change."""
    hit = np.zeros(np.shape(t0), dtype=bool)
    for change in changes:
        hit |= (t0 <= change.end.timestamp()) & (t1 >= change.start.timestamp())
    return hit
