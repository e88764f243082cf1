"""YouTube client throughput: ``python -m benchmarks.bench_client [--videos N] [--seconds S]``.

Starts the simulator in a child process (a world of 100k videos by default), so that this
process's CPU time is the client's alone, and drives it through ``YouTubeClient`` with
``fetch_stats_many`` (50 ids per call) at concurrency 1, 8 and 32, for each stats method:
``videos:batchGetStats`` and ``videos.list`` with ``fields``. Prints calls/s, ids/s and the
client's own CPU time (``time.process_time``) per 1,000 videos parsed; then the CPU time of
parsing alone, and the machine it ran on. Issue 2 asks for these figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from ghosttrack.clock import SystemClock
from ghosttrack.settings import Settings
from ghosttrack.sim.server import SimProcess
from ghosttrack.sim.world import World
from ghosttrack.watchlist.database import Database
from ghosttrack.youtube._parse import load_json, parse_stats
from ghosttrack.youtube.client import YouTubeClient

BIG_QUOTA = "1000000000"
KEYS = [f"bench-key-{n}" for n in range(4)]


@dataclass
class Row:
    method: str
    concurrency: int
    calls: int
    ids: int
    found: int
    seconds: float
    cpu: float
    sim_cpu: float | None = None

    def line(self) -> str:
        per_k = self.cpu / max(self.found, 1) * 1000 * 1000
        sim = "" if self.sim_cpu is None else f"{self.sim_cpu / self.seconds * 100:8.0f}%"
        return (
            f"{self.method:<22} {self.concurrency:>4} {self.calls / self.seconds:9.0f} "
            f"{self.ids / self.seconds:10.0f} {self.found / self.seconds:10.0f} {per_k:12.2f} "
            f"{self.cpu / self.seconds * 100:10.0f}%{sim}"
        )


HEADER = (
    f"{'method':<22} {'conc':>4} {'calls/s':>9} {'ids/s':>10} {'found/s':>10} "
    f"{'CPU ms/1k':>12} {'client CPU':>11} {'sim CPU':>8}"
)


def process_cpu(pid: int) -> float | None:
    """CPU seconds used so far by another process (Linux), to show who is the bottleneck."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
        cpu = names[0] if names else cpu
    return (
        f"{platform.system()} {platform.release()}, nproc {os.cpu_count()} ({cpu}), "
        f"Python {platform.python_version()}"
    )


def video_ids(world: World, count: int, rng: random.Random) -> list[str]:
    """Random ids of the world (some not yet published: YouTube leaves those out)."""
    return [world.video_id(rng.randrange(world.video_count)) for _ in range(count)]


async def measure(
    settings: Settings, method: str, ids: list[str], seconds: float, concurrency: int, sim_pid: int
) -> Row:
    """Fetch ``ids`` for ``seconds`` (after a short warm-up) through ``fetch_stats_many``."""
    with_snippet = method == "videos.list +fields"
    use_batch = not with_snippet
    tuned = settings.model_copy(
        update={"api_concurrency": concurrency, "use_batch_get_stats": use_batch}
    )
    row = Row(method, concurrency, 0, 0, 0, 0.0, 0.0)
    async with YouTubeClient(tuned, SystemClock(), Database.in_memory().ledger) as client:
        warm_until = time.perf_counter() + 0.5
        async with contextlib.aclosing(
            client.fetch_stats_many(ids, with_snippet=with_snippet)
        ) as it:
            async for _ in it:
                if time.perf_counter() > warm_until:
                    break
        sim0 = process_cpu(sim_pid)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        deadline = wall0 + seconds
        async with contextlib.aclosing(
            client.fetch_stats_many(ids, with_snippet=with_snippet)
        ) as it:
            async for batch in it:
                row.calls += 1
                row.ids += len(batch.found) + len(batch.missing) + len(batch.invalid)
                row.found += len(batch.found)
                if time.perf_counter() > deadline:
                    break
        row.seconds = time.perf_counter() - wall0
        row.cpu = time.process_time() - cpu0
        sim1 = process_cpu(sim_pid)
        if sim0 is not None and sim1 is not None:
            row.sim_cpu = sim1 - sim0
    return row


def parse_only(body: bytes, ids: list[str], rounds: int) -> float:
    """CPU seconds per 1,000 videos to decode and parse a recorded 50-video answer."""
    now = datetime.now(UTC)
    cpu0 = time.process_time()
    found = 0
    for _ in range(rounds):
        found += len(parse_stats(load_json(body), ids, now).found)
    return (time.process_time() - cpu0) / max(found, 1) * 1000


async def record_body(settings: Settings, ids: list[str]) -> bytes:
    """One real ``videos.list`` answer for 50 published ids, as the client receives it."""
    import httpx

    params = {"id": ",".join(ids), "part": "snippet,statistics"}
    params["fields"] = (
        "items(id,snippet(publishedAt,channelId),statistics(viewCount,likeCount,commentCount))"
    )
    async with httpx.AsyncClient() as http:
        response = await http.get(
            settings.youtube_api_url + "/videos", params=params, headers={"X-Goog-Api-Key": "b"}
        )
        return response.content


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", default="1,8,32")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]

    print(f"machine: {machine()}")
    world = World(args.seed, args.videos)
    ids = video_ids(world, 200_000, random.Random(args.seed))
    env = {"GHOSTTRACK_DAILY_QUOTA": BIG_QUOTA, "GHOSTTRACK_BATCH_STATS_QUOTA": BIG_QUOTA}
    sim = SimProcess(seed=args.seed, videos=args.videos, env=env)
    if "--json" not in sim.args:
        sim.args.append("--json")
    started = time.perf_counter()
    with sim:
        print(
            f"simulator: child process {sim.pid}, {args.videos:,} videos, "
            f"up in {time.perf_counter() - started:.1f} s, {sim.base_url}"
        )
        settings = Settings(
            youtube_api_keys=KEYS,
            youtube_api_url=sim.base_url,
            youtube_feed_url=sim.feed_url,
            daily_quota=int(BIG_QUOTA),
            batch_stats_quota=int(BIG_QUOTA),
            batch_size=50,
        )
        rows = []
        for method in ("videos:batchGetStats", "videos.list +fields"):
            for level in levels:
                row = asyncio.run(measure(settings, method, ids, args.seconds, level, sim.pid))
                rows.append(row)
        sample = ids[:50]
        body = asyncio.run(record_body(settings, sample))
    print(f"load: fetch_stats_many, 50 ids per call, {args.seconds:g} s per row, 4 keys")
    print(HEADER)
    for row in rows:
        print(row.line())
    print("CPU ms/1k: this process's CPU time per 1,000 videos parsed (HTTP, JSON, records)")
    per_k = parse_only(body, sample, 2000) * 1000
    print(f"parse only (json.loads + parse_stats of a 50-video answer): {per_k:.2f} ms per 1k")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
