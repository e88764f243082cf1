"""Reading the vault with DuckDB: hive partitions typed, and pruned by time before any file opens.

Analytics build on ``source_sql`` (the ``read_parquet(...)`` text) so that they never spell out
the layout themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa

from ghosttrack.errors import VaultError
from ghosttrack.vault import layout


def sql_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def source_sql(glob: str) -> str:
    """``read_parquet(...)`` over a dataset glob, with typed hive partition columns."""
    return (
        f"read_parquet({sql_literal(glob)}, hive_partitioning = true, "
        f"hive_types = {layout.HIVE_TYPES_SQL})"
    )


@dataclass
class Query:
    """A parameterised SELECT over one dataset."""

    source: str
    columns: Sequence[str]
    key_column: str
    conditions: list[str] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)

    def keys(self, values: Sequence[str] | None) -> Query:
        if values is not None:
            self.conditions.append(f"{self.key_column} IN (SELECT unnest($keys))")
            self.params["keys"] = list(values)
        return self

    def since(self, moment: datetime | None) -> Query:
        """Rows at or after ``moment``; partitions before its hour are never opened."""
        if moment is not None:
            hour = layout.hour_of(moment)
            self.conditions.append(
                "(date > $since_date OR (date = $since_date AND hour >= $since_hour))"
            )
            self.conditions.append('"timestamp" >= $since')
            self.params.update(since=moment, since_date=hour.date(), since_hour=hour.hour)
        return self

    def until(self, moment: datetime | None) -> Query:
        """Rows strictly before ``moment``; later partitions are never opened."""
        if moment is not None:
            hour = layout.hour_of(moment)
            self.conditions.append(
                "(date < $until_date OR (date = $until_date AND hour <= $until_hour))"
            )
            self.conditions.append('"timestamp" < $until')
            self.params.update(until=moment, until_date=hour.date(), until_hour=hour.hour)
        return self

    def sql(self) -> str:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        where = " AND ".join(self.conditions) or "true"
        order = f'"{self.key_column}", "timestamp"'
        return f"SELECT {columns} FROM {self.source} WHERE {where} ORDER BY {order}"


def connect() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB: UTC timestamps, no progress bar on the user's terminal."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    return connection


def run(query: Query, schema: pa.Schema) -> pa.Table:
    """Run a query; timestamps come back in UTC."""
    connection = connect()
    try:
        table = connection.sql(query.sql(), params=query.params).to_arrow_table()
    except duckdb.Error as exc:
        raise VaultError(f"cannot read the vault with DuckDB: {exc}") from exc
    finally:
        connection.close()
    return table.cast(schema)


def create_view(
    connection: duckdb.DuckDBPyConnection,
    view: str,
    files: Sequence[str],
    key_column: str,
    read_schema: pa.Schema,
) -> None:
    """A temp view over exactly these Parquet files, one row per (key, timestamp); with no
    files, an empty view of the same columns (DuckDB refuses an empty file list)."""
    columns = ", ".join(f'"{name}"' for name in read_schema.names)
    if files:
        listed = ", ".join(sql_literal(f) for f in files)
        source = (
            f'SELECT DISTINCT ON ("{key_column}", "timestamp") {columns} '
            f"FROM read_parquet([{listed}], hive_partitioning = false)"
        )
    else:
        empty = f"__empty_{view}"
        connection.register(empty, read_schema.empty_table())
        source = f"SELECT {columns} FROM {empty}"
    try:
        connection.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {source}")
    except duckdb.Error as exc:
        raise VaultError(f"cannot read the vault with DuckDB: {exc}") from exc


def footer_rows(paths: Sequence[str]) -> int:
    """Rows in these Parquet files, from their footers only (DuckDB reads them in parallel)."""
    if not paths:
        return 0
    connection = connect()
    try:
        found = connection.execute(
            "SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata($files)",
            {"files": list(paths)},
        ).fetchone()
    except duckdb.Error as exc:
        raise VaultError(f"cannot read Parquet footers: {exc}") from exc
    finally:
        connection.close()
    return int(found[0]) if found else 0
