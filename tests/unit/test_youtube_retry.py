"""Classifying failed calls, and the backoff between retries."""

from __future__ import annotations

import random

import pytest

from ghosttrack.youtube._parse import ErrorBody
from ghosttrack.youtube._retry import Verdict, backoff_delay, classify, key_hint


@pytest.mark.parametrize(
    ("status", "reasons", "message", "verdict"),
    [
        (403, ("quotaExceeded",), "", Verdict.QUOTA),
        (403, ("dailyLimitExceeded",), "", Verdict.QUOTA),
        (429, ("quotaExceeded",), "", Verdict.QUOTA),
        (403, ("rateLimitExceeded",), "", Verdict.RATE),
        (403, ("userRateLimitExceeded",), "", Verdict.RATE),
        (429, (), "", Verdict.RATE),
        (500, ("backendError",), "", Verdict.TRANSIENT),
        (503, (), "", Verdict.TRANSIENT),
        (400, ("keyInvalid",), "", Verdict.REJECTED),
        (400, ("badRequest",), "API key not valid. Please pass a valid API key.", Verdict.REJECTED),
        (400, ("badRequest", "API_KEY_INVALID"), "", Verdict.REJECTED),
        (403, ("accessNotConfigured",), "", Verdict.REJECTED),
        (403, ("ipRefererBlocked",), "", Verdict.REJECTED),
        (403, ("forbidden",), "", Verdict.REJECTED),
        (403, (), "", Verdict.REJECTED),
        (401, (), "", Verdict.REJECTED),
        (400, ("badRequest",), "Invalid id", Verdict.BAD_REQUEST),
        (400, ("invalidParameter",), "", Verdict.BAD_REQUEST),
        (404, ("playlistNotFound",), "", Verdict.NOT_FOUND),
        (409, (), "", Verdict.OTHER),
    ],
)
def test_classify(status: int, reasons: tuple[str, ...], message: str, verdict: Verdict) -> None:
    assert classify(status, ErrorBody(reasons, message)).verdict is verdict


def test_the_precise_key_reason_wins_over_forbidden() -> None:
    failure = classify(403, ErrorBody(("forbidden", "accessNotConfigured"), ""))
    assert failure.reason == "accessNotConfigured"
    assert "enable" in key_hint(failure.reason)


def test_every_key_hint_says_what_to_do() -> None:
    assert "GHOSTTRACK_YOUTUBE_API_KEYS" in key_hint("keyInvalid")
    assert "project" in key_hint("somethingNew")


def test_backoff_grows_exponentially_under_full_jitter() -> None:
    rng = random.Random(7)
    for attempt in range(8):
        ceiling = min(30.0, 0.5 * 2**attempt)
        delays = [backoff_delay(attempt, 0.5, 30.0, rng) for _ in range(300)]
        assert all(0.0 <= d <= ceiling for d in delays)
        # full jitter: spread over the whole range, not bunched at the ceiling
        assert min(delays) < ceiling * 0.1
        assert max(delays) > ceiling * 0.9


def test_backoff_is_capped_even_for_huge_attempts() -> None:
    rng = random.Random(1)
    assert all(backoff_delay(10_000, 1.0, 5.0, rng) <= 5.0 for _ in range(100))
    assert backoff_delay(3, 0.0, 5.0, rng) == 0.0
