"""``ghosttrack status|tiers|settings|version``: what ghosttrack knows, read only."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ghosttrack import __version__
from ghosttrack.cli.app import console, runtime, settings_or_fail
from ghosttrack.quota import key_fingerprint
from ghosttrack.settings import Settings

if TYPE_CHECKING:  # the database's imports load when ``status`` runs
    from ghosttrack import operations


def version() -> None:
    """Print the version."""
    console.print(__version__)


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Watchlist by tier and status, what is due, quota today, the vault, the last jobs."""
    from ghosttrack import operations

    with runtime() as rt:
        report = operations.status_report(
            rt.db,
            rt.vault.stats(),
            rt.clock,
            key_fingerprints=[key_fingerprint(k) for k in rt.settings.api_keys],
            policy=rt.settings.quota_policy(),
        )
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
    share = report.on_schedule_share
    console.print(
        f"  on schedule {'—' if share is None else f'{share:.1%}'}, "
        f"tracked today {report.tracked_today}"
    )
    console.print(f"  metadata rows {report.metadata_rows}")
    console.print(
        f"[bold]quota[/] day {report.quota_day} "
        f"(resets {report.quota_resets_at:%Y-%m-%d %H:%M} UTC)"
    )
    for key in report.keys:
        console.print(f"  {key.fingerprint} {_key_state(key)}: {_buckets(key)}", highlight=False)
    if not report.keys:
        console.print("  no API key configured, nothing spent today")
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


def _key_state(key: operations.KeyReport) -> str:
    if key.state == "rejected" and key.retry_at is not None:
        return f"rejected ({key.reason}), tried again at {key.retry_at:%Y-%m-%d %H:%M} UTC"
    if key.state == "resting":
        empty = ", ".join(b for b, use in key.buckets.items() if use.exhausted)
        return f"resting ({empty} exhausted until the reset)"
    return key.state


def _buckets(key: operations.KeyReport) -> str:
    return ", ".join(f"{b} {use.used:,} / {use.limit:,}" for b, use in key.buckets.items())


def _pairs(values: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(values.items())) or "none"


def tiers() -> None:
    """Show the tier table in use."""
    settings = settings_or_fail()
    table = Table("tier", "from age", "until age", "every")
    for row in settings.tier_table().describe():
        table.add_row(*row.values())
    console.print(table)


def settings_() -> None:
    """Every setting: its environment variable, its value now and what it does."""
    current = settings_or_fail()
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
