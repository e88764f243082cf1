"""The watchlist rows analytics need, loaded through the store into Arrow: the one place
analytics touch the SQL store (DuckDB cannot attach SQLite or PostgreSQL here)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import pyarrow as pa

from ghosttrack.watchlist.records import WatchEntry

PAGE = 50_000
UTC_MICROS = pa.timestamp("us", tz="UTC")

#: What the ``watchlist`` view shows: the persistent per-video state (no lease columns).
SCHEMA = pa.schema(
    [
        ("video_id", pa.string()),
        ("channel_id", pa.string()),
        ("published_at", UTC_MICROS),
        ("tier", pa.string()),
        ("status", pa.string()),
        ("next_track_at", UTC_MICROS),
        ("last_tracked_at", UTC_MICROS),
        ("last_views", pa.int64()),
        ("misses", pa.int64()),
        ("added_at", UTC_MICROS),
    ]
)


class Entries(Protocol):
    """The part of the watchlist store analytics read."""

    def get(self, video_ids: Sequence[str]) -> list[WatchEntry]: ...

    def scan(
        self, *, after: str | None, limit: int, channel_id: str | None = None
    ) -> list[WatchEntry]: ...


def table(entries: Sequence[WatchEntry]) -> pa.Table:
    """Watchlist rows as an Arrow table of ``SCHEMA``."""
    columns = {name: [getattr(e, name) for e in entries] for name in SCHEMA.names}
    columns["status"] = [e.status.value for e in entries]
    return pa.table(columns, schema=SCHEMA)


def of_videos(store: Entries, video_ids: Sequence[str]) -> pa.Table:
    """The rows of these videos (those on the watchlist)."""
    found: list[WatchEntry] = []
    for first in range(0, len(video_ids), PAGE):
        found += store.get(video_ids[first : first + PAGE])
    return table(found)


def pages(store: Entries, channel_id: str | None = None) -> Iterator[pa.RecordBatch]:
    """Every row (of one channel, when given), a page at a time, by video_id."""
    after: str | None = None
    while page := store.scan(after=after, limit=PAGE, channel_id=channel_id):
        yield from table(page).to_batches()
        after = page[-1].video_id


def everything(store: Entries, channel_id: str | None = None) -> pa.Table:
    """Every row (of one channel, when given) as one table."""
    return pa.Table.from_batches(list(pages(store, channel_id)), schema=SCHEMA)
