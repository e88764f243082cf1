"""Wiring: settings in, ready-to-use parts out. The CLI and the web app both start here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ghosttrack.clock import Clock
from ghosttrack.settings import Settings
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database
from ghosttrack.youtube.client import YouTubeClient


@dataclass
class Runtime:
    """The parts one process works with, built once from the settings."""

    settings: Settings
    clock: Clock
    db: Database
    vault: Vault

    def youtube(self) -> YouTubeClient:
        """A client whose quota ledger is the shared SQL ledger (an async context manager)."""
        return YouTubeClient(self.settings, self.clock, self.db.ledger)


@contextmanager
def open_reader(settings: Settings, *, clock: Clock | None = None) -> Iterator[Runtime]:
    """The runtime of a command that only reads: no migrations run, the schema is only checked
    (StoreError asking for ``ghosttrack db upgrade`` when it is behind) — quick to start."""
    db = Database.from_url(settings.resolved_database_url)
    clock = clock or settings.clock()
    try:
        yield Runtime(settings, clock, db, Vault(settings.resolved_vault_url, clock=clock))
    finally:
        db.close()


@contextmanager
def open_runtime(settings: Settings, *, clock: Clock | None = None) -> Iterator[Runtime]:
    """Create the data folder, bring the schema up to date, open the database and the vault."""
    settings.home.mkdir(parents=True, exist_ok=True)
    from ghosttrack.watchlist.migrate import upgrade  # Alembic: only where migrations run

    url = settings.resolved_database_url
    upgrade(url)
    db = Database.from_url(url)
    clock = clock or settings.clock()
    try:
        yield Runtime(settings, clock, db, Vault(settings.resolved_vault_url, clock=clock))
    finally:
        db.close()
