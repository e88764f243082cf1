"""What a tracker following a tier table would have sampled of a world's videos over a period,
computed in closed form from the model (no API, no clock): a vault of weeks in a second, for
tests, demos and benchmarks, with the world's planted spikes and corrections in it.

Each video is visited on its tier grid (hourly at 1 h, 2 h, … then daily, then weekly, as
``ghosttrack.tiers`` schedules), plus once when tracking starts (at ``start``, or within
``discovery_delay`` of its upload for a video published later). A video that is not public at a
visit yields no sample, as the API leaves it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from ghosttrack.sim import model
from ghosttrack.sim.world import World, from_ts, to_ts
from ghosttrack.tiers import TierTable
from ghosttrack.watchlist.records import VideoStatus, WatchEntry

UTC_MICROS = pa.timestamp("us", tz="UTC")
#: The tier new watchlist rows start in (the tracker sets the right one at the first visit).
WEEKLY = "WEEKLY"
SCHEMA = pa.schema(
    [
        ("video_id", pa.string()),
        ("timestamp", UTC_MICROS),
        ("views", pa.int64()),
        ("likes", pa.int64()),
        ("comments", pa.int64()),
        ("published_at", UTC_MICROS),
        ("source", pa.string()),
    ]
)


def visit_ages(tiers: TierTable, start_age: Any, end_age: Any) -> tuple[Any, Any]:
    """(row, age) of every tier-grid age in ``(start_age, end_age)`` of each row (arrays of
    seconds): the ages at which the tracker comes back."""
    rows: list[Any] = []
    ages: list[Any] = []
    low = 0.0
    n = len(start_age)
    for rule in tiers.rules:
        step = rule.interval.total_seconds()
        high = np.inf if rule.max_age is None else rule.max_age.total_seconds()
        first = np.maximum(np.floor((np.maximum(start_age, low) - low) / step) + 1, 1)
        last = np.floor((np.minimum(end_age, high) - low) / step)
        last = np.where(low + last * step >= end_age, last - 1, last)
        count = np.maximum(last - first + 1, 0).astype(np.int64)
        row = np.repeat(np.arange(n), count)
        offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        rows.append(row)
        ages.append(low + (np.repeat(first, count) + offset) * step)
        low = high
    return np.concatenate(rows), np.concatenate(ages)


def tracked(
    world: World,
    indices: Sequence[int],
    start: datetime,
    end: datetime,
    tiers: TierTable,
    *,
    since: datetime | None = None,
    discovery_delay: timedelta = timedelta(minutes=5),
) -> pa.Table:
    """The samples of the videos ``indices``, tracked from ``start``, taken in
    ``[since or start, end)``, sorted by time, in the vault's sample columns (``source`` =
    ``api``)."""
    t = world.batch(indices)
    t0, t1 = to_ts(start), to_ts(end)
    low = t0 if since is None else to_ts(since)
    published = np.asarray(t.published, dtype=np.float64)
    first_visit = np.maximum(published + discovery_delay.total_seconds(), t0)
    rows, ages = visit_ages(tiers, first_visit - published, t1 - published)
    first = np.flatnonzero(first_visit < t1)
    rows = np.concatenate([first, rows])
    ts = np.concatenate([first_visit[first], published[rows[len(first) :]] + ages])
    later = ts >= low
    rows, ts = rows[later], ts[later]
    order = np.lexsort((rows, ts))
    rows, ts = rows[order], ts[order]
    seen = type(t)(*(np.asarray(column)[rows] for column in t))
    views, likes, comments, visible = model.observe(model.VECTOR, seen, ts, world.view_changes)
    keep = np.asarray(visible, dtype=bool)
    ids = np.array([world.video_id(int(i)) for i in t.number], dtype=object)
    micros = np.round(ts[keep] * 1e6).astype(np.int64)
    return pa.table(
        [
            pa.array(ids[rows[keep]], pa.string()),
            pa.array(micros, pa.int64()).cast(UTC_MICROS),
            pa.array(np.maximum(views[keep], 0).astype(np.int64)),
            _counts(likes[keep], seen.hides_likes[keep]),
            _counts(comments[keep], seen.comments_off[keep]),
            pa.array(np.round(published[rows[keep]] * 1e6).astype(np.int64)).cast(UTC_MICROS),
            pa.array(["api"] * int(keep.sum()), pa.string()),
        ],
        schema=SCHEMA,
    )


def _counts(values: Any, hidden: Any) -> pa.Array:
    return pa.array(np.asarray(values).astype(np.int64), mask=np.asarray(hidden, dtype=bool))


def watch_entries(
    world: World, indices: Sequence[int], *, due: datetime, added: datetime | None = None
) -> list[WatchEntry]:
    """Watchlist rows for these videos as discovery would have made them: their channel and
    publication time known, due at ``due``, added at ``added`` (default: when published)."""
    t = world.batch(indices)
    published = [from_ts(p) for p in t.published.tolist()]
    return [
        WatchEntry(
            video_id=world.video_id(int(n)),
            channel_id=world.channels[int(c)].channel_id,
            published_at=p,
            tier=WEEKLY,
            status=VideoStatus.ACTIVE,
            next_track_at=due,
            last_tracked_at=None,
            last_views=None,
            misses=0,
            added_at=added or p,
        )
        for n, c, p in zip(t.number.tolist(), t.channel.tolist(), published, strict=True)
    ]
