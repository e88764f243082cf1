"""Analytics over a simulated world tracked through the real vault and a SQLite watchlist: the
figures against the world's own counts, rankings, and breakout detection scored against the
spikes the world planted."""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pyarrow.compute as pc
import pytest

from ghosttrack.analytics.service import Analytics
from ghosttrack.errors import InputError
from ghosttrack.sim import model
from ghosttrack.sim.history import tracked
from ghosttrack.sim.world import Spike, Traits, to_ts
from ghosttrack.tiers import PRESETS
from tests.fixtures.tracked import Tracked

HOUR = timedelta(hours=1)


def analytics(world: Tracked, **settings: object) -> Analytics:
    return Analytics(world.vault, world.db.watchlist, world.clock, world.settings(**settings))


def young_video(world: Tracked, min_age: timedelta) -> str:
    """A video at least ``min_age`` but less than 29 days old at the end, public throughout."""
    rows = world.world.find_videos(
        1,
        lambda t: (
            to_ts(world.end - timedelta(days=29)) < t.published < to_ts(world.end - min_age)
            and t.gone_at > to_ts(world.end)
            and t.v0 > 500
        ),
    )
    return world.world.video_id(rows[0].number)


def test_milestones_are_the_counts_youtube_showed_at_those_ages(tracked_world: Tracked) -> None:
    video_id = young_video(tracked_world, timedelta(days=9))
    report = analytics(tracked_world).video(video_id)
    published = report.published_at
    assert published is not None
    for milestone in report.milestones[:3]:  # 1 h, 24 h, 7 d: visited at exactly those ages
        seen = tracked_world.world.stats(video_id, published + milestone.age_hours * HOUR)
        assert seen is not None
        assert milestone.views == seen.views, milestone.label
    assert report.milestones[3].views is None  # 30 days not reached: no invented value
    assert report.samples == len(analytics(tracked_world).series(video_id))
    assert report.views == tracked_world.world.stats(video_id, report.last_sample_at).views


def test_report_has_velocities_score_and_forecast(tracked_world: Tracked) -> None:
    video_id = young_video(tracked_world, timedelta(days=3))
    report = analytics(tracked_world).video(video_id)
    v = report.velocity
    assert v.views_per_hour is not None
    assert v.over_hours is not None
    assert report.views is not None
    assert report.age_hours is not None
    assert v.lifetime_average == pytest.approx(report.views / report.age_hours)
    assert report.score.peers >= report.score.min_peers
    assert report.score.value is not None
    assert report.score.median_views is not None
    assert report.score.value == pytest.approx(report.views / report.score.median_views)
    assert report.forecast.views_30d is not None
    assert report.forecast.trained_on >= 20
    body = report.to_json()
    assert body["derived"]["computed_by"] == "ghosttrack"
    assert body["derived"]["forecast"]["estimate"] is True
    assert "not YouTube" in body["derived"]["note"]


def test_the_forecast_is_right_within_its_measured_error(tracked_world: Tracked) -> None:
    """The held-out error the model reports is honest: about half the videos that reached 30
    days are forecast (from 24 h) within it."""
    trends = tracked_world.vault.derived.read("video_trends")
    assert trends is not None
    a = analytics(tracked_world)
    reached = trends.filter(
        pc.and_(pc.is_valid(trends["views_30d"]), pc.greater(trends["views_24h"], 0))
    )
    from ghosttrack.analytics.refresh import State

    state = State.read(tracked_world.vault)
    assert state is not None
    (fit,) = [f for f in state.model.fits if f.age_seconds == 86400]
    predicted = np.array(reached["views_24h"].to_pylist()) * np.exp(fit.beta)
    actual = np.array(reached["views_30d"].to_pylist())
    within = np.abs(predicted - actual) / actual <= fit.median_error
    assert 0.4 <= within.mean() <= 0.6
    assert a.refreshed_at() is not None


def test_top_ranks_by_velocity_and_filters(tracked_world: Tracked) -> None:
    a = analytics(tracked_world)
    ranking = a.top(limit=10)
    velocities = ranking.rows.column("velocity").to_pylist()
    assert velocities == sorted(velocities, reverse=True)
    assert len(velocities) == 10
    channel = ranking.rows.column("channel_id")[0].as_py()
    mine = a.top(channel=channel, limit=1000).rows
    assert set(mine.column("channel_id").to_pylist()) == {channel}
    young = a.top(max_age=timedelta(days=2), limit=1000).rows
    assert max(young.column("age_hours").to_pylist()) < 48
    by_score = a.top(by="score", limit=5).rows.column("score").to_pylist()
    assert by_score == sorted(by_score, reverse=True)
    with pytest.raises(InputError, match="cannot rank by 'likes'"):
        a.top(by="likes")


def test_unknown_video_is_a_clear_error(tracked_world: Tracked) -> None:
    with pytest.raises(InputError, match="no sample of video 'AAAAAAAAAAA'"):
        analytics(tracked_world).video("AAAAAAAAAAA")


def test_planted_spikes_are_found_and_few_others(tracked_world: Tracked) -> None:
    """Every interval of the last six weeks judged. The truth comes from the world: a planted
    spike is a breakout to find when, in some sampling interval, the views it added were at
    least the minimum and k times what the channel's recent uploads gained at the same ages,
    while the video sped up (gained at least ``acceleration`` times what it gained just before)
    — the definition, on the model's exact counts. All of those must be found, and few videos
    without a spike flagged. The figures are printed for the report."""
    min_views, k, acceleration = 100, 5.0, 1.5
    a = analytics(
        tracked_world,
        breakout_min_views=min_views,
        breakout_ratio=k,
        breakout_acceleration=acceleration,
    )
    since, until = tracked_world.start + timedelta(days=14), tracked_world.end
    found = a.breakouts(since=since, until=until, limit=10_000).items
    flagged = {b.video_id for b in found}
    spikes = tracked_world.world.spikes(since, until - timedelta(days=8))
    to_find = [s for s in spikes if _breaks_out(tracked_world, s, k, acceleration, min_views)]
    missed = [s.video_id for s in to_find if s.video_id not in flagged]
    spiky = {s.video_id for s in tracked_world.world.spikes()}
    false = flagged - spiky
    print(
        f"\nspikes planted {len(spikes)} ({len(to_find)} sudden {k:g}x breakouts), found "
        f"{len(to_find) - len(missed)} of those and {len(flagged & {s.video_id for s in spikes})}"
        f" of all; videos flagged without a spike {len(false)} of "
        f"{tracked_world.world.video_count}"
    )
    assert len(to_find) >= 5
    assert missed == []
    assert len(false) <= tracked_world.world.video_count // 500
    assert all(b.gain >= min_views for b in found)


def _breaks_out(
    world: Tracked, spike: Spike, k: float, acceleration: float, min_views: float
) -> bool:
    """Whether, in one of the video's sampling intervals, the spike added at least
    ``min_views`` and ``k`` times the median gain of the channel's 20 most recent earlier
    uploads (public then) over the same ages, while the video gained ``acceleration`` times
    what it gained over as long just before — all from the model."""
    w = world.world
    index = w.video_index(spike.video_id)
    assert index is not None
    video = w.traits(index)
    channel = w.channels[video.channel]
    earlier = w.batch(range(max(channel.first_video, index - 20), index)).rows()
    visits = tracked(w, [index], world.start, world.end, PRESETS["ghost"])
    t = np.array([to_ts(x) for x in visits.column("timestamp").to_pylist()])
    flat = video._replace(viral_size=0.0)
    for t0, t1 in itertools.pairwise(t):
        added = _gain(video, t0, t1) - _gain(flat, t0, t1)
        before = _gain(video, max(t0 - (t1 - t0), video.published), t0)
        a0, a1 = t0 - video.published, t1 - video.published
        peers = [
            _gain(p, p.published + a0, p.published + a1)
            for p in earlier
            if p.gone_at > p.published + a1
        ]
        if (
            peers
            and added >= min_views
            and added >= k * float(np.median(peers))
            and _gain(video, t0, t1) >= acceleration * before
        ):
            return True
    return False


def _gain(traits: Traits, t0: float, t1: float) -> float:
    start = model.observe(model.SCALAR, traits, t0)[0]
    end = model.observe(model.SCALAR, traits, t1)[0]
    return float(end - start)
