"""The API key never shows: not in exception text (tracebacks included), reprs, log records, or
any file under GHOSTTRACK_HOME — whatever goes wrong, whether the key travels in the
X-Goog-Api-Key header or in the URL."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.errors import YouTubeError
from ghosttrack.quota import key_fingerprint
from ghosttrack.settings import Settings
from ghosttrack.sim.server import SimServer
from ghosttrack.watchlist.database import Database
from ghosttrack.youtube.client import YouTubeClient
from tests.fixtures.sim import MakeSim, sim_config
from tests.integration.client_helpers import (
    KEY,
    OTHER_KEY,
    START,
    inject,
    settings_for,
    sim_stats,
)

FINGERPRINT = key_fingerprint(KEY)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Everything logged, at DEBUG, into a file under the home folder."""
    path = tmp_path / "ghosttrack.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def files_holding_the_key(home: Path, log_file: Path) -> list[Path]:
    assert log_file.stat().st_size > 0  # the log was written: it is checked, not skipped
    return [p for p in home.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]


def assert_no_key_in(exc: BaseException) -> None:
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for text in texts:
        assert KEY not in text
    assert FINGERPRINT in str(exc) or "quota" in str(exc) or "still failed" in str(exc)


async def provoke(settings: Settings, clock: ManualClock, key_in_query: bool) -> list[str]:
    """Run one failing call; return every text a user could see about it."""
    client = YouTubeClient(settings, clock, Database.in_memory().ledger, key_in_query=key_in_query)
    texts = [repr(client), repr(settings), str(settings.youtube_api_keys)]
    async with client:
        with pytest.raises(YouTubeError) as caught:
            await client.fetch_stats(["aaaaaaaaaaA", "bbbbbbbbbbA"])
    assert_no_key_in(caught.value)
    texts += [repr(client), str(caught.value), "".join(traceback.format_exception(caught.value))]
    return texts


@pytest.mark.parametrize("key_in_query", [False, True])
async def test_the_key_never_shows_whatever_fails(
    make_sim: MakeSim,
    clock: ManualClock,
    tmp_path: Path,
    log_file: Path,
    caplog: pytest.LogCaptureFixture,
    key_in_query: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    sim: SimServer = make_sim(clock=clock)
    rejecting = make_sim(config=sim_config(valid_keys=frozenset({OTHER_KEY})), clock=clock)
    texts: list[str] = []
    common = {"home": tmp_path, "api_max_retries": 2}

    # timeouts
    await inject(sim, *[{"kind": "timeout"}] * 3)  # 1 + api_max_retries attempts
    texts += await provoke(settings_for(sim, api_timeout=0.2, **common), clock, key_in_query)
    # broken connections
    await inject(sim, *[{"kind": "disconnect"}] * 3)
    texts += await provoke(settings_for(sim, **common), clock, key_in_query)
    # HTTP errors past the retry bound
    await inject(sim, *[{"status": 503}] * 3)
    texts += await provoke(settings_for(sim, **common), clock, key_in_query)
    # 429 until every bucket rests (batchGetStats, then videos.list)
    await inject(sim, *[{"status": 429}] * 6)
    texts += await provoke(settings_for(sim, **common), clock, key_in_query)
    # an invalid key
    texts += await provoke(settings_for(rejecting, **common), clock, key_in_query)
    # connection refused
    refused = f"http://127.0.0.1:{closed_port()}/youtube/v3"
    settings = settings_for(sim, youtube_api_url=refused, **common)
    texts += await provoke(settings, clock, key_in_query)

    for text in texts:
        assert KEY not in text
    assert caplog.records
    for record in caplog.records:
        assert KEY not in record.getMessage()
    assert KEY not in caplog.text
    if key_in_query:  # httpx logged each URL, the key in it replaced by its fingerprint
        assert any(f"key={FINGERPRINT}" in r.getMessage() for r in caplog.records)
    assert (await sim_stats(sim))["pending_faults"] == []
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert files_holding_the_key(tmp_path, log_file) == []
