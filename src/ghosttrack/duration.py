"""Human durations ("90s", "15m", "6h", "7d", "2w") for settings and the CLI."""

from __future__ import annotations

import math
import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse "6h", "7d", "30m", or a number of seconds; raise ValueError naming the bad text.

    A duration is never negative nor endless: "-5", "inf" or "1e400" are refused here rather
    than becoming a negative lease or an OverflowError deep inside settings.
    """
    if isinstance(text, timedelta):
        if text < timedelta(0):
            raise _invalid(text)
        return text
    if isinstance(text, int | float):
        return _seconds(text, text)
    match = _PATTERN.match(text)
    if match is None:
        try:
            number = float(text)
        except ValueError:
            raise _invalid(text) from None
        return _seconds(number, text)
    value, unit = match.groups()
    return _seconds(float(value) * _UNITS[unit], text)


def _seconds(value: float, text: object) -> timedelta:
    if not math.isfinite(value) or value < 0:
        raise _invalid(text)
    try:
        return timedelta(seconds=value)
    except OverflowError:
        raise _invalid(text) from None


def _invalid(text: object) -> ValueError:
    return ValueError(
        f"invalid duration {text!r}: use a number (0 or more) and a unit, e.g. 90s, 15m, 6h, 7d, 2w"
    )


def format_duration(delta: timedelta) -> str:
    """The shortest exact form: 3600 s → "1h", 90 s → "90s"."""
    seconds = int(delta.total_seconds())
    for unit in ("w", "d", "h", "m"):
        size = _UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
