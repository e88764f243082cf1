"""Samples become validated, sorted Arrow tables; bad samples are named, all at once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pytest

from ghosttrack.errors import VaultError
from ghosttrack.vault import schema
from ghosttrack.vault.records import ChannelSample, Sample, SampleSource

T = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def sample(video_id: str = "dQw4w9WgXcQ", **changes: Any) -> Sample:
    base = Sample(video_id, T, 100, 5, 2, T - timedelta(days=1))
    return dataclasses.replace(base, **changes)


def check_all(samples: list[Sample]) -> None:
    schema.validate(samples, schema.sample_problems)


def test_valid_samples_pass() -> None:
    check_all([sample(), sample(likes=None, comments=None, published_at=None)])


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"views": -1}, "views is negative (-1)"),
        ({"likes": -3}, "likes is negative (-3)"),
        ({"comments": -2}, "comments is negative (-2)"),
        ({"views": True}, "views True is not an integer"),
        ({"views": 1.5}, "views 1.5 is not an integer"),
        ({"views": 2**63}, "does not fit in 64 bits"),
        ({"timestamp": datetime(2026, 1, 15, 10)}, "timestamp 2026-01-15T10:00:00 is naive"),
        ({"published_at": datetime(2026, 1, 1)}, "published_at 2026-01-01T00:00:00 is naive"),
        ({"timestamp": "2026-01-15"}, "timestamp is a str, not a datetime"),
        ({"source": "scraped"}, "source 'scraped' is not one of"),
        ({"video_id": ""}, "video_id is empty"),
        ({"video_id": "   "}, "video_id is empty"),
        ({"video_id": " dQw4w9WgXcQ"}, "has surrounding spaces"),
    ],
)
def test_a_bad_field_is_named(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(VaultError, match="none were written") as caught:
        check_all([sample(), sample(**{"video_id": "second_id00", **changes})])
    message = str(caught.value)
    assert complaint in message
    assert "#1 (video_id=" in message  # the bad sample's position and identity
    assert "1 of 2 samples" in message


def test_every_bad_sample_is_counted_and_the_first_few_listed() -> None:
    bad = [sample(f"video{i:06d}", views=-i - 1) for i in range(8)]
    with pytest.raises(VaultError) as caught:
        check_all([sample(), *bad])
    message = str(caught.value)
    assert "8 of 9 samples cannot be stored" in message
    assert "video000000" in message
    assert "video000004" in message
    assert "video000005" not in message
    assert "… and 3 more" in message


def test_string_sources_equal_to_an_enum_value_are_accepted() -> None:
    check_all([sample(source="feed")])  # type: ignore[arg-type]


def test_channel_samples_are_validated_too() -> None:
    good = ChannelSample("UC" + "a" * 22, T, None, 10, 3)
    schema.validate([good], schema.channel_sample_problems)
    with pytest.raises(VaultError, match="subscribers is negative") as caught:
        schema.validate([dataclasses.replace(good, subscribers=-1)], schema.channel_sample_problems)
    assert "channel_id='UCaaaa" in str(caught.value)


def test_table_is_sorted_by_video_then_time_with_the_vault_schema() -> None:
    rows = [
        sample("bbbbbbbbbbb", timestamp=T + timedelta(minutes=2)),
        sample("aaaaaaaaaaa", timestamp=T + timedelta(minutes=5)),
        sample("bbbbbbbbbbb", timestamp=T + timedelta(minutes=1), source=SampleSource.FEED),
        sample("aaaaaaaaaaa", timestamp=T, likes=None, comments=None, published_at=None),
    ]
    table = schema.samples_table(rows)
    assert table.schema == schema.SAMPLE_SCHEMA
    assert table.column("video_id").to_pylist() == ["aaaaaaaaaaa"] * 2 + ["bbbbbbbbbbb"] * 2
    minutes = [(t - T) // timedelta(minutes=1) for t in table.column("timestamp").to_pylist()]
    assert minutes == [0, 5, 1, 2]
    assert table.column("likes").to_pylist() == [None, 5, 5, 5]
    assert table.column("published_at").null_count == 1
    assert table.column("source").to_pylist() == ["api", "api", "feed", "api"]


def test_table_stores_instants_in_utc() -> None:
    plus_two = datetime(2026, 1, 15, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    table = schema.samples_table([sample(timestamp=plus_two)])
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert table.column("timestamp").to_pylist() == [T]


def test_source_is_dictionary_encoded_and_schema_has_no_partition_columns() -> None:
    assert pa.types.is_dictionary(schema.SAMPLE_SCHEMA.field("source").type)
    assert "date" not in schema.SAMPLE_SCHEMA.names
    assert "hour" not in schema.SAMPLE_SCHEMA.names
    assert schema.SAMPLE_SCHEMA.names == [
        "video_id",
        "timestamp",
        "views",
        "likes",
        "comments",
        "published_at",
        "source",
    ]


def test_parquet_bytes_are_zstd_parquet() -> None:
    import pyarrow.parquet as pq

    payload = schema.to_parquet_bytes(schema.samples_table([sample()]))
    assert payload[:4] == b"PAR1"
    assert payload[-4:] == b"PAR1"
    metadata = pq.ParquetFile(pa.BufferReader(payload)).metadata
    assert metadata.num_rows == 1
    assert metadata.row_group(0).column(0).compression == "ZSTD"
