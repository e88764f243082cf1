"""What every command module shares: the Typer app, the consoles, and the way a command opens
its runtime and turns a ``GhosttrackError`` into a message and an exit code.

Command modules import from here; ``main.py`` imports the command modules and registers their
commands on ``app``. Nothing here imports a command module, so there is no cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from ghosttrack.errors import ConfigError, GhosttrackError, InputError
from ghosttrack.settings import Settings, load_settings

if TYPE_CHECKING:  # the runtime's imports (database, vault, client) load when a command runs
    from ghosttrack.runtime import Runtime

app = typer.Typer(
    name="ghosttrack",
    help="Track YouTube view, like and comment counts forever, within the API quota.",
    no_args_is_help=True,
    add_completion=False,
)

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
#: Bad entries listed in an error message; the rest are counted.
SHOWN_PROBLEMS = 50


def fail(exc: GhosttrackError) -> NoReturn:
    """Print the error and exit: 2 for bad input or settings, 1 for anything else."""
    err_console.print("[bold red]error:[/]", escape(str(exc)), highlight=False, soft_wrap=True)
    raise typer.Exit(2 if isinstance(exc, InputError | ConfigError) else 1)


@contextmanager
def runtime(settings: Settings | None = None) -> Iterator[Runtime]:
    """The runtime of ``settings`` (default: from the environment); every GhosttrackError
    raised inside becomes a message and an exit code."""
    from ghosttrack.runtime import open_runtime

    try:
        with open_runtime(settings or _shared_clock(load_settings())) as rt:
            yield rt
    except GhosttrackError as exc:
        fail(exc)


@contextmanager
def reader(settings: Settings | None = None) -> Iterator[Runtime]:
    """``runtime`` for commands that only read: the schema checked, not migrated."""
    from ghosttrack.runtime import open_reader

    try:
        with open_reader(settings or _shared_clock(load_settings())) as rt:
            yield rt
    except GhosttrackError as exc:
        fail(exc)


def _shared_clock(settings: Settings) -> Settings:
    """On the demo's folder, the demo's clock (``cli/demo.py``); anywhere else, unchanged."""
    from ghosttrack.cli.democlock import shared_clock

    return shared_clock(settings)


def settings_or_fail() -> Settings:
    """The settings from the environment, for commands that need no database."""
    try:
        return load_settings()
    except GhosttrackError as exc:
        fail(exc)


def require_key(settings: Settings) -> None:
    """Exit with advice when no API key is set (commands that call the API)."""
    if not settings.api_keys:
        fail(
            ConfigError(
                "no YouTube API key: set GHOSTTRACK_YOUTUBE_API_KEYS (comma-separated), "
                "or run `ghosttrack run` for the built-in simulator demo"
            )
        )


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
