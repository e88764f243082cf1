"""video_trends refreshes: an incremental refresh gives what a full one gives, the maintenance
task records a job, and a day on which YouTube changed what a view is yields no breakout."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow.compute as pc

from ghosttrack.analytics.service import Analytics
from ghosttrack.maintenance.trends import run_trends_refresh
from ghosttrack.sim.model import ViewChange
from ghosttrack.sim.world import to_ts
from ghosttrack.watchlist.records import JobKind, JobStatus
from tests.fixtures.tracked import EPOCH, Tracked, build


def analytics(world: Tracked, **settings: object) -> Analytics:
    return Analytics(world.vault, world.db.watchlist, world.clock, world.settings(**settings))


def test_an_incremental_refresh_equals_a_full_one(scratch_dir: Path) -> None:
    world = build(scratch_dir, seed=4, videos=1500, channels=8, days=20, until_day=17)
    first = run_trends_refresh(world.db, world.vault, world.clock, world.settings())
    assert first.full
    assert first.videos == first.total
    world.add(world.end, since=EPOCH + timedelta(days=17))
    step = run_trends_refresh(world.db, world.vault, world.clock, world.settings())
    assert not step.full
    assert 0 < step.videos < step.total  # only the videos with new samples
    incremental = world.vault.derived.read("video_trends")
    analytics(world).refresh_trends(full=True)
    full = world.vault.derived.read("video_trends")
    assert incremental is not None
    assert full is not None
    # the forecast model is refitted on every refresh; rows not recomputed keep the old one's
    kept = [n for n in full.column_names if not n.startswith("forecast")]
    assert incremental.select(kept).equals(full.select(kept))
    jobs = [j for j in world.db.jobs.recent_jobs(10) if j.kind is JobKind.TRENDS]
    assert [j.status for j in jobs] == [JobStatus.SUCCEEDED] * 2
    assert jobs[0].counts["videos"] == step.videos
    assert jobs[0].counts["full"] == 0


def test_a_change_in_what_counts_as_a_view_is_not_a_breakout(scratch_dir: Path) -> None:
    start, end = EPOCH + timedelta(days=12), EPOCH + timedelta(days=13)
    change = ViewChange(to_ts(start), to_ts(end), shorts_only=False, low=1.3, high=1.6)
    world = build(scratch_dir, seed=5, videos=1500, channels=8, days=20, view_changes=[change])
    since, until = EPOCH + timedelta(days=8), world.end
    known = {
        "methodology_changes": [
            {"start": start.isoformat(), "end": end.isoformat(), "note": "recount"}
        ]
    }
    unaware = analytics(world, breakout_min_views=100)
    unaware.refresh_trends()
    blind = unaware.breakouts(since=since, until=until, limit=10_000).items
    at_change = [b for b in blind if b.start <= end and b.end >= start]
    assert len(at_change) >= 20  # without the table, the recount looks like a wave of spikes
    aware = analytics(world, breakout_min_views=100, **known)
    seen = aware.breakouts(since=since, until=until, limit=10_000).items
    assert [b for b in seen if b.start <= end and b.end >= start] == []
    assert {b.video_id for b in seen} <= {b.video_id for b in blind}
    video_id = at_change[0].video_id
    series = aware.series(video_id)
    marked = pc.is_valid(series.column("methodology_change"))
    assert "recount" in series.filter(marked).column("methodology_change").to_pylist()
    assert aware.video(video_id).methodology_changes[-1].note == "recount"
