"""What users ask ghosttrack to do, as functions the CLI and (later) the web API both call."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ghosttrack.clock import Clock
from ghosttrack.errors import InputError
from ghosttrack.ids import parse_video_id
from ghosttrack.quota import QuotaPolicy, day_start, next_reset, pacific_day
from ghosttrack.schedule import new_entry
from ghosttrack.tiers import TierTable
from ghosttrack.vault.records import VaultStats
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import (
    AddResult,
    Job,
    KeyRejection,
    NewVideo,
    QuotaUsage,
    VideoStatus,
)
from ghosttrack.watchlist.watchlist import WatchlistStore

#: Rows written per statement when adding many videos (imports of a million ids).
ADD_CHUNK = 5000


@dataclass(frozen=True)
class AddReport:
    added: int
    already_present: int
    rejected: list[str] = field(default_factory=list)


def parse_video_inputs(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Ids from ids/URLs, in order and deduplicated, and a message per bad entry."""
    ids: dict[str, None] = {}
    problems: list[str] = []
    for text in inputs:
        try:
            ids[parse_video_id(text)] = None
        except ValueError as exc:
            problems.append(str(exc))
    return list(ids), problems


def add_videos(
    watchlist: WatchlistStore,
    tiers: TierTable,
    clock: Clock,
    inputs: Sequence[str],
    *,
    skip_invalid: bool = False,
) -> AddReport:
    """Add ids or URLs to the watchlist, due now. Any invalid entry: nothing is added, unless
    ``skip_invalid``. Re-adding is a no-op; re-adding a removed video revives it."""
    ids, problems = parse_video_inputs(inputs)
    if problems and not skip_invalid:
        raise InputError(
            f"nothing was added: {len(problems)} of {len(inputs)} entries are not YouTube "
            "video ids or URLs (use --skip-invalid to add the valid ones)",
            problems,
        )
    result = add_ids(watchlist, tiers, clock, [NewVideo(v) for v in ids], revive_removed=True)
    return AddReport(result.added, result.already_present, problems)


def add_ids(
    watchlist: WatchlistStore,
    tiers: TierTable,
    clock: Clock,
    videos: Sequence[NewVideo],
    *,
    revive_removed: bool,
) -> AddResult:
    """Insert watchlist rows in chunks; the caller has validated the ids."""
    now = clock.now()
    added = present = 0
    for start in range(0, len(videos), ADD_CHUNK):
        entries = [new_entry(v, tiers, now) for v in videos[start : start + ADD_CHUNK]]
        result = watchlist.add(entries, revive_removed=revive_removed)
        added += result.added
        present += result.already_present
    return AddResult(added, present)


def change_status(
    watchlist: WatchlistStore, clock: Clock, inputs: Sequence[str], status: VideoStatus
) -> int:
    """Remove (tombstone), pause or revive videos; all inputs must be valid."""
    ids, problems = parse_video_inputs(inputs)
    if problems:
        raise InputError("nothing was changed: some entries are not video ids or URLs", problems)
    return watchlist.set_status(ids, status, next_track_at=clock.now())


@dataclass(frozen=True)
class BucketUse:
    used: int
    limit: int
    exhausted: bool  # YouTube said quotaExceeded: resting until the reset


@dataclass(frozen=True)
class KeyReport:
    """One API key, by fingerprint: its state and its use of each bucket today."""

    fingerprint: str
    state: str  # "ok", "resting" (a bucket exhausted) or "rejected"
    reason: str | None  # why YouTube rejected it
    retry_at: datetime | None  # when a rejected key is tried again
    buckets: dict[str, BucketUse]


def key_reports(
    fingerprints: Sequence[str],
    usage: Sequence[QuotaUsage],
    rejections: Sequence[KeyRejection],
    policy: QuotaPolicy,
    now: datetime,
) -> list[KeyReport]:
    """Each configured key (and any other the ledger knows today), its state and use."""
    rows = {(u.key_fingerprint, u.bucket): u for u in usage}
    rejected = {r.key_fingerprint: r for r in rejections if r.retry_at > now}
    known = dict.fromkeys([*fingerprints, *(u.key_fingerprint for u in usage), *rejected])
    reports = []
    for fingerprint in known:
        buckets = {}
        for bucket, limit in policy.buckets.items():
            row = rows.get((fingerprint, bucket))
            buckets[bucket] = BucketUse(
                row.used if row else 0, row.limit if row else limit, bool(row and row.exhausted)
            )
        rejection = rejected.get(fingerprint)
        state = "rejected" if rejection else "ok"
        if not rejection and any(b.exhausted for b in buckets.values()):
            state = "resting"
        reports.append(
            KeyReport(
                fingerprint,
                state,
                rejection.reason if rejection else None,
                rejection.retry_at if rejection else None,
                buckets,
            )
        )
    return reports


@dataclass(frozen=True)
class StatusReport:
    """Everything ``ghosttrack status`` shows."""

    now: datetime
    watchlist_total: int
    by_tier: dict[str, int]
    by_status: dict[str, int]
    due_now: int
    backlog: int
    on_schedule_share: float | None  # active videos not in the backlog; None: none active
    tracked_today: int  # videos visited since the Pacific midnight
    metadata_rows: int
    quota_day: str
    quota_resets_at: datetime
    quota: list[QuotaUsage]
    vault: VaultStats
    jobs: list[Job]
    keys: list[KeyReport] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {key: _jsonable(value) for key, value in asdict(self).items()}


def status_report(
    db: Database,
    vault_stats: VaultStats,
    clock: Clock,
    jobs: int = 5,
    *,
    key_fingerprints: Sequence[str] = (),
    policy: QuotaPolicy | None = None,
) -> StatusReport:
    """A look at every store and the vault; the keys by fingerprint (those configured, and
    any other the ledger knows today)."""
    now = clock.now()
    counts = db.watchlist.counts(now=now)
    day = pacific_day(now)
    usage = db.ledger.usage(day)
    rejections = db.ledger.rejections()
    keys = key_reports(key_fingerprints, usage, rejections, policy or QuotaPolicy(), now)
    return StatusReport(
        now=now,
        watchlist_total=counts.total,
        by_tier=dict(counts.by_tier),
        by_status=dict(counts.by_status),
        due_now=counts.due_now,
        backlog=counts.backlog,
        on_schedule_share=on_schedule_share(
            counts.by_status.get(VideoStatus.ACTIVE.value, 0), counts.backlog
        ),
        tracked_today=db.watchlist.count_tracked_since(day_start(now)),
        metadata_rows=db.discovery.count_metadata(),
        quota_day=day.isoformat(),
        quota_resets_at=next_reset(now),
        quota=usage,
        vault=vault_stats,
        jobs=db.jobs.recent_jobs(jobs),
        keys=keys,
    )


def on_schedule_share(active: int, backlog: int) -> float | None:
    """The share of active videos visited on schedule (not overdue by over an hour)."""
    if active <= 0:
        return None
    return round((active - min(backlog, active)) / active, 4)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
