"""The quota ledger: units spent per API key, per bucket, per Pacific day, and the keys YouTube
rejected, shared by every worker through the database (``ghosttrack.watchlist.ledger``).

The client reserves units in blocks (``reserve``), never one call at a time, and gives back
what it did not spend; the ledger grants only what fits, so workers sharing it never together
pass a budget. Keys are named by fingerprint only.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from ghosttrack.watchlist.records import KeyRejection, QuotaUsage


class QuotaLedger(Protocol):
    def reserve(
        self,
        key_fingerprint: str,
        bucket: str,
        day: date,
        *,
        at_least: int,
        at_most: int,
        limit: int,
        keep: int = 0,
    ) -> int:
        """Reserve up to ``at_most`` units leaving ``keep`` of ``limit``; 0 when fewer than
        ``at_least`` fit or the bucket is exhausted."""
        ...

    def give_back(self, key_fingerprint: str, bucket: str, day: date, units: int) -> None:
        """Return reserved units that were not spent."""
        ...

    def exhaust(self, key_fingerprint: str, bucket: str, day: date, limit: int) -> None:
        """Record that the API said this bucket is empty: no more calls until the reset."""
        ...

    def used(self, key_fingerprint: str, bucket: str, day: date) -> int:
        """Units spent (or held in blocks) so far that day."""
        ...

    def usage(self, day: date) -> list[QuotaUsage]:
        """Every key's and bucket's use that day (for ``status`` and the dashboard)."""
        ...

    def reject_key(self, rejection: KeyRejection) -> None:
        """Record that YouTube rejected a key, so that every worker lets it rest."""
        ...

    def clear_rejection(self, key_fingerprint: str) -> None:
        """A call on the key succeeded: it is usable again."""
        ...

    def rejections(self) -> list[KeyRejection]:
        """The keys resting after a rejection."""
        ...
