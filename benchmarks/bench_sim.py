"""Simulator throughput: ``python -m benchmarks.bench_sim [--videos N] [--seconds S] [--conns C]``.

Starts ``ghosttrack simulate`` in a child process (a world of 1M videos by default) and drives
it with a lean keep-alive HTTP/1.1 load generator (raw asyncio streams, so that the client's
own CPU does not hide the server's speed on a small machine) for S seconds per method: 50-id
``videos.list`` calls (with the ``fields`` the client sends) and 50-id ``videos:batchGetStats``
calls. Prints calls/s, ids/s and p50/p99 latency, and the machine it ran on.
Goal (issue 2): ≥ 1,000 calls/s of 50 ids on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from ghosttrack.sim.server import SimProcess
from ghosttrack.sim.world import World

FIELDS = "items(id,snippet(publishedAt,channelId),statistics(viewCount,likeCount,commentCount))"
GOAL_CALLS_PER_SECOND = 1_000


@dataclass
class Result:
    name: str
    calls: int
    ids: int
    errors: int
    seconds: float
    latencies: list[float]
    server_cpu: float = 0.0

    def line(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        rate = self.calls / self.seconds
        cpu = self.server_cpu / max(1, self.calls) * 1e6
        return (
            f"{self.name:<22} {rate:6.0f} calls/s {self.ids / self.seconds:8.0f} ids/s  "
            f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  errors {self.errors}  "
            f"server CPU {cpu:5.0f} µs/call (≈ {1e6 / max(cpu, 1):,.0f} calls/s per core)"
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux); 0 where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
            cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
        f"Python {platform.python_version()}"
    )


def request_paths(
    world: World, path: str, extra: str, count: int, rng: random.Random
) -> list[bytes]:
    """``count`` distinct requests of 50 random ids each (ids of future videos included: the
    simulator leaves them out, as YouTube does with unknown ids)."""
    requests = []
    for n in range(count):
        ids = ",".join(world.video_id(rng.randrange(world.video_count)) for _ in range(50))
        target = f"{path}?part=statistics,snippet&id={ids}&key=bench-{n % 7}{extra}"
        requests.append(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n".encode()
        )
    return requests


async def _connection(
    host: str, port: int, requests: list[bytes], stop_at: float, result: Result
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = random.randrange(len(requests))
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            result.latencies.append(time.perf_counter() - started)
            result.calls += 1
            if head[9:12] != b"200":
                result.errors += 1
            else:
                result.ids += body.count(b'"id":')
    finally:
        writer.close()


async def drive(
    name: str, base_url: str, requests: list[bytes], conns: int, seconds: float
) -> Result:
    url = urlsplit(base_url)
    result = Result(name, 0, 0, 0, seconds, [])
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _connection(url.hostname or "", url.port or 80, requests, started + seconds, result)
            for _ in range(conns)
        )
    )
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--conns", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    built = time.perf_counter()
    world = World(args.seed, args.videos)
    print(
        f"world: {args.videos:,} videos, {world.channel_count:,} channels "
        f"(built in {time.perf_counter() - built:.2f} s in this process)"
    )
    rng = random.Random(args.seed)
    env = {"GHOSTTRACK_DAILY_QUOTA": "1000000000", "GHOSTTRACK_BATCH_STATS_QUOTA": "1000000000"}
    started = time.perf_counter()
    with SimProcess(seed=args.seed, videos=args.videos, env=env) as sim:
        print(
            f"simulator: pid {sim.pid}, up in {time.perf_counter() - started:.2f} s, {sim.base_url}"
        )
        base_path = urlsplit(sim.base_url).path
        plans = [
            (
                "videos.list +fields",
                request_paths(world, base_path + "/videos", f"&fields={FIELDS}", 2000, rng),
            ),
            (
                "videos:batchGetStats",
                request_paths(world, base_path + "/videos:batchGetStats", "", 2000, rng),
            ),
        ]
        results = []
        for name, requests in plans:
            asyncio.run(drive(name, sim.base_url, requests, args.conns, 1.0))  # warm up
            cpu_before = cpu_seconds(sim.pid)
            result = asyncio.run(drive(name, sim.base_url, requests, args.conns, args.seconds))
            result.server_cpu = cpu_seconds(sim.pid) - cpu_before
            results.append(result)
    print(f"load: {args.conns} keep-alive connections, 50 ids per call, {args.seconds:g} s each")
    print(f"machine load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    worst = min(r.calls / r.seconds for r in results)
    for result in results:
        print(result.line())
    verdict = "meets" if worst >= GOAL_CALLS_PER_SECOND else "BELOW"
    print(f"goal ≥ {GOAL_CALLS_PER_SECOND} calls/s: {verdict} (slowest {worst:.0f} calls/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
