"""``ghosttrack simulate``: the YouTube Data API v3 simulator on loopback.

Simulated time comes from the same settings as every other command (GHOSTTRACK_NOW,
GHOSTTRACK_CLOCK_SPEED/START/ANCHOR), so a tracker started with the printed settings agrees
with the simulator on what time it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from ghosttrack.clock import Clock, SystemClock
from ghosttrack.errors import ConfigError, GhosttrackError
from ghosttrack.settings import Settings, load_settings

console = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass(frozen=True)
class _Timeline:
    settings: Settings
    clock: Clock
    exports: dict[str, str]


def _timeline(speed: float | None) -> _Timeline:
    """The clock the settings describe; with ``--speed``, start and anchor default to now."""
    settings = load_settings()
    if speed is None:
        return _Timeline(settings, settings.clock(), {})
    if speed <= 0:
        raise ConfigError("--speed must be positive (simulated seconds per real second)")
    now = SystemClock().now().replace(microsecond=0)
    start = settings.clock_start or now
    anchor = settings.clock_anchor or (now if settings.clock_start is None else start)
    settings = load_settings(clock_speed=speed, clock_start=start, clock_anchor=anchor)
    exports = {
        "GHOSTTRACK_CLOCK_SPEED": f"{speed:g}",
        "GHOSTTRACK_CLOCK_START": start.isoformat(),
        "GHOSTTRACK_CLOCK_ANCHOR": anchor.isoformat(),
    }
    return _Timeline(settings, settings.clock(), exports)


def _epoch(given: datetime | None, clock: Clock) -> datetime:
    """The world's epoch: given, or the start of the simulated day (stable for a timeline)."""
    if given is not None:
        return given if given.tzinfo else given.replace(tzinfo=UTC)
    start = getattr(clock, "start", None)
    moment = start if isinstance(start, datetime) else clock.now()
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def simulate(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8765,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic world.")] = 0,
    videos: Annotated[int, typer.Option(help="Videos in the world.", min=1)] = 100_000,
    channels: Annotated[int | None, typer.Option(help="Channels (default videos/200).")] = None,
    speed: Annotated[
        float | None, typer.Option(help="Simulated seconds per real second, e.g. 3600.")
    ] = None,
    epoch: Annotated[
        datetime | None, typer.Option(help="World epoch (default: start of the simulated day).")
    ] = None,
    admin: Annotated[bool, typer.Option(help="Enable /_sim/ fault and stats endpoints.")] = False,
    json_info: Annotated[
        bool, typer.Option("--json", help="Print one JSON line of connection details.")
    ] = False,
) -> None:
    """Serve a simulated YouTube Data API v3 (and channel feeds) for demos, tests, benchmarks."""
    from ghosttrack.sim.config import SimConfig
    from ghosttrack.sim.server import serve_forever

    try:
        timeline = _timeline(speed)
        config = SimConfig(
            seed=seed,
            videos=videos,
            channels=channels,
            epoch=_epoch(epoch, timeline.clock),
            quota=timeline.settings.quota_policy(),
            admin=admin,
        )
    except (GhosttrackError, ValueError) as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None

    def ready(server_info: dict[str, object]) -> None:
        if json_info:
            print(json.dumps({**server_info, "clock": timeline.exports}), flush=True)
            return
        _describe(server_info, timeline)

    serve_forever(config, timeline.clock, host, port, ready)


def _describe(info: dict[str, object], timeline: _Timeline) -> None:
    now = timeline.clock.now()
    console.print(f"[bold]YouTube simulator[/] listening on {info['root_url']}")
    console.print(f"  GHOSTTRACK_YOUTUBE_API_URL={info['base_url']}")
    console.print(f"  GHOSTTRACK_YOUTUBE_FEED_URL={info['feed_url']}")
    for name, value in timeline.exports.items():
        console.print(f"  {name}={value}")
    console.print(f"  simulated now: {now.isoformat()} (world epoch {info['epoch']})")
    console.print(f"  world: {info['videos']} videos, {info['channels']} channels")
    sample_ids = ",".join(str(v) for v in info["video_ids"])  # type: ignore[attr-defined]
    console.print("Try:")
    console.print(f"  curl '{info['base_url']}/videos?part=statistics&key=any&id={sample_ids}'")
    channel = info["channel_ids"][0]  # type: ignore[index]
    console.print(f"  curl '{info['feed_url']}?channel_id={channel}'")
    console.print(
        f"  curl '{info['base_url']}/channels?part=snippet,statistics&key=any"
        f"&forHandle={info['handles'][0]}'"  # type: ignore[index]
    )
    console.print("Stop with Ctrl-C.")
