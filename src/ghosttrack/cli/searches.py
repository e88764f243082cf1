"""``ghosttrack searches add|list|remove``: saved searches, run within the search bucket."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from ghosttrack.cli.app import console, runtime
from ghosttrack.duration import format_duration, parse_duration
from ghosttrack.errors import InputError

app = typer.Typer(help="Saved searches for new uploads (search.list).", no_args_is_help=True)


@app.command("add")
def add(
    query: Annotated[str, typer.Argument(help="What to search for.")],
    every: Annotated[
        str | None, typer.Option(help="How often, e.g. 6h (default GHOSTTRACK_SEARCH_EVERY).")
    ] = None,
) -> None:
    """Save a search; it runs now, then every --every for uploads since its last run."""
    from ghosttrack.hunter.searches import add_search

    with runtime() as rt:
        interval = None if every is None else _duration(every)
        search, created = add_search(rt.db.discovery, rt.clock, rt.settings, query, interval)
        verb = "saved" if created else "already saved"
        console.print(
            f"{verb}: search {search.id} {search.query!r} every {format_duration(search.every)}"
        )


@app.command("list")
def list_() -> None:
    """Show the saved searches and when they run."""

    with runtime() as rt:
        rows = rt.db.discovery.list_searches()
    table = Table("id", "query", "every", "next run", "last run")
    for s in rows:
        table.add_row(
            str(s.id),
            s.query,
            format_duration(s.every),
            f"{s.next_run_at:%Y-%m-%d %H:%M}",
            f"{s.last_run_at:%Y-%m-%d %H:%M}" if s.last_run_at else "—",
        )
    console.print(table)
    console.print(f"{len(rows)} searches")


@app.command("remove")
def remove(
    searches: Annotated[list[str], typer.Argument(help="Search ids or exact queries.")],
) -> None:
    """Remove saved searches (the videos they found stay on the watchlist)."""
    from ghosttrack.hunter.searches import remove_searches

    with runtime() as rt:
        removed = remove_searches(rt.db.discovery, searches)
        console.print(f"removed {removed} of {len(searches)}")


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise InputError(f"--every: {exc}") from None
