"""Whether a database's schema is the one this ghosttrack needs, checked without Alembic.

Importing Alembic costs a command most of its start-up; commands that only read (``video``,
``top``, ``sql``…) check the revision with one query instead of running the migrations, and say
to run ``ghosttrack db upgrade`` when the schema is behind. The head revision is read from the
migration scripts themselves (``revision`` / ``down_revision`` lines), so there is no second
list to keep in step; a test holds it to Alembic's own answer.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from ghosttrack.errors import StoreError
from ghosttrack.watchlist.engine import failed

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_REVISION = re.compile(r'^revision(?::[^=]*)?=\s*"([^"]+)"', re.MULTILINE)
_DOWN = re.compile(r'^down_revision(?::[^=]*)?=\s*"([^"]+)"', re.MULTILINE)


@cache
def head() -> str | None:
    """The newest revision of the migration scripts: the one no other script follows."""
    revisions, followed = set(), set()
    for script in VERSIONS.glob("*.py"):
        text = script.read_text()
        if found := _REVISION.search(text):
            revisions.add(found.group(1))
        if down := _DOWN.search(text):
            followed.add(down.group(1))
    heads = revisions - followed
    if len(heads) > 1:
        raise StoreError(f"the migration scripts have several heads: {sorted(heads)}")
    return next(iter(heads), None)


def current(engine: Engine) -> str | None:
    """The revision a database is at; None when it was never migrated."""
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
    except DBAPIError as exc:
        raise failed(engine.url, exc) from None
    return None if found is None else str(found[0])


def require_head(engine: Engine) -> None:
    """StoreError unless the database is at this version's head revision."""
    at, needed = current(engine), head()
    if at != needed:
        raise StoreError(
            f"the database schema is at revision {at or 'none'} but this ghosttrack "
            f"needs {needed}; run `ghosttrack db upgrade`"
        )
