"""``ghosttrack channels add|list|remove``: the channels the hunter polls for uploads."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from ghosttrack.cli.app import console, require_key, runtime

app = typer.Typer(
    help="Channels whose new uploads are discovered and tracked.", no_args_is_help=True
)


@app.command("add")
def add(
    channels: Annotated[
        list[str], typer.Argument(help="Channel ids (UC…), @handles or channel URLs.")
    ],
) -> None:
    """Watch channels: resolved with the API (a unit per 50 ids, one per handle); any entry
    that names no channel, and nothing is added. Each is backfilled on its first poll."""
    from ghosttrack.hunter.channels import add_channels

    with runtime() as rt:
        require_key(rt.settings)

        async def resolve_and_add() -> tuple[int, int]:
            async with rt.youtube() as youtube:
                done = await add_channels(
                    rt.db.discovery, youtube, rt.vault, rt.clock, rt.settings, channels
                )
            return len(done.added), len(done.already_present)

        added, present = asyncio.run(resolve_and_add())
        console.print(
            f"added {added}, already present {present}; new channels are backfilled "
            f"(last {rt.settings.backfill_uploads} uploads) on their first poll"
        )


@app.command("list")
def list_() -> None:
    """Show the watched channels and their schedules."""

    with runtime() as rt:
        rows = rt.db.discovery.list_channels()
    table = Table("channel", "handle", "title", "status", "poll every", "next poll", "last upload")
    for c in rows:
        table.add_row(
            c.channel_id,
            c.handle or "",
            c.title or "",
            c.status.value,
            _every(c.poll_every.total_seconds()),
            f"{c.next_poll_at:%Y-%m-%d %H:%M}",
            f"{c.last_upload_at:%Y-%m-%d %H:%M}" if c.last_upload_at else "—",
        )
    console.print(table)
    console.print(f"{len(rows)} channels")


@app.command("remove")
def remove(
    channels: Annotated[list[str], typer.Argument(help="Channel ids, @handles or URLs.")],
) -> None:
    """Stop watching channels; their videos stay on the watchlist."""
    from ghosttrack.hunter.channels import remove_channels

    with runtime() as rt:
        removed = remove_channels(rt.db.discovery, channels)
        console.print(f"removed {removed} of {len(channels)}")


def _every(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
