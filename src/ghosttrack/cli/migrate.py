"""``ghosttrack migrate FROM``: videos and their last counts from an existing tracker."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ghosttrack.cli.app import SHOWN_PROBLEMS, console, err_console, runtime


def migrate(
    source: Annotated[
        str,
        typer.Argument(
            help="A database URL (postgresql://…, sqlite:///…) or a CSV or Parquet file."
        ),
    ],
    table: Annotated[str, typer.Option(help="The table, for a database URL.")] = "videos",
    id_column: Annotated[
        str | None, typer.Option("--id", help="Video id column (video_id, id…).")
    ] = None,
    views: Annotated[str | None, typer.Option(help="View count column (view_count…).")] = None,
    captured_at: Annotated[
        str | None, typer.Option(help="When the counts were taken (captured_at, last_updated_at…).")
    ] = None,
    published_at: Annotated[str | None, typer.Option(help="Publication time column.")] = None,
    likes: Annotated[str | None, typer.Option(help="Like count column.")] = None,
    comments: Annotated[str | None, typer.Option(help="Comment count column.")] = None,
    channel_id: Annotated[str | None, typer.Option(help="Channel id column.")] = None,
) -> None:
    """Bring another tracker's videos and counts over (a database table, CSV or Parquet).

    Every video enters the watchlist and its counts become its first sample, at the time they
    were captured. Re-running adds nothing twice; bad rows are reported with where they are.
    """
    from ghosttrack.hunter.migrate import ColumnMap, open_source
    from ghosttrack.hunter.migrate import migrate as run_migration

    mapping = ColumnMap(
        id=id_column,
        views=views,
        captured_at=captured_at,
        published_at=published_at,
        likes=likes,
        comments=comments,
        channel_id=channel_id,
    )
    with runtime() as rt:
        report = run_migration(
            open_source(source, table),
            mapping,
            rt.db.watchlist,
            rt.db.jobs,
            rt.vault,
            rt.settings.tier_table(),
            rt.clock,
        )
    for row in report.rejected[:SHOWN_PROBLEMS]:
        err_console.print(f"[yellow]rejected:[/] {row.where}: {escape(row.reason)}")
    if report.rejected_total > SHOWN_PROBLEMS:
        err_console.print(f"… and {report.rejected_total - SHOWN_PROBLEMS} more rejected")
    columns = ", ".join(f"{field}={column}" for field, column in report.columns.items())
    console.print(f"from {escape(report.source)} ({columns})", highlight=False)
    console.print(
        f"rows read {report.rows_read}, added {report.added}, already present "
        f"{report.already_present}, duplicates {report.duplicates}, rejected "
        f"{report.rejected_total}; {report.samples} initial samples"
    )
