"""Alembic's environment: runs the revisions on the connection ``migrate.py`` hands over.

``migrate.upgrade`` opens the transaction and takes the migration lock (see there), and passes
the connection in ``config.attributes["connection"]``, so the whole upgrade is one transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ghosttrack.watchlist.schema import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER columns
        compare_type=True,
    )
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
