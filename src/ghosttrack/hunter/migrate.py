"""``ghosttrack migrate FROM``: bring an existing tracker's videos and their last counts over.

FROM is a database URL (PostgreSQL or SQLite, a ``videos``-like table) or a CSV or Parquet file.
Each row names a video, its view count and when that count was captured (optionally likes,
comments, published_at and channel id); the columns are found by common names or given as
options. Every valid video enters the watchlist (due now), and its counts become its first
vault sample at the time they were captured, with ``source = import``.

Re-running adds nothing twice: only videos the watchlist does not have yet get a sample, and
the samples of a chunk are made durable before its videos are added (the tracker's order), so
a run killed in between leaves videos that a re-run imports again — at worst a sample twice,
which readers deduplicate on (video_id, timestamp) as for any vault write. A later row of an
id already read is counted as a duplicate and not imported. Bad rows are reported with their
CSV line, Parquet row index (from 0) or database row number (from 1), and the reason.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, NoSuchTableError, SQLAlchemyError

from ghosttrack.clock import Clock
from ghosttrack.errors import InputError, StoreError
from ghosttrack.ids import is_channel_id, parse_video_id
from ghosttrack.schedule import new_entry
from ghosttrack.tiers import TierTable
from ghosttrack.vault.records import Sample, SampleSource
from ghosttrack.watchlist.engine import parse_url, redact
from ghosttrack.watchlist.jobs import JobStore
from ghosttrack.watchlist.records import JobKind, JobStatus, NewVideo, WatchEntry
from ghosttrack.watchlist.watchlist import WatchlistStore

#: Column names tried for each field, in order and ignoring case, unless one is given.
CANDIDATES: Mapping[str, tuple[str, ...]] = {
    "id": ("video_id", "id", "videoid", "youtube_id"),
    "views": ("view_count", "views", "viewcount"),
    "captured_at": (
        "captured_at",
        "last_updated_at",
        "updated_at",
        "fetched_at",
        "last_tracked_at",
        "timestamp",
    ),
    "published_at": ("published_at", "publishedat", "upload_date"),
    "likes": ("like_count", "likes", "likecount"),
    "comments": ("comment_count", "comments", "commentcount"),
    "channel_id": ("channel_id", "channelid"),
}
REQUIRED = ("id", "views", "captured_at")
OPTIONS = {
    "id": "--id",
    "views": "--views",
    "captured_at": "--captured-at",
    "published_at": "--published-at",
    "likes": "--likes",
    "comments": "--comments",
    "channel_id": "--channel-id",
}
#: Rows handled per chunk: one watchlist lookup, one vault write, one insert.
CHUNK = 20_000
MAX_REJECTED = 10_000
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Source column per field; None: look for the usual names (``CANDIDATES``)."""

    id: str | None = None
    views: str | None = None
    captured_at: str | None = None
    published_at: str | None = None
    likes: str | None = None
    comments: str | None = None
    channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class RejectedRow:
    where: str  # "line 7", "row 12"
    reason: str


@dataclass(frozen=True, slots=True)
class MigrationReport:
    source: str
    columns: Mapping[str, str]
    rows_read: int
    added: int
    already_present: int
    duplicates: int
    samples: int
    rejected: tuple[RejectedRow, ...]
    rejected_total: int

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "added": self.added,
            "already_present": self.already_present,
            "duplicates": self.duplicates,
            "samples": self.samples,
            "rejected": self.rejected_total,
        }


@dataclass(frozen=True, slots=True)
class _Row:
    video_id: str
    views: int
    captured_at: datetime
    published_at: datetime | None
    likes: int | None
    comments: int | None
    channel_id: str | None


class SampleSink(Protocol):
    def write_samples(self, samples: Sequence[Sample]) -> list[str]: ...


# --- reading sources ------------------------------------------------------------------------

RawRows = Iterator[tuple[str, dict[str, Any]]]


class Source(Protocol):
    """Rows of a source: a description for messages, its columns, then (where, values)."""

    description: str

    def columns(self) -> list[str]: ...

    def rows(self, wanted: Mapping[str, str]) -> RawRows: ...


def open_source(source: str, table: str = "videos") -> Source:
    """A database URL (``…://…``) or a CSV / Parquet file path."""
    if "://" in source:
        return DatabaseSource(source, table)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{source!r} is neither a database URL nor a readable file")
    if path.suffix.lower() in (".parquet", ".parq", ".pq") or _has_parquet_magic(path):
        return ParquetSource(path)
    return CsvSource(path)


class CsvSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)

    def columns(self) -> list[str]:
        with self._open() as stream:
            header = next(csv.reader(stream), None)
        if header is None:
            raise InputError(f"{self.path} is empty; expected a header row")
        return [h.strip() for h in header]

    def rows(self, wanted: Mapping[str, str]) -> RawRows:
        with self._open() as stream:
            reader = csv.reader(stream)
            header = [h.strip() for h in next(reader)]
            index = {field: header.index(column) for field, column in wanted.items()}
            line = 2
            try:
                for row in reader:
                    where, line = f"line {line}", reader.line_num + 1
                    if not any(cell.strip() for cell in row):
                        continue
                    yield where, {f: row[i] if i < len(row) else None for f, i in index.items()}
            except csv.Error as exc:
                raise InputError(
                    f"{self.path} line {reader.line_num}: not valid CSV ({exc})"
                ) from None

    def _open(self) -> Any:
        try:
            return self.path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise InputError(f"cannot read {self.path}: {exc.strerror or exc}") from None


class ParquetSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = str(path)
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path} is not a readable Parquet file ({exc})") from None

    def columns(self) -> list[str]:
        return list(self._file.schema_arrow.names)

    def rows(self, wanted: Mapping[str, str]) -> RawRows:
        fields, columns = list(wanted), list(wanted.values())
        number = 0
        for batch in self._file.iter_batches(batch_size=65_536, columns=columns):
            values = [batch.column(c).to_pylist() for c in columns]
            for row in zip(*values, strict=True):
                yield f"row {number}", dict(zip(fields, row, strict=True))
                number += 1


class DatabaseSource:
    """A table of another database, read as it is (never written, no pragmas set)."""

    def __init__(self, url: str, table: str) -> None:
        self.description = f"{redact(url)} table {table}"
        try:
            self._engine = sa.create_engine(parse_url(url))
        except StoreError:
            raise InputError(
                f"{redact(url)} is not a database URL; use postgresql://user@host/db or "
                "sqlite:///path/to/file.db"
            ) from None
        except (SQLAlchemyError, ImportError) as exc:
            raise InputError(f"cannot open {redact(url)}: {_first_line(exc)}") from None
        schema, _, name = table.rpartition(".")
        try:
            self._table = sa.Table(
                name, sa.MetaData(), schema=schema or None, autoload_with=self._engine
            )
        except NoSuchTableError:
            self._engine.dispose()
            raise InputError(f"{self.description}: no such table (name it with --table)") from None
        except DBAPIError as exc:
            self._engine.dispose()
            raise InputError(f"cannot read {self.description}: {_first_line(exc)}") from None

    def columns(self) -> list[str]:
        return [c.name for c in self._table.columns]

    def rows(self, wanted: Mapping[str, str]) -> RawRows:
        query = sa.select(*(self._table.c[c].label(f) for f, c in wanted.items()))
        try:
            with self._engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
                for number, row in enumerate(result, start=1):
                    yield f"row {number}", dict(row._mapping)
        except DBAPIError as exc:
            raise InputError(f"cannot read {self.description}: {_first_line(exc)}") from None
        finally:
            self._engine.dispose()


# --- columns and values -------------------------------------------------------------------


def choose_columns(available: Sequence[str], mapping: ColumnMap) -> dict[str, str]:
    """Field → source column. InputError naming what is missing and the columns there are."""
    by_lower = {name.lower(): name for name in reversed(available)}
    chosen: dict[str, str] = {}
    problems: list[str] = []
    for field in CANDIDATES:
        given = getattr(mapping, field)
        names = [given] if given is not None else list(CANDIDATES[field])
        found = next((by_lower[n.lower()] for n in names if n.lower() in by_lower), None)
        if found is not None:
            chosen[field] = found
        elif given is not None:
            problems.append(f"{OPTIONS[field]} {given}: no such column")
        elif field in REQUIRED:
            problems.append(
                f"no {field} column (looked for {', '.join(CANDIDATES[field])}); "
                f"name it with {OPTIONS[field]}"
            )
    if problems:
        shown = ", ".join(repr(c) for c in available) or "none"
        raise InputError(f"the source's columns do not fit (its columns: {shown})", problems)
    return chosen


def parse_row(values: Mapping[str, Any], now: datetime) -> _Row:
    """A valid row, or ValueError saying what is wrong with it."""
    raw_id = values["id"]
    video_id = parse_video_id("" if raw_id is None else str(raw_id))
    views = _count(values["views"], "views")
    if views is None:
        raise ValueError("no view count")
    captured = _moment(values["captured_at"], "captured_at")
    if captured is None:
        raise ValueError("no capture time (captured_at)")
    if captured > now:
        raise ValueError(f"captured_at {captured.isoformat()} is in the future")
    channel = _text(values.get("channel_id"))
    if channel is not None and not is_channel_id(channel):
        raise ValueError(f"channel_id {channel!r} is not a channel id (UC…)")
    return _Row(
        video_id=video_id,
        views=views,
        captured_at=captured,
        published_at=_moment(values.get("published_at"), "published_at"),
        likes=_count(values.get("likes"), "likes"),
        comments=_count(values.get("comments"), "comments"),
        channel_id=channel,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _count(value: Any, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} {value!r} is not a count")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0 or value >= 2**63:
        raise ValueError(f"{name} {value!r} is not a count (a whole number, 0 or more)")
    return value


def _moment(value: Any, name: str) -> datetime | None:
    """Datetimes, dates, ISO-8601 text or Unix seconds (numbers or digits); naive times are
    taken as UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment: datetime
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        value = float(value)  # Unix seconds, as text (CSV)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"{name} {value!r} is not a Unix time") from None
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"{name} {str(value)[:40]!r} is not an ISO-8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- the migration --------------------------------------------------------------------------


class _Tally:
    def __init__(self) -> None:
        self.rows = self.added = self.present = self.duplicates = self.samples = 0
        self.rejected: list[RejectedRow] = []
        self.rejected_total = 0
        self.seen: set[str] = set()

    def reject(self, where: str, reason: str) -> None:
        self.rejected_total += 1
        if len(self.rejected) < MAX_REJECTED:
            self.rejected.append(RejectedRow(where, reason))


def migrate(
    source: Source,
    mapping: ColumnMap,
    watchlist: WatchlistStore,
    jobs: JobStore,
    vault: SampleSink,
    tiers: TierTable,
    clock: Clock,
    *,
    worker: str | None = None,
) -> MigrationReport:
    """Import every valid row of ``source``; one job. See the module docstring."""
    columns = choose_columns(source.columns(), mapping)
    job = jobs.start_job(JobKind.MIGRATE, now=clock.now(), worker=worker)
    tally = _Tally()
    try:
        _run(source, columns, watchlist, vault, tiers, clock, tally)
    except BaseException as exc:
        report = _report(source, columns, tally)
        jobs.finish_job(
            job.id,
            status=JobStatus.FAILED,
            now=clock.now(),
            counts=report.counts(),
            error=f"{type(exc).__name__}: {exc}",
        )
        raise
    report = _report(source, columns, tally)
    jobs.finish_job(job.id, status=JobStatus.SUCCEEDED, now=clock.now(), counts=report.counts())
    return report


def _run(
    source: Source,
    columns: Mapping[str, str],
    watchlist: WatchlistStore,
    vault: SampleSink,
    tiers: TierTable,
    clock: Clock,
    tally: _Tally,
) -> None:
    rows = _valid_rows(source.rows(columns), clock.now(), tally)
    while chunk := list(itertools.islice(rows, CHUNK)):
        present = {e.video_id for e in watchlist.get([r.video_id for r in chunk])}
        fresh = [r for r in chunk if r.video_id not in present]
        tally.present += len(chunk) - len(fresh)
        if not fresh:
            continue
        vault.write_samples([_sample(r) for r in fresh])  # durable before the videos are added
        tally.samples += len(fresh)
        now = clock.now()
        result = watchlist.add([_entry(r, tiers, now) for r in fresh], revive_removed=False)
        tally.added += result.added
        tally.present += result.already_present


def _valid_rows(raw: RawRows, now: datetime, tally: _Tally) -> Iterator[_Row]:
    for where, values in raw:
        tally.rows += 1
        try:
            row = parse_row(values, now)
        except ValueError as exc:
            tally.reject(where, str(exc))
            continue
        if row.video_id in tally.seen:
            tally.duplicates += 1
            continue
        tally.seen.add(row.video_id)
        yield row


def _sample(row: _Row) -> Sample:
    return Sample(
        video_id=row.video_id,
        timestamp=row.captured_at,
        views=row.views,
        likes=row.likes,
        comments=row.comments,
        published_at=row.published_at,
        source=SampleSource.IMPORT,
    )


def _entry(row: _Row, tiers: TierTable, now: datetime) -> WatchEntry:
    """Due now, its tier from its age; the imported counts are its last visit."""
    entry = new_entry(NewVideo(row.video_id, row.channel_id, row.published_at), tiers, now)
    return dataclasses.replace(entry, last_tracked_at=row.captured_at, last_views=row.views)


def _report(source: Source, columns: Mapping[str, str], tally: _Tally) -> MigrationReport:
    return MigrationReport(
        source=source.description,
        columns=dict(columns),
        rows_read=tally.rows,
        added=tally.added,
        already_present=tally.present,
        duplicates=tally.duplicates,
        samples=tally.samples,
        rejected=tuple(tally.rejected),
        rejected_total=tally.rejected_total,
    )


def _has_parquet_magic(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError:
        return False


def _first_line(exc: BaseException) -> str:
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]
