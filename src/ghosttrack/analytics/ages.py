"""The ages analytics compare videos at: the milestones, and the age grid that holds each
video's views at fixed ages so that videos can be compared at any age. Pure: no I/O.

The grid is dense where tracking is (hourly to a day, daily to a week) and sparse later, where
samples are weekly; it contains every milestone, so a milestone value *is* a grid value. A
video's views between two grid ages are read by linear interpolation between them.
"""

from __future__ import annotations

import numpy as np

from ghosttrack.analytics.series import DAY, HOUR, Floats, Ints

#: (label, age in seconds) of each milestone.
MILESTONES: tuple[tuple[str, float], ...] = (
    ("1h", HOUR),
    ("24h", DAY),
    ("7d", 7 * DAY),
    ("30d", 30 * DAY),
)

_LATER_DAYS = (10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365, 548, 730, 1095, 1461, 1826, 3652)
#: Grid ages, seconds after publication, increasing.
GRID: Floats = np.array(
    [h * HOUR for h in range(1, 25)]
    + [d * DAY for d in range(2, 8)]
    + [d * DAY for d in _LATER_DAYS],
    dtype=np.float64,
)
#: Column of each milestone in the grid.
MILESTONE_COLUMNS: tuple[int, ...] = tuple(int(np.searchsorted(GRID, age)) for _, age in MILESTONES)
THIRTY_DAYS = MILESTONE_COLUMNS[-1]


def grid_at(grid: Floats, rows: Ints, age: Floats) -> Floats:
    """Row ``rows`` of a (videos × grid) matrix read at ``age`` (seconds; broadcast against
    ``rows``), interpolated between the grid ages around it. NaN for a row of -1, an age outside
    the grid, or a grid value that is unknown."""
    rows, age = np.broadcast_arrays(rows, age)
    k = np.searchsorted(GRID, age, side="right") - 1
    inside = (rows >= 0) & (k >= 0) & (age <= GRID[-1])
    k = np.clip(k, 0, len(GRID) - 2)
    safe_rows = np.where(inside, rows, 0)
    if grid.shape[0] == 0:
        return np.full(rows.shape, np.nan)
    lo = grid[safe_rows, k]
    hi = grid[safe_rows, k + 1]
    share = (age - GRID[k]) / (GRID[k + 1] - GRID[k])
    value = np.where(share == 0.0, lo, np.where(share == 1.0, hi, lo + (hi - lo) * share))
    return np.where(inside, value, np.nan)


def lifecycle(grid: Floats) -> tuple[Floats, Ints]:
    """A channel's typical lifecycle: for each grid age up to 30 days, the median over its
    videos that reached 30 days (with views then) of the share of their 30-day views reached by
    that age, and how many videos each median rests on."""
    columns = THIRTY_DAYS + 1
    if grid.shape[0] == 0:
        return np.full(columns, np.nan), np.zeros(columns, dtype=np.int64)
    total = grid[:, THIRTY_DAYS]
    reached = grid[(total > 0) & ~np.isnan(total), :columns]
    share = reached / reached[:, -1:]
    counts = (~np.isnan(share)).sum(axis=0).astype(np.int64)
    median = np.full(columns, np.nan)
    has = counts > 0
    median[has] = np.nanmedian(share[:, has], axis=0)
    return median, counts
