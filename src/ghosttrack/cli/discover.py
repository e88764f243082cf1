"""``ghosttrack discover``: poll every watched channel now, whatever its schedule; fetch the
channel statistics and run the searches that are due. ``ghosttrack run`` does the same on
schedule, beside tracking."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console

from ghosttrack.cli.app import console, require_key, runtime

if TYPE_CHECKING:
    from ghosttrack.hunter import DiscoveryResult
    from ghosttrack.runtime import Runtime


def discover() -> None:
    """Poll every watched channel now (and what else of discovery is due); one job."""
    from ghosttrack.hunter import describe, discovery

    with runtime() as rt:
        require_key(rt.settings)

        async def run_once() -> str:
            async with rt.youtube() as youtube:
                hunter = discovery(rt.db, youtube, rt.vault, rt.clock, rt.settings).hunter
                return describe(await hunter.run_once(every_channel=True))

        line = asyncio.run(run_once())
        console.print(line)


def discovery_printer(rt: Runtime, console: Console) -> Callable[[DiscoveryResult], None]:
    """What ``ghosttrack run`` prints after a discovery run: only runs that found or spent."""
    from ghosttrack.hunter import describe

    def show(result: DiscoveryResult) -> None:
        if result.added or result.units or result.errors:
            console.print(f"[dim]{rt.clock.now():%Y-%m-%d %H:%M}[/] discovery: {describe(result)}")

    return show
