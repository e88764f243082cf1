"""The quick schema check read-only commands use instead of running the migrations: it agrees
with Alembic, and a schema that is behind is a clear error, not a migration."""

from __future__ import annotations

from pathlib import Path

import pytest

from ghosttrack.errors import StoreError
from ghosttrack.runtime import open_reader
from ghosttrack.settings import Settings
from ghosttrack.watchlist import revision
from ghosttrack.watchlist.engine import create_engine
from ghosttrack.watchlist.migrate import current_revision, head_revision, upgrade


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert revision.head() == head_revision()


def test_a_schema_behind_is_named_and_left_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    try:
        assert revision.current(engine) is None
        upgrade(url, "0001")
        assert revision.current(engine) == "0001"
        with pytest.raises(StoreError, match=r"revision 0001 .* run `ghosttrack db upgrade`"):
            revision.require_head(engine)
        upgrade(url)
        assert revision.current(engine) == revision.head()
        revision.require_head(engine)
    finally:
        engine.dispose()


def test_a_reader_does_not_migrate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    settings = Settings(home=tmp_path, database_url=url)
    with pytest.raises(StoreError, match="ghosttrack db upgrade"), open_reader(settings):
        pass
    assert current_revision(url) == "0001"
