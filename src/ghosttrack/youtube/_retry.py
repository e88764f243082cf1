"""What to do about a failed call: classify the answer, and how long to back off. Pure.

The verdict comes from the real error body (``error.errors[].reason``) first and the HTTP status
second, because YouTube answers 403 both for an empty quota (retry tomorrow) and for a forbidden
key (fix the key), and 400 both for a bad id (isolate it) and for an invalid key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from ghosttrack.youtube._parse import ErrorBody


class Verdict(Enum):
    QUOTA = "quota"  # this key's bucket is empty until the Pacific midnight reset
    RATE = "rate"  # slow down: retry with backoff; past the bound, rest the bucket
    TRANSIENT = "transient"  # 5xx, timeouts, broken connections: retry with backoff
    MALFORMED = "malformed"  # a body that cannot be parsed: retry a bounded number of times
    REJECTED = "rejected"  # the key is invalid or forbidden: fail fast
    BAD_REQUEST = "bad_request"  # a parameter (usually an id) is invalid
    NOT_FOUND = "not_found"  # the playlist, channel or feed does not exist
    OTHER = "other"  # anything else: fail with what the API said


RETRIED = frozenset({Verdict.RATE, Verdict.TRANSIENT, Verdict.MALFORMED})
#: The answers that say "fewer calls at once, please": the gate halves the calls in flight.
OVERLOAD = frozenset({Verdict.RATE, Verdict.TRANSIENT})

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"})
RATE_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED", "servingLimitExceeded"}
)
KEY_REASONS = frozenset(
    {
        "keyInvalid",
        "keyExpired",
        "API_KEY_INVALID",
        "API_KEY_SERVICE_BLOCKED",
        "API_KEY_HTTP_REFERRER_BLOCKED",
        "API_KEY_IP_ADDRESS_BLOCKED",
        "accessNotConfigured",
        "SERVICE_DISABLED",
        "ipRefererBlocked",
        "forbidden",
        "insufficientPermissions",
        "unregistered",
    }
)

# What to tell the user for each way a key can be rejected.
KEY_HINTS = {
    "keyInvalid": "the key is not valid: copy it again from Google Cloud Console → "
    "APIs & Services → Credentials into GHOSTTRACK_YOUTUBE_API_KEYS",
    "API_KEY_INVALID": "the key is not valid: copy it again from Google Cloud Console → "
    "APIs & Services → Credentials into GHOSTTRACK_YOUTUBE_API_KEYS",
    "keyExpired": "the key has expired: create a new one in Google Cloud Console",
    "accessNotConfigured": "the YouTube Data API v3 is not enabled for the key's Google Cloud "
    "project: enable it under APIs & Services → Library",
    "SERVICE_DISABLED": "the YouTube Data API v3 is not enabled for the key's Google Cloud "
    "project: enable it under APIs & Services → Library",
    "ipRefererBlocked": "the key's application restrictions block this machine: allow its IP "
    "address (or referrer) in the key's settings, or use an unrestricted key",
    "API_KEY_IP_ADDRESS_BLOCKED": "the key's IP restrictions block this machine: allow its IP "
    "address in the key's settings",
    "API_KEY_HTTP_REFERRER_BLOCKED": "the key's referrer restrictions block this caller: "
    "remove them or use another key",
    "API_KEY_SERVICE_BLOCKED": "the key's API restrictions exclude the YouTube Data API v3: "
    "allow it in the key's settings",
}
DEFAULT_KEY_HINT = (
    "the call is forbidden for this key: check that the key belongs to a project with the "
    "YouTube Data API v3 enabled and no restriction that excludes this machine"
)


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed attempt: its verdict, and what the API (or the network) said."""

    verdict: Verdict
    status: int  # 0 when no HTTP answer came back
    reason: str
    message: str


def classify(status: int, body: ErrorBody) -> Failure:
    """The verdict on an HTTP error answer."""
    reasons = set(body.reasons)
    first = body.reasons[0] if body.reasons else f"HTTP {status}"
    if quota := reasons & QUOTA_REASONS:
        return Failure(Verdict.QUOTA, status, min(quota), body.message)
    if reasons & RATE_REASONS or status == 429:
        return Failure(Verdict.RATE, status, first, body.message)
    if status >= 500 or status == 408:
        return Failure(Verdict.TRANSIENT, status, first, body.message)
    if key := reasons & KEY_REASONS:
        return Failure(Verdict.REJECTED, status, _most_specific(key), body.message)
    if status in (400, 401, 403) and "api key" in body.message.lower():
        return Failure(Verdict.REJECTED, status, "keyInvalid", body.message)
    verdict = {
        400: Verdict.BAD_REQUEST,
        401: Verdict.REJECTED,
        403: Verdict.REJECTED,
        404: Verdict.NOT_FOUND,
    }.get(status, Verdict.OTHER)
    return Failure(verdict, status, first, body.message)


def _most_specific(reasons: set[str]) -> str:
    """Prefer a reason with a precise hint over the generic ``forbidden``."""
    for reason in sorted(reasons):
        if reason in KEY_HINTS:
            return reason
    return min(reasons)


def key_hint(reason: str) -> str:
    return KEY_HINTS.get(reason, DEFAULT_KEY_HINT)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base · 2^attempt)].

    ``attempt`` counts from 0 (the wait after the first failure). Full jitter spreads the retries
    of many concurrent calls that failed together, so they do not hit the API again in step.
    """
    ceiling = min(cap, base * 2.0 ** min(attempt, 62))
    return rng.uniform(0.0, ceiling)
