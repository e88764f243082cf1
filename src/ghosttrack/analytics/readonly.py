"""Users' own SQL over the samples, and exports of them — read-only and streamed.

``ghosttrack sql`` runs queries, nothing else: every statement is checked with DuckDB's own
parser before anything runs, and the connection it runs on can read the vault's folder and
nothing outside it (no other files, no extensions, no settings changed), so a query handed to
the REST API cannot read the machine's files either. Results and exports stream in batches:
a query over a year of samples never sits whole in memory.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ghosttrack.analytics import queries, trends
from ghosttrack.analytics import watchlist as wl
from ghosttrack.analytics.refresh import TABLE
from ghosttrack.errors import InputError, VaultError
from ghosttrack.vault.query import sql_literal
from ghosttrack.vault.vault import Vault

#: The views a query may read.
VIEWS = ("metrics", "channel_metrics", "watchlist", "video_trends")
FORMATS = ("csv", "parquet")
BATCH_ROWS = 50_000
_NAMES_WATCHLIST = re.compile(r"\bwatchlist\b", re.IGNORECASE)


def check_query(query: str) -> None:
    """InputError unless ``query`` is one or more queries (SELECT, WITH … SELECT, …)."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise InputError(f"the SQL cannot be parsed: {exc}") from None
    if not statements:
        raise InputError("no SQL statement given")
    refused = [
        f"statement {n} is {s.type.name}"
        for n, s in enumerate(statements, start=1)
        if s.type != duckdb.StatementType.SELECT
    ]
    if refused:
        raise InputError(
            "ghosttrack sql only reads: it runs queries (SELECT …) over the views "
            f"{', '.join(VIEWS)}, and nothing was run",
            refused,
        )


@contextmanager
def reading(
    vault: Vault, entries: wl.Entries, *, watchlist: bool
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the views registered that can read the vault's files and nothing else.
    The ``watchlist`` view (loaded through the store) only when asked for: it costs a read of
    the whole watchlist."""
    connection = queries.connect()
    spill = tempfile.mkdtemp(prefix="ghosttrack-sql-")
    try:
        vault.register(connection)
        if not vault.derived.register(connection, TABLE, "__video_trends"):
            connection.register("__video_trends", trends.SCHEMA.empty_table())
        connection.execute(
            "CREATE OR REPLACE TEMP VIEW video_trends AS "
            "SELECT * EXCLUDE (grid) FROM __video_trends"
        )
        if watchlist:
            connection.register("__watchlist", wl.everything(entries))
        else:
            connection.register("__watchlist", wl.SCHEMA.empty_table())
        connection.execute("CREATE OR REPLACE TEMP VIEW watchlist AS SELECT * FROM __watchlist")
        _lock(connection, [vault.url, spill])
        yield connection
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)


def _lock(connection: duckdb.DuckDBPyConnection, folders: list[str]) -> None:
    allowed = ", ".join(sql_literal(str(Path(f).absolute()) + "/") for f in folders)
    connection.execute(f"SET temp_directory = {sql_literal(folders[-1])}")
    connection.execute(f"SET allowed_directories = [{allowed}]")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET autoinstall_known_extensions = false")
    connection.execute("SET autoload_known_extensions = false")
    connection.execute("SET lock_configuration = true")


@contextmanager
def _reader(
    vault: Vault, entries: wl.Entries, query: str, batch_rows: int
) -> Iterator[pa.RecordBatchReader]:
    """A reader of the query's rows; DuckDB's complaints (when planning or while reading)
    become an InputError naming them."""
    check_query(query)
    with reading(vault, entries, watchlist=bool(_NAMES_WATCHLIST.search(query))) as connection:
        try:
            yield connection.sql(query).to_arrow_reader(batch_rows)
        except (duckdb.Error, pa.ArrowException) as exc:
            raise InputError(f"the query failed: {exc}") from None


def batches(
    vault: Vault, entries: wl.Entries, query: str, batch_rows: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """The rows of a read-only query, a batch at a time (InputError for anything but queries,
    or a query DuckDB rejects, naming why)."""
    with _reader(vault, entries, query, batch_rows) as reader:
        yield from reader


def table(vault: Vault, entries: wl.Entries, query: str) -> pa.Table:
    """The rows of a read-only query, all of them."""
    with _reader(vault, entries, query, BATCH_ROWS) as reader:
        return reader.read_all()


@dataclass(frozen=True, slots=True)
class Exported:
    """What ``export`` wrote."""

    path: Path
    format: str
    rows: int


def export(
    vault: Vault,
    entries: wl.Entries,
    target: Path,
    *,
    video_id: str | None = None,
    channel_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    file_format: str | None = None,
) -> Exported:
    """Write samples (of a video, a channel's videos, a time range — any of them together) to a
    CSV or Parquet file, streamed by DuckDB; the file appears whole or not at all."""
    kind = file_format or target.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        raise InputError(
            f"cannot tell the format of {target}: name it .csv or .parquet, or give the format"
        )
    if video_id is not None and channel_id is not None:
        raise InputError("export one video or one channel's videos, not both")
    conditions: list[str] = []
    params: list[object] = []
    for clause, value in (("timestamp >= ?", since), ("timestamp < ?", until)):
        if value is not None:
            conditions.append(clause)
            params.append(value)
    if video_id is not None:
        conditions.append("video_id = ?")
        params.append(video_id)
    target = target.absolute()
    partial = target.with_name(f".{target.name}.partial")
    connection = queries.connect()
    try:
        vault.register(connection, since=since, until=until)
        if channel_id is not None:
            ids = wl.everything(entries, channel_id).select(["video_id"])
            connection.register("__channel_videos", ids)
            conditions.append("video_id IN (SELECT video_id FROM __channel_videos)")
        where = " AND ".join(conditions) or "true"
        options = "FORMAT csv, HEADER" if kind == "csv" else "FORMAT parquet, COMPRESSION zstd"
        select = f"SELECT * FROM metrics WHERE {where} ORDER BY video_id, timestamp"
        found = connection.execute(
            f"COPY ({select}) TO {sql_literal(str(partial))} ({options})", params
        ).fetchone()
        os.replace(partial, target)
    except duckdb.Error as exc:
        raise VaultError(f"cannot export to {target}: {exc}") from None
    finally:
        connection.close()
        if partial.exists():
            partial.unlink()
    return Exported(target, kind, int(found[0]) if found else 0)
