"""The vault layout: partition paths, file names, and which names readers may ever see."""

from __future__ import annotations

import fnmatch
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ghosttrack.vault import layout

T = datetime(2026, 1, 15, 10, 42, 7, 123456, tzinfo=UTC)


def test_partition_is_the_utc_hour_of_the_sample() -> None:
    assert layout.partition_dir(layout.METRICS, T) == "metrics/date=2026-01-15/hour=10"


def test_partition_of_a_non_utc_time_uses_its_utc_hour() -> None:
    tokyo = datetime(2026, 1, 16, 1, 30, tzinfo=timezone(timedelta(hours=9)))  # 15th 16:30 UTC
    assert layout.partition_dir(layout.METRICS, tokyo) == "metrics/date=2026-01-15/hour=16"


def test_hours_are_two_digits_and_dates_zero_padded() -> None:
    early = datetime(2026, 3, 5, 5, 0, tzinfo=UTC)
    assert layout.partition_dir(layout.CHANNEL_METRICS, early) == (
        "channel_metrics/date=2026-03-05/hour=05"
    )


def test_hour_of_drops_minutes_and_converts_to_utc() -> None:
    minus_five = datetime(2026, 1, 15, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))
    assert layout.hour_of(minus_five) == datetime(2026, 1, 16, 4, 0, tzinfo=UTC)
    assert layout.hour_of(minus_five).tzinfo == UTC


def test_partition_of_reads_back_what_partition_dir_built() -> None:
    path = layout.join("/v", layout.partition_dir(layout.METRICS, T), "x.parquet")
    assert layout.partition_of(path) == (date(2026, 1, 15), 10)
    assert layout.partition_of("/v/metrics/x.parquet") is None


def test_file_names_sort_by_write_time() -> None:
    earlier = layout.data_file_name(T, "ffff")
    later = layout.data_file_name(T + timedelta(microseconds=1), "0000")
    next_day = layout.data_file_name(T + timedelta(days=1), "0000")
    assert earlier == "20260115T104207123456Z-ffff.parquet"
    assert sorted([next_day, later, earlier]) == [earlier, later, next_day]


def test_temp_names_never_match_a_readers_parquet_glob() -> None:
    final = layout.data_file_name(T, "abc")
    temp = layout.temp_name(final)
    assert fnmatch.fnmatch(final, "*.parquet")
    assert not fnmatch.fnmatch(temp, "*.parquet")
    assert temp.startswith(".")  # pyarrow and pandas skip names starting with "."
    assert layout.is_temp_file("/v/metrics/date=2026-01-15/hour=10/" + temp)
    assert not layout.is_data_file("/v/metrics/date=2026-01-15/hour=10/" + temp)
    assert layout.is_data_file("/v/metrics/date=2026-01-15/hour=10/" + final)
    assert not layout.is_temp_file(final)


@pytest.mark.parametrize("name", ["_SUCCESS.parquet", ".hidden.parquet", "notes.txt"])
def test_other_files_are_not_data_files(name: str) -> None:
    assert not layout.is_data_file(name)


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("/data/vault", "/data/vault/metrics/**/*.parquet"),
        ("/data/vault/", "/data/vault/metrics/**/*.parquet"),
        ("s3://bucket/vault", "s3://bucket/vault/metrics/**/*.parquet"),
    ],
)
def test_dataset_glob_keeps_the_root_form(root: str, expected: str) -> None:
    assert layout.dataset_glob(root, layout.METRICS) == expected


def test_join_ignores_empty_parts_and_stray_slashes() -> None:
    assert layout.join("/v", "", "metrics/", "/a") == "/v/metrics/a"
    assert layout.join("/v") == "/v"
