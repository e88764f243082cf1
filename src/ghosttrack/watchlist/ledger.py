"""``LedgerStore``: the quota ledger in SQL (``ghosttrack.ledger.QuotaLedger``) — units per API
key, per bucket, per Pacific day, and the keys YouTube rejected — shared by every worker, and
every statement it runs.

Workers reserve units in blocks: one transaction reads the day's row under a row lock
(PostgreSQL ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` write lock) and adds what still fits,
so workers sharing the database never together pass a limit. Unused units are given back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine, Row

from ghosttrack.watchlist.bulk import insert as dialect_insert
from ghosttrack.watchlist.engine import Transactions
from ghosttrack.watchlist.records import KeyRejection, QuotaUsage
from ghosttrack.watchlist.schema import quota_usage, rejected_keys

Q = quota_usage.c
R = rejected_keys.c

# --- statements ------------------------------------------------------------------------------


def ensure_row(dialect: Dialect, slot: dict[str, Any], limit: int) -> sa.Insert:
    """The day's row, created empty if absent (so that it can be locked)."""
    stmt = dialect_insert(dialect, quota_usage).values(**slot, used=0, quota_limit=limit)
    return stmt.on_conflict_do_nothing(index_elements=[Q.key_fingerprint, Q.bucket, Q.day])


def lock_row(slot: dict[str, Any]) -> sa.Select[Any]:
    """The day's use, the row locked until the transaction ends (a no-op clause on SQLite,
    whose write transaction already excludes every other writer)."""
    return sa.select(Q.used, Q.exhausted).where(*where(slot)).with_for_update()


def add_used(slot: dict[str, Any], units: int, limit: int) -> sa.Update:
    return sa.update(quota_usage).where(*where(slot)).values(used=Q.used + units, quota_limit=limit)


def give_back_units(slot: dict[str, Any], units: int) -> sa.Update:
    """Return unspent units, never below zero, and never to a bucket YouTube said is empty."""
    lowered = sa.case((Q.used > units, Q.used - units), else_=0)
    return (
        sa.update(quota_usage).where(*where(slot), Q.exhausted == sa.false()).values(used=lowered)
    )


def exhaust_quota(dialect: Dialect, slot: dict[str, Any], limit: int) -> sa.Insert:
    """Mark the day's bucket used up: ``used`` rises to ``limit`` (never falls), ``exhausted``."""
    stmt = dialect_insert(dialect, quota_usage).values(
        **slot, used=limit, quota_limit=limit, exhausted=True
    )
    highest = sa.case((Q.used > stmt.excluded.used, Q.used), else_=stmt.excluded.used)
    return stmt.on_conflict_do_update(
        index_elements=[Q.key_fingerprint, Q.bucket, Q.day],
        set_={"used": highest, "quota_limit": stmt.excluded.quota_limit, "exhausted": True},
    )


def select_used(slot: dict[str, Any]) -> sa.Select[Any]:
    return sa.select(Q.used).where(*where(slot))


def select_usage(day: date) -> sa.Select[Any]:
    return (
        sa.select(Q.key_fingerprint, Q.bucket, Q.day, Q.used, Q.quota_limit, Q.exhausted)
        .where(Q.day == day)
        .order_by(Q.key_fingerprint, Q.bucket)
    )


def upsert_rejection(dialect: Dialect, rejection: KeyRejection) -> sa.Insert:
    values = {
        "key_fingerprint": rejection.key_fingerprint,
        "reason": rejection.reason,
        "rejected_at": rejection.rejected_at,
        "retry_at": rejection.retry_at,
    }
    stmt = dialect_insert(dialect, rejected_keys).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=[R.key_fingerprint],
        set_={name: stmt.excluded[name] for name in ("reason", "rejected_at", "retry_at")},
    )


def delete_rejection(key_fingerprint: str) -> sa.Delete:
    return sa.delete(rejected_keys).where(R.key_fingerprint == key_fingerprint)


def select_rejections() -> sa.Select[Any]:
    return sa.select(R.key_fingerprint, R.reason, R.rejected_at, R.retry_at).order_by(
        R.key_fingerprint
    )


def to_usage(row: Row[Any]) -> QuotaUsage:
    m = row._mapping
    return QuotaUsage(
        m["key_fingerprint"],
        m["bucket"],
        m["day"].isoformat(),
        m["used"],
        m["quota_limit"],
        bool(m["exhausted"]),
    )


def to_rejection(row: Row[Any]) -> KeyRejection:
    m = row._mapping
    return KeyRejection(m["key_fingerprint"], m["reason"], m["rejected_at"], m["retry_at"])


def slot(key_fingerprint: str, bucket: str, day: date) -> dict[str, Any]:
    """The primary key of one ledger row."""
    return {"key_fingerprint": key_fingerprint, "bucket": bucket, "day": day}


def where(values: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    return [Q[k] == v for k, v in values.items()]


# --- the store -------------------------------------------------------------------------------


class LedgerStore:
    """The ``QuotaLedger`` every worker of one database shares."""

    def __init__(self, engine: Engine) -> None:
        self._tx = Transactions(engine)
        self._dialect = engine.dialect

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
        """Reserve as many units as fit, up to ``at_most``, leaving ``keep`` of ``limit``
        unspent; 0 (nothing reserved) when fewer than ``at_least`` fit or YouTube said the
        bucket is exhausted."""
        where = slot(key_fingerprint, bucket, day)
        with self._tx.write() as conn:
            conn.execute(ensure_row(self._dialect, where, limit))
            used, exhausted = conn.execute(lock_row(where)).one()
            granted = min(at_most, limit - keep - int(used))
            if exhausted or granted < max(at_least, 1):
                return 0
            conn.execute(add_used(where, granted, limit))
        return granted

    def give_back(self, key_fingerprint: str, bucket: str, day: date, units: int) -> None:
        """Return units reserved but not spent (a no-op on an exhausted bucket)."""
        if units <= 0:
            return
        with self._tx.write() as conn:
            conn.execute(give_back_units(slot(key_fingerprint, bucket, day), units))

    def exhaust(self, key_fingerprint: str, bucket: str, day: date, limit: int) -> None:
        where = slot(key_fingerprint, bucket, day)
        with self._tx.write() as conn:
            conn.execute(exhaust_quota(self._dialect, where, limit))

    def used(self, key_fingerprint: str, bucket: str, day: date) -> int:
        with self._tx.read() as conn:
            used = conn.execute(select_used(slot(key_fingerprint, bucket, day))).scalar()
        return int(used or 0)

    def usage(self, day: date) -> list[QuotaUsage]:
        with self._tx.read() as conn:
            return [to_usage(r) for r in conn.execute(select_usage(day))]

    def reject_key(self, rejection: KeyRejection) -> None:
        """Record that YouTube rejected a key: every worker lets it rest until ``retry_at``."""
        with self._tx.write() as conn:
            conn.execute(upsert_rejection(self._dialect, rejection))

    def clear_rejection(self, key_fingerprint: str) -> None:
        """A call on the key succeeded: it is usable again."""
        with self._tx.write() as conn:
            conn.execute(delete_rejection(key_fingerprint))

    def rejections(self) -> list[KeyRejection]:
        with self._tx.read() as conn:
            return [to_rejection(r) for r in conn.execute(select_rejections())]
