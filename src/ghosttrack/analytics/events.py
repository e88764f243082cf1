"""Breakouts over a period: every interval between two samples that ended in ``[since, until)``,
judged the way ``video_trends`` judges each video's latest one (``breakouts.judge``)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa

from ghosttrack.analytics import ages, peers, queries, trends
from ghosttrack.analytics import watchlist as wl
from ghosttrack.analytics.breakouts import judge
from ghosttrack.analytics.methodology import overlapping
from ghosttrack.analytics.records import Breakout
from ghosttrack.analytics.refresh import histories, merge, rows_of
from ghosttrack.analytics.series import HOUR, Series, intervals
from ghosttrack.vault.vault import Vault


def find(
    vault: Vault,
    entries: wl.Entries,
    known: pa.Table | None,
    since: datetime,
    until: datetime,
    settings: trends.Settings,
) -> list[Breakout]:
    """Breakouts whose interval ended in ``[since, until)``, by end time. ``known``: the
    current ``video_trends`` (the peers' age grids), if any."""
    connection = queries.connect()
    found: list[Breakout] = []
    try:
        vault.register(connection, since=since, until=until)
        active = queries.changed_videos(connection, since, until)
        vault.register(connection)
        for videos, samples in histories(connection, entries, active.column("video_id")):
            found += _judge_chunk(known, videos, samples, since, until, settings)
    finally:
        connection.close()
    return sorted(found, key=lambda b: (b.end, b.video_id))


def _judge_chunk(
    known: pa.Table | None,
    videos: pa.Table,
    samples: pa.Table,
    since: datetime,
    until: datetime,
    settings: trends.Settings,
) -> list[Breakout]:
    own = trends.own_figures(videos, samples)
    universe = merge(known, [own])
    rows = rows_of(universe, videos.column("video_id"))
    series: Series = trends.series_of(videos, samples)
    inside = (series.t >= since.timestamp()) & (series.t < until.timestamp())
    found = intervals(series, inside)
    grid = trends.grid_matrix(universe.column("grid"))
    candidates = peers.candidates(
        trends.channel_codes(universe.column("channel_id")),
        trends.seconds(universe.column("published_at")),
        rows[found.video],
        2 * settings.peers,
        settings.peer_window_seconds,
    )
    judged = judge(
        found.gain,
        ages.grid_at(grid, candidates, found.a0[:, None]),
        ages.grid_at(grid, candidates, found.a1[:, None]),
        found.before,
        overlapping(found.t0, found.t1, settings.changes),
        settings.rule,
    )
    hits = np.flatnonzero(judged.breakout)
    ids = videos.column("video_id").to_pylist()
    channels = videos.column("channel_id").to_pylist()
    published = videos.column("published_at").to_pylist()
    return [
        Breakout(
            video_id=ids[v],
            channel_id=channels[v],
            published_at=published[v],
            start=trends.moment_of(found.t0[i]),
            end=trends.moment_of(found.t1[i]),
            age_hours=_known(found.a1[i] / HOUR),
            views=int(series.views[found.end[i]]),
            gain=float(found.gain[i]),
            views_per_hour=float(found.gain[i] / ((found.t1[i] - found.t0[i]) / HOUR)),
            channel_ratio=_known(judged.channel_ratio[i]),
            own_ratio=_known(judged.own_ratio[i]),
            peers=int(judged.peers[i]),
        )
        for i in hits.tolist()
        for v in [int(found.video[i])]
    ]


def _known(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
