"""Dashboard and API latency: ``python -m benchmarks.bench_web [--videos N] [--days D]``.

Builds a 100,000-video watchlist (SQLite) and a month of samples in the vault (one file per
hour, each hour visiting a week's share of the watchlist plus the young videos: about half a
million samples), a month of hourly jobs and 200 channels with daily statistics; serves the
app over real HTTP on loopback (uvicorn) and times every page and ``/api/v1/stats``: the first
(cold) answer and the median / p95 / max of the next ones. Goal: every page and the stats
under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from ghosttrack.clock import FixedClock
from ghosttrack.runtime import Runtime, open_runtime
from ghosttrack.settings import Settings
from ghosttrack.vault.records import ChannelSample, Sample, SampleSource
from ghosttrack.watchlist.records import (
    ChannelStatus,
    JobKind,
    JobStatus,
    VideoStatus,
    WatchedChannel,
    WatchEntry,
)
from ghosttrack.web.app import runtime_app
from ghosttrack.web.metrics import Telemetry
from ghosttrack.web.server import bind, serve, url_of

NOW = datetime(2026, 7, 1, tzinfo=UTC)
CHANNELS = 200
GOAL_MS = 300.0
_LAST = "AEIMQUYcgkosw048"


def video_id(n: int) -> str:
    return f"b{n:09d}" + _LAST[n % 16]


def channel_id(n: int) -> str:
    return "UC" + f"{n:022d}"


def build(rt: Runtime, videos: int, days: int, rng: random.Random) -> tuple[int, int]:
    """Fill the store and the vault; return (samples, files)."""
    published = [NOW - timedelta(hours=rng.uniform(1, 24 * 900)) for _ in range(videos)]
    tiers = rt.settings.tier_table()
    entries = [
        WatchEntry(
            video_id=video_id(n),
            channel_id=channel_id(n % CHANNELS),
            published_at=published[n],
            tier=tiers.rule_for_age(NOW - published[n]).name,
            status=VideoStatus.ACTIVE,
            next_track_at=NOW + timedelta(minutes=rng.uniform(-30, 7 * 24 * 60)),
            last_tracked_at=NOW - timedelta(hours=rng.uniform(0, 24 * 7)),
            last_views=rng.randrange(10, 10_000_000),
            misses=0,
            added_at=NOW - timedelta(days=days),
        )
        for n in range(videos)
    ]
    for start in range(0, videos, 5000):
        rt.db.watchlist.add(entries[start : start + 5000], revive_removed=False)
    young = [n for n in range(videos) if NOW - published[n] < timedelta(days=2)][:100]
    per_hour = videos // (7 * 24)
    samples = files = 0
    for hour in range(days * 24):
        at = NOW - timedelta(hours=days * 24 - hour)
        visited = {(hour * per_hour + i) % videos for i in range(per_hour)} | set(young)
        batch = [
            Sample(
                video_id(n),
                at + timedelta(seconds=rng.uniform(0, 3599)),
                views=1000 + hour * 10 + n % 997,
                likes=50 + hour,
                comments=5,
                published_at=published[n],
                source=SampleSource.API,
            )
            for n in sorted(visited)
            if published[n] <= at
        ]
        files += len(rt.vault.write_samples(batch))
        samples += len(batch)
        job = rt.db.jobs.start_job(JobKind.TRACK, now=at, worker="bench")
        rt.db.jobs.finish_job(
            job.id,
            status=JobStatus.SUCCEEDED,
            now=at + timedelta(minutes=2),
            counts={"tracked": len(batch), "calls": len(batch) // 50 + 1},
        )
    channels = [
        WatchedChannel(
            channel_id(c),
            None,
            f"Channel {c}",
            ChannelStatus.ACTIVE,
            timedelta(hours=1),
            NOW,
            NOW,
            NOW,
            None,
            True,
            NOW,
            NOW - timedelta(days=days),
        )
        for c in range(CHANNELS)
    ]
    rt.db.discovery.add_channels(channels)
    rt.vault.write_channel_samples(
        [
            ChannelSample(channel_id(c), NOW - timedelta(days=d), 1000 + c, 10**6 - d, 300)
            for c in range(CHANNELS)
            for d in range(days)
        ]
    )
    return samples, files


class Server:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.url = ""
        self.ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        sock = bind("127.0.0.1", 0)
        self.url = url_of(sock).rstrip("/")
        app = runtime_app(self.rt, None, host="127.0.0.1", worker="bench", telemetry=Telemetry())
        self.ready.set()
        await serve(app, sock, self._stop)

    def __enter__(self) -> Server:
        self._thread.start()
        self.ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def time_path(client: httpx.Client, path: str, repeat: int) -> tuple[float, list[float], int]:
    started = time.perf_counter()
    first = client.get(path)
    cold = (time.perf_counter() - started) * 1000
    assert first.status_code == 200, (path, first.status_code, first.text[:300])
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return cold, times, len(first.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        settings = Settings(home=Path(tmp))
        with open_runtime(settings, clock=FixedClock(NOW)) as rt:
            started = time.perf_counter()
            samples, files = build(rt, args.videos, args.days, rng)
            print(
                f"built {args.videos:,} videos, {samples:,} samples in {files:,} files, "
                f"{args.days * 24} jobs, {CHANNELS} channels in "
                f"{time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.2f}"
            )
            video = video_id(rng.randrange(args.videos))
            compare = "+".join(video_id(rng.randrange(args.videos)) for _ in range(5))
            paths = [
                "/",
                "/api/v1/stats",
                f"/videos/{video}",
                f"/compare?v={compare}",
                f"/channels/{channel_id(7)}",
                "/api/docs",
                "/api/v1/jobs",
                "/api/v1/watchlist",
                f"/api/v1/videos/{video}",
                f"/api/v1/videos/{video}/samples",
                f"/api/v1/channels/{channel_id(7)}",
                "/metrics",
            ]
            with Server(rt) as server, httpx.Client(base_url=server.url, timeout=60) as client:
                print(
                    f"{'path':<44} {'cold ms':>8} {'median':>8} {'p95':>8} {'max':>8} {'bytes':>9}"
                )
                worst = 0.0
                for path in paths:
                    cold, times, size = time_path(client, path, args.repeat)
                    p95 = sorted(times)[int(len(times) * 0.95) - 1]
                    print(
                        f"{path[:44]:<44} {cold:8.1f} {statistics.median(times):8.1f} "
                        f"{p95:8.1f} {max(times):8.1f} {size:9,}"
                    )
                    if not path.startswith("/api/v1/videos/") or path.endswith(video):
                        worst = max(worst, statistics.median(times))
            print(
                f"slowest median of the pages and /api/v1/stats: {worst:.1f} ms "
                f"(goal < {GOAL_MS:.0f} ms); load {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores"
            )


if __name__ == "__main__":
    main()
