"""``ghosttrack serve``: the dashboard and the REST API alone; ``open_web`` prepares the same
server for ``ghosttrack run``, which serves it beside tracking."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ghosttrack.runtime import Runtime
    from ghosttrack.web.metrics import Telemetry
    from ghosttrack.youtube.client import YouTubeClient


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default GHOSTTRACK_WEB_HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=0, max=65535, help="Port (default GHOSTTRACK_WEB_PORT; 0: any free)."),
    ] = None,
) -> None:
    """Serve the dashboard and the REST API (no tracking: `ghosttrack run` does both)."""
    from ghosttrack.cli.app import runtime

    with runtime() as rt:
        asyncio.run(_serve(rt, host or rt.settings.web_host, _port(rt, port)))


def _port(rt: Runtime, port: int | None) -> int:
    return rt.settings.web_port if port is None else port


async def _serve(rt: Runtime, host: str, port: int) -> None:
    from ghosttrack.cli.track import _stop_on_signals
    from ghosttrack.tracker.tracker import default_worker_name
    from ghosttrack.web.metrics import Telemetry
    from ghosttrack.web.server import serve

    stop = asyncio.Event()
    worker = rt.settings.worker_name or default_worker_name()
    async with contextlib.AsyncExitStack() as stack:
        youtube = await stack.enter_async_context(rt.youtube()) if rt.settings.api_keys else None
        app, sock = open_web(rt, youtube, Telemetry(), worker=worker, host=host, port=port)
        with _stop_on_signals(stop):
            await serve(app, sock, stop)


def open_web(
    rt: Runtime,
    youtube: YouTubeClient | None,
    telemetry: Telemetry,
    *,
    worker: str,
    host: str | None = None,
    port: int | None = None,
    login_hint: str | None = None,
) -> tuple[FastAPI, socket.socket]:
    """Bind (a clear error when the port is taken or the host is exposed without a token),
    build the app, say where it is."""
    from ghosttrack.cli.app import console
    from ghosttrack.web.app import runtime_app
    from ghosttrack.web.server import bind, check_exposure, url_of

    host = host or rt.settings.web_host
    check_exposure(rt.settings, host)
    sock = bind(host, rt.settings.web_port if port is None else port)
    app = runtime_app(
        rt, youtube, host=host, worker=worker, telemetry=telemetry, login_hint=login_hint
    )
    console.print(f"[bold green]dashboard and API:[/] {url_of(sock)}", highlight=False)
    return app, sock
