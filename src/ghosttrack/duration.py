"""Human durations ("90s", "15m", "6h", "7d", "2w") for settings and the CLI."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse "6h", "7d", "30m", or a number of seconds; raise ValueError naming the bad text."""
    if isinstance(text, timedelta):
        return text
    if isinstance(text, int | float):
        return timedelta(seconds=text)
    match = _PATTERN.match(text)
    if match is None:
        try:
            return timedelta(seconds=float(text))
        except ValueError:
            raise ValueError(
                f"invalid duration {text!r}: use a number and a unit, e.g. 90s, 15m, 6h, 7d, 2w"
            ) from None
    value, unit = match.groups()
    return timedelta(seconds=float(value) * _UNITS[unit])


def format_duration(delta: timedelta) -> str:
    """The shortest exact form: 3600 s → "1h", 90 s → "90s"."""
    seconds = int(delta.total_seconds())
    for unit in ("w", "d", "h", "m"):
        size = _UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
