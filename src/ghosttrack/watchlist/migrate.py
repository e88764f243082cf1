"""Bring a database's schema up to date with the Alembic revisions shipped in the package.

``ghosttrack db upgrade`` and every start call ``upgrade``; it is idempotent, and safe when
several processes start at once: each upgrade is one transaction that first takes a lock
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL) and only then reads the
revision, so the later ones find the schema at head and do nothing. No ``alembic.ini`` is
needed: the configuration is built here.

To add a revision (issue 4's ``channels``, ``searches``), change ``schema.py``, then
``new_revision(url_of_a_database_at_head, "what it adds")`` writes a draft under ``versions/``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError

from ghosttrack.errors import StoreError
from ghosttrack.watchlist.engine import WRITE_OPTIONS, create_engine, failed, redact

MIGRATIONS = Path(__file__).with_name("migrations")
#: Alembic keeps the running migration in module globals: one upgrade at a time per process.
_ALEMBIC = threading.Lock()
#: pg_advisory_xact_lock key: "ghosttra" in ASCII, a constant no other application uses.
MIGRATION_LOCK = 0x67686F7374747261


@dataclass(frozen=True, slots=True)
class Migration:
    """The schema revision before and after an upgrade (equal when nothing was to do)."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, in code; ``connection`` is what ``env.py`` migrates."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision this version of ghosttrack knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(database: str | URL | Engine, revision: str = "head") -> Migration:
    """Apply every revision up to ``revision`` in one transaction; a no-op when up to date."""
    engine = database if isinstance(database, Engine) else create_engine(database)
    try:
        with _ALEMBIC, engine.connect() as conn:
            conn.execution_options(**WRITE_OPTIONS)
            with conn.begin():
                _lock_migrations(conn)
                before = _current(conn)
                command.upgrade(alembic_config(conn), revision)
                after = _current(conn)
        return Migration(before, after)
    except DBAPIError as exc:
        raise failed(engine.url, exc) from None
    except CommandError as exc:  # e.g. a revision written by a newer ghosttrack
        raise StoreError(
            f"cannot upgrade the database {redact(engine.url)}: {exc}; it may have been "
            "upgraded by a newer ghosttrack — upgrade ghosttrack too"
        ) from None
    finally:
        if engine is not database:
            engine.dispose()


def current_revision(database: str | URL | Engine) -> str | None:
    """The revision a database is at; None when it has never been migrated."""
    engine = database if isinstance(database, Engine) else create_engine(database)
    try:
        with engine.connect() as conn:
            return _current(conn)
    except DBAPIError as exc:
        raise failed(engine.url, exc) from None
    finally:
        if engine is not database:
            engine.dispose()


def new_revision(database: str | URL, message: str) -> None:
    """Draft a revision from the difference between ``schema.py`` and a database at head."""
    engine = create_engine(database)
    try:
        with _ALEMBIC, engine.connect() as conn:
            command.revision(alembic_config(conn), message=message, autogenerate=True)
    finally:
        engine.dispose()


def _lock_migrations(conn: Connection) -> None:
    """Wait for any other process's upgrade (on SQLite BEGIN IMMEDIATE already did)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()
