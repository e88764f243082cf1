"""Refreshing ``video_trends``: recompute the videos that have new samples, compare them with
the rest, and replace the table in the vault atomically.

Which videos changed is read from the samples' times: every video with a sample since the last
refresh's newest one (less ``SLACK``, for writes that land a little late) is recomputed from its
whole history, so the result is the same as a full rebuild for them. Samples written long after
their time (an import of old counts) are only seen by a full refresh, which ``run`` does every
``trends_full_every`` and ``ghosttrack trends refresh --full`` does on demand.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ghosttrack.analytics import queries, trends
from ghosttrack.analytics import watchlist as wl
from ghosttrack.analytics.breakouts import Rule
from ghosttrack.analytics.forecast import Model
from ghosttrack.analytics.methodology import MethodologyChange, changes_table
from ghosttrack.clock import Clock
from ghosttrack.settings import Settings
from ghosttrack.vault.vault import Vault

TABLE = "video_trends"
#: Footer metadata keys of the table.
WATERMARK = "ghosttrack.newest_sample"
REFRESHED_AT = "ghosttrack.refreshed_at"
FULL_AT = "ghosttrack.full_refresh_at"
FORECAST = "ghosttrack.forecast_model"
DERIVED_BY = "ghosttrack.derived_by"
DERIVED_NOTE = "computed by ghosttrack from its samples, not by YouTube"
#: How late a sample may reach the vault after its timestamp and still be seen incrementally.
SLACK = timedelta(hours=2)
#: Videos recomputed per pass over the vault (bounds memory on a full refresh).
CHUNK = 100_000


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one refresh did."""

    full: bool
    videos: int  # recomputed
    total: int  # rows in video_trends now
    newest_sample: datetime | None
    seconds: float


@dataclass(frozen=True, slots=True)
class State:
    """What the table's footer says of the last refresh."""

    newest_sample: datetime | None
    refreshed_at: datetime | None
    full_at: datetime | None
    model: Model

    @classmethod
    def read(cls, vault: Vault) -> State | None:
        meta = vault.derived.metadata(TABLE)
        if meta is None:
            return None

        def moment(key: str) -> datetime | None:
            return datetime.fromisoformat(meta[key]) if meta.get(key) else None

        return cls(
            moment(WATERMARK),
            moment(REFRESHED_AT),
            moment(FULL_AT),
            Model.from_json(meta.get(FORECAST, "[]")),
        )


def refresh(
    vault: Vault,
    entries: wl.Entries,
    clock: Clock,
    settings: trends.Settings,
    *,
    full: bool = False,
) -> RefreshResult:
    """Bring ``video_trends`` up to date with the vault; a full refresh recomputes every video."""
    started = time.perf_counter()
    state = State.read(vault)
    old = vault.derived.read(TABLE) if state is not None and not full else None
    full = old is None
    since = (
        None
        if full or state is None or state.newest_sample is None
        else (state.newest_sample - SLACK)
    )
    connection = queries.connect()
    try:
        vault.register(connection, since=since)
        changed = queries.changed_videos(connection, since)
        vault.register(connection)
        fresh = [
            trends.own_figures(videos, samples)
            for videos, samples in histories(connection, entries, changed.column("video_id"))
        ]
    finally:
        connection.close()
    table = merge(old, fresh)
    model = trends.fit_forecast(table, settings)
    # Every row is compared again: a peer's new samples can change an older video's score.
    table = trends.compare(table, model, settings)
    newest = _newest(changed, state)
    now = clock.now()
    vault.derived.write(
        TABLE,
        table,
        {
            WATERMARK: newest.isoformat() if newest else "",
            REFRESHED_AT: now.isoformat(),
            FULL_AT: now.isoformat() if full else _iso(state.full_at if state else None),
            FORECAST: model.to_json(),
            DERIVED_BY: DERIVED_NOTE,
        },
    )
    return RefreshResult(full, len(changed), table.num_rows, newest, time.perf_counter() - started)


def histories(
    connection: duckdb.DuckDBPyConnection,
    entries: wl.Entries,
    video_ids: pa.ChunkedArray | pa.Array,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(videos, samples) of these videos' whole histories, ``CHUNK`` videos at a time, for
    ``trends.own_figures``. ``connection`` has the vault's views registered."""
    for first in range(0, len(video_ids), CHUNK):
        chunk = video_ids.slice(first, CHUNK).to_pylist()
        samples = queries.histories(connection, chunk)
        yield trends.videos_of(samples, wl.of_videos(entries, chunk)), samples


def merge(old: pa.Table | None, fresh: list[pa.Table]) -> pa.Table:
    """``old`` without the recomputed videos, plus them, sorted by video_id."""
    parts = [t.cast(trends.SCHEMA) for t in fresh]
    if old is not None and parts:
        recomputed = pa.concat_arrays([t.column("video_id").combine_chunks() for t in parts])
        keep = pc.invert(pc.is_in(old.column("video_id"), value_set=recomputed))
        parts.insert(0, old.filter(keep).cast(trends.SCHEMA))
    elif old is not None:
        parts = [old.cast(trends.SCHEMA)]
    table = pa.concat_tables(parts) if parts else trends.SCHEMA.empty_table()
    return table.sort_by("video_id")


def rows_of(table: pa.Table, video_ids: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Row numbers of ``video_ids`` in ``table``, in the order of ``video_ids``."""
    found = pc.index_in(video_ids, value_set=table.column("video_id").combine_chunks())
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def _newest(changed: pa.Table, state: State | None) -> datetime | None:
    newest = pc.max(changed.column("newest")).as_py() if len(changed) else None
    previous = state.newest_sample if state else None
    if newest is None or (previous is not None and previous > newest):
        return previous
    return newest  # type: ignore[no-any-return]


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def trends_settings(settings: Settings) -> trends.Settings:
    """The comparison settings out of the settings."""
    extra = [
        MethodologyChange(c.start, c.end, c.scope, c.note) for c in settings.methodology_changes
    ]
    return trends.Settings(
        peers=settings.score_peers,
        min_peers=settings.score_min_peers,
        peer_window_seconds=settings.peer_window.total_seconds(),
        min_forecast_videos=settings.forecast_min_videos,
        rule=Rule(
            ratio=settings.breakout_ratio,
            acceleration=settings.breakout_acceleration,
            min_views=settings.breakout_min_views,
            take=settings.score_peers,
            min_peers=settings.score_min_peers,
        ),
        changes=changes_table(extra),
    )
