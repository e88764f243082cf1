"""Writing the vault on a real disk: partitions, file format, atomicity and durability."""

from __future__ import annotations

import dataclasses
import errno
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.errors import VaultError
from ghosttrack.vault import storage
from ghosttrack.vault.records import ChannelSample, Sample, SampleSource
from ghosttrack.vault.vault import Vault

T = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def sample(video_id: str = "dQw4w9WgXcQ", at: datetime = T, **changes: Any) -> Sample:
    base = Sample(video_id, at, 1000, 50, 7, T - timedelta(days=2))
    return dataclasses.replace(base, **changes)


def parquet_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def test_samples_land_in_their_utc_hour_partition(tmp_path: Path) -> None:
    vault = Vault(str(tmp_path))
    paths = vault.write_samples(
        [
            sample("aaaaaaaaaaa", T + timedelta(minutes=59)),
            sample("bbbbbbbbbbb", T + timedelta(hours=1)),
            sample("ccccccccccc", T + timedelta(minutes=1)),
            sample("ddddddddddd", T + timedelta(days=1, hours=13)),
        ]
    )
    relative = sorted(str(Path(p).parent.relative_to(tmp_path)) for p in paths)
    assert relative == [
        "metrics/date=2026-01-15/hour=10",
        "metrics/date=2026-01-15/hour=11",
        "metrics/date=2026-01-16/hour=23",
    ]
    assert sorted(Path(p) for p in paths) == parquet_files(tmp_path)
    rows = {p: pq.read_table(p).column("video_id").to_pylist() for p in paths}
    assert sorted(rows.values()) == [
        ["aaaaaaaaaaa", "ccccccccccc"],
        ["bbbbbbbbbbb"],
        ["ddddddddddd"],
    ]


def test_a_file_has_the_documented_columns_and_no_partition_columns(tmp_path: Path) -> None:
    vault = Vault(str(tmp_path))
    [path] = vault.write_samples([sample(likes=None, comments=None, published_at=None)])
    parquet = pq.ParquetFile(path)
    arrow = parquet.schema_arrow
    assert arrow.names == [
        "video_id",
        "timestamp",
        "views",
        "likes",
        "comments",
        "published_at",
        "source",
    ]
    assert arrow.field("video_id").type == pa.string()
    assert arrow.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert arrow.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert arrow.field("views").type == pa.int64()
    assert arrow.field("likes").type == pa.int64()
    assert arrow.field("source").type == pa.string()
    assert not arrow.field("views").nullable
    assert arrow.field("likes").nullable
    columns = parquet.metadata.row_group(0)
    assert {columns.column(i).compression for i in range(columns.num_columns)} == {"ZSTD"}
    assert columns.column(6).path_in_schema == "source"
    assert columns.column(6).has_dictionary_page
    assert "RLE_DICTIONARY" in columns.column(6).encodings
    row = parquet.read().to_pylist()[0]
    assert (row["likes"], row["comments"], row["published_at"]) == (None, None, None)


def test_rows_are_sorted_by_video_then_time_within_a_file(tmp_path: Path) -> None:
    vault = Vault(str(tmp_path))
    samples = [
        sample(f"vid{i % 3:08d}", T + timedelta(minutes=(17 * i) % 60), views=i) for i in range(30)
    ]
    [path] = vault.write_samples(samples)
    table = pq.read_table(path)
    ids, times = table.column("video_id").to_pylist(), table.column("timestamp").to_pylist()
    keys = list(zip(ids, times, strict=True))
    assert keys == sorted(keys)
    assert sorted(table.column("views").to_pylist()) == list(range(30))


def test_an_empty_write_writes_nothing(tmp_path: Path) -> None:
    vault_dir = tmp_path / "vault"
    assert Vault(str(vault_dir)).write_samples([]) == []
    assert not vault_dir.exists()


def test_one_bad_sample_means_nothing_is_written(tmp_path: Path) -> None:
    vault = Vault(str(tmp_path / "vault"))
    good = [sample("aaaaaaaaaaa"), sample("bbbbbbbbbbb", T + timedelta(hours=3))]
    with pytest.raises(VaultError, match="views is negative") as caught:
        vault.write_samples([*good, sample("badbadbadba", views=-1)])
    assert "badbadbadba" in str(caught.value)
    assert not (tmp_path / "vault").exists()


def test_file_names_are_unique_and_sort_by_write_time(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 2, 1, tzinfo=UTC))
    vault = Vault(str(tmp_path), clock=clock)
    first = vault.write_samples([sample()])
    same_moment = vault.write_samples([sample()])
    clock.advance(timedelta(milliseconds=1))
    later = vault.write_samples([sample()])
    names = [Path(p).name for p in first + same_moment + later]
    assert len(set(names)) == 3
    assert names[0].startswith("20260201T000000000000Z-")
    assert max(names[:2]) < names[2]


def test_write_publishes_by_fsync_then_rename_then_folder_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def rename(src: str, dst: str) -> None:
        events.append(("rename", f"{Path(src).name} -> {Path(dst).name}"))
        real_rename(src, dst)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    monkeypatch.setattr(storage.os, "rename", rename)
    vault = Vault(str(tmp_path / "vault"))
    vault.write_samples([sample()])  # creates the folders
    events.clear()
    [path] = vault.write_samples([sample()])
    name, folder = Path(path).name, str(Path(path).parent)
    assert events == [
        ("fsync", f"{folder}/.{name}.tmp"),
        ("rename", f".{name}.tmp -> {name}"),
        ("fsync", folder),
    ]


def test_new_partition_folders_are_synced_into_their_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    [path] = Vault(str(tmp_path / "vault")).write_samples([sample()])
    hour = Path(path).parent
    for created in (hour, hour.parent, hour.parent.parent, tmp_path / "vault"):
        assert str(created.parent) in synced, created


def test_a_vault_path_that_is_a_file_is_refused_with_advice(tmp_path: Path) -> None:
    blocker = tmp_path / "vault"
    blocker.write_text("a file where the vault folder should be")
    with pytest.raises(VaultError, match="GHOSTTRACK_VAULT_URL"):
        Vault(str(blocker)).write_samples([sample()])


@pytest.mark.parametrize("failing", ["write", "fsync", "rename"])
def test_a_failed_write_raises_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    vault = Vault(str(tmp_path))
    vault.write_samples([sample()])

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, failing, disk_full)
    with pytest.raises(VaultError, match="No space left on device"):
        vault.write_samples([sample()])
    monkeypatch.undo()
    leftovers = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert len(leftovers) == 1
    assert leftovers[0].endswith(".parquet")


def test_channel_samples_go_to_their_own_dataset(tmp_path: Path) -> None:
    vault = Vault(str(tmp_path))
    channel = "UC" + "b" * 22
    [path] = vault.write_channel_samples(
        [ChannelSample(channel, T + timedelta(minutes=5), None, 900, 12)]
    )
    assert str(Path(path).parent.relative_to(tmp_path)) == (
        "channel_metrics/date=2026-01-15/hour=10"
    )
    table = pq.read_table(path)
    assert table.schema.names == ["channel_id", "timestamp", "subscribers", "views", "videos"]
    assert table.to_pylist() == [
        {
            "channel_id": channel,
            "timestamp": T + timedelta(minutes=5),
            "subscribers": None,
            "views": 900,
            "videos": 12,
        }
    ]
    with pytest.raises(VaultError, match="videos is negative"):
        vault.write_channel_samples([ChannelSample(channel, T, 1, 1, -1)])


def test_sources_round_trip(tmp_path: Path) -> None:
    vault = Vault(str(tmp_path))
    [path] = vault.write_samples([sample(f"video{s.value:0>6}", source=s) for s in SampleSource])
    assert sorted(pq.read_table(path).column("source").to_pylist()) == ["api", "feed", "import"]


def test_file_urls_work_and_object_stores_are_refused_clearly(tmp_path: Path) -> None:
    vault = Vault(f"file://{tmp_path}/v")
    [path] = vault.write_samples([sample()])
    assert path.startswith(f"{tmp_path}/v/metrics/")
    with pytest.raises(VaultError, match="only local folders"):
        Vault("s3://bucket/vault")
