"""``ghosttrack add|remove|pause|revive|import``: the videos on the watchlist. Never calls the
API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ghosttrack.cli.app import SHOWN_PROBLEMS, console, err_console, runtime
from ghosttrack.errors import InputError
from ghosttrack.watchlist.records import VideoStatus


def add(
    videos: Annotated[list[str], typer.Argument(help="Video ids or YouTube URLs.")],
    skip_invalid: Annotated[
        bool, typer.Option(help="Add the valid entries even if some are invalid.")
    ] = False,
) -> None:
    """Add videos to the watchlist; they are due at once. Never calls the API."""
    from ghosttrack import operations  # the database's imports load when a command runs

    with runtime() as rt:
        report = operations.add_videos(
            rt.db.watchlist, rt.settings.tier_table(), rt.clock, videos, skip_invalid=skip_invalid
        )
        for problem in report.rejected:
            err_console.print(f"[yellow]skipped:[/] {problem}", highlight=False)
        console.print(f"added {report.added}, already present {report.already_present}")


def _set_status(videos: list[str], status: VideoStatus, verb: str) -> None:
    from ghosttrack import operations

    with runtime() as rt:
        changed = operations.change_status(rt.db.watchlist, rt.clock, videos, status)
        console.print(f"{verb} {changed} of {len(videos)}")


def remove(videos: Annotated[list[str], typer.Argument(help="Video ids or URLs.")]) -> None:
    """Stop tracking videos (their vault history stays; discovery will not re-add them)."""
    _set_status(videos, VideoStatus.REMOVED, "removed")


def pause(videos: Annotated[list[str], typer.Argument(help="Video ids or URLs.")]) -> None:
    """Keep videos on the watchlist without tracking them."""
    _set_status(videos, VideoStatus.PAUSED, "paused")


def revive(videos: Annotated[list[str], typer.Argument(help="Video ids or URLs.")]) -> None:
    """Track unavailable or paused videos again, from now."""
    _set_status(videos, VideoStatus.ACTIVE, "revived")


def import_(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file with a video id column.")],
    column: Annotated[str | None, typer.Option(help="The id column (auto-detected).")] = None,
    skip_invalid: Annotated[bool, typer.Option(help="Import the valid rows anyway.")] = False,
) -> None:
    """Add every video of a file to the watchlist; bad rows are reported by line."""
    from ghosttrack import operations
    from ghosttrack.hunter.importfile import read_video_ids
    from ghosttrack.watchlist.records import NewVideo

    with runtime() as rt:
        report = read_video_ids(file, column)
        where = "line" if report.format == "csv" else "row"
        problems = [f"{where} {r.line}: {r.reason}" for r in report.rejected[:SHOWN_PROBLEMS]]
        if report.rejected_total > SHOWN_PROBLEMS:
            problems.append(f"… and {report.rejected_total - SHOWN_PROBLEMS} more")
        if report.rejected_total and not skip_invalid:
            raise InputError(
                f"nothing was imported: {report.rejected_total} bad rows in {file} "
                "(use --skip-invalid to import the valid rows)",
                problems,
            )
        for problem in problems:
            err_console.print(f"[yellow]skipped:[/] {escape(problem)}", highlight=False)
        videos = [NewVideo(v) for v in report.video_ids]
        result = operations.add_ids(
            rt.db.watchlist, rt.settings.tier_table(), rt.clock, videos, revive_removed=False
        )
        console.print(
            f"rows read {report.rows_read}, added {result.added}, "
            f"already present {result.already_present}, rejected {report.rejected_total}"
        )
