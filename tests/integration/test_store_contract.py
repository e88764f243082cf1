"""The stores' contract — the watchlist, video metadata, the job log and the quota ledger —
held against every backend (the ``db`` fixture): SQLite in memory as the unit tests use it, a
SQLite file and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import (
    JobKind,
    JobStatus,
    KeyRejection,
    QuotaUsage,
    VideoMetadata,
    VideoStatus,
    Visit,
    WatchEntry,
)

NOW = datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
LEASE_LENGTH = timedelta(minutes=10)
LEASE = NOW + LEASE_LENGTH
DAY = date(2026, 6, 1)


def vid(i: int) -> str:
    return f"video{i:06d}"


def entry(i: int, *, due: datetime = NOW, **changes: object) -> WatchEntry:
    base = WatchEntry(
        video_id=vid(i),
        channel_id=None,
        published_at=None,
        tier="HOURLY",
        status=VideoStatus.ACTIVE,
        next_track_at=due,
        last_tracked_at=None,
        last_views=None,
        misses=0,
        added_at=NOW,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def visit(e: WatchEntry, **changes: object) -> Visit:
    base = Visit(
        video_id=e.video_id,
        tier="DAILY",
        status=VideoStatus.ACTIVE,
        next_track_at=NOW + timedelta(days=1),
        last_tracked_at=NOW,
        last_views=1234,
        misses=0,
        published_at=NOW - timedelta(days=2),
        channel_id="UC" + "x" * 22,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def ids(entries: list[WatchEntry]) -> list[str]:
    return [e.video_id for e in entries]


# --- add -------------------------------------------------------------------------------------


def test_add_counts_new_and_present_rows(db: Database) -> None:
    first = db.watchlist.add([entry(1), entry(2), entry(2)], revive_removed=False)
    again = db.watchlist.add([entry(2), entry(3)], revive_removed=False)

    assert (first.added, first.already_present) == (2, 1)
    assert (again.added, again.already_present) == (1, 1)
    assert ids(db.watchlist.get([vid(1), vid(2), vid(3)])) == [vid(1), vid(2), vid(3)]


def test_scan_pages_through_every_row_by_id_and_filters_a_channel(db: Database) -> None:
    mine, other = "UC" + "a" * 22, "UC" + "b" * 22
    db.watchlist.add(
        [entry(i, channel_id=mine if i % 3 == 0 else other) for i in (5, 1, 4, 3, 2, 6)],
        revive_removed=False,
    )
    pages, after = [], None
    while page := db.watchlist.scan(after=after, limit=4):
        pages.append(ids(page))
        after = page[-1].video_id
    assert pages == [[vid(1), vid(2), vid(3), vid(4)], [vid(5), vid(6)]]
    assert ids(db.watchlist.scan(after=None, limit=10, channel_id=mine)) == [vid(3), vid(6)]
    assert ids(db.watchlist.scan(after=vid(3), limit=10, channel_id=mine)) == [vid(6)]


def test_add_leaves_an_existing_row_as_it_is(db: Database) -> None:
    db.watchlist.add([entry(1, tier="WEEKLY")], revive_removed=True)
    db.watchlist.add([entry(1, tier="HOURLY")], revive_removed=True)

    assert db.watchlist.get([vid(1)])[0].tier == "WEEKLY"


def test_add_of_nothing_adds_nothing(db: Database) -> None:
    result = db.watchlist.add([], revive_removed=True)

    assert (result.added, result.already_present) == (0, 0)


def test_a_tombstone_is_revived_only_when_asked(db: Database) -> None:
    db.watchlist.add([entry(1, last_views=99)], revive_removed=False)
    db.watchlist.set_status([vid(1)], VideoStatus.REMOVED, next_track_at=NOW)

    discovered = db.watchlist.add([entry(1, tier="DAILY")], revive_removed=False)
    assert (discovered.added, discovered.already_present) == (0, 1)
    assert db.watchlist.get([vid(1)])[0].status is VideoStatus.REMOVED

    added = db.watchlist.add([entry(1, tier="DAILY")], revive_removed=True)
    assert (added.added, added.already_present) == (1, 0)
    assert db.watchlist.get([vid(1)]) == [entry(1, tier="DAILY")]


def test_rows_round_trip_exactly(db: Database) -> None:
    full = entry(
        1,
        channel_id="UCabcdefghijklmnopqrstuv",
        published_at=datetime(2020, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
        tier="EVERY_3_DAYS",
        status=VideoStatus.PAUSED,
        last_tracked_at=NOW - timedelta(microseconds=1),
        last_views=9_000_000_000_000,
        misses=2,
    )
    db.watchlist.add([full, entry(2)], revive_removed=False)

    got = db.watchlist.get([vid(2), vid(1), "missing0000"])

    assert got == [entry(2), full]
    assert all(e.next_track_at.tzinfo == UTC for e in got)


# --- claim -----------------------------------------------------------------------------------


def test_claim_takes_due_active_rows_oldest_first(db: Database) -> None:
    db.watchlist.add(
        [
            entry(1, due=NOW - timedelta(hours=1)),
            entry(2, due=NOW),
            entry(3, due=NOW + timedelta(seconds=1)),  # not due yet
            entry(4, due=NOW - timedelta(hours=2)),
            entry(5, due=NOW - timedelta(hours=3), status=VideoStatus.PAUSED),
            entry(6, due=NOW - timedelta(hours=3), status=VideoStatus.UNAVAILABLE),
            entry(7, due=NOW - timedelta(hours=3), status=VideoStatus.REMOVED),
        ],
        revive_removed=False,
    )

    claimed = db.watchlist.claim_due(now=NOW, limit=10, worker="a", lease_until=LEASE)

    assert ids(claimed) == [vid(4), vid(1), vid(2)]


def test_claim_respects_the_limit_and_breaks_ties_by_id(db: Database) -> None:
    db.watchlist.add([entry(i) for i in (5, 3, 1, 4, 2)], revive_removed=False)

    first = db.watchlist.claim_due(now=NOW, limit=2, worker="a", lease_until=LEASE)
    second = db.watchlist.claim_due(now=NOW, limit=2, worker="b", lease_until=LEASE)
    nothing = db.watchlist.claim_due(now=NOW, limit=0, worker="c", lease_until=LEASE)

    assert ids(first) == [vid(1), vid(2)]
    assert ids(second) == [vid(3), vid(4)]
    assert nothing == []


def test_a_leased_row_is_skipped_until_its_lease_expires(db: Database) -> None:
    db.watchlist.add([entry(1), entry(2)], revive_removed=False)
    db.watchlist.claim_due(now=NOW, limit=1, worker="a", lease_until=LEASE)

    longer = LEASE + timedelta(hours=1)
    during = db.watchlist.claim_due(
        now=NOW + timedelta(minutes=5), limit=5, worker="b", lease_until=longer
    )
    after = db.watchlist.claim_due(now=LEASE, limit=5, worker="c", lease_until=longer)

    assert ids(during) == [vid(2)]
    assert ids(after) == [vid(1)]  # a's lease ended at LEASE; b's still runs


def test_claim_ahead_takes_rows_due_soon_but_respects_leases_now(db: Database) -> None:
    soon, later = NOW + timedelta(minutes=20), NOW + timedelta(hours=2)
    db.watchlist.add([entry(1, due=soon), entry(2, due=later), entry(3)], revive_removed=False)
    db.watchlist.claim_due(now=NOW, limit=1, worker="a", lease_until=LEASE)  # leases video 3

    ahead = db.watchlist.claim_due(
        now=NOW, limit=10, worker="b", lease_until=LEASE, due_before=NOW + timedelta(hours=1)
    )

    assert ids(ahead) == [vid(1)]


def test_count_due_counts_active_rows_leased_or_not(db: Database) -> None:
    db.watchlist.add(
        [
            entry(1),
            entry(2, due=NOW + timedelta(minutes=30)),
            entry(3, due=NOW + timedelta(hours=2)),
            entry(4, status=VideoStatus.PAUSED),
        ],
        revive_removed=False,
    )
    db.watchlist.claim_due(now=NOW, limit=1, worker="a", lease_until=LEASE)

    assert db.watchlist.count_due(due_before=NOW) == 1
    assert db.watchlist.count_due(due_before=NOW + timedelta(hours=1)) == 2
    assert db.watchlist.count_due(due_before=NOW - timedelta(seconds=1)) == 0


def test_claim_returns_the_rows_as_stored(db: Database) -> None:
    row = entry(1, published_at=NOW - timedelta(days=3), last_views=7, misses=1)
    db.watchlist.add([row], revive_removed=False)

    assert db.watchlist.claim_due(now=NOW, limit=1, worker="a", lease_until=LEASE) == [row]


# --- reschedule and release ------------------------------------------------------------------


def test_reschedule_writes_the_visit_and_frees_the_row(db: Database) -> None:
    db.watchlist.add([entry(1), entry(2)], revive_removed=False)
    claimed = db.watchlist.claim_due(now=NOW, limit=2, worker="a", lease_until=LEASE)
    visits = [visit(claimed[0]), visit(claimed[1], status=VideoStatus.UNAVAILABLE, misses=3)]

    changed = db.watchlist.reschedule(visits, worker="a")

    assert changed == 2
    one, two = db.watchlist.get([vid(1), vid(2)])
    assert (one.tier, one.next_track_at, one.last_views) == ("DAILY", NOW + timedelta(days=1), 1234)
    assert (one.published_at, one.channel_id) == (visits[0].published_at, visits[0].channel_id)
    assert (two.status, two.misses) == (VideoStatus.UNAVAILABLE, 3)
    # the lease is gone: once due again, any worker claims it
    later = NOW + timedelta(days=1)
    assert ids(db.watchlist.claim_due(now=later, limit=5, worker="b", lease_until=later)) == [
        vid(1)
    ]


def test_reschedule_by_a_worker_whose_lease_was_taken_over_changes_nothing(
    db: Database,
) -> None:
    db.watchlist.add([entry(1)], revive_removed=False)
    [mine] = db.watchlist.claim_due(now=NOW, limit=1, worker="slow", lease_until=LEASE)
    [theirs] = db.watchlist.claim_due(
        now=LEASE, limit=1, worker="fast", lease_until=LEASE + LEASE_LENGTH
    )

    stale = db.watchlist.reschedule([visit(mine, last_views=1)], worker="slow")
    fresh = db.watchlist.reschedule([visit(theirs, last_views=2)], worker="fast")

    assert (stale, fresh) == (0, 1)
    assert db.watchlist.get([vid(1)])[0].last_views == 2


def test_reschedule_without_a_lease_changes_nothing(db: Database) -> None:
    db.watchlist.add([entry(1)], revive_removed=False)

    assert db.watchlist.reschedule([visit(entry(1))], worker="a") == 0
    assert db.watchlist.get([vid(1)]) == [entry(1)]


def test_reschedule_of_a_large_batch(db: Database) -> None:
    rows = [entry(i) for i in range(2345)]
    db.watchlist.add(rows, revive_removed=False)
    claimed = db.watchlist.claim_due(now=NOW, limit=5000, worker="a", lease_until=LEASE)

    changed = db.watchlist.reschedule(
        [visit(e, last_views=i) for i, e in enumerate(claimed)], worker="a"
    )

    assert changed == 2345
    got = db.watchlist.get([e.video_id for e in claimed])
    assert [e.last_views for e in got] == list(range(2345))
    assert db.watchlist.counts(now=NOW).due_now == 0


def test_visits_may_carry_nulls(db: Database) -> None:
    db.watchlist.add([entry(1)], revive_removed=False)
    [row] = db.watchlist.claim_due(now=NOW, limit=1, worker="a", lease_until=LEASE)
    empty = visit(row, last_views=None, published_at=None, channel_id=None, last_tracked_at=None)

    assert db.watchlist.reschedule([empty], worker="a") == 1
    got = db.watchlist.get([vid(1)])[0]
    assert (got.last_views, got.published_at, got.channel_id, got.last_tracked_at) == (None,) * 4


def test_release_gives_back_only_the_workers_own_rows(db: Database) -> None:
    db.watchlist.add([entry(1), entry(2)], revive_removed=False)
    db.watchlist.claim_due(now=NOW, limit=1, worker="a", lease_until=LEASE)
    db.watchlist.claim_due(now=NOW, limit=1, worker="b", lease_until=LEASE)

    released = db.watchlist.release([vid(1), vid(2)], worker="a")

    assert released == 1
    again = db.watchlist.claim_due(now=NOW, limit=5, worker="c", lease_until=LEASE)
    assert ids(again) == [vid(1)]
    assert db.watchlist.get([vid(1)]) == [entry(1)]  # untouched: still due


# --- set_status ------------------------------------------------------------------------------


def test_pause_and_revive(db: Database) -> None:
    db.watchlist.add([entry(1, misses=2), entry(2)], revive_removed=False)
    later = NOW + timedelta(hours=3)

    paused = db.watchlist.set_status(
        [vid(1), "missing0000"], VideoStatus.PAUSED, next_track_at=later
    )
    assert paused == 1
    assert db.watchlist.get([vid(1)])[0].status is VideoStatus.PAUSED
    assert db.watchlist.get([vid(1)])[0].misses == 2
    assert ids(db.watchlist.claim_due(now=later, limit=5, worker="a", lease_until=later)) == [
        vid(2)
    ]

    revived = db.watchlist.set_status([vid(1)], VideoStatus.ACTIVE, next_track_at=later)
    assert revived == 1
    got = db.watchlist.get([vid(1)])[0]
    assert (got.status, got.misses, got.next_track_at) == (VideoStatus.ACTIVE, 0, later)


def test_removing_a_leased_row_wins_over_its_tracker(db: Database) -> None:
    db.watchlist.add([entry(1)], revive_removed=False)
    [row] = db.watchlist.claim_due(now=NOW, limit=1, worker="a", lease_until=LEASE)

    db.watchlist.set_status([vid(1)], VideoStatus.REMOVED, next_track_at=NOW)

    assert db.watchlist.reschedule([visit(row)], worker="a") == 0
    assert db.watchlist.get([vid(1)])[0].status is VideoStatus.REMOVED


# --- counts ----------------------------------------------------------------------------------


def test_counts(db: Database) -> None:
    db.watchlist.add(
        [
            entry(1, due=NOW - timedelta(hours=2)),  # backlog
            entry(2, due=NOW - timedelta(minutes=30)),  # due, not backlog
            entry(3, due=NOW, tier="DAILY"),  # due
            entry(4, due=NOW + timedelta(hours=1), tier="DAILY"),
            entry(5, due=NOW - timedelta(days=9), status=VideoStatus.PAUSED, tier="WEEKLY"),
            entry(6, due=NOW - timedelta(days=9), status=VideoStatus.UNAVAILABLE),
            entry(7, due=NOW - timedelta(days=9), status=VideoStatus.REMOVED, tier="WEEKLY"),
        ],
        revive_removed=False,
    )
    db.watchlist.claim_due(
        now=NOW, limit=1, worker="a", lease_until=LEASE
    )  # leased rows still count
    db.discovery.upsert_metadata([metadata(1), metadata(2)])

    counts = db.watchlist.counts(now=NOW)

    assert counts.total == 6  # tombstones are not in the watchlist any more
    assert dict(counts.by_tier) == {"HOURLY": 3, "DAILY": 2, "WEEKLY": 1}
    assert dict(counts.by_status) == {"active": 4, "paused": 1, "unavailable": 1, "removed": 1}
    assert (counts.due_now, counts.backlog, db.discovery.count_metadata()) == (3, 1, 2)


def test_counts_of_an_empty_store(db: Database) -> None:
    counts = db.watchlist.counts(now=NOW)

    assert (counts.total, counts.due_now, counts.backlog) == (0, 0, 0)
    assert db.discovery.count_metadata() == 0
    assert dict(counts.by_tier) == {} == dict(counts.by_status)


def test_next_due_at_is_the_earliest_active_row(db: Database) -> None:
    assert db.watchlist.next_due_at() is None
    db.watchlist.add(
        [
            entry(1, due=NOW + timedelta(hours=2)),
            entry(2, due=NOW + timedelta(hours=1)),
            entry(3, due=NOW - timedelta(days=1), status=VideoStatus.PAUSED),
        ],
        revive_removed=False,
    )

    assert db.watchlist.next_due_at() == NOW + timedelta(hours=1)


# --- videos metadata -------------------------------------------------------------------------


def metadata(i: int, *, fetched_at: datetime = NOW, title: str = "a title") -> VideoMetadata:
    return VideoMetadata(
        video_id=vid(i),
        channel_id="UC" + "y" * 22,
        title=title,
        published_at=NOW - timedelta(days=1),
        duration_seconds=61,
        tags=("ghost", "tracking", "ünïcode"),
        fetched_at=fetched_at,
        extra={"category": "22", "live": False},
    )


def test_metadata_upsert_and_janitor_delete(db: Database) -> None:
    old, fresh = NOW - timedelta(days=8), NOW - timedelta(days=1)
    db.discovery.upsert_metadata([metadata(1, fetched_at=old), metadata(2, fetched_at=old)])
    db.discovery.upsert_metadata(
        [metadata(2, fetched_at=fresh, title="new"), metadata(3, fetched_at=NOW)]
    )
    db.watchlist.add([entry(1)], revive_removed=False)

    deleted = db.discovery.delete_metadata_before(NOW - timedelta(days=7))

    assert deleted == 1  # video 1's metadata; video 2 was refreshed
    assert db.discovery.count_metadata() == 2
    assert db.watchlist.get([vid(1)]) == [entry(1)]  # the janitor never touches the watchlist
    assert db.discovery.delete_metadata_before(NOW - timedelta(days=7)) == 0


# --- jobs ------------------------------------------------------------------------------------


def test_jobs_are_recorded_newest_first(db: Database) -> None:
    track = db.jobs.start_job(JobKind.TRACK, now=NOW, worker="host:1")
    janitor = db.jobs.start_job(JobKind.JANITOR, now=NOW + timedelta(seconds=1), worker=None)

    assert (track.status, track.finished_at, dict(track.counts)) == (JobStatus.RUNNING, None, {})
    done = db.jobs.finish_job(
        track.id,
        status=JobStatus.FAILED,
        now=NOW + timedelta(minutes=1),
        counts={"videos": 950, "calls": 19, "units": 19},
        error="the 'shared' quota is used up",
    )

    assert done.id == track.id
    assert (done.status, done.finished_at) == (JobStatus.FAILED, NOW + timedelta(minutes=1))
    assert dict(done.counts) == {"videos": 950, "calls": 19, "units": 19}
    assert done.error == "the 'shared' quota is used up"
    assert db.jobs.recent_jobs() == [janitor, done]
    assert db.jobs.recent_jobs(limit=1) == [janitor]


def test_old_finished_jobs_are_deleted_and_dead_runs_abandoned(db: Database) -> None:
    old_done = db.jobs.start_job(JobKind.TRACK, now=NOW - timedelta(days=100), worker="a")
    db.jobs.finish_job(
        old_done.id, status=JobStatus.SUCCEEDED, now=NOW - timedelta(days=100), counts={}
    )
    dead = db.jobs.start_job(JobKind.TRACK, now=NOW - timedelta(days=2), worker="killed")
    recent = db.jobs.start_job(JobKind.TRACK, now=NOW - timedelta(hours=1), worker="alive")

    assert db.jobs.delete_jobs_finished_before(NOW - timedelta(days=90)) == 1
    assert db.jobs.abandon_jobs_started_before(NOW - timedelta(days=1), now=NOW) == 1

    jobs = {job.id: job for job in db.jobs.recent_jobs(10)}
    assert set(jobs) == {dead.id, recent.id}
    assert jobs[dead.id].status is JobStatus.INTERRUPTED
    assert jobs[dead.id].finished_at == NOW
    assert "abandoned" in (jobs[dead.id].error or "")
    assert jobs[recent.id].status is JobStatus.RUNNING
    assert db.jobs.delete_jobs_finished_before(NOW - timedelta(days=90)) == 0  # the dead one is new


# --- quota ledger ----------------------------------------------------------------------------


def spend(db: Database, key: str, bucket: str, day: date, units: int, limit: int) -> bool:
    """Reserve exactly ``units`` (the way one call's cost is taken)."""
    return db.ledger.reserve(key, bucket, day, at_least=units, at_most=units, limit=limit) > 0


def test_reserve_stops_at_the_limit(db: Database) -> None:
    spent = [spend(db, "key-a", "shared", DAY, 3, 10) for _ in range(4)]

    assert spent == [True, True, True, False]
    assert db.ledger.used("key-a", "shared", DAY) == 9
    assert spend(db, "key-a", "shared", DAY, 1, 10)
    assert not spend(db, "key-a", "shared", DAY, 1, 10)
    assert not spend(db, "key-b", "shared", DAY, 11, 10)  # more than a whole day
    assert db.ledger.used("key-b", "shared", DAY) == 0


def test_a_block_gets_what_fits_and_the_unspent_goes_back(db: Database) -> None:
    block = {"at_least": 1, "at_most": 40, "limit": 100}
    assert db.ledger.reserve("key-a", "shared", DAY, **block) == 40
    assert db.ledger.reserve("key-a", "shared", DAY, **block) == 40
    assert db.ledger.reserve("key-a", "shared", DAY, **block) == 20  # what is left
    assert db.ledger.reserve("key-a", "shared", DAY, **block) == 0
    db.ledger.give_back("key-a", "shared", DAY, 25)
    assert db.ledger.used("key-a", "shared", DAY) == 75
    assert db.ledger.reserve("key-a", "shared", DAY, at_least=30, at_most=50, limit=100) == 0
    db.ledger.give_back("key-b", "shared", DAY, 5)  # nothing to give back: nothing changes
    assert db.ledger.used("key-b", "shared", DAY) == 0


def test_a_reserve_is_left_to_those_who_may_spend_it(db: Database) -> None:
    tracking = {"at_least": 1, "at_most": 50, "limit": 100, "keep": 30}
    assert db.ledger.reserve("key-a", "shared", DAY, **tracking) == 50
    assert db.ledger.reserve("key-a", "shared", DAY, **tracking) == 20
    assert db.ledger.reserve("key-a", "shared", DAY, **tracking) == 0
    assert db.ledger.reserve("key-a", "shared", DAY, at_least=1, at_most=50, limit=100) == 30


def test_quota_is_per_key_bucket_and_day(db: Database) -> None:
    spend(db, "key-a", "shared", DAY, 5, 10)
    spend(db, "key-a", "search", DAY, 1, 100)
    spend(db, "key-b", "shared", DAY, 2, 10)
    spend(db, "key-a", "shared", DAY + timedelta(days=1), 7, 10)

    assert db.ledger.usage(DAY) == [
        QuotaUsage("key-a", "search", DAY.isoformat(), 1, 100),
        QuotaUsage("key-a", "shared", DAY.isoformat(), 5, 10),
        QuotaUsage("key-b", "shared", DAY.isoformat(), 2, 10),
    ]
    assert db.ledger.used("key-a", "shared", DAY + timedelta(days=1)) == 7
    assert db.ledger.used("key-c", "shared", DAY) == 0


def test_exhaust_uses_up_the_bucket_and_nothing_comes_back_to_it(db: Database) -> None:
    spend(db, "key-a", "shared", DAY, 4, 10)
    db.ledger.exhaust("key-a", "shared", DAY, 10)
    db.ledger.exhaust("key-b", "shared", DAY, 10)
    db.ledger.give_back("key-a", "shared", DAY, 4)

    assert db.ledger.used("key-a", "shared", DAY) == 10
    assert db.ledger.used("key-b", "shared", DAY) == 10
    assert not spend(db, "key-a", "shared", DAY, 1, 10)
    assert spend(db, "key-a", "shared", DAY + timedelta(days=1), 1, 10)
    assert [u.exhausted for u in db.ledger.usage(DAY)] == [True, True]


def test_exhaust_never_lowers_use(db: Database) -> None:
    spend(db, "key-a", "shared", DAY, 10, 10)
    db.ledger.exhaust("key-a", "shared", DAY, 5)

    assert db.ledger.used("key-a", "shared", DAY) == 10


def test_a_rejected_key_is_known_to_all_until_cleared(db: Database) -> None:
    retry = NOW + timedelta(hours=1)
    db.ledger.reject_key(KeyRejection("key-a", "keyInvalid", NOW, retry))
    db.ledger.reject_key(KeyRejection("key-b", "keyExpired", NOW, retry))
    db.ledger.reject_key(KeyRejection("key-a", "accessNotConfigured", NOW, retry))

    assert db.ledger.rejections() == [
        KeyRejection("key-a", "accessNotConfigured", NOW, retry),
        KeyRejection("key-b", "keyExpired", NOW, retry),
    ]
    db.ledger.clear_rejection("key-a")
    db.ledger.clear_rejection("key-c")
    assert [r.key_fingerprint for r in db.ledger.rejections()] == ["key-b"]


def test_reserve_of_one(db: Database) -> None:
    assert spend(db, "key-a", "shared", DAY, 1, 1)
    assert db.ledger.used("key-a", "shared", DAY) == 1


# --- what the web API reads: pages, progress, metadata -----------------------------------------


def test_entries_page_by_id_and_by_channel(db: Database) -> None:
    channel = "UC" + "c" * 22
    db.watchlist.add(
        [entry(i, channel_id=channel if i % 2 else None) for i in range(5)], revive_removed=False
    )
    first = db.watchlist.scan(after=None, limit=2)
    assert [e.video_id for e in first] == [vid(0), vid(1)]
    rest = db.watchlist.scan(after=first[-1].video_id, limit=10)
    assert [e.video_id for e in rest] == [vid(2), vid(3), vid(4)]
    mine = db.watchlist.scan(after=None, limit=10, channel_id=channel)
    assert [e.video_id for e in mine] == [vid(1), vid(3)]
    assert db.watchlist.scan(after=vid(4), limit=10) == []


def test_tracked_since_counts_rows_visited_from_then(db: Database) -> None:
    db.watchlist.add([entry(i) for i in range(3)], revive_removed=False)
    claimed = db.watchlist.claim_due(now=NOW, limit=2, worker="w", lease_until=LEASE)
    db.watchlist.reschedule([visit(e) for e in claimed], worker="w")
    assert db.watchlist.count_tracked_since(NOW) == 2
    assert db.watchlist.count_tracked_since(NOW + timedelta(microseconds=1)) == 0


def test_metadata_is_read_back_while_kept(db: Database) -> None:
    db.discovery.upsert_metadata([metadata(1), metadata(2, title="two")])
    got = {m.video_id: m for m in db.discovery.get_metadata([vid(2), vid(1), vid(9)])}
    assert set(got) == {vid(1), vid(2)}
    assert got[vid(2)] == metadata(2, title="two")


def test_jobs_page_filter_and_progress(db: Database) -> None:
    jobs = [db.jobs.start_job(k, now=NOW, worker="w") for k in (JobKind.TRACK, JobKind.JANITOR) * 3]
    assert [j.id for j in db.jobs.list_jobs(limit=2)] == [jobs[5].id, jobs[4].id]
    older = db.jobs.list_jobs(before_id=jobs[4].id, limit=10, kind=JobKind.TRACK)
    assert [j.id for j in older] == [jobs[2].id, jobs[0].id]
    assert db.jobs.update_job_counts(jobs[0].id, {"done": 5, "total": 10})
    assert db.jobs.get_job(jobs[0].id).counts == {"done": 5, "total": 10}  # type: ignore[union-attr]
    db.jobs.finish_job(jobs[0].id, status=JobStatus.SUCCEEDED, now=NOW, counts={"tracked": 10})
    assert not db.jobs.update_job_counts(jobs[0].id, {"done": 1, "total": 10})
    assert db.jobs.get_job(jobs[0].id).counts == {"tracked": 10}  # type: ignore[union-attr]
    running = db.jobs.list_jobs(status=JobStatus.RUNNING, kind=JobKind.TRACK, limit=10)
    assert [j.id for j in running] == [jobs[4].id, jobs[2].id]
    assert db.jobs.get_job(10_000) is None
