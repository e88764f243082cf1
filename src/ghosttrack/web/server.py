"""Serving the app over HTTP: bind first (a port in use is a clear error, not a traceback from
inside uvicorn), refuse to listen beyond loopback without a token, then serve until asked to
stop. uvicorn's own signal handlers stay off: the caller (``run``, ``serve``) owns the signals."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from ghosttrack.errors import ConfigError
from ghosttrack.settings import Settings


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, host: str) -> None:
    """Beyond loopback every endpoint needs the token, so there must be one."""
    if not is_loopback(host) and settings.api_token is None:
        raise ConfigError(
            f"refusing to serve on {host}: beyond loopback every request needs the API token; "
            "set GHOSTTRACK_API_TOKEN (16 characters or more), or serve on 127.0.0.1"
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is already in use (another ghosttrack serving?): stop "
                "that one, or pick another port with --port or GHOSTTRACK_WEB_PORT "
                "(0 takes any free port)"
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the caller handles SIGINT/SIGTERM and sets ``should_exit``


async def serve(app: FastAPI, sock: socket.socket, stop: asyncio.Event) -> None:
    """Serve ``app`` on ``sock`` until ``stop`` is set. No access log: a URL is no secret here,
    but the log is for what ghosttrack does, and Prometheus counts the requests."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = _Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        stopping.cancel()
        await asyncio.gather(serving, stopping, return_exceptions=True)
        sock.close()
    if serving.done() and not serving.cancelled() and (exc := serving.exception()) is not None:
        raise exc
