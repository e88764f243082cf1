"""Opaque keyset cursors: the last key of a page, as base64url JSON. Clients pass back what
they were given (the ``next`` link); a cursor that does not decode is a 400 naming ``cursor``."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ghosttrack.web.problems import FieldError

NOT_OURS = "not a cursor this API gave out (use the 'next' link)"
#: The largest integer key (a 64-bit SQL integer).
MAX_INT = 2**63 - 1


def encode(key: Any) -> str:
    raw = json.dumps({"k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(cursor: str | None, kind: type) -> Any:
    """The key in ``cursor`` (None for the first page), checked to be a ``kind``."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise FieldError("cursor", NOT_OURS) from None
    if not isinstance(key, kind) or isinstance(key, bool):
        raise FieldError("cursor", NOT_OURS)
    if isinstance(key, int) and not 0 <= key <= MAX_INT:
        raise FieldError("cursor", NOT_OURS)
    return key
