"""API keys: a wrapper that never shows the secret, and the pool that picks a key with budget.

The pool reserves units in the shared ledger in blocks (``quota.next_block``), off the event
loop, and hands them out to calls from memory: a call never waits for SQL unless its key's
block ran dry before the next one came (the next is reserved in the background when half of
the last is spent). Unspent units go back to the ledger (``give_back``) at the end of a pass.

A key rests, and the others carry on:

- when YouTube says a bucket is exhausted (``exhaust``): that key's bucket, until the Pacific
  midnight reset; the ledger row is marked, so every worker knows;
- when YouTube rejects the key (``reject``): every bucket, for ``key_retry``, recorded in the
  ledger for every worker; then one call tries it again (it may have been fixed). When every key
  is resting so, they are tried anyway: a one-key setup fails fast, as it should;
- when the ledger has no units left for it: until the reset, or a few minutes if a reserve or
  another worker's block is what stood in the way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ghosttrack.clock import Clock
from ghosttrack.ledger import QuotaLedger
from ghosttrack.quota import QuotaPolicy, next_block, next_reset, pacific_day
from ghosttrack.watchlist.records import KeyRejection
from ghosttrack.youtube.redact import register_secret

log = logging.getLogger("ghosttrack.youtube")

#: How long a key whose ledger bucket is full (but not exhausted by YouTube) waits before the
#: ledger is asked again: others may give back units, and blocks are small.
LEDGER_RECHECK = timedelta(minutes=5)


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


@dataclass
class _Block:
    """Units of one key's bucket held by this process for one Pacific day."""

    day: date
    held: int = 0
    size: int = 0  # of the last block reserved: the next is twice as big
    refill: asyncio.Task[int] | None = None


class KeyPool:
    """Chooses a key with budget left in a bucket and takes a call's units from its block."""

    def __init__(
        self,
        keys: Sequence[ApiKey],
        ledger: QuotaLedger,
        policy: QuotaPolicy,
        clock: Clock,
        *,
        block: int = 100,
        key_retry: timedelta = timedelta(hours=1),
    ) -> None:
        self._keys = tuple(keys)
        self._ledger = ledger
        self._policy = policy
        self._clock = clock
        self._block_max = block
        self._key_retry = key_retry
        self._next: dict[str, int] = {}
        self._blocks: dict[tuple[str, str, int], _Block] = {}  # (fingerprint, bucket, kept)
        self._resting: dict[tuple[str, str], datetime] = {}  # (fingerprint, bucket) -> until
        self._dry: dict[tuple[str, str, int], datetime] = {}  # the ledger said no, until
        self._rejected: dict[str, datetime] = {}  # fingerprint -> retry at

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        return self._keys

    async def reserve(
        self, bucket: str, units: int, *, kept: int = 0, prefer: ApiKey | None = None
    ) -> ApiKey | None:
        """A key on which ``units`` of ``bucket`` are now taken, leaving ``kept`` units of the
        bucket unspent; None if no key has them. ``prefer`` is tried first: a retried call
        stays on its key, so that a key that keeps failing is the one that rests."""
        now = self._clock.now()
        day = pacific_day(now)
        keys = self._candidates(bucket, now, prefer)
        for key in keys:  # units in hand first: no I/O
            block = self._block(key, bucket, kept, day)
            if block.held >= units:
                return self._take(key, bucket, kept, block, units)
        for key in keys:
            if self._dry.get((key.fingerprint, bucket, kept), now) > now:
                continue
            block = self._block(key, bucket, kept, day)
            if not await self._refill(key, bucket, kept, block, units):
                self._dry[(key.fingerprint, bucket, kept)] = min(
                    next_reset(now), now + LEDGER_RECHECK
                )
            elif key in self._candidates(bucket, self._clock.now(), prefer):
                return self._take(key, bucket, kept, block, units)
            # else: the key came to rest (rejected, exhausted) while its block was refilled
        return None

    async def exhaust(self, key: ApiKey, bucket: str) -> bool:
        """YouTube said this key's bucket is empty: nothing more is sent on it until the reset,
        by any worker; the units held on it are worthless. False if it was resting already
        (another call in flight said so first)."""
        now = self._clock.now()
        if self._resting.get((key.fingerprint, bucket), now) > now:
            return False
        self._resting[(key.fingerprint, bucket)] = next_reset(now)
        for (fingerprint, held_bucket, _), block in self._blocks.items():
            if (fingerprint, held_bucket) == (key.fingerprint, bucket):
                block.held = 0
        limit = self._policy.limit_of(bucket)
        await asyncio.to_thread(
            self._ledger.exhaust, key.fingerprint, bucket, pacific_day(now), limit
        )
        return True

    async def reject(self, key: ApiKey, reason: str) -> None:
        """YouTube rejected the key: it rests for ``key_retry``, for every worker."""
        now = self._clock.now()
        retry_at = now + self._key_retry
        self._rejected[key.fingerprint] = retry_at
        rejection = KeyRejection(key.fingerprint, reason, now, retry_at)
        await asyncio.to_thread(self._ledger.reject_key, rejection)

    def any_usable(self) -> bool:
        """Whether some key is not resting after a rejection."""
        now = self._clock.now()
        return any(self._rejected.get(k.fingerprint, now) <= now for k in self._keys)

    async def answered(self, key: ApiKey) -> None:
        """A call on ``key`` succeeded: if it had been rejected, it is usable again."""
        if self._rejected.pop(key.fingerprint, None) is not None:
            log.info("API key %s works again", key.fingerprint)
            await asyncio.to_thread(self._ledger.clear_rejection, key.fingerprint)

    async def give_back(self) -> None:
        """Return every unspent unit to the ledger (the end of a pass, or of the client)."""
        for (fingerprint, bucket, _), block in list(self._blocks.items()):
            if block.refill is not None:
                await asyncio.gather(block.refill, return_exceptions=True)
            units, block.held, block.size = block.held, 0, 0
            if units:
                await asyncio.to_thread(
                    self._ledger.give_back, fingerprint, bucket, block.day, units
                )

    # --- inside -----------------------------------------------------------------------------

    def _candidates(self, bucket: str, now: datetime, prefer: ApiKey | None) -> list[ApiKey]:
        """The keys that may take a call now: ``prefer`` first, then in turn from the last one
        used; keys resting after a rejection only when every key is (to try them again)."""
        count = len(self._keys)
        start = self._next.get(bucket, 0)
        ordered = [self._keys[(start + i) % count] for i in range(count)]
        if prefer is not None and prefer in ordered:
            ordered.remove(prefer)
            ordered.insert(0, prefer)
        awake = [k for k in ordered if self._resting.get((k.fingerprint, bucket), now) <= now]
        if not self.any_usable():
            return awake
        return [k for k in awake if self._rejected.get(k.fingerprint, now) <= now]

    def _block(self, key: ApiKey, bucket: str, kept: int, day: date) -> _Block:
        slot = (key.fingerprint, bucket, kept)
        block = self._blocks.get(slot)
        if block is None or block.day != day:  # a new Pacific day: yesterday's units are gone
            block = self._blocks[slot] = _Block(day)
        return block

    def _take(self, key: ApiKey, bucket: str, kept: int, block: _Block, units: int) -> ApiKey:
        block.held -= units
        self._next[bucket] = (self._keys.index(key) + 1) % len(self._keys)
        if block.held * 2 < block.size and block.refill is None:
            block.refill = asyncio.create_task(self._reserve_block(key, bucket, kept, block, 1))
            block.refill.add_done_callback(_log_failure)
        return key

    async def _refill(self, key: ApiKey, bucket: str, kept: int, block: _Block, units: int) -> bool:
        """Until the block holds ``units``: wait for the refill under way (one at a time per
        block, shared by every call waiting), or start one. False when the ledger had none;
        a failure (the database) is raised."""
        while block.held < units:
            if block.refill is None:
                block.refill = asyncio.create_task(
                    self._reserve_block(key, bucket, kept, block, units)
                )
            # shielded: a cancelled call must not cancel the refill the others wait for
            if not await asyncio.shield(block.refill):
                return block.held >= units
        return True

    async def _reserve_block(
        self, key: ApiKey, bucket: str, kept: int, block: _Block, units: int
    ) -> int:
        size = next_block(block.size, units, self._block_max)
        known = dict(self._rejected)
        try:
            granted, rejected = await asyncio.to_thread(
                self._ask_ledger, key.fingerprint, bucket, block.day, kept, (units, size), known
            )
        finally:
            if block.refill is asyncio.current_task():
                block.refill = None
        for fingerprint, retry_at in rejected.items():  # merged: a rejection may have come since
            self._rejected[fingerprint] = max(retry_at, self._rejected.get(fingerprint, retry_at))
        block.size = size
        block.held += granted
        return granted

    def _ask_ledger(
        self,
        fingerprint: str,
        bucket: str,
        day: date,
        kept: int,
        units: tuple[int, int],
        known: dict[str, datetime],
    ) -> tuple[int, dict[str, datetime]]:
        """In a worker thread: the keys resting after a rejection (as this process and the
        ledger know them), and a block of ``units`` (at least, at most) unless this key is
        one of them while another is not."""
        now = self._clock.now()
        rejected = dict(known)
        for rejection in self._ledger.rejections():
            rejected[rejection.key_fingerprint] = max(
                rejection.retry_at, rejected.get(rejection.key_fingerprint, rejection.retry_at)
            )
        others = (k.fingerprint for k in self._keys if k.fingerprint != fingerprint)
        others_usable = any(rejected.get(other, now) <= now for other in others)
        if rejected.get(fingerprint, now) > now and others_usable:
            return 0, rejected
        at_least, at_most = units
        granted = self._ledger.reserve(
            fingerprint,
            bucket,
            day,
            at_least=at_least,
            at_most=at_most,
            limit=self._policy.limit_of(bucket),
            keep=kept,
        )
        return granted, rejected


def _log_failure(task: asyncio.Task[int]) -> None:
    """A background refill that failed: the next call's own refill raises the error."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.warning("reserving quota in the background failed: %s", exc)
