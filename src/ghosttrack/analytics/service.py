"""``Analytics``: the one facade the CLI, the REST API and the dashboard call.

It reads samples only through ``Vault.register`` (views ``metrics`` and ``channel_metrics``),
the watchlist through the store, and the materialised ``video_trends`` through the vault's
derived tables. What it returns is frozen records or Arrow tables; every derived figure is
labelled as ghosttrack's in their JSON form.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ghosttrack.analytics import ages, events, queries, readonly, trends
from ghosttrack.analytics import watchlist as wl
from ghosttrack.analytics.forecast import Model
from ghosttrack.analytics.methodology import MethodologyChange, overlapping
from ghosttrack.analytics.records import (
    Breakout,
    Breakouts,
    ChannelReport,
    Forecast,
    LifecyclePoint,
    Milestone,
    Ranking,
    Score,
    TypicalMilestone,
    Velocity,
    VideoReport,
)
from ghosttrack.analytics.refresh import TABLE, RefreshResult, State, refresh, trends_settings
from ghosttrack.analytics.series import HOUR, Series, deltas
from ghosttrack.clock import Clock
from ghosttrack.errors import InputError
from ghosttrack.settings import Settings
from ghosttrack.vault.vault import Vault

RANKINGS = ("velocity", "velocity_24h", "score", "lifetime_average")
#: How far back ``breakouts()`` looks in video_trends by default.
RECENT = timedelta(days=7)
#: How long before its listed publication a video's samples are looked for (clock skew).
PUBLICATION_SLACK = timedelta(days=1)


class Analytics:
    """Milestones, velocity, scores, forecasts and breakouts over the vault."""

    def __init__(self, vault: Vault, entries: wl.Entries, clock: Clock, settings: Settings):
        self._vault = vault
        self._entries = entries
        self._clock = clock
        self._settings = settings
        self._trends = trends_settings(settings)

    @property
    def methodology_changes(self) -> tuple[MethodologyChange, ...]:
        """The changes in how YouTube counts views that analytics take into account."""
        return tuple(self._trends.changes)

    # --- video_trends ------------------------------------------------------------------------

    def refresh_trends(self, *, full: bool = False) -> RefreshResult:
        """Recompute ``video_trends`` for the videos with new samples (all with ``full``)."""
        return refresh(self._vault, self._entries, self._clock, self._trends, full=full)

    def refreshed_at(self) -> datetime | None:
        """When ``video_trends`` was last refreshed; None if never."""
        state = State.read(self._vault)
        return state.refreshed_at if state else None

    # --- one video ---------------------------------------------------------------------------

    def video(self, video_id: str) -> VideoReport:
        """Everything known of one video, its series included (InputError when the vault has
        no sample of it)."""
        state = State.read(self._vault)
        entries = wl.of_videos(self._entries, [video_id])
        listed = entries.column("published_at")[0].as_py() if entries.num_rows else None
        with self._connection() as connection:
            # No sample predates its video's publication: older files need not be opened.
            since = listed - PUBLICATION_SLACK if listed is not None else None
            self._vault.register(connection, since=since)
            samples = queries.video_samples(connection, video_id)
            if samples.num_rows == 0:
                raise InputError(f"the vault has no sample of video {video_id!r}")
            videos = trends.videos_of(samples, entries)
            own = trends.own_figures(videos, samples)
            channel = videos.column("channel_id")[0].as_py()
            neighbours = (
                queries.trend_rows(
                    connection, "channel_id = ? AND video_id <> ?", [channel, video_id]
                )
                if channel is not None and self._vault.derived.register(connection, TABLE)
                else trends.SCHEMA.empty_table()
            )
        table = pa.concat_tables([neighbours.cast(trends.SCHEMA), own])
        row = np.array([table.num_rows - 1])
        model = state.model if state else trends.fit_forecast(table, self._trends)
        compared = trends.compare(table, model, self._trends, rows=row)
        series = _series_table(samples, self.methodology_changes)
        return self._report(compared.slice(table.num_rows - 1).to_pylist()[0], model, state, series)

    def series(
        self, video_id: str, since: datetime | None = None, until: datetime | None = None
    ) -> pa.Table:
        """A video's samples by time: timestamp, age_hours, views, likes, comments, source,
        and (computed by ghosttrack) the change in views since the previous sample, views per
        hour over that interval, and the methodology change it overlaps, if any."""
        with self._connection() as connection:
            self._vault.register(connection, since=since, until=until)
            samples = queries.video_samples(connection, video_id)
        if since is not None or until is not None:
            samples = _within(samples, since, until)
        return _series_table(samples, self.methodology_changes)

    # --- across videos -----------------------------------------------------------------------

    def top(
        self,
        *,
        by: str = "velocity",
        channel: str | None = None,
        min_age: timedelta | None = None,
        max_age: timedelta | None = None,
        tier: str | None = None,
        limit: int = 100,
    ) -> Ranking:
        """The videos of ``video_trends`` with the highest ``by`` (one of ``RANKINGS``)."""
        if by not in RANKINGS:
            raise InputError(f"cannot rank by {by!r}; choose one of {', '.join(RANKINGS)}")
        if limit < 1:
            raise InputError(f"limit must be at least 1, got {limit}")
        conditions, params = [], []
        for clause, value in (
            ("channel_id = ?", channel),
            ("tier = ?", tier),
            ("age_hours >= ?", min_age.total_seconds() / HOUR if min_age else None),
            ("age_hours < ?", max_age.total_seconds() / HOUR if max_age else None),
        ):
            if value is not None:
                conditions.append(clause)
                params.append(value)
        with self._trends_view() as (connection, state):
            rows = queries.ranked(connection, by, conditions, params, limit)
        return Ranking(by, state.refreshed_at if state else None, rows)

    def breakouts(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> Breakouts:
        """Breakouts. Without ``since``/``until``: each video's latest interval as judged at the
        last refresh of ``video_trends``, for intervals that ended in the last 7 days (instant).
        With them: every interval that ended in ``[since, until)``, judged from the vault."""
        now = self._clock.now()
        state = State.read(self._vault)
        refreshed = state.refreshed_at if state else None
        if since is None and until is None:
            start = now - RECENT
            with self._trends_view() as (connection, _):
                rows = queries.ranked(
                    connection,
                    "breakout_channel_ratio",
                    ["breakout", "last_sample_at >= ?"],
                    [start],
                    limit,
                )
            items = tuple(_breakout_of(r) for r in rows.to_pylist())
            return Breakouts(start, now, refreshed, items)
        start = since or now - RECENT
        end = until or now
        if end <= start:
            raise InputError(f"until ({end.isoformat()}) must be after since ({start.isoformat()})")
        known = self._vault.derived.read(TABLE)
        found = events.find(self._vault, self._entries, known, start, end, self._trends)
        return Breakouts(start, end, refreshed, tuple(found[:limit]))

    def channel(self, channel_id: str, *, days: int = 90) -> ChannelReport:
        """A channel's daily statistics over ``days`` and how its videos typically do."""
        now = self._clock.now()
        with self._connection() as connection:
            self._vault.register(connection, since=now - timedelta(days=days + 1))
            # a day more than shown, for the first day's change
            daily = queries.channel_days(connection, channel_id, now - timedelta(days=days + 1))
            daily = daily.filter(
                pc.greater_equal(daily.column("day"), (now - timedelta(days=days)).date())
            )
            has_trends = self._vault.derived.register(connection, TABLE)
            rows = (
                queries.trend_rows(connection, "channel_id = ?", [channel_id])
                if has_trends
                else trends.SCHEMA.empty_table()
            )
        if daily.num_rows == 0 and rows.num_rows == 0:
            raise InputError(f"nothing is known of channel {channel_id!r} (no samples)")
        grid = trends.grid_matrix(rows.column("grid"))
        return ChannelReport(
            channel_id=channel_id,
            as_of=now,
            days=daily,
            videos_tracked=rows.num_rows,
            typical=_typical(grid),
            lifecycle=_lifecycle(grid),
            top=_top_of(rows),
            refreshed_at=self.refreshed_at(),
        )

    # --- your own queries, exports -----------------------------------------------------------

    def sql(self, query: str) -> pa.Table:
        """A read-only query over the views ``metrics``, ``channel_metrics``, ``watchlist`` and
        ``video_trends`` (InputError for anything but a query); the whole result."""
        return readonly.table(self._vault, self._entries, query)

    def sql_batches(
        self, query: str, batch_rows: int = readonly.BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        """The same, streamed a batch at a time (for results too big to hold)."""
        return readonly.batches(self._vault, self._entries, query, batch_rows)

    def export(
        self,
        target: Path,
        *,
        video_id: str | None = None,
        channel_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        file_format: str | None = None,
    ) -> readonly.Exported:
        """Samples of a video, a channel's videos and/or a period to CSV or Parquet (format from
        the file name unless given), streamed; the file appears whole or not at all."""
        return readonly.export(
            self._vault,
            self._entries,
            target,
            video_id=video_id,
            channel_id=channel_id,
            since=since,
            until=until,
            file_format=file_format,
        )

    # --- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        connection = queries.connect()
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _trends_view(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, State | None]]:
        state = State.read(self._vault)
        with self._connection() as connection:
            if not self._vault.derived.register(connection, TABLE):
                raise InputError(
                    "video_trends has not been computed yet: run `ghosttrack trends refresh` "
                    "(`ghosttrack run` refreshes it every GHOSTTRACK_TRENDS_EVERY)"
                )
            yield connection, state

    def _report(
        self, row: dict[str, Any], model: Model, state: State | None, series: pa.Table
    ) -> VideoReport:
        milestones = tuple(
            Milestone(
                label=label,
                age_hours=age / HOUR,
                views=_f(row[f"views_{label}"]),
                likes=_f(row[f"likes_{label}"]),
                comments=_f(row[f"comments_{label}"]),
                score=_f(row[f"score_{label}"]),
            )
            for label, age in ages.MILESTONES
        )
        first, last = row["first_sample_at"], row["last_sample_at"]
        return VideoReport(
            video_id=str(row["video_id"]),
            channel_id=_s(row["channel_id"]),
            published_at=_t(row["published_at"]),
            tier=_s(row["tier"]),
            status=_s(row["status"]),
            as_of=self._clock.now(),
            samples=int(row["samples"]),
            first_sample_at=first,
            last_sample_at=last,
            views=_i(row["views"]),
            likes=_i(row["likes"]),
            comments=_i(row["comments"]),
            age_hours=_f(row["age_hours"]),
            milestones=milestones,
            velocity=Velocity(
                _f(row["velocity"]),
                _f(row["velocity_hours"]),
                _f(row["velocity_24h"]),
                _f(row["lifetime_average"]),
            ),
            score=Score(
                value=_f(row["score"]),
                median_views=_f(row["score_median"]),
                peers=_i(row["score_peers"]) or 0,
                min_peers=self._trends.min_peers,
                age_hours=_f(row["age_hours"]),
            ),
            forecast=Forecast(
                views_30d=_f(row["forecast_30d"]),
                low=_f(row["forecast_low"]),
                high=_f(row["forecast_high"]),
                from_age_hours=_f(row["forecast_from_hours"]),
                median_error=_f(row["forecast_error"]),
                trained_on=model.trained_on,
            ),
            negative_steps=_i(row["negative_steps"]) or 0,
            breakout=_breakout_of(row) if row["breakout"] else None,
            methodology_changes=tuple(
                c for c in self.methodology_changes if c.end >= first and c.start <= last
            ),
            trends_refreshed_at=state.refreshed_at if state else None,
            series=series,
        )


def _breakout_of(row: dict[str, Any]) -> Breakout:
    start, end = row["interval_from"], row["last_sample_at"]
    gain = _f(row["interval_gain"]) or 0.0
    hours = (end - start).total_seconds() / HOUR
    return Breakout(
        video_id=str(row["video_id"]),
        channel_id=_s(row["channel_id"]),
        published_at=_t(row["published_at"]),
        start=start,
        end=end,
        age_hours=_f(row["age_hours"]),
        views=_i(row["views"]),
        gain=gain,
        views_per_hour=gain / hours if hours > 0 else float("nan"),
        channel_ratio=_f(row["breakout_channel_ratio"]),
        own_ratio=_f(row["breakout_own_ratio"]),
        peers=_i(row["breakout_peers"]) or 0,
    )


def _series_table(samples: pa.Table, changes: tuple[MethodologyChange, ...]) -> pa.Table:
    published = trends.seconds(samples.column("published_at"))
    t = trends.seconds(samples.column("timestamp"))
    views = trends.floats(samples.column("views"))
    series = Series.from_sorted(
        np.zeros(len(t), dtype=np.int64),
        t,
        views,
        views,
        views,
        np.array([np.nanmax(published) if len(published) else np.nan]),
    )
    step, first = deltas(series)
    gap = np.concatenate([[np.nan], np.diff(t)]) if len(t) else t
    previous = np.concatenate([[np.nan], t[:-1]]) if len(t) else t
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = step / (gap / HOUR)
    crossing = [
        next(
            (c.note for c in changes if overlapping(np.array([p]), np.array([now]), [c])[0]),
            None,
        )
        if not np.isnan(p)
        else None
        for p, now in zip(previous.tolist(), t.tolist(), strict=True)
    ]
    return pa.table(
        {
            "timestamp": samples.column("timestamp"),
            "age_hours": pa.array(
                (t - series.published[0]) / HOUR, mask=np.isnan(series.published[0] + t)
            ),
            "views": samples.column("views"),
            "likes": samples.column("likes"),
            "comments": samples.column("comments"),
            "source": samples.column("source"),
            "views_change": pa.array(step, mask=first),
            "views_per_hour": pa.array(rate, mask=np.isnan(rate)),
            "methodology_change": pa.array(crossing, pa.string()),
        }
    )


def _within(samples: pa.Table, since: datetime | None, until: datetime | None) -> pa.Table:
    t = trends.seconds(samples.column("timestamp"))
    keep = np.ones(len(t), dtype=bool)
    if since is not None:
        keep &= t >= since.timestamp()
    if until is not None:
        keep &= t < until.timestamp()
    return samples.filter(pa.array(keep))


def _typical(grid: np.ndarray) -> tuple[TypicalMilestone, ...]:
    out = []
    for (label, _), column in zip(ages.MILESTONES, ages.MILESTONE_COLUMNS, strict=True):
        values = grid[:, column] if len(grid) else np.empty(0)
        known = values[~np.isnan(values)]
        out.append(
            TypicalMilestone(label, float(np.median(known)) if len(known) else None, len(known))
        )
    return tuple(out)


def _lifecycle(grid: np.ndarray) -> tuple[LifecyclePoint, ...]:
    median, counts = ages.lifecycle(grid)
    return tuple(
        LifecyclePoint(float(ages.GRID[k] / HOUR), _f(float(median[k])), int(counts[k]))
        for k in range(len(median))
    )


def _top_of(rows: pa.Table, limit: int = 10) -> pa.Table:
    table = rows.drop_columns(["grid"])
    if table.num_rows == 0:
        return table
    return table.sort_by([("velocity", "descending")]).slice(0, limit)


def _f(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if np.isnan(number) else number


def _i(value: Any) -> int | None:
    return None if value is None else int(value)


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _t(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None
