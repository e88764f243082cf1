"""The simulated world: deterministic, realistic in shape, and cheap at a million videos."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ghosttrack.ids import CHANNEL_ID, VIDEO_ID
from ghosttrack.sim.codec import VideoIdCodec, channel_id_for
from ghosttrack.sim.world import DAY, HOUR, World, from_ts, raw_views, round_subscribers

EPOCH = datetime(2026, 6, 1, tzinfo=UTC)


def test_same_seed_same_world_different_seed_different_world() -> None:
    a, b, c = World(3, 500, 5, EPOCH), World(3, 500, 5, EPOCH), World(4, 500, 5, EPOCH)
    moments = [EPOCH - timedelta(days=30), EPOCH, EPOCH + timedelta(hours=5)]
    ids = [a.video_id(i) for i in range(0, 500, 7)]
    assert ids == [b.video_id(i) for i in range(0, 500, 7)]
    assert [a.stats(v, t) for v in ids for t in moments] == [
        b.stats(v, t) for v in ids for t in moments
    ]
    assert [ch.channel_id for ch in a.channels] == [ch.channel_id for ch in b.channels]
    assert ids != [c.video_id(i) for i in range(0, 500, 7)]
    assert [ch.channel_id for ch in a.channels] != [ch.channel_id for ch in c.channels]


def test_video_ids_are_real_youtube_ids_and_decode_back() -> None:
    codec = VideoIdCodec(11)
    for index in [*range(2000), 2**20, 999_999, 2**40]:
        video_id = codec.encode(index)
        assert VIDEO_ID.match(video_id), video_id
        assert codec.decode(video_id) == index
    assert len({codec.encode(i) for i in range(50_000)}) == 50_000


def test_foreign_or_malformed_ids_are_not_videos_of_the_world(sim_world: World) -> None:
    real = sim_world.video_id(5)
    assert sim_world.video_index(real) == 5
    assert sim_world.video_index(real[:10] + "B") is None  # last char never ends a real id
    assert sim_world.video_index(real[:10]) is None
    assert sim_world.video_index("dQw4w9WgXcQ") is None  # a real YouTube id, not of this world
    assert World(8, 2000, 20, EPOCH).video_index(real) != 5


def test_channel_ids_match_youtube_format() -> None:
    ids = [channel_id_for(5, i) for i in range(3000)]
    assert all(CHANNEL_ID.match(c) for c in ids)
    assert len(set(ids)) == 3000


def test_channels_differ_wildly_in_size_and_rhythm() -> None:
    world = World(1, 40_000, 200, EPOCH)
    subscribers = sorted(c.subscribers for c in world.channels)
    assert subscribers[-1] > 1000 * subscribers[0]
    assert subscribers[-1] > 50 * statistics.median(subscribers)
    uploads = sorted(c.video_count for c in world.channels)
    assert sum(uploads) == 40_000
    assert uploads[-1] > 10 * statistics.median(uploads)
    assert set(Counter(c.rhythm for c in world.channels)) == {
        "prolific", "daily", "weekly", "bursty", "sporadic",
    }  # fmt: skip
    assert len({c.handle.lower() for c in world.channels}) == 200


def test_back_catalogue_spans_years_and_uploads_continue_after_epoch(sim_world: World) -> None:
    epoch_ts = EPOCH.timestamp()
    published = [sim_world.traits(i).published for i in range(sim_world.video_count)]
    before = [p for p in published if p < epoch_ts]
    assert 0.7 < len(before) / len(published) < 0.98
    assert epoch_ts - min(published) > 2 * 365 * DAY
    assert max(published) > epoch_ts + 7 * DAY


def test_uploads_appear_over_simulated_days_in_publish_order(sim_world: World) -> None:
    daily = next(c for c in sim_world.channels if c.rhythm in ("daily", "prolific"))
    week = sim_world.uploads(daily.channel_id, EPOCH, EPOCH + timedelta(days=7))
    assert len(week) >= 4
    times = [u.published_at for u in week]
    assert times == sorted(times)
    assert all(EPOCH <= t < EPOCH + timedelta(days=7) for t in times)
    first = week[0]
    assert sim_world.stats(first.video_id, first.published_at - timedelta(seconds=1)) is None
    assert sim_world.status(first.video_id, first.published_at - timedelta(hours=1)) == (
        "unpublished"
    )
    assert sim_world.stats(first.video_id, first.published_at + timedelta(hours=1)) is not None


def test_views_launch_fast_then_decay_into_a_long_tail(sim_world: World) -> None:
    ratios, tail_growth = [], []
    for traits in sim_world.find_videos(300, lambda t: not t.corrections and t.viral_age > 1e12):
        at = [traits.published + age for age in (6 * HOUR, 2 * DAY, 30 * DAY, 365 * DAY)]
        views = [sim_world.observe(traits, ts) for ts in at]
        if any(v is None for v in views) or views[2][0] < 200:  # type: ignore[index]
            continue
        six_hours, two_days, month, year = (v[0] for v in views)  # type: ignore[index]
        assert six_hours <= two_days <= month <= year
        ratios.append(two_days / month)
        tail_growth.append(year / month)
    assert len(ratios) > 50
    assert statistics.median(ratios) > 0.3  # most of a month's views come in the first days
    assert statistics.median(tail_growth) > 1.1  # and the tail keeps adding


def test_likes_and_comments_come_in_plausible_ratios(sim_world: World) -> None:
    ratios = []
    for index in range(sim_world.video_count):
        traits = sim_world.traits(index)
        observed = sim_world.observe(traits, traits.published + 90 * DAY)
        if observed is None or observed[0] < 5000 or observed[1] is None or observed[2] is None:
            continue
        views, likes, comments = observed
        assert 0.002 < likes / views < 0.15
        assert comments <= likes
        ratios.append(likes / views)
    assert len(ratios) > 50


def test_some_videos_hide_likes_and_some_have_comments_off(sim_world: World) -> None:
    at = EPOCH
    stats = [sim_world.stats(v, at) for v in sim_world.video_ids(1500)]
    hidden = sum(1 for s in stats if s is not None and s.likes is None)
    off = sum(1 for s in stats if s is not None and s.comments is None)
    assert 0.01 * len(stats) < hidden < 0.1 * len(stats)
    assert 0.02 * len(stats) < off < 0.12 * len(stats)


def test_a_video_turns_private_or_deleted_at_a_moment_and_is_absent_after(
    sim_world: World,
) -> None:
    gone = sim_world.find_videos(20, lambda t: t.gone_at < 1e12)
    assert {t.gone_kind for t in gone} == {"private", "deleted"}
    for traits in gone:
        video_id = sim_world.video_id(traits.number)
        just_before = from_ts(traits.gone_at - 1)
        assert sim_world.stats(video_id, just_before) is not None
        assert sim_world.stats(video_id, from_ts(traits.gone_at)) is None
        assert sim_world.status(video_id, from_ts(traits.gone_at + DAY)) == traits.gone_kind


def test_views_mostly_grow_but_are_now_and_then_corrected_downward(sim_world: World) -> None:
    steps = drops = 0
    for index in range(0, sim_world.video_count, 4):
        traits = sim_world.traits(index)
        previous = None
        for hour in range(0, 24 * 20, 3):
            observed = sim_world.observe(traits, traits.published + hour * HOUR)
            if observed is None:
                break
            if previous is not None:
                steps += 1
                drops += observed[0] < previous
            previous = observed[0]
    assert drops > 0
    assert drops / steps < 0.01


def test_a_correction_removes_views_at_its_moment(sim_world: World) -> None:
    corrected = sim_world.find_videos(
        1,
        lambda t: (
            bool(t.corrections)
            and t.corrections[0][1] * raw_views(t, t.corrections[0][0]) >= 5
            and t.gone_at > 1e12
        ),
    )
    traits = corrected[0]
    age, share = traits.corrections[0]
    removed = share * raw_views(traits, age)
    before = sim_world.observe(traits, traits.published + age - 1)
    after = sim_world.observe(traits, traits.published + age)
    assert before is not None
    assert after is not None
    assert after[0] < before[0]
    assert before[0] - after[0] <= removed + 1


def test_a_viral_spike_multiplies_views() -> None:
    world = World(2, 20_000, 40, EPOCH)
    viral = world.find_videos(5, lambda t: t.viral_age < 1e12 and t.gone_at > 1e12)
    assert viral
    for traits in viral:
        spike = traits.published + traits.viral_age
        before = world.observe(traits, spike)
        after = world.observe(traits, spike + 10 * traits.viral_tau)
        assert before is not None
        assert after is not None
        assert after[0] > 2 * before[0]


def test_handles_resolve_case_insensitively_with_or_without_at(sim_world: World) -> None:
    channel = sim_world.channels[3]
    assert sim_world.channel_by_handle(channel.handle) is channel
    assert sim_world.channel_by_handle(channel.handle.upper()) is channel
    assert sim_world.channel_by_handle(channel.handle[1:]) is channel
    assert sim_world.channel_by_handle("@nobody-here") is None


def test_channel_statistics_grow_and_hide_subscribers_sometimes() -> None:
    world = World(5, 20_000, 300, EPOCH)
    hidden = [c for c in world.channels if c.hidden_subscribers]
    assert hidden
    stats = world.channel_stats(hidden[0], EPOCH)
    assert stats is not None
    assert stats.subscribers is None
    channel = next(c for c in world.channels if not c.hidden_subscribers)
    now, later = (
        world.channel_stats(channel, EPOCH),
        world.channel_stats(channel, EPOCH + timedelta(days=30)),
    )
    assert now is not None
    assert later is not None
    assert later.videos >= now.videos
    assert later.views >= now.views
    assert later.subscribers is not None
    assert now.subscribers is not None
    assert later.subscribers >= now.subscribers
    assert world.channel_stats(channel, from_ts(channel.created_at - 1)) is None


@pytest.mark.parametrize(
    ("count", "shown"),
    [(999, 999), (1234, 1230), (98_765, 98_700), (12_345_678, 12_300_000)],
)
def test_subscriber_counts_are_rounded_to_three_significant_figures(count: int, shown: int) -> None:
    assert round_subscribers(count) == shown


def test_video_ids_helper_returns_public_videos_published_before(sim_world: World) -> None:
    cutoff = EPOCH - timedelta(days=100)
    ids = sim_world.video_ids(40, published_before=cutoff)
    assert len(ids) == 40
    for video_id in ids:
        stats = sim_world.stats(video_id, cutoff)
        assert stats is not None
        assert stats.published_at is not None
        assert stats.published_at < cutoff


def test_a_million_videos_build_fast_in_little_memory() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        world = World(9, 1_000_000)
        built = time.perf_counter() - started
        ids = [world.video_id(i) for i in range(0, 1_000_000, 20_000)]
        assert all(world.stats(v, EPOCH) is not None or world.status(v, EPOCH) for v in ids)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert world.channel_count == 5000
    assert built < 10.0
    assert peak < 60 * 1024 * 1024


def test_one_video_and_a_batch_go_through_the_same_model(sim_world: World) -> None:
    indices = list(range(0, sim_world.video_count, 3))
    assert sim_world.batch(indices).rows() == [sim_world.traits(i) for i in indices]
    for moment in (EPOCH - timedelta(days=400), EPOCH, EPOCH + timedelta(days=9)):
        ts = moment.timestamp()
        batch = sim_world.observe_many(indices, ts)
        one_by_one = [sim_world.observe(sim_world.traits(i), ts) for i in indices]
        assert [None if b is None else (b.views, b.likes, b.comments) for b in batch] == one_by_one
