"""The ``ghosttrack`` command. Settings are read here, once, and passed down."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ghosttrack import __version__, operations
from ghosttrack.cli.discover import discovery_printer
from ghosttrack.errors import ConfigError, GhosttrackError, InputError
from ghosttrack.hunter import discovery
from ghosttrack.maintenance.runner import Maintenance
from ghosttrack.maintenance.tasks import default_tasks
from ghosttrack.runtime import Runtime, open_runtime
from ghosttrack.settings import Settings, load_settings
from ghosttrack.tracker.daemon import Daemon
from ghosttrack.tracker.tracker import PassResult, Tracker
from ghosttrack.watchlist.records import VideoStatus

app = typer.Typer(
    name="ghosttrack",
    help="Track YouTube view, like and comment counts forever, within the API quota.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="The SQL database (watchlist, metadata, jobs, quota).")
app.add_typer(db_app, name="db")

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
#: Bad entries listed in an error message; the rest are counted.
SHOWN_PROBLEMS = 50


def main() -> None:
    """Entry point of the console script."""
    app()


def fail(exc: GhosttrackError) -> NoReturn:
    err_console.print("[bold red]error:[/]", escape(str(exc)), highlight=False, soft_wrap=True)
    raise typer.Exit(2 if isinstance(exc, InputError | ConfigError) else 1)


@contextmanager
def runtime(settings: Settings | None = None) -> Iterator[Runtime]:
    """The runtime of ``settings`` (default: from the environment); every GhosttrackError
    raised inside becomes a message and an exit code."""
    try:
        with open_runtime(settings or load_settings()) as rt:
            yield rt
    except GhosttrackError as exc:
        fail(exc)


def configure_logging(verbose: bool) -> None:
    from ghosttrack.youtube.redact import install_redaction

    handler = RichHandler(console=err_console, show_path=False, rich_tracebacks=False)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    for chatty in ("httpx", "httpcore", "alembic"):
        logging.getLogger(chatty).setLevel(logging.DEBUG if verbose else logging.WARNING)
    install_redaction()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    configure_logging(verbose)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.command()
def add(
    videos: Annotated[list[str], typer.Argument(help="Video ids or YouTube URLs.")],
    skip_invalid: Annotated[
        bool, typer.Option(help="Add the valid entries even if some are invalid.")
    ] = False,
) -> None:
    """Add videos to the watchlist; they are due at once. Never calls the API."""
    with runtime() as rt:
        report = operations.add_videos(
            rt.db.watchlist, rt.settings.tier_table(), rt.clock, videos, skip_invalid=skip_invalid
        )
        for problem in report.rejected:
            err_console.print(f"[yellow]skipped:[/] {problem}", highlight=False)
        console.print(f"added {report.added}, already present {report.already_present}")


def _set_status(videos: list[str], status: VideoStatus, verb: str) -> None:
    with runtime() as rt:
        changed = operations.change_status(rt.db.watchlist, rt.clock, videos, status)
        console.print(f"{verb} {changed} of {len(videos)}")


@app.command()
def remove(videos: Annotated[list[str], typer.Argument(help="Video ids or URLs.")]) -> None:
    """Stop tracking videos (their vault history stays; discovery will not re-add them)."""
    _set_status(videos, VideoStatus.REMOVED, "removed")


@app.command()
def pause(videos: Annotated[list[str], typer.Argument(help="Video ids or URLs.")]) -> None:
    """Keep videos on the watchlist without tracking them."""
    _set_status(videos, VideoStatus.PAUSED, "paused")


@app.command()
def revive(videos: Annotated[list[str], typer.Argument(help="Video ids or URLs.")]) -> None:
    """Track unavailable or paused videos again, from now."""
    _set_status(videos, VideoStatus.ACTIVE, "revived")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file with a video id column.")],
    column: Annotated[str | None, typer.Option(help="The id column (auto-detected).")] = None,
    skip_invalid: Annotated[bool, typer.Option(help="Import the valid rows anyway.")] = False,
) -> None:
    """Add every video of a file to the watchlist; bad rows are reported by line."""
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


@app.command()
def track(
    once: Annotated[
        bool, typer.Option("--once", help="One pass over what is due, then exit.")
    ] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="Track at most N videos.")] = None,
) -> None:
    """Track what is due now (--once), or keep tracking as videos come due."""
    if not once:
        run(demo=False)
        return
    with runtime() as rt:
        _require_key(rt.settings)
        result = asyncio.run(_track_once(rt, limit))
        console.print(_describe_pass(result))


async def _track_once(rt: Runtime, limit: int | None) -> PassResult:
    due = rt.db.watchlist.counts(now=rt.clock.now()).due_now
    total = due if limit is None else min(due, limit)
    stop = asyncio.Event()
    with _stop_on_signals(stop), _progress(total) as advance:
        async with rt.youtube() as youtube:
            feeds = discovery(rt.db, youtube, rt.vault, rt.clock, rt.settings).feed_samples
            tracker = Tracker(
                rt.db.watchlist,
                rt.db.jobs,
                youtube,
                rt.vault,
                rt.clock,
                rt.settings,
                feed_samples=feeds,
            )
            return await tracker.run_once(limit=limit, stop=stop, progress=advance)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    columns = (
        TextColumn("tracking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("tracking", total=total)
        yield lambda n: progress.advance(task, n)


@contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """First SIGINT/SIGTERM: finish the batch in hand and stop. Second: stop at once."""
    loop = asyncio.get_running_loop()

    def request_stop() -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        err_console.print("[yellow]stopping after the batch in hand (again to force)[/]")
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, request_stop)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _describe_pass(result: PassResult) -> str:
    text = (
        f"tracked {result.tracked} videos in {result.calls} calls; "
        f"missing {result.missing}, newly unavailable {result.unavailable}, errors {result.errors}"
    )
    if result.feed_samples:
        text += f"; {result.feed_samples} from feeds ({result.units_saved} units saved)"
    if result.stopped_by == "quota":
        text += "; stopped: quota exhausted (the rest stays due until the Pacific midnight reset)"
    elif result.stopped_by == "signal":
        text += "; stopped on request"
    return text


def _require_key(settings: Settings) -> None:
    if not settings.api_keys:
        fail(
            ConfigError(
                "no YouTube API key: set GHOSTTRACK_YOUTUBE_API_KEYS (comma-separated), "
                "or run `ghosttrack run` for the built-in simulator demo"
            )
        )


@app.command()
def run(
    demo: Annotated[
        bool, typer.Option("--demo", help="Use the built-in simulator even with a key set.")
    ] = False,
) -> None:
    """The daemon: track continuously, run the janitor on schedule.

    With no API key set, runs against the built-in YouTube simulator with an accelerated clock
    and a demo watchlist (in <home>/demo), and says so.
    """
    settings = _settings_or_fail()
    if demo or not settings.api_keys:
        from ghosttrack.cli.demo import demo_session

        with demo_session(settings, console) as demo_settings:
            _run_daemon(demo_settings)
        return
    _run_daemon(settings)


def _run_daemon(settings: Settings) -> None:
    try:
        with runtime(settings) as rt:
            asyncio.run(_daemon(rt))
    except KeyboardInterrupt:
        err_console.print("stopped")


async def _daemon(rt: Runtime) -> None:
    stop = asyncio.Event()
    console.print(
        f"tracking: database {rt.settings.resolved_database_url}, vault "
        f"{rt.settings.resolved_vault_url}; Ctrl-C to stop"
    )

    def on_pass(result: PassResult) -> None:
        console.print(f"[dim]{rt.clock.now():%Y-%m-%d %H:%M}[/] {_describe_pass(result)}")

    with _stop_on_signals(stop):
        async with rt.youtube() as youtube:
            found = discovery(rt.db, youtube, rt.vault, rt.clock, rt.settings)
            tracker = Tracker(
                rt.db.watchlist,
                rt.db.jobs,
                youtube,
                rt.vault,
                rt.clock,
                rt.settings,
                feed_samples=found.feed_samples,
            )
            tasks = default_tasks(rt.db, rt.clock, rt.settings, worker=tracker.worker)
            await Daemon(
                tracker,
                rt.db.watchlist,
                rt.clock,
                rt.settings,
                on_pass=on_pass,
                maintenance=Maintenance(tasks, rt.clock),
                discoverer=found.hunter,
                on_discovery=discovery_printer(rt, console),
            ).run(stop)


def _settings_or_fail() -> Settings:
    try:
        return load_settings()
    except GhosttrackError as exc:
        fail(exc)


@app.command()
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


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Watchlist by tier and status, what is due, quota today, the vault, the last jobs."""
    with runtime() as rt:
        report = operations.status_report(rt.db, rt.vault.stats(), rt.clock)
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), indent=2) + "\n")
        return
    _print_status(report)


def _print_status(report: operations.StatusReport) -> None:
    console.print(
        f"[bold]watchlist[/] {report.watchlist_total} videos at {report.now:%Y-%m-%d %H:%M} UTC"
    )
    console.print("  by tier:   " + _pairs(report.by_tier))
    console.print("  by status: " + _pairs(report.by_status))
    console.print(f"  due now {report.due_now}, backlog (overdue > 1 h) {report.backlog}")
    console.print(f"  metadata rows {report.metadata_rows}")
    console.print(
        f"[bold]quota[/] day {report.quota_day} "
        f"(resets {report.quota_resets_at:%Y-%m-%d %H:%M} UTC)"
    )
    for usage in report.quota:
        console.print(f"  {usage.key_fingerprint} {usage.bucket}: {usage.used} / {usage.limit}")
    if not report.quota:
        console.print("  nothing spent today")
    vault = report.vault
    console.print(
        f"[bold]vault[/] {vault.files} files, {vault.samples} samples, {vault.bytes:,} bytes"
    )
    table = Table(
        "job", "kind", "status", "started", "counts", title="last jobs", title_justify="left"
    )
    for job in report.jobs:
        counts = ", ".join(f"{k}={v}" for k, v in job.counts.items() if v)
        table.add_row(str(job.id), job.kind, job.status, f"{job.started_at:%Y-%m-%d %H:%M}", counts)
    console.print(table)


def _pairs(values: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(values.items())) or "none"


@app.command()
def tiers() -> None:
    """Show the tier table in use."""
    settings = _settings_or_fail()
    table = Table("tier", "from age", "until age", "every")
    for row in settings.tier_table().describe():
        table.add_row(*row.values())
    console.print(table)


@app.command("settings")
def settings_() -> None:
    """Every setting: its environment variable, its value now and what it does."""
    current = _settings_or_fail()
    table = Table("variable", "value", "meaning")
    for name, field in Settings.model_fields.items():
        table.add_row(
            f"GHOSTTRACK_{name.upper()}", _shown(name, getattr(current, name)), field.description
        )
    console.print(table)


def _shown(name: str, value: object) -> str:
    """A setting's value for people: keys hidden, passwords redacted, durations short."""
    from ghosttrack.duration import format_duration
    from ghosttrack.watchlist.engine import redact

    if name == "youtube_api_keys":
        return f"({len(value)} set)" if isinstance(value, list) and value else "(none)"
    if name == "database_url" and isinstance(value, str):
        return redact(value)
    if isinstance(value, timedelta):
        return format_duration(value)
    return "" if value is None else str(value)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done on every start)."""
    with runtime() as rt:
        console.print(f"database up to date: {rt.settings.resolved_database_url}")


def _register_simulate() -> None:
    from ghosttrack.cli.simulate import simulate

    app.command("simulate")(simulate)


_register_simulate()


def _register_hunter() -> None:
    from ghosttrack.cli import channels, searches
    from ghosttrack.cli.discover import discover
    from ghosttrack.cli.migrate import migrate

    app.add_typer(channels.app, name="channels")
    app.add_typer(searches.app, name="searches")
    app.command("discover")(discover)
    app.command("migrate")(migrate)


_register_hunter()
