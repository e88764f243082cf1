"""Keeping API keys out of log lines and exception text.

Every key the client is given is registered here; ``redact`` replaces each registered key by its
fingerprint, and ``RedactingFilter`` does the same to log records. The filter is installed on the
loggers that could ever see a request (``ghosttrack.youtube``, ``httpx``, ``httpcore``); the CLI
may add it to its handlers too, so that records from any logger are cleaned.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import quote

from ghosttrack.quota import key_fingerprint

_lock = threading.Lock()
_secrets: dict[str, str] = {}  # secret (and its URL-quoted form) -> fingerprint

# Loggers whose records may mention a request. Filters on a logger do not apply to records of
# its children, so each logger that emits is named.
WATCHED_LOGGERS = (
    "ghosttrack",
    "ghosttrack.youtube",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


def register_secret(secret: str) -> str:
    """Remember ``secret`` so that it is redacted everywhere; return its fingerprint."""
    fingerprint = key_fingerprint(secret)
    if secret:
        with _lock:
            _secrets[secret] = fingerprint
            _secrets[quote(secret, safe="")] = fingerprint
    return fingerprint


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by its fingerprint."""
    for secret, fingerprint in tuple(_secrets.items()):
        if secret in text:
            text = text.replace(secret, fingerprint)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites records so that no registered secret reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to every watched logger (idempotent)."""
    for name in WATCHED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def install_redaction() -> None:
    """Redact on the watched loggers and on every handler of the root logger (for the CLI,
    whose handlers then clean records from any logger)."""
    install_log_redaction()
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
