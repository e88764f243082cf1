"""``ghosttrack migrate`` from a PostgreSQL table, a CSV file with bad rows, Parquet and SQLite:
the report's counts, initial samples at their capture time, and a second run that adds
nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from ghosttrack.clock import FixedClock
from ghosttrack.errors import InputError
from ghosttrack.hunter.migrate import ColumnMap, MigrationReport, migrate, open_source
from ghosttrack.schedule import new_entry
from ghosttrack.tiers import PRESETS
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import JobKind, NewVideo, VideoStatus, WatchEntry

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
CAPTURED = datetime(2026, 5, 20, 8, 30, tzinfo=UTC)
TIERS = PRESETS["ghost"]
IDS = ["dQw4w9WgXcQ", "9bZkp7q19f0", "kJQP7kiw5Fk", "JGwWNGJdvx8", "OPf0YbXqDm0"]
CHANNEL = "UC" + "x" * 21 + "A"
DEFAULT_COLUMNS = ColumnMap()


class Target:
    """The ghosttrack side: a database and a vault."""

    def __init__(self, url: str, vault_dir: Path) -> None:
        self.db = Database.from_url(url)
        self.vault = Vault(str(vault_dir))
        self.clock = FixedClock(NOW)

    def migrate(
        self, source: str, mapping: ColumnMap = DEFAULT_COLUMNS, table: str = "videos"
    ) -> MigrationReport:
        return migrate(
            open_source(source, table),
            mapping,
            self.db.watchlist,
            self.db.jobs,
            self.vault,
            TIERS,
            self.clock,
        )

    def samples(self) -> list[dict]:  # type: ignore[type-arg]
        return self.vault.read_samples().to_pylist()  # type: ignore[no-any-return]


@pytest.fixture
def target(store_url: str, tmp_path: Path) -> Iterator[Target]:
    made = Target(store_url, tmp_path / "vault")
    yield made
    made.db.close()


def old_tracker_table(url: str) -> None:
    """The seed's 'old tracker': a videos table with counts and last_updated_at."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE videos (id text, title text, view_count bigint, like_count bigint, "
            "comment_count bigint, channel_id text, published_at timestamptz, "
            "last_updated_at timestamptz)"
        )
        conn.exec_driver_sql(
            "INSERT INTO videos VALUES "
            f"('{IDS[0]}', 'a', 1000, 10, 1, '{CHANNEL}', '2020-01-01T00:00:00Z', "
            f"'{CAPTURED.isoformat()}'),"
            f"('{IDS[1]}', 'b', 2000, NULL, NULL, NULL, NULL, '2026-05-21T09:00:00+02:00'),"
            "('not-an-id', 'c', 5, 0, 0, NULL, NULL, '2026-05-21T00:00:00Z'),"
            f"('{IDS[2]}', 'd', -4, 0, 0, NULL, NULL, '2026-05-21T00:00:00Z'),"
            f"('{IDS[3]}', 'e', 7, 0, 0, NULL, NULL, NULL),"
            f"('{IDS[0]}', 'a again', 1100, 11, 1, NULL, NULL, '2026-05-22T00:00:00Z')"
        )
    engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_table_migrates_once_with_its_capture_times(
    target: Target, pg_database: Callable[..., str]
) -> None:
    source = pg_database()
    old_tracker_table(source)

    report = target.migrate(source)

    assert report.columns == {
        "id": "id",
        "views": "view_count",
        "captured_at": "last_updated_at",
        "likes": "like_count",
        "comments": "comment_count",
        "channel_id": "channel_id",
        "published_at": "published_at",
    }
    assert (report.rows_read, report.added, report.already_present) == (6, 2, 0)
    assert (report.duplicates, report.rejected_total, report.samples) == (1, 3, 2)
    reasons = {r.where: r.reason for r in report.rejected}
    assert "not a YouTube video id" in reasons["row 3"]
    assert "views -4" in reasons["row 4"]
    assert "no capture time" in reasons["row 5"]
    samples = sorted(target.samples(), key=lambda s: s["video_id"])
    assert [
        (s["video_id"], s["timestamp"], s["views"], s["likes"], s["source"]) for s in samples
    ] == [
        (IDS[1], datetime(2026, 5, 21, 7, tzinfo=UTC), 2000, None, "import"),
        (IDS[0], CAPTURED, 1000, 10, "import"),
    ]
    [first] = target.db.watchlist.get([IDS[0]])
    assert (first.channel_id, first.tier, first.next_track_at) == (CHANNEL, "WEEKLY", NOW)
    assert (first.last_tracked_at, first.last_views) == (CAPTURED, 1000)

    again = target.migrate(source)

    assert (again.added, again.already_present, again.samples) == (0, 2, 0)
    assert len(target.samples()) == 2
    jobs = [j for j in target.db.jobs.recent_jobs(10) if j.kind is JobKind.MIGRATE]
    assert [j.counts["added"] for j in jobs] == [0, 2]


def test_a_csv_with_bad_rows_reports_each_by_line(target: Target, tmp_path: Path) -> None:
    csv = tmp_path / "export.csv"
    csv.write_text(
        "video_id,views,captured_at,likes,published\n"
        f"{IDS[0]},1000,2026-05-20T08:30:00Z,10,2026-05-01T00:00:00Z\n"
        f"https://youtu.be/{IDS[1]},2000,2026-05-20 10:00:00,,\n"  # naive: UTC
        "\n"
        f"{IDS[2]},lots,2026-05-20T08:30:00Z,1,\n"
        f"{IDS[3]},5,yesterday,1,\n"
        f"{IDS[4]},5,2030-01-01T00:00:00Z,1,\n"
        "nope,5,2026-05-20T08:30:00Z,1,\n"
        f"{IDS[2]},3,1779000000,,\n"  # Unix seconds
    )
    target.db.watchlist.add([_removed(IDS[1])], revive_removed=False)  # migrating leaves it removed

    report = target.migrate(str(csv), ColumnMap(published_at="published"))

    assert (report.rows_read, report.added, report.already_present) == (7, 2, 1)
    assert report.rejected_total == 4
    assert [r.where for r in report.rejected] == ["line 5", "line 6", "line 7", "line 8"]
    reasons = " | ".join(r.reason for r in report.rejected)
    assert "'lots' is not a count" in reasons
    assert "'yesterday' is not an ISO-8601 time" in reasons
    assert "in the future" in reasons
    assert "'nope'" in reasons
    samples = {s["video_id"]: s for s in target.samples()}
    assert set(samples) == {IDS[0], IDS[2]}
    assert samples[IDS[0]]["published_at"] == datetime(2026, 5, 1, tzinfo=UTC)
    assert samples[IDS[2]]["timestamp"] == datetime.fromtimestamp(1779000000, UTC)
    assert target.db.watchlist.get([IDS[1]])[0].status is VideoStatus.REMOVED

    again = target.migrate(str(csv), ColumnMap(published_at="published"))
    assert (again.added, again.samples, again.already_present) == (0, 0, 3)


def test_parquet_and_sqlite_sources_with_named_columns(target: Target, tmp_path: Path) -> None:
    parquet = tmp_path / "old.parquet"
    pq.write_table(
        pa.table(
            {
                "vid": IDS[:3],
                "n": [1, 2, 3],
                "at": [CAPTURED, CAPTURED, CAPTURED - timedelta(days=1)],
            }
        ),
        parquet,
    )
    sqlite = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{sqlite}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE stats (vid TEXT, n INTEGER, at TEXT)")
        conn.exec_driver_sql(
            f"INSERT INTO stats VALUES ('{IDS[3]}', 4, '2026-05-20T08:30:00+00:00'), "
            f"('{IDS[0]}', 9, '2026-05-20T08:30:00+00:00')"
        )
    engine.dispose()
    mapping = ColumnMap(id="vid", views="n", captured_at="at")

    from_parquet = target.migrate(str(parquet), mapping)
    from_sqlite = target.migrate(f"sqlite:///{sqlite}", mapping, table="stats")

    assert (from_parquet.added, from_parquet.rejected_total) == (3, 0)
    assert (from_sqlite.added, from_sqlite.already_present) == (1, 1)
    assert len(target.samples()) == 4


def test_a_source_without_the_needed_columns_is_refused_naming_them(
    target: Target, tmp_path: Path
) -> None:
    csv = tmp_path / "ids.csv"
    csv.write_text(f"video_id,title\n{IDS[0]},x\n")

    with pytest.raises(InputError) as refused:
        target.migrate(str(csv))
    text = str(refused.value)
    assert "no views column" in text
    assert "--captured-at" in text
    assert "'video_id', 'title'" in text
    with pytest.raises(InputError, match="--views count: no such column"):
        target.migrate(str(csv), ColumnMap(views="count"))
    with pytest.raises(InputError, match="neither a database URL nor a readable file"):
        target.migrate(str(tmp_path / "missing.csv"))
    assert target.db.watchlist.counts(now=NOW).total == 0


def _removed(video_id: str) -> WatchEntry:
    entry = new_entry(NewVideo(video_id), TIERS, NOW)
    return dataclasses.replace(entry, status=VideoStatus.REMOVED)
