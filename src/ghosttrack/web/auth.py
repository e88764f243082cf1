"""Who may do what: the API token (``GHOSTTRACK_API_TOKEN``).

Every change needs it; beyond loopback every request does. Programs send it as
``Authorization: Bearer <token>``. A browser cannot put a header on a page load, so the
dashboard's login form trades the token for a session cookie (HttpOnly, SameSite=Strict) whose
value is derived from the token (an HMAC), never the token itself; a change made with the
cookie must also come from the dashboard's own origin. The token is compared in constant time
and never logged, echoed or shown.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from fastapi import Request

from ghosttrack.errors import GhosttrackError

SESSION_COOKIE = "ghosttrack_session"
_SESSION_CONTEXT = b"ghosttrack dashboard session v1"


class AuthError(GhosttrackError):
    """The request lacks the credentials this endpoint needs (401, or 403 when none exist)."""

    def __init__(self, message: str, *, configured: bool) -> None:
        super().__init__(message)
        self.configured = configured


@dataclass(frozen=True)
class Guard:
    """The token (None: none configured) and whether every request must carry it."""

    token: str | None
    every_request: bool

    def session_value(self) -> str:
        """The cookie value for a logged-in browser: an HMAC of a constant under the token."""
        if self.token is None:
            raise AuthError(_NO_TOKEN, configured=False)
        return hmac.new(self.token.encode(), _SESSION_CONTEXT, hashlib.sha256).hexdigest()

    def token_matches(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def allowed(self, request: Request, *, change: bool) -> bool:
        """Whether ``request`` may read (``change=False``) or change something."""
        if not change and not self.every_request:
            return True
        if self.token is None:
            return False
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and self.token_matches(given.strip()):
            return True
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie is None or not hmac.compare_digest(cookie, self.session_value()):
            return False
        return not change or _same_origin(request)

    def check(self, request: Request, *, change: bool) -> None:
        if self.allowed(request, change=change):
            return
        if self.token is None:
            raise AuthError(_NO_TOKEN, configured=False)
        raise AuthError(
            "this needs the API token: send 'Authorization: Bearer <GHOSTTRACK_API_TOKEN>'"
            + (" (changes need it always)" if change else ""),
            configured=True,
        )


_NO_TOKEN = (
    "changes through the API need a token, and none is set: set GHOSTTRACK_API_TOKEN "
    "(16 characters or more) where ghosttrack serves, and send it as 'Authorization: Bearer …'"
)


def _same_origin(request: Request) -> bool:
    """A cookie-authenticated change must come from a page of this server (no CSRF)."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site") in (None, "same-origin")
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
