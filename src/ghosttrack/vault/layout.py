"""Where every vault file lives: the one place that builds vault paths. Pure, no I/O.

::

    <vault>/metrics/date=YYYY-MM-DD/hour=HH/<written>-<uuid4 hex>.parquet
    <vault>/channel_metrics/date=YYYY-MM-DD/hour=HH/<written>-<uuid4 hex>.parquet

The partition is the sample's UTC hour, in the path only (hive style), so that pandas, pyarrow and
DuckDB add ``date`` and ``hour`` columns without seeing them twice. File names sort by the time
they were written. A file being written is ``.<name>.tmp``: the leading dot hides it from pyarrow
and pandas, the ``.tmp`` suffix from every ``*.parquet`` glob, so no reader sees a partial file.

Paths are ``/``-joined strings rather than ``pathlib`` paths so that the same functions serve a
local folder today and an object-store URI (``s3://bucket/vault``) later.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

METRICS = "metrics"
CHANNEL_METRICS = "channel_metrics"
DATASETS = (METRICS, CHANNEL_METRICS)

PARQUET_SUFFIX = ".parquet"
TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"

#: The partition columns' types for DuckDB (``hour=05`` would otherwise be read as text).
HIVE_TYPES_SQL = "{'date': DATE, 'hour': INTEGER}"

_PARTITION = re.compile(r"(?:^|/)date=(\d{4}-\d{2}-\d{2})/hour=(\d{2})(?:/|$)")


def join(root: str, *parts: str) -> str:
    """Join a root (a path or a URI) and relative parts with single slashes."""
    tail = "/".join(p.strip("/") for p in parts if p.strip("/"))
    if not tail:
        return root
    return f"{root.rstrip('/')}/{tail}"


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls in: its partition."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def partition_dir(dataset: str, hour: datetime) -> str:
    """``metrics/date=2026-01-15/hour=10``: relative to the vault root."""
    utc = hour_of(hour)
    return f"{dataset}/date={utc:%Y-%m-%d}/hour={utc:%H}"


def partition_of(path: str) -> tuple[date, int] | None:
    """The (date, hour) partition a file path lies in, or None outside the layout."""
    match = _PARTITION.search(path)
    if match is None:
        return None
    return date.fromisoformat(match.group(1)), int(match.group(2))


def may_hold(path: str, since: datetime | None, until: datetime | None) -> bool:
    """Whether a file's partition may hold samples in ``[since, until)`` (True outside the
    layout: a file that cannot be placed is never skipped)."""
    partition = partition_of(path)
    if partition is None:
        return True
    day, hour = partition
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    if since is not None and start < hour_of(since):
        return False
    return until is None or start < until


def data_file_name(written_at: datetime, token: str) -> str:
    """A unique, time-sortable file name: ``20260115T101500123456Z-<token>.parquet``."""
    return f"{written_at.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{token}{PARQUET_SUFFIX}"


def temp_name(final_name: str) -> str:
    """The name a file has while it is written; no reader's glob matches it."""
    return f"{TEMP_PREFIX}{final_name}{TEMP_SUFFIX}"


def is_data_file(name: str) -> bool:
    """A published Parquet file (by its base name)."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith(PARQUET_SUFFIX) and not base.startswith((TEMP_PREFIX, "_"))


def is_temp_file(name: str) -> bool:
    """A file a writer has not (yet) published — left behind if the writer crashed."""
    base = name.rsplit("/", 1)[-1]
    return base.startswith(TEMP_PREFIX) and base.endswith(TEMP_SUFFIX)


def dataset_glob(root: str, dataset: str) -> str:
    """The glob that matches every published file of a dataset, for DuckDB."""
    return join(root, dataset, "**", f"*{PARQUET_SUFFIX}")
