"""Serving the simulator over real HTTP on loopback: in a background thread (``SimServer``, for
tests) or in a child process (``SimProcess``, for benchmarks and end-to-end runs)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette

from ghosttrack.clock import Clock, SystemClock
from ghosttrack.sim.app import Simulator, create_app
from ghosttrack.sim.config import SimConfig
from ghosttrack.sim.world import World

LOOPBACK = "127.0.0.1"
_STARTUP_TIMEOUT = 30.0
_QUIET_MESSAGES = ("ASGI callable returned without completing response.",)


class _DropInjectedDisconnects(logging.Filter):
    """Injected disconnects are on purpose: keep them out of the error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in _QUIET_MESSAGES


def bind_socket(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


_QUIET = _DropInjectedDisconnects()


def uvicorn_config(app: Starlette, log_level: str = "warning") -> uvicorn.Config:
    """uvicorn tuned for the simulator: the fastest loop/parser installed (uvloop, httptools),
    no access log (URLs carry API keys)."""
    logging.getLogger("uvicorn.error").addFilter(_QUIET)  # a no-op when already there
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        timeout_keep_alive=30,
        backlog=2048,
    )


class SimServer:
    """The simulator on ``127.0.0.1:<ephemeral port>`` in a background thread.

    ``with SimServer(config, clock) as sim: sim.base_url`` — or ``start()`` / ``stop()``.
    """

    def __init__(
        self,
        config: SimConfig | None = None,
        clock: Clock | None = None,
        world: World | None = None,
    ) -> None:
        self.config = config or SimConfig()
        self.clock: Clock = clock or SystemClock()
        self.app = create_app(self.config, self.clock, world)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    @property
    def simulator(self) -> Simulator:
        simulator: Simulator = self.app.state.simulator
        return simulator

    @property
    def world(self) -> World:
        return self.simulator.world

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator is not running: call start() first")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def base_url(self) -> str:
        """What GHOSTTRACK_YOUTUBE_API_URL should be."""
        return self.root_url + "/youtube/v3"

    @property
    def feed_url(self) -> str:
        """What GHOSTTRACK_YOUTUBE_FEED_URL should be."""
        return self.root_url + "/feeds/videos.xml"

    def start(self) -> SimServer:
        if self._server is not None:
            return self
        sock = bind_socket()
        self._port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn_config(self.app))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="ghosttrack-sim", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the simulator did not start")
            time.sleep(0.005)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class SimProcess:
    """The simulator in a child process (``python -m ghosttrack.sim``), e.g. for benchmarks:
    its CPU is not the caller's. Clock settings travel through ``GHOSTTRACK_*`` variables."""

    def __init__(
        self,
        *,
        seed: int = 0,
        videos: int = 10_000,
        channels: int | None = None,
        admin: bool = False,
        env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.args = [sys.executable, "-m", "ghosttrack.sim", "--seed", str(seed)]
        self.args += ["--videos", str(videos), "--port", "0", "--json"]
        if channels is not None:
            self.args += ["--channels", str(channels)]
        if admin:
            self.args.append("--admin")
        self.args += list(extra_args)
        self.env = {**os.environ, **(env or {})}
        self._process: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}

    @property
    def base_url(self) -> str:
        return str(self.info["base_url"])

    @property
    def feed_url(self) -> str:
        return str(self.info["feed_url"])

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the simulator process is not running")
        return self._process.pid

    def start(self) -> SimProcess:
        process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, text=True, env=self.env, bufsize=1
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            process.wait(timeout=10)
            raise RuntimeError(f"the simulator process exited with {process.returncode}")
        self.info = json.loads(line)
        self._process = process
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            with contextlib.suppress(OSError):
                process.stdout.close()

    def __enter__(self) -> SimProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(
    config: SimConfig,
    clock: Clock,
    host: str = LOOPBACK,
    port: int = 0,
    ready: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Run the simulator in this process until interrupted; ``ready`` gets the connection
    details (URLs, port, a few ids to try) once the socket is bound."""
    app = create_app(config, clock)
    sock = bind_socket(host, port)
    bound = sock.getsockname()[1]
    root = f"http://{host}:{bound}"
    simulator: Simulator = app.state.simulator
    world = simulator.world
    channels = world.channels[:3]
    info: dict[str, Any] = {
        "root_url": root,
        "base_url": root + "/youtube/v3",
        "feed_url": root + "/feeds/videos.xml",
        "port": bound,
        "pid": os.getpid(),
        "epoch": world.epoch.isoformat(),
        "videos": world.video_count,
        "channels": world.channel_count,
        "video_ids": world.video_ids(3, published_before=clock.now()),
        "channel_ids": [c.channel_id for c in channels],
        "handles": [c.handle for c in channels],
    }
    if ready is not None:
        ready(info)
    uvicorn.Server(uvicorn_config(app)).run(sockets=[sock])
