"""The app factory: ``create_app(parts)`` → the FastAPI app serving the dashboard, the API
(OpenAPI at ``/openapi.json``, docs at ``/api/docs`` with local assets) and ``/metrics``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ghosttrack import __version__
from ghosttrack.analytics.service import Analytics
from ghosttrack.runtime import Runtime
from ghosttrack.web import api, pages, problems
from ghosttrack.web.auth import Guard
from ghosttrack.web.metrics import Telemetry
from ghosttrack.web.parts import WebParts
from ghosttrack.web.runs import RunService
from ghosttrack.web.server import is_loopback
from ghosttrack.youtube.client import YouTubeClient

STATIC = Path(__file__).parent / "static"
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def create_app(parts: WebParts, telemetry: Telemetry | None = None) -> FastAPI:
    """The whole web app over ``parts``; ``telemetry`` holds this process's counters."""
    telemetry = telemetry or Telemetry()
    telemetry.attach(parts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await parts.runs.close()

    app = FastAPI(
        title="ghosttrack",
        version=__version__,
        description=(
            "Track YouTube view, like and comment counts forever, within the API quota. "
            "Changes need `Authorization: Bearer <GHOSTTRACK_API_TOKEN>`; off loopback every "
            "request does. Errors are JSON: `error`, and `field` naming the bad input."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.parts = parts
    problems.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(pages.LoginRequired)
    async def _login(request: Request, exc: pages.LoginRequired) -> Response:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.get("/api/docs", include_in_schema=False, name="api_docs")
    def api_docs(request: Request) -> HTMLResponse:
        if not parts.guard.allowed(request, change=False):
            raise pages.LoginRequired
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ghosttrack API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        parts.guard.check(request, change=False)
        return Response(telemetry.exposition(), media_type=PROMETHEUS_TEXT)

    return app


def runtime_app(
    rt: Runtime,
    youtube: YouTubeClient | None,
    *,
    host: str,
    worker: str,
    telemetry: Telemetry,
    login_hint: str | None = None,
) -> FastAPI:
    """The app over a CLI runtime: ``youtube`` is the client the daemon beside it uses (None:
    no API key, runs that need one are refused); ``host`` decides who must show the token."""
    runs = RunService(
        rt.db,
        rt.vault,
        rt.clock,
        rt.settings,
        youtube,
        worker=worker,
        on_pass=telemetry.record_pass,
    )
    token = rt.settings.api_token
    guard = Guard(
        token.get_secret_value() if token is not None else None,
        every_request=not is_loopback(host),
    )
    analytics = Analytics(rt.vault, rt.db.watchlist, rt.clock, rt.settings)
    parts = WebParts(
        rt.settings,
        rt.clock,
        rt.db,
        rt.vault,
        runs,
        guard,
        analytics,
        youtube,
        login_hint=login_hint,
    )
    return create_app(parts, telemetry)
