"""The hunter against the simulator over HTTP on loopback, on simulated days: channels by id,
handle and URL; backfills and their cost; uploads discovered within a poll interval with the
feed costing nothing; gaps; the search bucket; feed samples in place of API visits."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from ghosttrack.clock import ManualClock
from ghosttrack.errors import InputError
from ghosttrack.hunter import Discovery, Hunter, discovery
from ghosttrack.hunter.channels import add_channels
from ghosttrack.hunter.hunter import Discovered
from ghosttrack.hunter.searches import add_search
from ghosttrack.quota import SEARCH, pacific_day
from ghosttrack.runtime import Runtime, open_runtime
from ghosttrack.settings import Settings
from ghosttrack.sim.server import SimServer
from ghosttrack.sim.world import World
from ghosttrack.tracker.daemon import Daemon
from ghosttrack.tracker.tracker import Tracker
from ghosttrack.watchlist.records import NewSearch
from ghosttrack.youtube.client import YouTubeClient
from tests.fixtures.sim import SIM_EPOCH, MakeSim

#: Channels of the fixtures' world (seed 7, 2,000 videos, 20 channels): 1 is weekly with 270
#: uploads before the epoch; 3, 6, 9 and 18 upload about daily.
WEEKLY_BIG, DAILY = 1, (3, 6, 9, 18)


class StoppingClock(ManualClock):
    """A ManualClock whose sleeps end the run (set ``stop``) once ``until`` is reached."""

    def __init__(self, start: datetime, until: datetime, stop: asyncio.Event) -> None:
        super().__init__(start)
        self.until, self.stop = until, stop

    async def sleep(self, seconds: float) -> None:
        target = min(self.now() + timedelta(seconds=max(0.0, seconds)), self.until)
        self.set(max(target, self.now()))
        if self.now() >= self.until:
            self.stop.set()
        await asyncio.sleep(0)


@dataclass
class Setup:
    sim: SimServer
    clock: ManualClock
    rt: Runtime

    @property
    def world(self) -> World:
        return self.sim.world

    def channel_ids(self, *indices: int) -> list[str]:
        return [self.world.channels[i].channel_id for i in indices]

    def sim_requests(self) -> Counter[str]:
        return Counter(self.sim.simulator.state.requests)

    @asynccontextmanager
    async def youtube(self) -> AsyncIterator[YouTubeClient]:
        async with self.rt.youtube() as client:
            yield client

    def hunter(self, youtube: YouTubeClient) -> Hunter:
        return self.parts(youtube).hunter

    def parts(self, youtube: YouTubeClient) -> Discovery:
        rt = self.rt
        return discovery(rt.db, youtube, rt.vault, rt.clock, rt.settings, worker="hunter")

    async def watch(self, youtube: YouTubeClient, *indices: int) -> None:
        rt = self.rt
        await add_channels(
            rt.db.discovery, youtube, rt.vault, rt.clock, rt.settings, self.channel_ids(*indices)
        )


@pytest.fixture
def setup(
    make_sim: MakeSim, sqlite_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Setup]:
    """The simulator and a runtime (SQLite) on one ManualClock at the epoch; settings
    overrides come from indirect parametrisation (``request.param``)."""
    overrides = dict(getattr(request, "param", {}))
    with _runtime(make_sim, sqlite_url, tmp_path, ManualClock(SIM_EPOCH), overrides) as done:
        yield done


@contextmanager
def _runtime(
    make_sim: MakeSim,
    url: str,
    tmp_path: Path,
    clock: ManualClock,
    overrides: dict[str, Any],
) -> Iterator[Setup]:
    sim = make_sim(clock=clock)
    base: dict[str, Any] = {
        "home": tmp_path,
        "database_url": url,
        "youtube_api_url": sim.base_url,
        "youtube_feed_url": sim.feed_url,
        "youtube_api_keys": [SecretStr("hunter-test-key")],
        "discovery_details": False,
    }
    settings = Settings(**{**base, **overrides})
    with open_runtime(settings, clock=clock) as rt:
        yield Setup(sim, clock, rt)


async def run_until(hunter: Hunter, clock: ManualClock, until: datetime) -> list[Any]:
    """Run the hunter each time something is due, until ``until``."""
    results = []
    while True:
        due = hunter.next_due_at()
        if due is None or due > until:
            return results
        clock.set(max(due, clock.now()))
        results.append(await hunter.run_once())


async def test_handles_and_urls_resolve_and_a_bad_entry_adds_nothing(setup: Setup) -> None:
    one, two, three, four = (setup.world.channels[i] for i in (0, 1, 2, 4))
    db = setup.rt.db
    async with setup.youtube() as youtube:
        with pytest.raises(InputError) as unknown:
            await add_channels(
                db.discovery, youtube, setup.rt.vault, setup.clock, setup.rt.settings,
                [one.channel_id, "@nosuchchannelanywhere"],
            )  # fmt: skip
        assert "'@nosuchchannelanywhere'" in str(unknown.value)
        assert db.discovery.list_channels() == []

        done = await add_channels(
            db.discovery, youtube, setup.rt.vault, setup.clock, setup.rt.settings,
            [
                one.channel_id,
                two.handle.upper(),  # handles are case-insensitive
                f"https://www.youtube.com/{three.handle}/videos",
                f"https://www.youtube.com/channel/{four.channel_id}",
            ],
        )  # fmt: skip

    assert [c.channel_id for c in done.added] == [
        one.channel_id,
        two.channel_id,
        three.channel_id,
        four.channel_id,
    ]
    listed = {c.channel_id: c for c in db.discovery.list_channels()}
    assert listed[two.channel_id].handle == two.handle
    assert listed[three.channel_id].title == three.title
    stats = setup.rt.vault.read_channel_samples().to_pylist()
    assert {s["channel_id"] for s in stats} == set(listed)


@pytest.mark.parametrize("setup", [{"backfill_uploads": 200}], indirect=True)
async def test_a_two_hundred_video_backfill_costs_four_units(setup: Setup) -> None:
    async with setup.youtube() as youtube:
        await setup.watch(youtube, WEEKLY_BIG)
        before = setup.sim_requests()
        result = await setup.hunter(youtube).run_once()

    spent = setup.sim_requests() - before
    assert result.added == 200
    assert result.units == 4
    assert spent["playlistItems.list"] == 4
    usage = {u.bucket: u.used for u in setup.rt.db.ledger.usage(pacific_day(setup.clock.now()))}
    assert usage["shared"] == 1 + 4  # channels.list to add it, then the four pages
    [channel_id] = setup.channel_ids(WEEKLY_BIG)
    newest = [u.video_id for u in setup.world.uploads(channel_id, until=setup.clock.now())]
    public = [
        v for v in newest if setup.world.status(v, setup.clock.now()) == "public"
    ]  # the playlist lists public uploads only
    assert {e.video_id for e in setup.rt.db.watchlist.get(public[-200:])} == set(public[-200:])


async def test_uploads_are_found_within_one_poll_interval_and_the_feed_costs_nothing(
    setup: Setup,
) -> None:
    days = 4
    until = SIM_EPOCH + timedelta(days=days)
    async with setup.youtube() as youtube:
        await setup.watch(youtube, *DAILY)
        hunter = setup.hunter(youtube)
        first = await hunter.run_once()
        after_backfill = setup.sim_requests()
        results = await run_until(hunter, setup.clock, until)

    assert first.backfills == len(DAILY)
    spent = setup.sim_requests() - after_backfill
    assert spent["channels.list"] == days  # the daily statistics, all channels in one call
    assert spent["playlistItems.list"] == 0
    assert set(spent) <= {"feed", "channels.list"}  # the simulator's names
    assert sum(r.units for r in results) == days
    discovered = {d.video_id: d for r in results for d in r.discovered}
    uploads = [
        u
        for channel_id in setup.channel_ids(*DAILY)
        for u in setup.world.uploads(channel_id, since=SIM_EPOCH, until=until)
        if u.gone_at is None or u.gone_at > u.published_at + timedelta(hours=2)
    ]
    assert len(uploads) >= 10
    max_interval = setup.rt.settings.channel_poll_max
    for upload in uploads:
        found: Discovered | None = discovered.get(upload.video_id)
        assert found is not None, f"{upload.video_id} published {upload.published_at} not found"
        assert found.via == "feed"
        assert found.poll_every is not None
        assert found.poll_every <= max_interval
        assert timedelta(0) <= found.seen_at - upload.published_at <= found.poll_every


async def test_a_gap_longer_than_the_feed_is_filled_from_the_uploads_playlist(
    setup: Setup,
) -> None:
    [channel_id] = setup.channel_ids(3)
    async with setup.youtube() as youtube:
        await setup.watch(youtube, 3)
        hunter = setup.hunter(youtube)
        await hunter.run_once()
        start = setup.clock.now()
        setup.clock.advance(timedelta(days=16))  # the hunter was down: ~21 uploads, feed shows 15
        result = await hunter.run_once()

    missed = [
        u.video_id
        for u in setup.world.uploads(channel_id, since=start, until=setup.clock.now())
        if setup.world.status(u.video_id, setup.clock.now()) == "public"
    ]
    assert len(missed) > 15
    assert result.gaps == 1
    assert result.playlist_pages == 1
    assert {e.video_id for e in setup.rt.db.watchlist.get(missed)} == set(missed)
    assert {d.via for d in result.discovered} == {"feed", "playlist"}


@pytest.mark.parametrize("setup", [{"search_quota": 5}], indirect=True)
async def test_searches_are_admitted_and_run_within_the_search_bucket(setup: Setup) -> None:
    rt = setup.rt
    add_search(rt.db.discovery, setup.clock, rt.settings, "cooking", timedelta(hours=6))  # 4 a day
    with pytest.raises(InputError, match="search bucket holds 5"):
        add_search(rt.db.discovery, setup.clock, rt.settings, "chess", timedelta(hours=6))
    for query in ("science", "history", "travel"):  # past the admission check: 96 a day each
        rt.db.discovery.add_search(
            NewSearch(query, timedelta(minutes=15), setup.clock.now(), setup.clock.now())
        )
    until = SIM_EPOCH + timedelta(days=2)
    async with setup.youtube() as youtube:
        results = await run_until(setup.hunter(youtube), setup.clock, until)

    by_day: Counter[str] = Counter()
    for day, keys in setup.sim.simulator.state.meter.by_day().items():
        by_day[day] += sum(buckets.get(SEARCH, 0) for buckets in keys.values())
    assert len(by_day) == 3  # Pacific days: the epoch is 17:00 the day before in Los Angeles
    assert max(by_day.values()) <= 5
    assert sum(by_day.values()) == sum(r.searches_run for r in results)
    assert len(results) < 40, "searches wait (stretched, or for the reset) instead of looping"
    ran = [s for s in rt.db.discovery.list_searches() if s.query != "cooking" and s.last_run_at]
    assert ran
    assert all(s.next_run_at - s.last_run_at >= timedelta(hours=14) for s in ran)  # stretched
    assert sum(r.added for r in results) > 0


async def test_the_daemon_discovers_beside_tracking_and_feeds_replace_hourly_api_visits(
    make_sim: MakeSim, sqlite_url: str, tmp_path: Path
) -> None:
    with_feeds = await _one_day(make_sim, sqlite_url, tmp_path / "feeds", feeds=True)
    without = await _one_day(make_sim, sqlite_url, tmp_path / "api", feeds=False)

    assert with_feeds.discovered == without.discovered > 0
    assert with_feeds.samples == without.samples
    assert with_feeds.hourly_samples > 0
    assert with_feeds.hourly_from_feeds == with_feeds.hourly_samples
    assert with_feeds.feed_samples_older_than_a_day == 0
    assert without.sources.get("feed", 0) == 0
    assert with_feeds.units_saved > 0
    assert without.tracking_units - with_feeds.tracking_units == with_feeds.units_saved


@dataclass
class DayOutcome:
    discovered: int
    samples: int
    hourly_samples: int
    hourly_from_feeds: int
    feed_samples_older_than_a_day: int
    sources: Counter[str]
    units_saved: int
    tracking_units: int


async def _one_day(make_sim: MakeSim, url: str, home: Path, *, feeds: bool) -> DayOutcome:
    """A simulated day of ``ghosttrack run`` watching the daily channels."""
    stop = asyncio.Event()
    clock = StoppingClock(SIM_EPOCH, SIM_EPOCH + timedelta(days=1), stop)
    database = f"sqlite:///{home / 'ghosttrack.db'}"
    overrides: dict[str, Any] = {
        "backfill_uploads": 15,
        "feed_sample_tiers": None if feeds else [],
        "idle_poll": timedelta(hours=1),
        "use_batch_get_stats": False,
    }
    with _runtime(make_sim, database, home, clock, overrides) as setup:
        rt = setup.rt
        async with setup.youtube() as youtube:
            await setup.watch(youtube, *DAILY)
            parts = setup.parts(youtube)
            tracker = Tracker(
                rt.db.watchlist, rt.db.jobs, youtube, rt.vault, clock, rt.settings, worker="t",
                feed_samples=parts.feed_samples,
            )  # fmt: skip
            await Daemon(tracker, rt.db.watchlist, clock, rt.settings, discoverer=parts.hunter).run(
                stop
            )
        jobs = rt.db.jobs.recent_jobs(10_000)
        samples = rt.vault.read_samples().to_pylist()
    track_jobs = [j for j in jobs if j.kind == "track"]
    discover_jobs = [j for j in jobs if j.kind == "discover"]
    day = timedelta(hours=24)
    hourly = [s for s in samples if s["timestamp"] - s["published_at"] < day]
    old_feeds = [
        s
        for s in samples
        if s["source"] == "feed" and s["timestamp"] - s["published_at"] > day + timedelta(hours=1)
    ]
    return DayOutcome(
        discovered=sum(j.counts.get("added", 0) for j in discover_jobs),
        samples=len(samples),
        hourly_samples=len(hourly),
        hourly_from_feeds=sum(s["source"] == "feed" for s in hourly),
        feed_samples_older_than_a_day=len(old_feeds),
        sources=Counter(s["source"] for s in samples),
        units_saved=sum(j.counts.get("units_saved", 0) for j in track_jobs),
        tracking_units=sum(j.counts.get("calls", 0) for j in track_jobs),
    )
