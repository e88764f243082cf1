"""Revision 0002 (the hunter's ``channels`` and ``searches``) on a database already in use:
the upgrade keeps every watchlist row and job, and a downgrade takes only the new tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.engine import create_engine
from ghosttrack.watchlist.migrate import alembic_config, current_revision, head_revision, upgrade
from ghosttrack.watchlist.records import NewSearch
from ghosttrack.watchlist.schema import watchlist
from tests.fixtures.postgres import SQL_BACKENDS

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(params=SQL_BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        make: Callable[..., str] = request.getfixturevalue("pg_database")
        return make()
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrading_a_database_in_use_keeps_its_rows(empty_url: str) -> None:
    upgrade(empty_url, "0001")
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(watchlist).values(
                video_id="dQw4w9WgXcQ",
                tier="WEEKLY",
                status="active",
                next_track_at=NOW,
                misses=0,
                added_at=NOW,
            )
        )
    engine.dispose()
    assert "channels" not in tables(empty_url)

    done = upgrade(empty_url)

    assert (done.before, done.after) == ("0001", head_revision())
    assert {"channels", "searches", "watchlist"} <= tables(empty_url)
    db = Database.from_url(empty_url)
    try:
        assert [e.video_id for e in db.watchlist.get(["dQw4w9WgXcQ"])] == ["dQw4w9WgXcQ"]
        saved, created = db.discovery.add_search(NewSearch("q", timedelta(hours=6), NOW, NOW))
        assert created
        assert saved.id == 1
    finally:
        db.close()


def test_a_downgrade_takes_only_the_hunters_tables(empty_url: str) -> None:
    upgrade(empty_url)
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    engine.dispose()

    assert current_revision(empty_url) == "0001"
    assert "channels" not in tables(empty_url)
    assert "searches" not in tables(empty_url)
    assert "watchlist" in tables(empty_url)
