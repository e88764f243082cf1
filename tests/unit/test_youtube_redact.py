"""The key never reaches a log record or a text."""

from __future__ import annotations

import logging

import pytest

from ghosttrack.quota import key_fingerprint
from ghosttrack.youtube.redact import (
    RedactingFilter,
    install_log_redaction,
    install_redaction,
    redact,
    register_secret,
)

SECRET = "AIzaRedactUnitTest-0123456789abcdef"


def test_redact_replaces_the_key_by_its_fingerprint() -> None:
    fingerprint = register_secret(SECRET)
    assert fingerprint == key_fingerprint(SECRET)
    text = redact(f"GET /videos?key={SECRET}&id=x failed; key={SECRET}")
    assert SECRET not in text
    assert text.count(fingerprint) == 2


def test_url_quoted_keys_are_redacted_too() -> None:
    odd = "AIza/odd+key=unit"
    register_secret(odd)
    assert "odd%2Bkey" not in redact("url ?key=AIza%2Fodd%2Bkey%3Dunit")


def test_filter_rewrites_message_args_and_exception_text() -> None:
    register_secret(SECRET)
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", (SECRET,), None)
    try:
        raise RuntimeError(f"bad key {SECRET}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    assert SECRET not in record.getMessage()
    assert record.exc_text is not None
    assert SECRET not in record.exc_text
    assert "RuntimeError" in record.exc_text


@pytest.mark.parametrize("name", ["ghosttrack.youtube", "httpx", "httpcore.http11"])
def test_installed_filter_cleans_records_of_watched_loggers(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    register_secret(SECRET)
    install_log_redaction()
    install_log_redaction()  # idempotent
    logger = logging.getLogger(name)
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    with caplog.at_level(logging.DEBUG, logger=name):
        logger.warning("HTTP Request: GET http://h/videos?key=%s", SECRET)
    assert caplog.records
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text


def test_install_redaction_covers_root_handlers() -> None:
    register_secret(SECRET)
    root = logging.getLogger()
    handler = logging.NullHandler()
    root.addHandler(handler)
    try:
        install_redaction()
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    finally:
        root.removeHandler(handler)
