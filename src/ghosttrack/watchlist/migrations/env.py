"""Alembic's environment: runs the revisions on the connection ``migrate.py`` hands over.

``migrate.upgrade`` opens the transaction (``BEGIN IMMEDIATE`` on SQLite) and passes the
connection in ``config.attributes["connection"]``, so the whole upgrade is one transaction. On
PostgreSQL an advisory lock makes processes starting together upgrade one after the other; the
later ones then find the schema at head and do nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ghosttrack.watchlist.schema import metadata

#: pg_advisory_xact_lock key: "ghosttrack" as an int64 (any constant unique to this app).
MIGRATION_LOCK = 0x67686F7374747261


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER columns
        compare_type=True,
    )
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "run migrations with `ghosttrack db upgrade` (ghosttrack.watchlist.migrate.upgrade)"
        )
    run(connection)


main()
