"""API keys: a wrapper that never shows the secret, and the pool that picks a key with budget.

The pool asks the quota ledger to reserve a call's units *before* the call, so the daily budget
of a key's bucket is never passed, even by several workers sharing one ledger. Keys are taken in
turn (round-robin per bucket); a key whose bucket the ledger or the API says is empty rests until
the Pacific midnight reset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ghosttrack.clock import Clock
from ghosttrack.ledger import QuotaLedger
from ghosttrack.quota import QuotaPolicy, pacific_day
from ghosttrack.youtube.redact import register_secret


class ApiKey:
    """An API key. ``repr`` and ``str`` show only its fingerprint."""

    __slots__ = ("_secret", "fingerprint")

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self.fingerprint = register_secret(secret)

    @property
    def secret(self) -> str:
        """The key itself: for the request header, nothing else."""
        return self._secret

    def __repr__(self) -> str:
        return f"ApiKey({self.fingerprint})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an API key is not picklable: pass settings, not keys")


class KeyPool:
    """Chooses a key with budget left in a bucket and reserves the call's units on it."""

    def __init__(
        self, keys: Sequence[ApiKey], ledger: QuotaLedger, policy: QuotaPolicy, clock: Clock
    ) -> None:
        self._keys = tuple(keys)
        self._ledger = ledger
        self._policy = policy
        self._clock = clock
        self._next: dict[str, int] = {}
        self._resting: dict[tuple[str, str], date] = {}  # (fingerprint, bucket) -> Pacific day

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        return self._keys

    def reserve(self, bucket: str, units: int, prefer: ApiKey | None = None) -> ApiKey | None:
        """A key on which ``units`` of ``bucket`` are now reserved, or None if no key has them.

        ``prefer`` is tried first: a retried call stays on its key, so that a key that keeps
        failing is the one that rests.
        """
        day = pacific_day(self._clock.now())
        if prefer is not None and self._try(prefer, bucket, units, day):
            return prefer
        count = len(self._keys)
        start = self._next.get(bucket, 0)
        for offset in range(count):
            index = (start + offset) % count
            key = self._keys[index]
            if key is not prefer and self._try(key, bucket, units, day):
                self._next[bucket] = index + 1
                return key
        return None

    def _try(self, key: ApiKey, bucket: str, units: int, day: date) -> bool:
        if self._resting.get((key.fingerprint, bucket)) == day:
            return False
        limit = self._policy.limit_of(bucket)
        if self._ledger.try_spend(key.fingerprint, bucket, day, units, limit):
            return True
        self._resting[(key.fingerprint, bucket)] = day
        return False

    def exhaust(self, key: ApiKey, bucket: str) -> None:
        """The API said this key's bucket is empty: no more calls on it until the reset."""
        day = pacific_day(self._clock.now())
        self._ledger.exhaust(key.fingerprint, bucket, day, self._policy.limit_of(bucket))
        self._resting[(key.fingerprint, bucket)] = day

    def has_budget(self, bucket: str) -> bool:
        """Whether some key is not known to be out of ``bucket`` today (a hint, no reservation)."""
        day = pacific_day(self._clock.now())
        return any(self._resting.get((k.fingerprint, bucket)) != day for k in self._keys)
