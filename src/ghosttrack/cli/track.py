"""``ghosttrack track|run``: a tracking pass with a progress bar, or the daemon (tracking,
discovery and maintenance on their schedules; the simulator demo when no API key is set)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ghosttrack.cli.app import console, err_console, require_key, runtime, settings_or_fail

if TYPE_CHECKING:  # loaded when a pass or the daemon runs, not when another command starts
    from ghosttrack.hunter import Discovery
    from ghosttrack.runtime import Runtime
    from ghosttrack.settings import Settings
    from ghosttrack.tracker.tracker import PassResult, Tracker
    from ghosttrack.youtube.client import YouTubeClient


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
        require_key(rt.settings)
        result = asyncio.run(_track_once(rt, limit))
        console.print(_describe_pass(result))


async def _track_once(rt: Runtime, limit: int | None) -> PassResult:
    due = rt.db.watchlist.counts(now=rt.clock.now()).due_now
    total = due if limit is None else min(due, limit)
    stop = asyncio.Event()
    with _stop_on_signals(stop), _progress(total) as advance:
        async with rt.youtube() as youtube:
            _, tracker = _hunter_and_tracker(rt, youtube)
            return await tracker.run_once(limit=limit, stop=stop, progress=advance)


def _hunter_and_tracker(rt: Runtime, youtube: YouTubeClient) -> tuple[Discovery, Tracker]:
    """The hunter and the tracker of this process; the tracker takes feed samples from the
    hunter's feed cache."""
    from ghosttrack.hunter import discovery
    from ghosttrack.tracker.tracker import Tracker

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
    return found, tracker


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


def run(
    demo: Annotated[
        bool, typer.Option("--demo", help="Use the built-in simulator even with a key set.")
    ] = False,
) -> None:
    """The daemon: track continuously, run the janitor on schedule.

    With no API key set, runs against the built-in YouTube simulator with an accelerated clock
    and a demo watchlist (in <home>/demo), and says so.
    """
    settings = settings_or_fail()
    if demo or not settings.api_keys:
        from ghosttrack.cli.demo import demo_session, login_hint

        with demo_session(settings, console) as demo_settings:
            _run_daemon(demo_settings, login_hint(demo_settings))
        return
    _run_daemon(settings)


def _run_daemon(settings: Settings, login_hint: str | None = None) -> None:
    try:
        with runtime(settings) as rt:
            asyncio.run(_daemon(rt, login_hint))
    except KeyboardInterrupt:
        err_console.print("stopped")


async def _daemon(rt: Runtime, login_hint: str | None = None) -> None:
    """Tracking, discovery and maintenance; the dashboard and API beside them (unless
    GHOSTTRACK_WEB_IN_RUN is off), sharing this process's YouTube client and clock."""
    from ghosttrack.alerts.notify import Alerts
    from ghosttrack.cli.discover import discovery_printer
    from ghosttrack.cli.web import open_web
    from ghosttrack.maintenance.runner import Maintenance
    from ghosttrack.maintenance.tasks import default_tasks
    from ghosttrack.tracker.daemon import Daemon
    from ghosttrack.web.metrics import Telemetry
    from ghosttrack.web.server import serve

    stop = asyncio.Event()
    telemetry = Telemetry()
    console.print(
        f"tracking: database {rt.settings.resolved_database_url}, vault "
        f"{rt.settings.resolved_vault_url}; Ctrl-C to stop"
    )

    def on_pass(result: PassResult) -> None:
        telemetry.record_pass(result)
        console.print(f"[dim]{rt.clock.now():%Y-%m-%d %H:%M}[/] {_describe_pass(result)}")

    async with rt.youtube() as youtube:
        found, tracker = _hunter_and_tracker(rt, youtube)
        web = None
        if rt.settings.web_in_run:
            web = open_web(rt, youtube, telemetry, worker=tracker.worker, login_hint=login_hint)
        alerts = Alerts(rt.db.watchlist, rt.db.jobs, rt.db.ledger, rt.clock, rt.settings)
        tasks = default_tasks(
            rt.db, rt.clock, rt.settings, worker=tracker.worker, alerts=alerts, vault=rt.vault
        )
        daemon = Daemon(
            tracker,
            rt.db.watchlist,
            rt.clock,
            rt.settings,
            on_pass=on_pass,
            maintenance=Maintenance(tasks, rt.clock),
            discoverer=found.hunter,
            on_discovery=discovery_printer(rt, console),
        )
        with _stop_on_signals(stop):
            serving = asyncio.create_task(serve(*web, stop)) if web else None
            try:
                await daemon.run(stop)
            finally:
                stop.set()
                if serving is not None:
                    await serving
