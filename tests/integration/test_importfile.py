"""``ghosttrack import FILE`` reading real CSV and Parquet files, good, bad and large."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ghosttrack.errors import InputError
from ghosttrack.hunter.importfile import RejectedRow, read_video_ids

A, B, C = "dQw4w9WgXcQ", "9bZkp7q19f0", "kJQP7kiw5Fk"


def test_a_spreadsheet_csv_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    text = f"Title,URL\r\nOne,https://www.youtube.com/shorts/{A}\r\nTwo,oops\r\nThree,{B}\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    report = read_video_ids(path)
    assert report.column == "URL"
    assert report.video_ids == (A, B)
    assert report.rejected == (
        RejectedRow(3, "oops", "'oops' is not a YouTube video id or video URL"),
    )


def test_parquet_bad_rows_are_reported_by_row_index(tmp_path: Path) -> None:
    path = tmp_path / "videos.parquet"
    table = pa.table(
        {
            "title": ["a", "b", "c", "d", "e"],
            "videoId": [A, None, "bad", f"https://youtu.be/{B}", A],
        }
    )
    pq.write_table(table, path)
    report = read_video_ids(path)
    assert report.format == "parquet"
    assert report.column == "videoId"
    assert report.video_ids == (A, B)
    assert report.duplicates == 1
    assert [(r.line, r.value) for r in report.rejected] == [(1, ""), (2, "bad")]
    assert report.rows_read == 5


def test_parquet_dictionary_columns_and_a_named_column(tmp_path: Path) -> None:
    path = tmp_path / "videos.parquet"
    ids = pa.array([C, A, C]).dictionary_encode()
    pq.write_table(pa.table({"video_id": [B, B, B], "other": ids}), path)
    assert read_video_ids(path, column="other").video_ids == (C, A)


def test_parquet_is_recognised_by_content_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "videos.dat"
    pq.write_table(pa.table({"id": [A]}), path)
    assert read_video_ids(path).video_ids == (A,)


def test_parquet_problems_name_the_columns_and_types(tmp_path: Path) -> None:
    path = tmp_path / "videos.parquet"
    pq.write_table(pa.table({"id": [1, 2], "title": ["x", "y"]}), path)
    with pytest.raises(InputError, match="column 'id' holds int64, not text"):
        read_video_ids(path)
    with pytest.raises(InputError, match=r"no column 'vid'; the columns are 'id', 'title'"):
        read_video_ids(path, column="vid")


@pytest.mark.parametrize(
    ("name", "content", "complaint"),
    [
        ("missing.csv", None, "cannot read .*missing.csv: No such file or directory"),
        ("broken.parquet", b"PAR1 this is not parquet", "not a readable Parquet file"),
        ("latin1.csv", "video_id\nvidéo\n".encode("latin-1"), "not UTF-8 text"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_unreadable_files_say_what_is_wrong(
    tmp_path: Path, name: str, content: bytes | None, complaint: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=complaint) as caught:
        read_video_ids(path)
    assert str(path) in str(caught.value)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_video_ids(tmp_path)


def test_large_files_are_streamed(tmp_path: Path) -> None:
    """A file of few distinct ids is read without holding its rows in memory (200,000 rows:
    tracemalloc slows reading down five times)."""
    rows = 200_000
    ids = [A, B, C, "bad"]
    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write("n,video_id,comment\n")
        handle.writelines(
            f"{n},{ids[n % 4]},some text to make the file bigger\n" for n in range(rows)
        )
    size = os.path.getsize(path)
    tracemalloc.start()
    try:
        report = read_video_ids(path, max_rejected=100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.video_ids == (A, B, C)
    assert report.rows_read == rows
    assert report.rejected_total == rows // 4
    assert report.rejected[0].line == 5  # header, A, B, C, then "bad"
    assert peak < size / 20, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_large_parquet_files_are_read_in_batches(tmp_path: Path) -> None:
    rows = 1_000_000
    path = tmp_path / "big.parquet"
    column = pa.array([A, B, C, "bad"] * (rows // 4))
    padding = pa.array(["some text to make the file bigger"] * rows)
    pq.write_table(pa.table({"video_id": column, "comment": padding}), path, row_group_size=100_000)
    report = read_video_ids(path, max_rejected=10)
    assert report.video_ids == (A, B, C)
    assert report.rejected_total == rows // 4
    assert report.rejected[-1].line == 39  # every 4th row from index 3
