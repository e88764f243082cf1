"""Reading video ids from CSV text: columns, URLs, bad rows by physical line, duplicates."""

from __future__ import annotations

import io

import pytest

from ghosttrack.errors import InputError
from ghosttrack.hunter.importfile import RejectedRow, choose_column, read_csv

A, B, C = "dQw4w9WgXcQ", "9bZkp7q19f0", "kJQP7kiw5Fk"


def csv_text(text: str) -> io.StringIO:
    return io.StringIO(text, newline="")


def test_ids_and_urls_are_read_in_order_without_repeats() -> None:
    report = read_csv(
        csv_text(
            "title,video_id\n"
            f"one,{A}\n"
            f"two,https://youtu.be/{B}?si=x\n"
            f"three,https://www.youtube.com/watch?v={A}&t=3\n"
            f"four, {C} \n"
        )
    )
    assert report.video_ids == (A, B, C)
    assert report.column == "video_id"
    assert report.duplicates == 1
    assert report.rows_read == 4
    assert report.rejected == ()
    assert report.format == "csv"


def test_bad_rows_are_reported_by_physical_line_counting_the_header_as_line_1() -> None:
    report = read_csv(
        csv_text(
            "video_id,note\n"  # line 1
            f"{A},fine\n"  # 2
            'nope,"a note\nover two lines"\n'  # 3-4
            ",no id\n"  # 5
            "\n"  # 6: blank, skipped
            "https://vimeo.com/1234,elsewhere\n"  # 7
            f"{B},fine\n"  # 8
        )
    )
    assert report.video_ids == (A, B)
    assert [(r.line, r.value) for r in report.rejected] == [
        (3, "nope"),
        (5, ""),
        (7, "https://vimeo.com/1234"),
    ]
    assert "'nope' is not a YouTube video id or video URL" in report.rejected[0].reason
    assert report.rejected[1].reason == "no video id in this row"
    assert report.rejected_total == 3
    assert report.rows_read == 5


def test_a_short_row_is_rejected_saying_which_field_is_missing() -> None:
    report = read_csv(csv_text(f"title,url\nonly a title\nx,{A}\n"))
    assert report.rejected == (RejectedRow(2, "", "the row has 1 fields, no id in field 2"),)
    assert report.video_ids == (A,)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("url,video_id", "video_id"),  # video_id wins over url whatever the order
        ("VideoId,title", "VideoId"),  # case does not matter
        ("title,id,url", "id"),
        ("title,video_url", "video_url"),
        (" video_id ,title", "video_id"),  # stray spaces around names
    ],
)
def test_the_id_column_is_found_by_name(header: str, expected: str) -> None:
    names = [h.strip() for h in header.split(",")]
    index = names.index(expected)
    row = ["x"] * len(names)
    row[index] = A
    report = read_csv(csv_text(f"{header}\n{','.join(row)}\n"))
    assert report.column == expected
    assert report.video_ids == (A,)


def test_a_named_column_is_used_even_when_another_would_be_detected() -> None:
    report = read_csv(csv_text(f"video_id,backup\n{A},{B}\n"), column="backup")
    assert report.column == "backup"
    assert report.video_ids == (B,)


def test_an_unknown_column_names_the_available_ones() -> None:
    with pytest.raises(InputError, match="no column 'vid'; the columns are 'title', 'link'"):
        read_csv(csv_text(f"title,link\nx,{A}\n"), column="vid")


def test_no_detectable_column_says_what_was_tried_and_how_to_choose() -> None:
    with pytest.raises(InputError) as caught:
        read_csv(csv_text(f"title,link\nx,{A}\n"))
    message = str(caught.value)
    assert "video_id, id, videoId, url, video_url" in message
    assert "'title', 'link'" in message
    assert "--column" in message


def test_an_empty_file_is_an_error() -> None:
    with pytest.raises(InputError, match="empty"):
        read_csv(csv_text(""))


def test_a_header_only_file_holds_nothing() -> None:
    report = read_csv(csv_text("video_id\n"))
    assert report.video_ids == ()
    assert report.rows_read == 0


def test_a_headerless_single_column_list_of_ids_is_accepted() -> None:
    report = read_csv(csv_text(f"{A}\nhttps://youtu.be/{B}\nbad\n"))
    assert report.video_ids == (A, B)
    assert report.rejected == (
        RejectedRow(3, "bad", "'bad' is not a YouTube video id or video URL"),
    )


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_exports_are_read(delimiter: str) -> None:
    report = read_csv(csv_text(f"title{delimiter}url\nx{delimiter}{A}\n"))
    assert report.video_ids == (A,)


def test_rejections_beyond_the_cap_are_counted_not_kept() -> None:
    text = "video_id\n" + "bad\n" * 25 + f"{A}\n"
    report = read_csv(csv_text(text), max_rejected=10)
    assert len(report.rejected) == 10
    assert report.rejected_total == 25
    assert report.rejected[-1].line == 11
    assert report.video_ids == (A,)


def test_broken_csv_names_the_line() -> None:
    """An unclosed quote swallows the rest of a (big) file into one field: say where."""
    with pytest.raises(InputError, match=r"line 3: not valid CSV .*field larger than"):
        read_csv(csv_text(f'video_id\n{A}\n"{"x" * 200_000}\n'))


@pytest.mark.parametrize(
    ("names", "column", "expected"),
    [
        (["id", "video_id"], None, "video_id"),
        (["URL"], None, "URL"),
        (["a", "A"], "A", "A"),  # exact match first
        (["a"], "A", "a"),  # then ignoring case
    ],
)
def test_choose_column(names: list[str], column: str | None, expected: str) -> None:
    assert choose_column(names, column) == expected
