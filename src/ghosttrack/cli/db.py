"""``ghosttrack db upgrade`` and ``ghosttrack janitor``: the SQL database's schema and upkeep."""

from __future__ import annotations

import typer

from ghosttrack.cli.app import console, runtime

app = typer.Typer(help="The SQL database (watchlist, metadata, jobs, quota).")


@app.command("upgrade")
def upgrade() -> None:
    """Apply database migrations (also done on every start)."""
    with runtime() as rt:
        console.print(f"database up to date: {rt.settings.resolved_database_url}")


def janitor() -> None:
    """Delete expired video metadata now (the watchlist and the vault are never touched)."""
    from ghosttrack.maintenance.janitor import run_janitor

    with runtime() as rt:
        result = run_janitor(rt.db.discovery, rt.db.jobs, rt.clock, rt.settings)
        console.print(
            f"deleted {result.deleted} metadata rows fetched before {result.cutoff:%Y-%m-%d %H:%M}"
            f"; {result.jobs_deleted} old job records; {result.jobs_abandoned} dead runs marked"
            " interrupted"
        )
