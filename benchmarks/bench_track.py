"""One tracking pass over 100,000 due videos against the simulator with 100 ms of latency.

Per store (SQLite, PostgreSQL): wall time of a pass with the default settings, calls, ids per
call, the most calls in flight the client reached, peak RSS of the tracking process; and, side
by side, a bare fetch of the same calls at a fixed 32 in flight with nothing stored, and the
ratio of the two. Goal (issue 10): under 20 s, at most 1.5× the bare fetch, under 300 MB RSS.
Each store runs in its own process so that peak RSS is that pass's alone. The machine's load
(``/proc/loadavg``) is printed with every figure: other jobs share it.

    python -m benchmarks.bench_track [--videos N] [--latency S] [--stores sqlite,postgres]
                                     [--concurrency N] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ghosttrack.clock import Clock
    from ghosttrack.settings import Settings

SEED = 11
ADMIN_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpu = model or platform.processor()
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def world_ids(videos: int, now: datetime, epoch: datetime) -> list[str]:
    from ghosttrack.sim.world import World

    world = World(SEED, int(videos * 1.2), None, epoch)
    return world.video_ids(videos, published_before=now)


BARE_CONCURRENCY = 32


def load() -> str:
    """The 1-minute load average, to print beside a figure."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


async def bare_calls(settings: Settings, ids: list[str], clock: Clock) -> tuple[float, float, int]:
    """The same calls with nothing stored, a fixed 32 in flight: what the pass is held to."""
    from ghosttrack.watchlist.database import Database
    from ghosttrack.youtube.client import YouTubeClient

    fixed = settings.model_copy(
        update={"api_concurrency": BARE_CONCURRENCY, "api_concurrency_min": BARE_CONCURRENCY}
    )
    started, cpu = time.perf_counter(), time.process_time()
    calls = 0
    async with YouTubeClient(fixed, clock, Database.in_memory().ledger) as client:
        async for _ in client.fetch_stats_many(ids, with_snippet=True):
            calls += 1
    return time.perf_counter() - started, time.process_time() - cpu, calls


def one_store(args: argparse.Namespace) -> dict[str, object]:
    """Runs in a child process: fill a watchlist, time one pass, report figures as JSON."""
    from pydantic import SecretStr

    from ghosttrack.clock import FixedClock
    from ghosttrack.operations import add_ids
    from ghosttrack.runtime import open_runtime
    from ghosttrack.settings import Settings
    from ghosttrack.tracker.tracker import Tracker
    from ghosttrack.watchlist.records import NewVideo

    now = datetime.fromisoformat(args.now)
    ids = world_ids(args.videos, now, datetime.fromisoformat(args.epoch))
    tuned = {"api_concurrency": args.concurrency} if args.concurrency else {}
    settings = Settings(
        home=Path(args.home),
        database_url=args.database_url,
        youtube_api_url=args.api_url,
        youtube_api_keys=[SecretStr("bench-key")],
        daily_quota=1_000_000,
        batch_stats_quota=1_000_000,
        **tuned,
    )
    clock = FixedClock(now)
    with open_runtime(settings, clock=clock) as rt:
        add_ids(
            rt.db.watchlist,
            settings.tier_table(),
            clock,
            [NewVideo(v) for v in ids],
            revive_removed=False,
        )
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        async def track() -> tuple[float, object, int]:
            async with rt.youtube() as youtube:
                tracker = Tracker(
                    rt.db.watchlist, rt.db.jobs, youtube, rt.vault, clock, settings, worker="bench"
                )
                started = time.perf_counter()
                result = await tracker.run_once()
                return time.perf_counter() - started, result, youtube.concurrency

        cpu = time.process_time()
        load_before = load()
        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                elapsed, result, reached = asyncio.run(track())
            stats = pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative")
            stats.print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
        else:
            elapsed, result, reached = asyncio.run(track())
        cpu = time.process_time() - cpu
        load_after = load()
        bare, bare_cpu, bare_calls_made = asyncio.run(bare_calls(settings, ids, clock))
        vault = rt.vault.stats()
    return {
        "videos": len(ids),
        "load": f"{load_before}/{load_after}",
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),  # this process's, all threads
        "in_flight_at_end": reached,
        "tracked": result.tracked,  # type: ignore[attr-defined]
        "calls": result.calls,  # type: ignore[attr-defined]
        "ids_per_call": round(result.tracked / max(result.calls, 1), 1),  # type: ignore[attr-defined]
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_pass_mb": round(rss_before, 1),
        "bare_calls_seconds": round(bare, 2),
        "bare_cpu_seconds": round(bare_cpu, 2),
        "bare_calls": bare_calls_made,
        "overhead_ratio": round(elapsed / bare, 2),
        "vault_files": vault.files,
        "vault_bytes": vault.bytes,
    }


def make_pg_database() -> tuple[str, str]:
    import sqlalchemy as sa

    name = f"ghosttrack_bench_{os.getpid()}"
    engine = sa.create_engine(ADMIN_PG, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, ADMIN_PG.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_PG, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=0, help="most calls in flight")
    parser.add_argument("--profile", action="store_true", help="cProfile the pass (stderr)")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    parser.add_argument("--epoch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_store(args)))
        return

    from ghosttrack.sim.server import SimProcess

    now = datetime.now(UTC).replace(microsecond=0)  # benchmark edge: pins both processes' clocks
    epoch = datetime(now.year, now.month, now.day, tzinfo=UTC)
    env = {"GHOSTTRACK_NOW": now.isoformat()}
    print(f"machine: {machine()}")
    print(
        f"{args.videos:,} videos, {args.latency * 1000:.0f} ms latency, most calls in flight "
        f"{args.concurrency or 'default'} (bare fetch: {BARE_CONCURRENCY})"
    )
    extra = ["--epoch", epoch.isoformat(), "--json"]
    with SimProcess(
        seed=SEED, videos=int(args.videos * 1.2), admin=True, env=env, extra_args=extra
    ) as sim:
        root = sim.base_url.rsplit("/youtube/v3", 1)[0]
        httpx.post(f"{root}/_sim/config", json={"latency": args.latency}).raise_for_status()
        for store in args.stores.split(","):
            with tempfile.TemporaryDirectory(prefix="ghosttrack-bench-") as home:
                pg_name = None
                if store == "postgres":
                    pg_name, url = make_pg_database()
                else:
                    url = f"sqlite:///{home}/ghosttrack.db"
                try:
                    child = subprocess.run(
                        [
                            sys.executable,
                            "-m",
                            "benchmarks.bench_track",
                            "--child",
                            "--videos",
                            str(args.videos),
                            "--concurrency",
                            str(args.concurrency),
                            *(["--profile"] if args.profile else []),
                            "--home",
                            home,
                            "--database-url",
                            url,
                            "--api-url",
                            sim.base_url,
                            "--now",
                            now.isoformat(),
                            "--epoch",
                            epoch.isoformat(),
                        ],
                        stdout=subprocess.PIPE,
                        stderr=None if args.profile else subprocess.PIPE,
                        text=True,
                        check=True,
                    )
                finally:
                    if pg_name:
                        drop_pg_database(pg_name)
                figures = json.loads(child.stdout.strip().splitlines()[-1])
                print(
                    f"{store:>9}: " + ", ".join(f"{k} {v}" for k, v in figures.items()), flush=True
                )


if __name__ == "__main__":
    main()
