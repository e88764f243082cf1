"""Alerts told to a real webhook receiver on loopback, once per episode; the store is real."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from ghosttrack.alerts.notify import Alerts
from ghosttrack.clock import ManualClock
from ghosttrack.operations import add_ids
from ghosttrack.runtime import Runtime, open_runtime
from ghosttrack.settings import Settings
from ghosttrack.watchlist.records import JobKind, JobStatus, NewVideo, VideoStatus

START = datetime(2026, 6, 1, 12, tzinfo=UTC)


class Receiver(ThreadingHTTPServer):
    def __init__(self, status: int = 200) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = status
        self.bodies: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/secret-part"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def rt(tmp_path: Path, receiver: Receiver) -> Iterator[Runtime]:
    settings = Settings(home=tmp_path, alert_webhook_url=SecretStr(receiver.url), alert_backlog=10)
    with open_runtime(settings, clock=ManualClock(START)) as runtime:
        yield runtime


def test_a_backlog_episode_and_a_failed_job_are_told_once(
    rt: Runtime, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(rt.clock, ManualClock)
    alerts = Alerts(rt.db.watchlist, rt.db.jobs, rt.db.ledger, rt.clock, rt.settings)
    alerts.check()
    assert receiver.bodies == []

    videos = [NewVideo(f"vid{n:08d}A") for n in range(20)]
    add_ids(rt.db.watchlist, rt.settings.tier_table(), rt.clock, videos, revive_removed=False)
    rt.clock.advance(timedelta(hours=2))  # all 20 overdue by over an hour: backlog 20 > 10
    job = rt.db.jobs.start_job(JobKind.TRACK, now=rt.clock.now(), worker="w")
    rt.db.jobs.finish_job(job.id, status=JobStatus.FAILED, now=rt.clock.now(), counts={}, error="x")

    with caplog.at_level(logging.WARNING, logger="ghosttrack.alerts"):
        for _ in range(3):  # every check sees the same trouble: told once
            alerts.check()
            rt.clock.advance(timedelta(minutes=5))
    texts = [body["text"] for body in receiver.bodies]
    assert len(texts) == 3, texts  # backlog, on-schedule share 0 %, the failed job
    assert any("backlog: 20 videos" in t for t in texts)
    assert any(f"track job {job.id} failed" in t for t in texts)
    assert any("on-schedule share 0.0%" in t for t in texts)
    assert len([r for r in caplog.records if "alert" in r.getMessage()]) == 3
    assert all(receiver.url not in r.getMessage() for r in caplog.records)

    paused = [v.video_id for v in videos]
    rt.db.watchlist.set_status(paused, VideoStatus.PAUSED, next_track_at=rt.clock.now())
    alerts.check()
    assert [b["text"] for b in receiver.bodies[3:]] == [
        "ghosttrack: resolved: backlog",
        "ghosttrack: resolved: on-schedule",
    ]


def test_a_failing_webhook_is_logged_without_its_url(
    rt: Runtime, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.status = 500
    job = rt.db.jobs.start_job(JobKind.JANITOR, now=rt.clock.now(), worker="w")
    alerts = Alerts(
        rt.db.watchlist, rt.db.jobs, rt.db.ledger, rt.clock, rt.settings, since=rt.clock.now()
    )
    rt.db.jobs.finish_job(job.id, status=JobStatus.FAILED, now=rt.clock.now(), counts={}, error="x")
    with caplog.at_level(logging.WARNING, logger="ghosttrack.alerts"):
        alerts.check()
    messages = [r.getMessage() for r in caplog.records]
    assert any("janitor job" in m for m in messages)
    assert any("the alert webhook failed (HTTP 500)" in m for m in messages)
    assert all("secret-part" not in m for m in messages)
    assert len(receiver.bodies) == 1
