"""Error bodies in the shape Google APIs send them (``error.errors[].reason`` and friends)."""

from __future__ import annotations

from typing import Any

QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)
KEY_INVALID_MESSAGE = "API key not valid. Please pass a valid API key."
KEY_MISSING_MESSAGE = "The request is missing a valid API key."

# reason -> (domain, default message)
REASONS: dict[str, tuple[str, str]] = {
    "quotaExceeded": ("youtube.quota", QUOTA_MESSAGE),
    "dailyLimitExceeded": (
        "usageLimits",
        "Daily Limit Exceeded. The quota will be reset at midnight Pacific Time (PT).",
    ),
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded"),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded"),
    "keyInvalid": ("usageLimits", KEY_INVALID_MESSAGE),
    "forbidden": ("global", KEY_MISSING_MESSAGE),
    "accessNotConfigured": (
        "usageLimits",
        "YouTube Data API v3 has not been used in project 0 before or it is disabled.",
    ),
    "backendError": ("global", "Backend Error"),
    "internalError": ("global", "Internal error encountered."),
    "badRequest": ("global", "Request contains an invalid argument."),
    "invalidParameter": ("global", "Invalid value for a parameter."),
    "required": ("global", "Required parameter missing."),
    "unknownPart": ("youtube.part", "The request specifies an unknown part."),
    "invalidPageToken": ("youtube.parameter", "The request specifies an invalid page token."),
    "playlistNotFound": (
        "youtube.playlistItem",
        "The playlist identified with the request's <code>playlistId</code> parameter "
        "cannot be found.",
    ),
    "notFound": ("global", "Not Found"),
}

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

DEFAULT_REASON_FOR_STATUS = {
    400: "badRequest",
    403: "forbidden",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "backendError",
    502: "backendError",
    503: "backendError",
    504: "backendError",
}


class ApiError(Exception):
    """Raised by a handler to answer with a Google-shaped error."""

    def __init__(
        self, status: int, reason: str, message: str | None = None, location: str | None = None
    ) -> None:
        self.status = status
        self.reason = reason
        self.message = message
        self.location = location
        super().__init__(f"{status} {reason}")

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.reason, self.message, self.location)


def error_body(
    status: int, reason: str | None = None, message: str | None = None, location: str | None = None
) -> dict[str, Any]:
    """``{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}``."""
    reason = reason or DEFAULT_REASON_FOR_STATUS.get(status, "backendError")
    domain, default_message = REASONS.get(reason, ("global", reason))
    if reason == "backendError" and status == 503:
        default_message = "The service is currently unavailable."
    text = message or default_message
    detail: dict[str, Any] = {"message": text, "domain": domain, "reason": reason}
    if location is not None:
        detail["location"] = location
        detail["locationType"] = "parameter"
    error: dict[str, Any] = {"code": status, "message": text, "errors": [detail]}
    if status in _STATUS_NAMES:
        error["status"] = _STATUS_NAMES[status]
    if reason == "keyInvalid":
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "youtube.googleapis.com"},
            }
        ]
    return {"error": error}
