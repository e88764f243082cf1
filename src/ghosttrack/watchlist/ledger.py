"""``LedgerStore``: the quota ledger in SQL (``ghosttrack.ledger.QuotaLedger``) — units per API
key, per bucket, per Pacific day, shared by every worker — and every statement it runs.

A reservation is one atomic upsert (a row lock on PostgreSQL, the write lock on SQLite), so
workers sharing the database never together pass a limit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine, Row

from ghosttrack.watchlist.bulk import insert as dialect_insert
from ghosttrack.watchlist.engine import Transactions
from ghosttrack.watchlist.records import QuotaUsage
from ghosttrack.watchlist.schema import quota_usage

Q = quota_usage.c

# --- statements ------------------------------------------------------------------------------


def spend_quota(dialect: Dialect, slot: dict[str, Any], units: int, limit: int) -> sa.Insert:
    """Add ``units`` to a day's use unless that passes ``limit``; one atomic upsert (row lock on
    PostgreSQL, the write lock on SQLite). RETURNING yields a row only when the units were
    reserved. The caller never asks for more than ``limit`` on an absent row."""
    stmt = dialect_insert(dialect, quota_usage).values(**slot, used=units, quota_limit=limit)
    return stmt.on_conflict_do_update(
        index_elements=[Q.key_fingerprint, Q.bucket, Q.day],
        set_={"used": Q.used + stmt.excluded.used, "quota_limit": stmt.excluded.quota_limit},
        where=Q.used + stmt.excluded.used <= stmt.excluded.quota_limit,
    ).returning(Q.used)


def exhaust_quota(dialect: Dialect, slot: dict[str, Any], limit: int) -> sa.Insert:
    """Mark the day's bucket used up: ``used`` rises to ``limit`` (never falls)."""
    stmt = dialect_insert(dialect, quota_usage).values(**slot, used=limit, quota_limit=limit)
    highest = sa.case((Q.used > stmt.excluded.used, Q.used), else_=stmt.excluded.used)
    return stmt.on_conflict_do_update(
        index_elements=[Q.key_fingerprint, Q.bucket, Q.day],
        set_={"used": highest, "quota_limit": stmt.excluded.quota_limit},
    )


def select_used(slot: dict[str, Any]) -> sa.Select[Any]:
    return sa.select(Q.used).where(*(Q[k] == v for k, v in slot.items()))


def select_usage(day: date) -> sa.Select[Any]:
    return (
        sa.select(Q.key_fingerprint, Q.bucket, Q.day, Q.used, Q.quota_limit)
        .where(Q.day == day)
        .order_by(Q.key_fingerprint, Q.bucket)
    )


def to_usage(row: Row[Any]) -> QuotaUsage:
    m = row._mapping
    return QuotaUsage(
        m["key_fingerprint"], m["bucket"], m["day"].isoformat(), m["used"], m["quota_limit"]
    )


def slot(key_fingerprint: str, bucket: str, day: date) -> dict[str, Any]:
    """The primary key of one ledger row."""
    return {"key_fingerprint": key_fingerprint, "bucket": bucket, "day": day}


# --- the store -------------------------------------------------------------------------------


class LedgerStore:
    """The ``QuotaLedger`` every worker of one database shares."""

    def __init__(self, engine: Engine) -> None:
        self._tx = Transactions(engine)
        self._dialect = engine.dialect

    def try_spend(
        self, key_fingerprint: str, bucket: str, day: date, units: int, limit: int
    ) -> bool:
        if units > limit:
            return False
        where = slot(key_fingerprint, bucket, day)
        with self._tx.write() as conn:
            return conn.execute(spend_quota(self._dialect, where, units, limit)).first() is not None

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
