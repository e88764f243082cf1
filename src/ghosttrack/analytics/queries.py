"""Every DuckDB statement analytics run, each a small named function over the views the vault
registers (``metrics``, ``channel_metrics``) and the ones analytics add (``watchlist``,
``video_trends``). Read them to know all the SQL analytics send; nothing here knows a file path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import pyarrow as pa

from ghosttrack.errors import VaultError
from ghosttrack.vault.query import sql_literal

#: Bounds DuckDB's memory (it spills to disk beyond) so a refresh stays well under 1 GB.
MEMORY_LIMIT = "512MB"


def connect() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB: UTC timestamps, bounded memory, no progress bar."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    return connection


def arrow(
    connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> pa.Table:
    """Run one statement; its rows as an Arrow table (VaultError naming DuckDB's complaint)."""
    try:
        return connection.sql(sql, params=list(params or [])).to_arrow_table()
    except duckdb.Error as exc:
        raise VaultError(f"cannot read the vault with DuckDB: {exc}") from exc


def changed_videos(
    connection: duckdb.DuckDBPyConnection,
    since: datetime | None,
    until: datetime | None = None,
) -> pa.Table:
    """Videos with a sample in ``[since, until)`` (open ends when None), sorted, with their
    newest sample time there."""
    conditions = [c for c, m in (("timestamp >= ?", since), ("timestamp < ?", until)) if m]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return arrow(
        connection,
        f"SELECT video_id, max(timestamp) AS newest FROM metrics {where} "
        "GROUP BY video_id ORDER BY video_id",
        [m for m in (since, until) if m is not None],
    )


def histories(connection: duckdb.DuckDBPyConnection, video_ids: Sequence[str]) -> pa.Table:
    """Every sample of these videos, by video and time."""
    return arrow(
        connection,
        "SELECT video_id, timestamp, views, likes, comments, published_at FROM metrics "
        "WHERE video_id IN (SELECT unnest(?)) ORDER BY video_id, timestamp",
        [list(video_ids)],
    )


def video_samples(connection: duckdb.DuckDBPyConnection, video_id: str) -> pa.Table:
    """One video's samples by time, with their source. The id is a literal, not a parameter:
    DuckDB prunes row groups and pages by a constant's statistics, not a parameter's."""
    return arrow(
        connection,
        "SELECT video_id, timestamp, views, likes, comments, published_at, source FROM metrics "
        f"WHERE video_id = {sql_literal(video_id)} ORDER BY timestamp",
    )


def trend_rows(
    connection: duckdb.DuckDBPyConnection, where: str, params: Sequence[object]
) -> pa.Table:
    """Rows of ``video_trends`` matching a condition (grid included)."""
    return arrow(connection, f"SELECT * FROM video_trends WHERE {where}", params)


def ranked(
    connection: duckdb.DuckDBPyConnection,
    order_by: str,
    conditions: Sequence[str],
    params: Sequence[object],
    limit: int,
) -> pa.Table:
    """Rows of ``video_trends`` (without the grid) meeting ``conditions``, best first."""
    where = " AND ".join(conditions) or "true"
    return arrow(
        connection,
        f"SELECT * EXCLUDE (grid) FROM video_trends WHERE {where} AND {order_by} IS NOT NULL "
        f"ORDER BY {order_by} DESC, video_id LIMIT ?",
        [*params, limit],
    )


def channel_days(
    connection: duckdb.DuckDBPyConnection, channel_id: str, since: datetime
) -> pa.Table:
    """A channel's daily statistics since ``since``: the last sample of each UTC day, and the
    change from the previous day's (negative changes kept)."""
    return arrow(
        connection,
        "SELECT day, subscribers, views, videos, "
        "subscribers - lag(subscribers) OVER w AS subscribers_change, "
        "views - lag(views) OVER w AS views_change, videos - lag(videos) OVER w AS videos_change "
        "FROM (SELECT CAST(timestamp AS DATE) AS day, arg_max(subscribers, timestamp) AS "
        "subscribers, arg_max(views, timestamp) AS views, arg_max(videos, timestamp) AS videos "
        "FROM channel_metrics WHERE channel_id = ? AND timestamp >= ? GROUP BY day) "
        "WINDOW w AS (ORDER BY day) ORDER BY day",
        [channel_id, since],
    )
