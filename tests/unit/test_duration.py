"""Human durations in settings and on the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ghosttrack.duration import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("6h", timedelta(hours=6)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("1.5h", timedelta(minutes=90)),
        (" 6 h ", timedelta(hours=6)),
        ("0s", timedelta(0)),
        ("3600", timedelta(hours=1)),
        ("0.25", timedelta(milliseconds=250)),
        (3600, timedelta(hours=1)),
        (1.5, timedelta(seconds=1.5)),
        (timedelta(days=3), timedelta(days=3)),
    ],
)
def test_parse_duration(text: str | int | float | timedelta, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "6x",
        "h",
        "6 hours",
        "1d2h",
        "-5m",
        "-5",
        "-1.5",
        "inf",
        "nan",
        "1e400",
        "9999999999d",
    ],
)
def test_invalid_durations_name_the_text_and_show_examples(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration") as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)
    assert "15m" in str(caught.value)


@pytest.mark.parametrize("value", [-1, -0.5, float("inf"), float("nan"), timedelta(seconds=-1)])
def test_negative_and_endless_numbers_are_refused(value: float | timedelta) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(value)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=90), "90s"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=90), "90m"),
        (timedelta(days=1), "1d"),
        (timedelta(hours=25), "25h"),
        (timedelta(days=7), "1w"),
        (timedelta(days=14), "2w"),
        (timedelta(days=30), "30d"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration_is_the_shortest_exact_form(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
    assert parse_duration(text) == delta
