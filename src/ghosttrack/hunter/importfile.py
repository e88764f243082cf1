"""Video ids from a CSV or Parquet file, for ``ghosttrack import FILE``.

Files are streamed row by row (CSV) or batch by batch of one column (Parquet), so a file of
millions of rows costs memory only for the ids it holds. Every bad row is reported with where
it is: for CSV the physical line number (the header is line 1), for Parquet the row index
(from 0).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from ghosttrack.errors import InputError
from ghosttrack.ids import parse_video_id

#: Column names tried, in this order and ignoring case, when none is given.
ID_COLUMNS = ("video_id", "id", "videoId", "url", "video_url")

#: Rejected rows kept in full; more are only counted (a wrong column can reject millions).
MAX_REJECTED = 10_000

_PARQUET_MAGIC = b"PAR1"
_PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
_BATCH_ROWS = 65_536


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that holds no valid video id; ``line`` is the CSV line or the Parquet row index."""

    line: int
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What a file holds: its valid ids (first occurrence order, no repeats) and its bad rows."""

    format: str  # "csv" or "parquet"
    column: str
    video_ids: tuple[str, ...]
    rejected: tuple[RejectedRow, ...]  # the first MAX_REJECTED of them
    rejected_total: int
    duplicates: int
    rows_read: int


class _Collector:
    """Accumulates ids and rejections as rows stream past."""

    def __init__(self, max_rejected: int) -> None:
        self.ids: dict[str, None] = {}
        self.rejected: list[RejectedRow] = []
        self.rejected_total = 0
        self.duplicates = 0
        self.rows = 0
        self._max_rejected = max_rejected

    def add(self, line: int, value: str | None) -> None:
        text = (value or "").strip()
        if not text:
            self.reject(line, "", "no video id in this row")
            return
        try:
            video_id = parse_video_id(text)
        except ValueError as exc:
            self.reject(line, text, str(exc))
            return
        self.rows += 1
        if video_id in self.ids:
            self.duplicates += 1
        else:
            self.ids[video_id] = None

    def reject(self, line: int, value: str, reason: str) -> None:
        self.rows += 1
        self.rejected_total += 1
        if len(self.rejected) < self._max_rejected:
            self.rejected.append(RejectedRow(line, value, reason))

    def report(self, fmt: str, column: str) -> ImportReport:
        return ImportReport(
            format=fmt,
            column=column,
            video_ids=tuple(self.ids),
            rejected=tuple(self.rejected),
            rejected_total=self.rejected_total,
            duplicates=self.duplicates,
            rows_read=self.rows,
        )


def read_video_ids(
    path: Path, column: str | None = None, *, max_rejected: int = MAX_REJECTED
) -> ImportReport:
    """Video ids from ``column`` (or the first of ID_COLUMNS present) of a CSV or Parquet file.

    Values may be ids or video URLs. Raises InputError when the file cannot be read or has no
    such column (naming the columns it has).
    """
    try:
        if _is_parquet(path):
            return _read_parquet(path, column, max_rejected)
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return read_csv(stream, column, max_rejected=max_rejected)
    except InputError as exc:
        raise InputError(f"{path}: {exc}", exc.problems) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8 CSV") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def choose_column(names: Sequence[str], column: str | None) -> str:
    """The column to read: ``column`` if present (exact, else ignoring case), else the first
    of ID_COLUMNS present. Raises InputError naming the available columns."""
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.lower(), name)
    wanted = [column] if column is not None else list(ID_COLUMNS)
    for candidate in wanted:
        if candidate in names:
            return candidate
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    shown = ", ".join(repr(n) for n in names) or "none"
    if column is not None:
        raise InputError(f"no column {column!r}; the columns are {shown}")
    raise InputError(
        f"no video id column (looked for {', '.join(ID_COLUMNS)}); the columns are {shown}; "
        "name one with --column"
    )


def read_csv(
    stream: TextIO | Iterable[str], column: str | None = None, *, max_rejected: int = MAX_REJECTED
) -> ImportReport:
    """Video ids from CSV text with a header row. A file of one column and no header (its first
    line is an id or URL) is accepted too when no column is named."""
    lines = iter(stream)
    first = next(lines, None)
    if first is None:
        raise InputError("the file is empty; expected a header row and one video per line")
    delimiter = _delimiter(first)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    collector = _Collector(max_rejected)
    try:
        header = next(reader)
        name, index = _header_column(header, column, collector)
        _collect_csv_rows(reader, index, collector)
    except csv.Error as exc:
        raise InputError(f"line {reader.line_num}: not valid CSV ({exc})") from None
    return collector.report("csv", name)


def _header_column(header: list[str], column: str | None, collector: _Collector) -> tuple[str, int]:
    """The id column's name and index; a headerless one-column file's first id is collected."""
    if column is None and len(header) == 1 and _looks_like_video(header[0]):
        collector.add(1, header[0])
        return "(first column, no header)", 0
    names = [h.strip() for h in header]
    name = choose_column(names, column)
    return name, names.index(name)


class _CsvReader(Protocol):
    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


def _collect_csv_rows(reader: _CsvReader, index: int, collector: _Collector) -> None:
    line_after_previous = 2  # csv.reader counts physical lines; a quoted field may span several
    for row in reader:
        line = line_after_previous
        line_after_previous = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank lines carry nothing
        if index >= len(row):
            collector.reject(line, "", f"the row has {len(row)} fields, no id in field {index + 1}")
            continue
        collector.add(line, row[index])


def _read_parquet(path: Path, column: str | None, max_rejected: int) -> ImportReport:
    try:
        parquet = pq.ParquetFile(path)
    except pa.ArrowInvalid as exc:
        raise InputError(f"not a readable Parquet file ({exc})") from None
    schema = parquet.schema_arrow
    name = choose_column(schema.names, column)
    kind = schema.field(name).type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise InputError(
            f"column {name!r} holds {kind}, not text; name the id column with --column"
        )
    collector = _Collector(max_rejected)
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=[name]):
            for value in batch.column(0).to_pylist():
                collector.add(row, value)
                row += 1
    except pa.ArrowInvalid as exc:
        raise InputError(f"row {row} onwards cannot be read ({exc})") from None
    return collector.report("parquet", name)


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        return True
    with path.open("rb") as handle:
        return handle.read(len(_PARQUET_MAGIC)) == _PARQUET_MAGIC


def _delimiter(header_line: str) -> str:
    """Comma unless the header clearly uses tabs or semicolons (spreadsheet exports)."""
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _looks_like_video(text: str) -> bool:
    try:
        parse_video_id(text)
    except ValueError:
        return False
    return True


__all__ = [
    "ID_COLUMNS",
    "ImportReport",
    "RejectedRow",
    "choose_column",
    "read_csv",
    "read_video_ids",
]
