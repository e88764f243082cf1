"""``Database``: one engine and the stores over it, each a concern of its own.

- ``db.watchlist`` (``watchlist.py``): the tracked videos — add, claim, reschedule, release.
- ``db.discovery`` (``discovery.py``): channels, saved searches, ephemeral video metadata.
- ``db.jobs`` (``jobs.py``): the job log.
- ``db.ledger`` (``ledger.py``): the quota ledger (a ``ghosttrack.ledger.QuotaLedger``).

Each store opens its own transactions on the shared engine and takes and returns the frozen
records of ``records.py``; nothing above these modules sees a row or a connection. Consumers
are handed only the stores they need (the tracker: the watchlist and the job log).
"""

from __future__ import annotations

from sqlalchemy.engine import URL, Engine

from ghosttrack.errors import StoreError
from ghosttrack.watchlist.discovery import DiscoveryStore
from ghosttrack.watchlist.engine import create_engine, memory_engine
from ghosttrack.watchlist.jobs import JobStore
from ghosttrack.watchlist.ledger import LedgerStore
from ghosttrack.watchlist.revision import require_head
from ghosttrack.watchlist.schema import metadata
from ghosttrack.watchlist.watchlist import WatchlistStore


class Database:
    """The SQL database of one process. Owns (and disposes) its engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.watchlist = WatchlistStore(engine)
        self.discovery = DiscoveryStore(engine)
        self.jobs = JobStore(engine)
        self.ledger = LedgerStore(engine)

    @classmethod
    def from_url(cls, database_url: str | URL, *, check_schema: bool = True) -> Database:
        """Open the database (StoreError when unreachable); with ``check_schema``, insist that
        it is migrated to this version's head (``ghosttrack db upgrade``)."""
        engine = create_engine(database_url)
        if check_schema:
            try:
                require_head(engine)
            except StoreError:
                engine.dispose()
                raise
        return cls(engine)

    @classmethod
    def in_memory(cls) -> Database:
        """An empty database in memory with this version's schema, gone when closed: for unit
        tests and trying things out. (The migrations build the same schema; a test holds them
        to it.)"""
        engine = memory_engine()
        metadata.create_all(engine)
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()
