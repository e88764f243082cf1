"""Every error ghosttrack raises on purpose, each with a message that says what to do.

GhosttrackError
├── ConfigError            a setting is missing or wrong
├── InputError             user input (ids, URLs, files) is invalid; names every bad entry
├── StoreError             the SQL database cannot be reached or used
├── VaultError             the Parquet vault cannot be written or read
└── YouTubeError           the YouTube Data API (or the simulator) failed us
    ├── KeyRejectedError   the key is invalid or forbidden: fix it, retrying will not help
    ├── QuotaExhaustedError no key has budget left in a bucket until the Pacific midnight reset
    ├── TransientError     retries ran out on 429/5xx/timeouts/broken connections
    └── BadResponseError   the answer could not be understood
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


class GhosttrackError(Exception):
    """Base of every error ghosttrack raises on purpose."""


class ConfigError(GhosttrackError):
    """A setting is missing or has a wrong value."""


class InputError(GhosttrackError):
    """User input is invalid. ``problems`` lists every bad entry, not just the first."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems)
        detail = "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(message + detail)


class StoreError(GhosttrackError):
    """The SQL database cannot be reached or used."""


class VaultError(GhosttrackError):
    """The Parquet vault cannot be written or read."""


class YouTubeError(GhosttrackError):
    """The YouTube Data API failed. Messages never contain the API key."""


class KeyRejectedError(YouTubeError):
    """The key is invalid, not enabled for the API, or forbidden this call."""


class QuotaExhaustedError(YouTubeError):
    """No key has budget left in ``bucket`` until ``resets_at``."""

    def __init__(self, bucket: str, resets_at: datetime) -> None:
        self.bucket = bucket
        self.resets_at = resets_at
        super().__init__(
            f"the {bucket!r} quota of every API key is used up until "
            f"{resets_at.isoformat()} (midnight America/Los_Angeles); "
            "add keys with GHOSTTRACK_YOUTUBE_API_KEYS or wait for the reset"
        )


class TransientError(YouTubeError):
    """Retries ran out on a failure that may go away by itself (429, 5xx, timeouts)."""


class BadResponseError(YouTubeError):
    """The API answered with something that could not be parsed."""


class BadRequestError(YouTubeError):
    """YouTube rejected the request's parameters (``badRequest``, ``invalidParameter``)."""


class NotFoundError(YouTubeError):
    """The playlist, channel or feed asked for does not exist or is private."""
