"""What the web app is built from: the runtime parts, handed in by whoever serves it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from ghosttrack.analytics.service import Analytics
from ghosttrack.clock import Clock
from ghosttrack.settings import Settings
from ghosttrack.vault.records import VaultStats
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database
from ghosttrack.web.auth import Guard
from ghosttrack.web.runs import RunService
from ghosttrack.youtube.client import YouTubeClient

#: How long (in the clock's time) the vault's size is reused while no job started or ended:
#: reading every file footer of a large vault takes a while, and every overview asks for it.
VAULT_STATS_TTL_SECONDS = 60.0


@dataclass
class WebParts:
    """The services the pages and endpoints call; the app holds no other state."""

    settings: Settings
    clock: Clock
    db: Database
    vault: Vault
    runs: RunService
    guard: Guard
    analytics: Analytics
    youtube: YouTubeClient | None = None
    login_hint: str | None = None  # where the demo keeps its token, for the login page
    _vault_stats: tuple[datetime, object, VaultStats] | None = field(default=None, repr=False)

    def vault_stats(self) -> VaultStats:
        """The vault's size, reused for a minute unless a job started or ended meanwhile (every
        write to the vault is part of a job)."""
        now = self.clock.now()
        newest = self.db.jobs.recent_jobs(1)
        marker = (newest[0].id, newest[0].status) if newest else None
        if self._vault_stats is not None:
            at, seen, stats = self._vault_stats
            if seen == marker and 0 <= (now - at).total_seconds() < VAULT_STATS_TTL_SECONDS:
                return stats
        stats = self.vault.stats()
        self._vault_stats = (now, marker, stats)
        return stats


def _parts(request: Request) -> WebParts:
    parts: WebParts = request.app.state.parts
    return parts


Parts = Annotated[WebParts, Depends(_parts)]
