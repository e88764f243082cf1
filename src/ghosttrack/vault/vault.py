"""The Parquet vault: every sample ever taken, one immutable file per write.

A write groups samples by their UTC hour, validates all of them first, and publishes one file
per hour atomically and durably; it returns only then, so a caller that acknowledges samples
after ``write_samples`` returns never loses one. A crash mid-call may leave some of the call's
files published although the call never returned: the caller then writes those samples again,
so the vault is at-least-once and readers that need exactness deduplicate on
(video_id, timestamp).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

import duckdb
import pyarrow as pa

from ghosttrack.clock import Clock, SystemClock
from ghosttrack.errors import VaultError
from ghosttrack.vault import layout, query, schema
from ghosttrack.vault.derived import DerivedTables
from ghosttrack.vault.records import ChannelSample, Sample, VaultStats
from ghosttrack.vault.storage import Storage, StoredFile, open_storage

R = TypeVar("R", Sample, ChannelSample)


class Vault:
    """Parquet time series under ``url`` (a folder; object storage later)."""

    def __init__(self, url: str, *, clock: Clock | None = None) -> None:
        self.url = url
        self._storage: Storage = open_storage(url)
        self._clock: Clock = clock or SystemClock()

    def __repr__(self) -> str:
        return f"Vault({self._storage.uri!r})"

    @property
    def derived(self) -> DerivedTables:
        """Tables computed from the samples (analytics' ``video_trends``), beside them."""
        return DerivedTables(self._storage)

    # Writing

    def write_samples(self, samples: Sequence[Sample]) -> list[str]:
        """Store video samples; return the new files' paths once they are durable."""
        return self._write(layout.METRICS, samples, schema.sample_problems, schema.samples_table)

    def write_channel_samples(self, samples: Sequence[ChannelSample]) -> list[str]:
        """Store channel samples; return the new files' paths once they are durable."""
        return self._write(
            layout.CHANNEL_METRICS,
            samples,
            schema.channel_sample_problems,
            schema.channel_samples_table,
        )

    def _write(
        self,
        dataset: str,
        records: Sequence[R],
        check: Callable[[R], list[str]],
        to_table: Callable[[list[R]], pa.Table],
    ) -> list[str]:
        schema.validate(records, check)
        by_hour: dict[datetime, list[R]] = {}
        for record in records:
            by_hour.setdefault(layout.hour_of(record.timestamp), []).append(record)
        written_at = self._clock.now()
        files = [
            (
                layout.join(
                    layout.partition_dir(dataset, hour),
                    layout.data_file_name(written_at, uuid.uuid4().hex),
                ),
                schema.to_parquet_bytes(to_table(group)),
            )
            for hour, group in sorted(by_hour.items())
        ]
        return self._storage.publish(files)

    # Reading

    def metrics_glob(self) -> str:
        """The glob of every published video-metrics file (for DuckDB, pyarrow, polars)."""
        return layout.dataset_glob(self._storage.uri, layout.METRICS)

    def channel_metrics_glob(self) -> str:
        return layout.dataset_glob(self._storage.uri, layout.CHANNEL_METRICS)

    def metrics_sql(self) -> str:
        """``read_parquet(...)`` over the video metrics, hive columns ``date`` and ``hour`` typed.

        Use it as a table in DuckDB: ``f"SELECT count(*) FROM {vault.metrics_sql()}"``.
        """
        return query.source_sql(self.metrics_glob())

    def channel_metrics_sql(self) -> str:
        return query.source_sql(self.channel_metrics_glob())

    def read_samples(
        self,
        video_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pa.Table:
        """Samples with ``since <= timestamp < until``, sorted by (video_id, timestamp).

        Only the hour partitions inside the range are opened.
        """
        read_schema = schema.SAMPLE_READ_SCHEMA
        select = query.Query(self.metrics_sql(), read_schema.names, "video_id")
        return self._read(layout.METRICS, read_schema, select.keys(video_ids), since, until)

    def read_channel_samples(
        self,
        channel_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> pa.Table:
        """Channel samples with ``since <= timestamp < until``, by (channel_id, timestamp)."""
        read_schema = schema.CHANNEL_SAMPLE_READ_SCHEMA
        select = query.Query(self.channel_metrics_sql(), read_schema.names, "channel_id")
        return self._read(
            layout.CHANNEL_METRICS, read_schema, select.keys(channel_ids), since, until
        )

    def _read(
        self,
        dataset: str,
        read_schema: pa.Schema,
        select: query.Query,
        since: datetime | None,
        until: datetime | None,
    ) -> pa.Table:
        _check_aware(since=since, until=until)
        select.since(since).until(until)
        try:
            return query.run(select, read_schema)
        except VaultError:
            if not self._data_files(dataset):
                return read_schema.empty_table()  # DuckDB refuses a glob that matches nothing
            raise

    def register(
        self,
        connection: duckdb.DuckDBPyConnection,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> None:
        """Create temp views ``metrics`` and ``channel_metrics`` on a DuckDB connection.

        The analytics' one entry to the vault: every sample exactly once (duplicates on
        (key, timestamp) dropped), the columns of ``read_samples`` / ``read_channel_samples``,
        and only the files that may hold samples in ``[since, until)`` — callers still filter
        on ``timestamp`` themselves. The views are a snapshot of the files listed now.
        """
        _check_aware(since=since, until=until)
        views = (
            ("metrics", layout.METRICS, "video_id", schema.SAMPLE_READ_SCHEMA),
            (
                "channel_metrics",
                layout.CHANNEL_METRICS,
                "channel_id",
                schema.CHANNEL_SAMPLE_READ_SCHEMA,
            ),
        )
        for view, dataset, key, read_schema in views:
            files = [
                self._storage.uri_for(f.path)
                for f in self._data_files(dataset)
                if layout.may_hold(f.path, since, until)
            ]
            query.create_view(connection, view, files, key, read_schema)

    # Housekeeping

    def stats(self, dataset: str = layout.METRICS) -> VaultStats:
        """Files, samples (from Parquet footers, no data read) and bytes of a dataset."""
        files = self._data_files(dataset)
        try:
            samples = query.footer_rows([self._storage.uri_for(f.path) for f in files])
        except VaultError:
            # A file vanished after the listing (a later compaction): count one by one.
            counts = [(f, self._storage.row_count(f.path)) for f in files]
            files = [f for f, n in counts if n is not None]
            samples = sum(n for _, n in counts if n is not None)
        return VaultStats(files=len(files), samples=samples, bytes=sum(f.size for f in files))

    def clean_temp_files(self, older_than: timedelta, now: datetime | None = None) -> list[str]:
        """Remove temp files a crashed writer left, if older than ``older_than``; return them.

        File times are real time, so ``now`` defaults to the system clock, never a simulated
        one: an accelerated clock would make a live writer's temp file look old.
        """
        if older_than < timedelta(0):
            raise VaultError("older_than must not be negative")
        cutoff = (now or SystemClock().now()) - older_than
        removed = []
        for stored in self._storage.list_files():
            if not layout.is_temp_file(stored.path):
                continue
            if stored.mtime is not None and stored.mtime > cutoff:
                continue
            if self._storage.delete(stored.path):
                removed.append(stored.path)
        return removed

    def _data_files(self, dataset: str) -> list[StoredFile]:
        return [f for f in self._storage.list_files(dataset) if layout.is_data_file(f.path)]


def _check_aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:
            raise VaultError(f"{name}={moment.isoformat()} is naive; give an aware datetime")
