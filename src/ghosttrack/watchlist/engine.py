"""SQLAlchemy engines for the stores: SQLite (embedded default) or PostgreSQL (psycopg 3), and
the transactions every store opens on them (``Transactions``).

SQLite runs in WAL mode (readers never block the writer) with ``synchronous=FULL``: a commit
is on disk when it returns, so an acknowledged reschedule or quota reservation survives a
power cut, not only a killed process. SQLAlchemy, not the ``sqlite3`` module, emits ``BEGIN``:
writes open with ``BEGIN IMMEDIATE`` (take the write lock first, so two processes never deadlock
upgrading a read lock), reads with a plain ``BEGIN``. See ``write_options``.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import QueuePool

from ghosttrack.errors import StoreError

#: SQLite features the store's statements need: RETURNING (3.35) and UPDATE … FROM (3.33).
MIN_SQLITE = (3, 35, 0)
BUSY_TIMEOUT_MS = 30_000
SQLITE_SYNCHRONOUS = "FULL"
_BEGIN_OPTION = "ghosttrack_sqlite_begin"

#: Execution options for a write transaction (``BEGIN IMMEDIATE`` on SQLite; no-op elsewhere).
WRITE_OPTIONS: dict[str, Any] = {_BEGIN_OPTION: "IMMEDIATE"}


def parse_url(database_url: str | URL) -> URL:
    """A SQLAlchemy URL; bare ``postgresql://`` / ``postgres://`` mean psycopg 3."""
    try:
        url = sa.make_url(database_url)
    except ArgumentError as exc:
        raise StoreError(
            f"GHOSTTRACK_DATABASE_URL is not a database URL ({exc}); use "
            "sqlite:///path/to/ghosttrack.db or postgresql+psycopg://user:password@host/db"
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def redact(database_url: str | URL) -> str:
    """The URL with its password (and any ``password=`` query value) hidden, for messages."""
    try:
        url = sa.make_url(database_url)
    except ArgumentError:
        return "<unparseable database URL>"
    query = {k: ("***" if "password" in k.lower() else v) for k, v in url.query.items()}
    return url.set(query=query).render_as_string(hide_password=True)


def create_engine(database_url: str | URL, *, check: bool = True) -> Engine:
    """An engine for the URL, configured for the store; with ``check``, connect once now so an
    unreachable database fails here with a StoreError that says what to do."""
    url = parse_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url)
    elif url.get_backend_name() == "postgresql":
        engine = _postgres_engine(url)
    else:
        raise StoreError(
            f"unsupported database {redact(url)}: ghosttrack works with SQLite "
            "(sqlite:///path) and PostgreSQL (postgresql+psycopg://…)"
        )
    if check:
        check_connection(engine)
    return engine


def memory_engine() -> Engine:
    """A SQLite database in memory, configured as ``create_engine`` configures a file. One
    connection, kept open (the database lives as long as it) and lent to one thread at a time,
    so that every thread of the process sees the same database (and a transaction opened
    inside another would wait for itself: the stores never nest them)."""
    return _sqlite_engine(
        sa.make_url("sqlite://"), poolclass=QueuePool, pool_size=1, max_overflow=0
    )


def check_connection(engine: Engine) -> None:
    """Connect and run ``SELECT 1``; StoreError (password redacted) when that fails."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        engine.dispose()
        raise unreachable(engine.url, exc) from None


def unreachable(url: URL, exc: BaseException) -> StoreError:
    """The error for a database that cannot be opened or reached."""
    reason = _reason(url, exc)
    if url.get_backend_name() == "sqlite":
        advice = "check that the folder exists and is writable (GHOSTTRACK_HOME)"
    else:
        advice = (
            "check GHOSTTRACK_DATABASE_URL, that the server is running and accepts "
            "connections from here, and the user name and password"
        )
    return StoreError(f"cannot open the database {redact(url)}: {reason}; {advice}")


def failed(url: URL, exc: BaseException) -> StoreError:
    """The error for a statement the database refused."""
    reason = _reason(url, exc)
    if _schema_missing(exc):
        advice = "the schema is missing or out of date: run `ghosttrack db upgrade`"
    elif "locked" in reason:
        advice = "another process held the database for too long; try again"
    else:
        advice = "if it persists, run `ghosttrack db upgrade` and check the database's logs"
    return StoreError(f"the database {redact(url)} failed: {reason}; {advice}")


def _schema_missing(exc: BaseException) -> bool:
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    text = str(original).lower()
    undefined = type(original).__name__ in ("UndefinedTable", "UndefinedColumn")
    return undefined or "no such table" in text or "no such column" in text


def _reason(url: URL, exc: BaseException) -> str:
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    text = " ".join(str(original).split()) or type(original).__name__
    if url.password:
        text = text.replace(str(url.password), "***")
    return text


#: One lock per SQLite engine: see ``Transactions.write``.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock | None:
    if engine.dialect.name != "sqlite":
        return None
    with _WRITERS_LOCK:
        return _SQLITE_WRITERS.setdefault(engine, threading.RLock())


class Transactions:
    """Opens the transactions of the stores that share one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = _writer_lock(engine)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._transaction({}) as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: on SQLite it takes the write lock first (``BEGIN IMMEDIATE``).

        On SQLite the threads of one process also queue for a lock of their own first: SQLite
        makes a writer that finds the database locked sleep and retry (1 ms, 2, 5, … 100 ms
        naps), so two of a pass's threads writing at once cost up to a tenth of a second each
        time; a Python lock hands over at once. Other processes still meet SQLite's lock."""
        if self._writer is None:
            with self._transaction(WRITE_OPTIONS) as conn:
                yield conn
            return
        with self._writer, self._transaction(WRITE_OPTIONS) as conn:
            yield conn

    @contextmanager
    def _transaction(self, options: Mapping[str, Any]) -> Iterator[Connection]:
        """One transaction; a database that cannot be reached, or refuses a statement, raises
        StoreError (never a driver error with a URL in it)."""
        url = self.engine.url
        try:
            conn = self.engine.connect()
        except DBAPIError as exc:
            raise unreachable(url, exc) from exc
        with conn:
            conn.execution_options(**options)
            try:
                with conn.begin():
                    yield conn
            except DBAPIError as exc:
                raise (unreachable if exc.connection_invalidated else failed)(url, exc) from exc


def _sqlite_engine(url: URL, **pool: Any) -> Engine:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        need = ".".join(map(str, MIN_SQLITE))
        raise StoreError(
            f"SQLite {sqlite3.sqlite_version} is too old for ghosttrack (needs {need}+); "
            "use a newer Python build or PostgreSQL"
        )
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        _make_parent(url)
    engine = sa.create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}, **pool
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _make_parent(url: URL) -> None:
    parent = Path(str(url.database)).expanduser().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unreachable(url, exc) from None


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN (see _sqlite_on_begin) instead of the sqlite3 module.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {SQLITE_SYNCHRONOUS}")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _postgres_engine(url: URL) -> Engine:
    try:
        return sa.create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 10, "application_name": "ghosttrack"},
        )
    except (NoSuchModuleError, ImportError):
        raise StoreError(
            f"no driver for {redact(url)}: use postgresql+psycopg:// (psycopg 3 is installed)"
        ) from None
