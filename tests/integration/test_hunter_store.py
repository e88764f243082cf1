"""The discovery store's channels and searches (the hunter's tables), held against every
backend: SQLite in memory, a SQLite file and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import ChannelStatus, NewSearch, WatchedChannel

NOW = datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)


def cid(i: int) -> str:
    return f"UC{i:021d}A"


def channel(i: int, *, due: datetime = NOW, **changes: object) -> WatchedChannel:
    base = WatchedChannel(
        channel_id=cid(i),
        handle=f"@channel{i}",
        title=f"Channel {i}",
        status=ChannelStatus.ACTIVE,
        poll_every=timedelta(minutes=30),
        next_poll_at=due,
        last_polled_at=None,
        last_upload_at=None,
        last_video_id=None,
        backfilled=False,
        stats_next_at=NOW + timedelta(days=1),
        added_at=NOW + timedelta(seconds=i),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_channels_round_trip_and_adding_again_changes_nothing(db: Database) -> None:
    first = channel(1, last_upload_at=NOW - timedelta(hours=3), last_video_id="abcdefghijk")
    assert db.discovery.add_channels([first, channel(2)]).added == 2
    again = db.discovery.add_channels([dataclasses.replace(first, title="renamed"), channel(3)])

    assert (again.added, again.already_present) == (1, 1)
    assert db.discovery.get_channels([cid(1)]) == [first]
    assert [c.channel_id for c in db.discovery.list_channels()] == [cid(1), cid(2), cid(3)]
    assert db.discovery.get_channels([cid(9)]) == []


def test_intervals_are_kept_in_whole_seconds(db: Database) -> None:
    every = timedelta(minutes=7, seconds=3, microseconds=600_000)
    db.discovery.add_channels([channel(1, poll_every=every)])

    [got] = db.discovery.get_channels([cid(1)])
    assert got.poll_every == timedelta(minutes=7, seconds=4)


def test_due_channels_are_the_active_ones_due_most_overdue_first(db: Database) -> None:
    db.discovery.add_channels(
        [
            channel(1, due=NOW - timedelta(minutes=5)),
            channel(2, due=NOW - timedelta(hours=1)),
            channel(3, due=NOW + timedelta(minutes=1)),
            channel(4, due=NOW - timedelta(hours=2), status=ChannelStatus.UNAVAILABLE),
        ]
    )

    assert [c.channel_id for c in db.discovery.due_channels(now=NOW, limit=10)] == [cid(2), cid(1)]
    assert [c.channel_id for c in db.discovery.due_channels(now=NOW, limit=1)] == [cid(2)]


def test_statistics_come_due_on_their_own_schedule(db: Database) -> None:
    db.discovery.add_channels(
        [
            channel(1, stats_next_at=NOW),
            channel(2, stats_next_at=NOW + timedelta(hours=1)),
            channel(3, stats_next_at=NOW - timedelta(days=1), status=ChannelStatus.UNAVAILABLE),
        ]
    )

    assert [c.channel_id for c in db.discovery.stats_due_channels(now=NOW, limit=50)] == [cid(1)]


def test_next_channel_work_is_the_earliest_poll_or_statistics(db: Database) -> None:
    assert db.discovery.next_channel_work_at() is None
    db.discovery.add_channels(
        [
            channel(1, due=NOW + timedelta(hours=2), stats_next_at=NOW + timedelta(hours=1)),
            channel(2, due=NOW + timedelta(hours=3), stats_next_at=NOW + timedelta(hours=4)),
            channel(3, due=NOW, status=ChannelStatus.UNAVAILABLE),
        ]
    )

    assert db.discovery.next_channel_work_at() == NOW + timedelta(hours=1)


def test_update_writes_whole_rows_and_skips_removed_channels(db: Database) -> None:
    db.discovery.add_channels([channel(1), channel(2)])
    polled = dataclasses.replace(
        channel(1),
        poll_every=timedelta(hours=1),
        next_poll_at=NOW + timedelta(hours=1),
        last_polled_at=NOW,
        last_upload_at=NOW - timedelta(minutes=3),
        last_video_id="abcdefghijk",
        backfilled=True,
        title="A New Title",
    )
    db.discovery.remove_channels([cid(2)])

    assert db.discovery.update_channels([polled, channel(2, backfilled=True)]) == 1
    assert db.discovery.get_channels([cid(1)]) == [polled]
    assert db.discovery.get_channels([cid(2)]) == []


def test_remove_channels_counts_what_it_removed(db: Database) -> None:
    db.discovery.add_channels([channel(1), channel(2)])

    assert db.discovery.remove_channels([cid(1), cid(1), cid(7)]) == 1
    assert [c.channel_id for c in db.discovery.list_channels()] == [cid(2)]


def test_a_search_is_saved_once_per_query(db: Database) -> None:
    new = NewSearch("lofi beats", timedelta(hours=6), NOW, NOW)
    saved, created = db.discovery.add_search(new)
    again, created_again = db.discovery.add_search(
        dataclasses.replace(new, every=timedelta(hours=1))
    )

    assert created
    assert not created_again
    assert again == saved
    assert (saved.query, saved.every, saved.next_run_at, saved.last_run_at) == (
        "lofi beats",
        timedelta(hours=6),
        NOW,
        None,
    )
    assert db.discovery.list_searches() == [saved]


def test_due_searches_runs_and_removal(db: Database) -> None:
    a, _ = db.discovery.add_search(
        NewSearch("a", timedelta(hours=6), NOW - timedelta(hours=1), NOW)
    )
    b, _ = db.discovery.add_search(NewSearch("b", timedelta(hours=1), NOW, NOW))
    c, _ = db.discovery.add_search(
        NewSearch("c", timedelta(hours=1), NOW + timedelta(hours=1), NOW)
    )

    assert [s.id for s in db.discovery.due_searches(now=NOW)] == [a.id, b.id]
    assert db.discovery.next_search_at() == NOW - timedelta(hours=1)
    assert db.discovery.record_search_run(a.id, ran_at=NOW, next_run_at=NOW + timedelta(hours=6))
    assert [s.id for s in db.discovery.due_searches(now=NOW)] == [b.id]
    [ran] = [s for s in db.discovery.list_searches() if s.id == a.id]
    assert (ran.last_run_at, ran.next_run_at) == (NOW, NOW + timedelta(hours=6))

    later = NOW + timedelta(hours=7)
    assert db.discovery.record_search_run(a.id, ran_at=None, next_run_at=later)  # a failed run
    [failed] = [s for s in db.discovery.list_searches() if s.id == a.id]
    assert (failed.last_run_at, failed.next_run_at) == (NOW, later)

    assert db.discovery.remove_searches([b.id, c.id, 999]) == 2
    assert not db.discovery.record_search_run(b.id, ran_at=NOW, next_run_at=NOW)
    assert [s.id for s in db.discovery.list_searches()] == [a.id]
