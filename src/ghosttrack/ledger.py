"""The quota ledger: units spent per API key, per bucket, per Pacific day.

The client asks the ledger *before* each call (``try_spend``), so the budget is never exceeded,
even by several workers sharing one database (the SQL ledger reserves atomically). Keys are
named by fingerprint only.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Protocol

from ghosttrack.watchlist.records import QuotaUsage


class QuotaLedger(Protocol):
    def try_spend(
        self, key_fingerprint: str, bucket: str, day: date, units: int, limit: int
    ) -> bool:
        """Reserve ``units``; False (and nothing reserved) when that would pass ``limit``."""
        ...

    def exhaust(self, key_fingerprint: str, bucket: str, day: date, limit: int) -> None:
        """Record that the API said this bucket is empty: no more calls until the reset."""
        ...

    def used(self, key_fingerprint: str, bucket: str, day: date) -> int:
        """Units spent (or reserved) so far that day."""
        ...

    def usage(self, day: date) -> list[QuotaUsage]:
        """Every key's and bucket's use that day (for ``status`` and the dashboard)."""
        ...


class MemoryLedger:
    """A ledger in memory: for one process, tests and the simulator-less client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[tuple[str, str, date], int] = {}
        self._limits: dict[tuple[str, str, date], int] = {}

    def try_spend(
        self, key_fingerprint: str, bucket: str, day: date, units: int, limit: int
    ) -> bool:
        slot = (key_fingerprint, bucket, day)
        with self._lock:
            self._limits[slot] = limit
            used = self._used.get(slot, 0)
            if used + units > limit:
                return False
            self._used[slot] = used + units
            return True

    def exhaust(self, key_fingerprint: str, bucket: str, day: date, limit: int) -> None:
        slot = (key_fingerprint, bucket, day)
        with self._lock:
            self._limits[slot] = limit
            self._used[slot] = max(self._used.get(slot, 0), limit)

    def used(self, key_fingerprint: str, bucket: str, day: date) -> int:
        with self._lock:
            return self._used.get((key_fingerprint, bucket, day), 0)

    def usage(self, day: date) -> list[QuotaUsage]:
        with self._lock:
            return [
                QuotaUsage(fp, bucket, d.isoformat(), used, self._limits.get((fp, bucket, d), 0))
                for (fp, bucket, d), used in sorted(self._used.items())
                if d == day
            ]
