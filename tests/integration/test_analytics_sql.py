"""Users' SQL over the views and exports: queries only, nothing outside the vault readable,
results streamed, export files whole."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ghosttrack.analytics.service import Analytics
from ghosttrack.errors import InputError
from tests.fixtures.tracked import Tracked


def analytics(world: Tracked) -> Analytics:
    return Analytics(world.vault, world.db.watchlist, world.clock, world.settings())


def test_queries_read_every_view(tracked_world: Tracked) -> None:
    a = analytics(tracked_world)
    counts = a.sql(
        "SELECT (SELECT count(*) FROM metrics) AS samples, "
        "(SELECT count(*) FROM watchlist) AS listed, "
        "(SELECT count(*) FROM video_trends) AS trends, "
        "(SELECT count(*) FROM channel_metrics) AS channels"
    ).to_pylist()[0]
    assert counts["listed"] == tracked_world.world.video_count
    assert counts["trends"] > 0
    assert counts["samples"] > counts["trends"]
    assert 0 < counts["channels"] <= len(tracked_world.world.channels) * 60
    joined = a.sql(
        "WITH v AS (SELECT channel_id, count(*) AS n FROM video_trends GROUP BY ALL) "
        "SELECT count(*) AS channels FROM v JOIN (SELECT DISTINCT channel_id FROM watchlist) "
        "USING (channel_id)"
    )
    assert joined.column("channels")[0].as_py() == len(tracked_world.world.channels)
    assert "grid" not in a.sql("SELECT * FROM video_trends LIMIT 1").column_names


def test_results_stream_in_batches(tracked_world: Tracked) -> None:
    batches = list(analytics(tracked_world).sql_batches("SELECT * FROM metrics", batch_rows=10_000))
    assert len(batches) > 2
    assert all(b.num_rows <= 10_000 for b in batches)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("INSERT INTO watchlist VALUES ('x')", "INSERT"),
        ("SELECT 1; DROP VIEW metrics", "DROP"),
        ("COPY metrics TO '/tmp/stolen.csv'", "COPY"),
        ("ATTACH '/tmp/other.db'", "ATTACH"),
        ("SET enable_external_access = true", "SET"),
        ("INSTALL httpfs", ""),
    ],
)
def test_anything_but_a_query_is_refused(tracked_world: Tracked, query: str, named: str) -> None:
    with pytest.raises(InputError, match="only reads") as refused:
        analytics(tracked_world).sql(query)
    assert named in str(refused.value)


def test_files_outside_the_vault_cannot_be_read(tracked_world: Tracked, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    with pytest.raises(InputError, match="Permission"):
        analytics(tracked_world).sql(f"SELECT * FROM read_csv('{secret}')")
    with pytest.raises(InputError, match="cannot be parsed"):
        analytics(tracked_world).sql("SELEC 1")


def test_export_a_video_a_channel_and_a_period(tracked_world: Tracked, tmp_path: Path) -> None:
    a = analytics(tracked_world)
    video_id = tracked_world.world.video_ids(1, published_before=tracked_world.end)[0]
    done = a.export(tmp_path / "one.csv", video_id=video_id)
    with done.path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert done.rows == len(rows) == len(a.series(video_id)) > 0
    assert {r["video_id"] for r in rows} == {video_id}
    channel = tracked_world.world.channels[1].channel_id
    listed = a.sql(f"SELECT count(*) AS n FROM watchlist WHERE channel_id = '{channel}'")
    part = a.export(tmp_path / "channel.parquet", channel_id=channel)
    table = pq.read_table(part.path)
    assert table.num_rows == part.rows > 0
    assert len(set(table.column("video_id").to_pylist())) <= listed.column("n")[0].as_py()
    since = tracked_world.end - timedelta(days=1)
    day = a.export(tmp_path / "day.parquet", since=since)
    times = pq.read_table(day.path).column("timestamp")
    assert day.rows > 0
    assert pa.compute.min(times).as_py() >= since
    assert not list(tmp_path.glob(".*partial"))
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        a.export(tmp_path / "what.xlsx")
