"""The maintenance tasks ``ghosttrack run`` schedules, built from the settings."""

from __future__ import annotations

from functools import partial

from ghosttrack.alerts.notify import Alerts
from ghosttrack.clock import Clock
from ghosttrack.maintenance.janitor import run_janitor
from ghosttrack.maintenance.runner import Task
from ghosttrack.settings import Settings
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database


def default_tasks(
    db: Database,
    clock: Clock,
    settings: Settings,
    *,
    worker: str | None,
    alerts: Alerts | None = None,
    vault: Vault | None = None,
) -> list[Task]:
    """Every maintenance task, in the order they run when several are due together; the alert
    check when ``alerts`` is given (``ghosttrack run`` gives it), the vault's tasks when a
    vault is given."""
    tasks = [
        Task(
            "janitor",
            settings.janitor_every,
            partial(run_janitor, db.discovery, db.jobs, clock, settings, worker=worker),
        ),
    ]
    if alerts is not None:
        tasks.append(Task("alerts", settings.alert_every, alerts.check))
    if vault is not None:
        from ghosttrack.maintenance.trends import run_trends_refresh

        tasks.append(
            Task(
                "trends",
                settings.trends_every,
                partial(run_trends_refresh, db, vault, clock, settings, worker=worker),
            )
        )
    return tasks
