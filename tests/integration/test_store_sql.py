"""What a database on disk has to show beyond the stores' contract: statements per batch,
errors that say what to do, migrations, durability, time zones and footprint — on SQLite and
PostgreSQL."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ghosttrack.errors import StoreError
from ghosttrack.watchlist.bulk import BULK_CHUNK
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.engine import create_engine
from ghosttrack.watchlist.migrate import current_revision, head_revision, upgrade
from ghosttrack.watchlist.records import VideoStatus, WatchEntry
from ghosttrack.watchlist.schema import metadata
from tests.integration.test_store_contract import LEASE, NOW, entry, visit

HEAD = head_revision()


@pytest.fixture
def sql_db(store_url: str) -> Iterator[Database]:
    db = Database.from_url(store_url)
    yield db
    db.close()


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the store sends while the block runs (BEGIN/COMMIT aside)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SELECT"):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def claim_all(db: Database, count: int) -> list[WatchEntry]:
    db.watchlist.add([entry(i) for i in range(count)], revive_removed=False)
    return db.watchlist.claim_due(now=NOW, limit=count, worker="a", lease_until=LEASE)


# --- one statement per batch -----------------------------------------------------------------


def test_a_claimed_batch_is_rescheduled_in_one_statement(sql_db: Database) -> None:
    claimed = claim_all(sql_db, 1000)

    with statements(sql_db) as seen:
        changed = sql_db.watchlist.reschedule([visit(e) for e in claimed], worker="a")

    assert changed == 1000
    assert len(seen) == 1
    assert seen[0].lstrip().upper().startswith(("UPDATE", "WITH"))


def test_a_huge_batch_takes_one_statement_per_chunk(sql_db: Database) -> None:
    count = 2 * BULK_CHUNK + 1
    with statements(sql_db) as added:
        sql_db.watchlist.add([entry(i) for i in range(count)], revive_removed=False)
    claimed = sql_db.watchlist.claim_due(now=NOW, limit=count, worker="a", lease_until=LEASE)

    with statements(sql_db) as rescheduled:
        changed = sql_db.watchlist.reschedule([visit(e) for e in claimed], worker="a")

    assert changed == count
    assert len(rescheduled) == 3
    assert len([s for s in added if s.lstrip().upper().startswith("INSERT")]) == 3


def test_a_claim_is_one_statement(sql_db: Database) -> None:
    sql_db.watchlist.add([entry(i) for i in range(50)], revive_removed=False)

    with statements(sql_db) as seen:
        claimed = sql_db.watchlist.claim_due(now=NOW, limit=20, worker="a", lease_until=LEASE)

    assert len(claimed) == 20
    assert len(seen) == 1


# --- time zones ------------------------------------------------------------------------------


def test_times_come_back_as_the_same_instant_in_utc(sql_db: Database) -> None:
    paris = timezone(timedelta(hours=2))
    local = datetime(2026, 6, 1, 14, 0, 0, 1, tzinfo=paris)
    naive = datetime(2026, 6, 1, 12, 0, 0, 2)  # taken as UTC, like ghosttrack.clock.ensure_utc
    sql_db.watchlist.add([entry(1, due=local, published_at=naive)], revive_removed=False)

    [got] = sql_db.watchlist.get(["video000001"])

    assert got.next_track_at == datetime(2026, 6, 1, 12, 0, 0, 1, tzinfo=UTC)
    assert got.next_track_at.tzinfo is UTC
    assert got.published_at == naive.replace(tzinfo=UTC)
    assert got.published_at is not None
    assert got.published_at.tzinfo is UTC


# --- errors that say what to do --------------------------------------------------------------


def test_an_unreachable_postgresql_names_the_server_but_not_the_password() -> None:
    url = "postgresql+psycopg://ghost:s3cr3t-pw@127.0.0.1:1/ghosttrack"

    with pytest.raises(StoreError) as caught:
        Database.from_url(url)

    message = str(caught.value)
    assert "s3cr3t-pw" not in message
    assert "ghost:***@127.0.0.1:1/ghosttrack" in message
    assert "GHOSTTRACK_DATABASE_URL" in message
    assert "server is running" in message


def test_a_bare_postgresql_url_uses_psycopg_and_fails_clearly() -> None:
    with pytest.raises(StoreError, match=r"postgresql\+psycopg://nobody@127.0.0.1:1/x"):
        create_engine("postgresql://nobody@127.0.0.1:1/x")


def test_an_sqlite_file_that_cannot_be_made_says_where(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")

    with pytest.raises(StoreError) as caught:
        Database.from_url(f"sqlite:///{blocker / 'ghosttrack.db'}")

    assert str(blocker) in str(caught.value)
    assert "writable" in str(caught.value)


def test_an_unknown_database_kind_is_refused() -> None:
    with pytest.raises(StoreError, match="SQLite"):
        create_engine("mysql://localhost/ghosttrack")


def test_a_database_never_migrated_asks_for_an_upgrade(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="ghosttrack db upgrade"):
        Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}")


def test_a_statement_on_a_broken_schema_raises_store_error(sql_db: Database) -> None:
    with sql_db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE videos")

    with pytest.raises(StoreError, match="ghosttrack db upgrade"):
        sql_db.discovery.count_metadata()


@pytest.mark.postgres
def test_a_database_gone_mid_run_raises_store_error(
    pg_server: Any, pg_database: Callable[..., str], pg_template: str
) -> None:
    url = pg_database(template=pg_template)
    db = Database.from_url(url)
    db.watchlist.add([entry(1)], revive_removed=False)
    pg_server.drop(sa.make_url(url).database)

    with pytest.raises(StoreError, match="cannot open the database postgresql"):
        db.watchlist.get(["video000001"])
    db.close()


# --- migrations ------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema at all."""
    if request.param == "postgres":
        make: Callable[..., str] = request.getfixturevalue("pg_database")
        return make()
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def test_upgrade_builds_an_empty_database_and_is_idempotent(empty_url: str) -> None:
    first = upgrade(empty_url)
    second = upgrade(empty_url)

    assert (first.before, first.after, first.changed) == (None, HEAD, True)
    assert (second.before, second.after, second.changed) == (HEAD, HEAD, False)
    assert current_revision(empty_url) == HEAD
    db = Database.from_url(empty_url)
    db.watchlist.add([entry(1)], revive_removed=False)
    assert len(db.watchlist.get(["video000001"])) == 1
    db.close()


def test_a_database_from_a_newer_ghosttrack_is_not_touched(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()

    with pytest.raises(StoreError, match="newer ghosttrack"):
        upgrade(store_url)
    with pytest.raises(StoreError, match="at revision 9999"):
        Database.from_url(store_url)


def test_the_migrations_build_exactly_the_schema_in_schema_py(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()

    assert differences == []


def upgrade_in_a_process(url: str, start: Any, results: Any) -> None:
    """A process starting ghosttrack: wait for the others, then upgrade."""
    start.wait()
    try:
        results.put(upgrade(url).changed)
    except Exception as exc:  # reported by the test
        results.put(repr(exc))


def test_processes_starting_together_upgrade_once(empty_url: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    processes = [
        spawn.Process(target=upgrade_in_a_process, args=(empty_url, start, results))
        for _ in range(3)
    ]
    for process in processes:
        process.start()
    start.set()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert sorted(outcomes, key=str) == [False, False, True]
    assert current_revision(empty_url) == HEAD


# --- durability and SQLite settings ----------------------------------------------------------

KILLED_WRITER = """
import sys, time
from datetime import timedelta
from ghosttrack.watchlist.database import Database
from tests.integration.test_store_contract import LEASE, NOW, entry, visit

db = Database.from_url(sys.argv[1])
db.watchlist.add([entry(i) for i in range(100)], revive_removed=False)
claimed = db.watchlist.claim_due(now=NOW, limit=100, worker="doomed", lease_until=LEASE)
db.watchlist.reschedule([visit(e, last_views=7) for e in claimed], worker="doomed")
print("acknowledged", flush=True)
time.sleep(60)
"""


def test_an_acknowledged_reschedule_survives_sigkill(store_url: str) -> None:
    command = [sys.executable, "-c", KILLED_WRITER, store_url]
    root = Path(__file__).parents[2]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=root) as writer:
        assert writer.stdout is not None
        line = writer.stdout.readline()
        writer.kill()  # SIGKILL: no cleanup, no atexit, no close
        writer.wait(timeout=30)

    assert line.strip() == "acknowledged"
    db = Database.from_url(store_url)
    rows = db.watchlist.get([f"video{i:06d}" for i in range(100)])
    db.close()
    assert len(rows) == 100
    assert {(r.last_views, r.next_track_at) for r in rows} == {(7, NOW + timedelta(days=1))}


def test_sqlite_runs_in_wal_mode_with_full_sync(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    engine.dispose()

    assert (journal, synchronous, foreign_keys) == ("wal", 2, 1)  # 2 = FULL
    assert busy is not None
    assert busy >= 10_000


# --- footprint -------------------------------------------------------------------------------


def watchlist_bytes(db: Database) -> int:
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            size = conn.exec_driver_sql("SELECT pg_total_relation_size('watchlist')").scalar()
        else:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            size = conn.exec_driver_sql(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN ('watchlist', 'ix_watchlist_due')"
            ).scalar()
    return int(size or 0)


def test_a_watchlist_row_stays_small(sql_db: Database) -> None:
    count = 20_000
    rows = [
        entry(
            i,
            channel_id="UCabcdefghijklmnopqrstuv",
            published_at=NOW - timedelta(days=i % 365),
            last_tracked_at=NOW,
            last_views=i * 1000,
        )
        for i in range(count)
    ]
    sql_db.watchlist.add(rows, revive_removed=False)

    per_row = watchlist_bytes(sql_db) / count

    # 1M videos in well under the seed's 0.5 GB, indexes included
    assert per_row < 250


@pytest.mark.postgres
def test_a_big_import_gives_postgresql_statistics_for_the_due_query(pg_url: str) -> None:
    db = Database.from_url(pg_url)
    for start in range(0, 10_000, 2_500):  # small chunks, as `ghosttrack import` sends them
        db.watchlist.add([entry(i) for i in range(start, start + 2_500)], revive_removed=False)
    with db.engine.connect() as conn:
        histograms = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'watchlist' "
            "AND attname IN ('next_track_at', 'status')"
        ).scalar()
    db.close()

    assert histograms == 2


def test_status_values_fit_their_columns(sql_db: Database) -> None:
    longest = max(VideoStatus, key=lambda s: len(s.value))
    sql_db.watchlist.add([entry(1, status=longest)], revive_removed=False)

    assert sql_db.watchlist.get(["video000001"])[0].status is longest
