"""Reading the vault: pandas and DuckDB as they are, the DuckDB helpers, stats, temp files."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ghosttrack.errors import VaultError
from ghosttrack.vault import layout
from ghosttrack.vault.records import ChannelSample, Sample, SampleSource, VaultStats
from ghosttrack.vault.vault import Vault

T = datetime(2026, 1, 15, 5, 0, tzinfo=UTC)
PUBLISHED = T - timedelta(days=3)


def samples_over(hours: int, videos: int = 3) -> list[Sample]:
    """One sample per video per hour, 30 minutes into each hour, views growing."""
    return [
        Sample(
            f"video{v:06d}",
            T + timedelta(hours=h, minutes=30),
            views=1000 * v + h,
            likes=None if v == 0 else h,
            comments=h,
            published_at=PUBLISHED,
            source=SampleSource.FEED if h % 2 else SampleSource.API,
        )
        for h in range(hours)
        for v in range(videos)
    ]


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    """A vault holding 30 hours (crossing midnight) of 3 videos, written in 3 calls."""
    vault = Vault(str(tmp_path / "vault"))
    samples = samples_over(30)
    for start in range(0, len(samples), 30):
        vault.write_samples(samples[start : start + 30])
    return vault


def plant_temp_file(vault_dir: Path) -> Path:
    """What a writer killed between write and rename leaves: a partial file, hidden."""
    folder = vault_dir / "metrics" / "date=2026-01-15" / "hour=06"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / layout.temp_name("20260115T060000000000Z-dead.parquet")
    partial.write_bytes(b"PAR1\x00\x01 partial")
    return partial


def test_pandas_reads_the_vault_folder_as_is(vault: Vault, tmp_path: Path) -> None:
    plant_temp_file(tmp_path / "vault")
    frame = pd.read_parquet(tmp_path / "vault" / "metrics")
    assert len(frame) == 90
    assert {"video_id", "timestamp", "views", "likes", "comments", "published_at", "source"} <= (
        set(frame.columns)
    )
    assert list(frame.columns).count("date") == 1
    assert str(frame["timestamp"].dtype) == "datetime64[us, UTC]"
    assert frame["views"].dtype == "int64"
    assert set(frame["source"].astype(str)) == {"api", "feed"}
    assert sorted(frame["hour"].astype(int).unique()) == list(range(24))
    assert set(frame["date"].astype(str)) == {"2026-01-15", "2026-01-16"}
    assert frame.loc[frame["video_id"] == "video000000", "likes"].isna().all()


def test_pandas_date_filters_from_the_seed_work(vault: Vault, tmp_path: Path) -> None:
    frame = pd.read_parquet(tmp_path / "vault" / "metrics", filters=[("date", ">=", "2026-01-16")])
    assert len(frame) == 11 * 3  # 00:30 … 10:30 on the 16th
    assert frame["timestamp"].min() == pd.Timestamp("2026-01-16 00:30", tz="UTC")


def test_duckdb_reads_the_glob_with_hive_partitioning_as_is(vault: Vault, tmp_path: Path) -> None:
    plant_temp_file(tmp_path / "vault")
    glob = f"{tmp_path}/vault/metrics/**/*.parquet"
    rows = duckdb.sql(
        f"SELECT count(*), count(DISTINCT video_id), min(date), max(date), sum(views) "
        f"FROM read_parquet('{glob}', hive_partitioning = true)"
    ).fetchall()
    expected_views = sum(s.views for s in samples_over(30))
    assert rows == [(90, 3, date(2026, 1, 15), date(2026, 1, 16), expected_views)]
    hours = duckdb.sql(
        f"SELECT DISTINCT CAST(hour AS INTEGER) AS h FROM read_parquet('{glob}', "
        "hive_partitioning = true) ORDER BY h"
    ).fetchall()
    assert [h for (h,) in hours] == list(range(24))
    assert vault.metrics_glob() == glob


def test_metrics_sql_is_a_typed_table_for_duckdb(vault: Vault) -> None:
    types = dict(
        duckdb.sql(f"DESCRIBE SELECT * FROM {vault.metrics_sql()}")
        .project("column_name, column_type")
        .fetchall()
    )
    assert types["date"] == "DATE"
    assert types["hour"] == "INTEGER"
    assert types["timestamp"] == "TIMESTAMP WITH TIME ZONE"
    latest = duckdb.sql(
        f"SELECT video_id, max(views) FROM {vault.metrics_sql()} GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert latest == [("video000000", 29), ("video000001", 1029), ("video000002", 2029)]


def test_read_samples_returns_everything_sorted(vault: Vault) -> None:
    table = vault.read_samples()
    assert table.num_rows == 90
    assert table.schema.names == [
        "video_id",
        "timestamp",
        "views",
        "likes",
        "comments",
        "published_at",
        "source",
    ]
    keys = list(
        zip(
            table.column("video_id").to_pylist(),
            table.column("timestamp").to_pylist(),
            strict=True,
        )
    )
    assert keys == sorted(keys)
    first = table.slice(0, 1).to_pylist()[0]
    assert first == {
        "video_id": "video000000",
        "timestamp": T + timedelta(minutes=30),
        "views": 0,
        "likes": None,
        "comments": 0,
        "published_at": PUBLISHED,
        "source": "api",
    }


def test_read_samples_filters_by_video_and_half_open_time_range(vault: Vault) -> None:
    since = T + timedelta(hours=20, minutes=30)  # 2026-01-16 01:30, on a sample
    until = T + timedelta(hours=23, minutes=30)  # excluded
    table = vault.read_samples(["video000002", "video999999"], since=since, until=until)
    assert table.column("video_id").to_pylist() == ["video000002"] * 3
    assert table.column("views").to_pylist() == [2020, 2021, 2022]


def test_read_samples_never_opens_partitions_outside_the_range(
    vault: Vault, tmp_path: Path
) -> None:
    metrics = tmp_path / "vault" / "metrics"
    for outside in ("date=2026-01-15/hour=05", "date=2026-01-16/hour=10"):
        (metrics / outside / "zz-corrupt.parquet").write_bytes(b"not parquet at all")
    since = T + timedelta(hours=1)
    until = T + timedelta(hours=28, minutes=59)  # 2026-01-16 09:59
    table = vault.read_samples(since=since, until=until)
    assert table.num_rows == 28 * 3
    with pytest.raises(VaultError, match="zz-corrupt"):
        vault.read_samples()  # the corrupt files are real: only pruning kept them out


def test_reading_an_empty_vault_gives_an_empty_table(tmp_path: Path) -> None:
    empty = Vault(str(tmp_path / "nothing-here"))
    assert empty.read_samples().num_rows == 0
    assert empty.read_samples().schema.names[0] == "video_id"
    plant_temp_file(tmp_path / "nothing-here")
    assert empty.read_samples(["video000000"]).num_rows == 0
    assert empty.read_channel_samples().num_rows == 0
    assert empty.stats() == VaultStats(files=0, samples=0, bytes=0)


def test_naive_bounds_are_refused(vault: Vault) -> None:
    with pytest.raises(VaultError, match="since=2026-01-15T00:00:00 is naive"):
        vault.read_samples(since=datetime(2026, 1, 15))


def test_channel_samples_read_back(tmp_path: Path) -> None:
    vault = Vault(str(tmp_path))
    channel = "UC" + "c" * 22
    vault.write_channel_samples(
        [ChannelSample(channel, T + timedelta(days=d), 10 * d, 100 * d, d) for d in range(4)]
    )
    table = vault.read_channel_samples([channel], since=T + timedelta(days=1))
    assert table.column("videos").to_pylist() == [1, 2, 3]
    assert table.column("subscribers").to_pylist() == [10, 20, 30]
    assert vault.stats().files == 0  # video metrics only
    assert vault.stats(layout.CHANNEL_METRICS).samples == 4


def test_stats_count_files_samples_and_bytes_and_skip_temp_files(
    vault: Vault, tmp_path: Path
) -> None:
    plant_temp_file(tmp_path / "vault")
    files = sorted((tmp_path / "vault" / "metrics").rglob("*.parquet"))
    stats = vault.stats()
    assert stats.files == len(files)
    assert stats.samples == 90
    assert stats.bytes == sum(f.stat().st_size for f in files)
    assert stats.samples == sum(pq.read_metadata(f).num_rows for f in files)


def test_stats_reads_footers_not_data(vault: Vault, tmp_path: Path) -> None:
    """Corrupting the data pages (the start of a file) leaves the footer count intact."""
    path = next((tmp_path / "vault" / "metrics").rglob("*.parquet"))
    content = bytearray(path.read_bytes())
    content[4:40] = b"\xff" * 36
    path.write_bytes(bytes(content))
    assert vault.stats().samples == 90


def test_clean_temp_files_removes_old_leftovers_only(vault: Vault, tmp_path: Path) -> None:
    old = plant_temp_file(tmp_path / "vault")
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    os.utime(old, (an_hour_ago, an_hour_ago))
    fresh = old.with_name(layout.temp_name("20260115T060000000000Z-live.parquet"))
    fresh.write_bytes(b"being written")
    before = sorted((tmp_path / "vault").rglob("*.parquet"))

    assert vault.clean_temp_files(timedelta(minutes=10)) == [str(old)]
    assert not old.exists()
    assert fresh.exists()
    assert sorted((tmp_path / "vault").rglob("*.parquet")) == before
    later = datetime.now(UTC) + timedelta(hours=2)
    assert vault.clean_temp_files(timedelta(minutes=10), now=later) == [str(fresh)]
    assert vault.read_samples().num_rows == 90


def test_clean_temp_files_refuses_a_negative_age(vault: Vault) -> None:
    with pytest.raises(VaultError, match="must not be negative"):
        vault.clean_temp_files(timedelta(seconds=-1))


def test_register_gives_duckdb_every_sample_exactly_once(vault: Vault) -> None:
    vault.write_samples(samples_over(2))  # the first two hours again: exact duplicates
    connection = duckdb.connect()
    vault.register(connection)
    rows = connection.sql('SELECT video_id, "timestamp", views FROM metrics').fetchall()
    expected = {(s.video_id, s.timestamp, s.views) for s in samples_over(30)}
    assert len(rows) == len(expected) == 90
    assert set(rows) == expected
    columns = [c[0] for c in connection.sql("DESCRIBE metrics").fetchall()]
    assert columns == vault.read_samples().column_names


def test_register_opens_only_partitions_that_may_hold_the_range(
    vault: Vault, tmp_path: Path
) -> None:
    corrupt = tmp_path / "vault" / "metrics" / "date=2026-01-15" / "hour=05" / "bad.parquet"
    corrupt.write_bytes(b"not parquet")  # any read of hour 05 would fail
    connection = duckdb.connect()
    since = T + timedelta(hours=6)
    vault.register(connection, since=since, until=since + timedelta(hours=2))
    count = connection.execute(
        'SELECT count(*) FROM metrics WHERE "timestamp" >= $s AND "timestamp" < $u',
        {"s": since, "u": since + timedelta(hours=2)},
    ).fetchone()
    assert count == (6,)


def test_register_on_an_empty_vault_gives_empty_typed_views(tmp_path: Path) -> None:
    connection = duckdb.connect()
    Vault(str(tmp_path / "nothing")).register(connection)
    assert connection.execute("SELECT count(*) FROM metrics").fetchone() == (0,)
    assert connection.execute("SELECT count(*) FROM channel_metrics").fetchone() == (0,)
    with pytest.raises(VaultError, match="naive"):
        Vault(str(tmp_path / "nothing")).register(connection, since=datetime(2026, 1, 1))
