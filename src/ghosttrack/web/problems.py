"""Every error the API answers is JSON (``Problem``): a message, and the field at fault.

Bad input raises before anything is written (the services validate everything first), so a
4xx answer means nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ghosttrack.errors import GhosttrackError, InputError, StoreError, VaultError
from ghosttrack.web.auth import AuthError
from ghosttrack.web.models import Problem
from ghosttrack.web.runs import RunRefused


class FieldError(GhosttrackError):
    """Bad input in one named request field (400)."""

    def __init__(self, field: str, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.problems = problems or []


class Conflict(GhosttrackError):
    """The request is fine but cannot be served in this state (409): say what would help."""


class NotFound(GhosttrackError):
    """The thing a path names does not exist (404); ``field`` names the path parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@contextmanager
def in_field(field: str) -> Iterator[None]:
    """An InputError raised inside becomes a FieldError naming ``field``."""
    try:
        yield
    except InputError as exc:
        message = str(exc).split("\n", 1)[0]
        raise FieldError(field, message, exc.problems) from None


def problem(
    status: int,
    error: str,
    field: str | None = None,
    problems: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = Problem(error=error, field=field, problems=problems or [])
    return JSONResponse(
        body.model_dump(), status_code=status, headers=dict(headers) if headers else None
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into ``Problem`` answers."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        lines = [f"{_where(e['loc'])}: {e['msg']}" for e in errors]
        field = _where(errors[0]["loc"]) if errors else None
        return problem(422, lines[0] if lines else "invalid request", field, lines)

    @app.exception_handler(FieldError)
    async def _field(request: Request, exc: FieldError) -> JSONResponse:
        return problem(400, f"{exc.field}: {exc.message}", exc.field, exc.problems)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return problem(400, str(exc).split("\n", 1)[0], None, exc.problems)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem(409, str(exc))

    @app.exception_handler(NotFound)
    async def _missing(request: Request, exc: NotFound) -> JSONResponse:
        return problem(404, str(exc), exc.field)

    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> JSONResponse:
        if exc.configured:
            return problem(401, str(exc), "Authorization", headers={"WWW-Authenticate": "Bearer"})
        return problem(403, str(exc), "Authorization")

    @app.exception_handler(RunRefused)
    async def _refused(request: Request, exc: RunRefused) -> JSONResponse:
        return problem(409, str(exc), "kind")

    @app.exception_handler(StoreError)
    @app.exception_handler(VaultError)
    async def _unavailable(request: Request, exc: GhosttrackError) -> JSONResponse:
        return problem(503, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), headers=exc.headers)


def _where(loc: tuple[object, ...] | list[object]) -> str:
    """The field a validation error is about: ``limit``, ``videos.2``, not ``query.limit``."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"
