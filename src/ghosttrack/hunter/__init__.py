"""Discovery: the hunter finds uploads of watched channels and saved searches, and migrates
existing databases; its channel feeds also give the tracker quota-free samples.

``discovery(...)`` builds the two parts that share one feed cache: the ``Hunter`` (run by
``ghosttrack run`` beside tracking, and by ``ghosttrack discover``) and the ``FeedSampler`` the
Tracker consults (None when ``feed_sample_tiers`` is empty).
"""

from __future__ import annotations

from dataclasses import dataclass

from ghosttrack.clock import Clock
from ghosttrack.hunter.feeds import FeedCache, FeedSampler
from ghosttrack.hunter.hunter import ChannelSampleSink, DiscoveryResult, DiscoverySource, Hunter
from ghosttrack.settings import Settings
from ghosttrack.watchlist.database import Database


@dataclass(frozen=True)
class Discovery:
    hunter: Hunter
    feed_samples: FeedSampler | None


def discovery(
    db: Database,
    youtube: DiscoverySource,
    vault: ChannelSampleSink,
    clock: Clock,
    settings: Settings,
    *,
    worker: str | None = None,
) -> Discovery:
    """The hunter and the tracker's feed sampler, sharing one feed cache."""
    feeds = FeedCache(youtube, clock, settings.feed_sample_max_age)
    hunter = Hunter(
        db.watchlist,
        db.discovery,
        db.jobs,
        youtube,
        vault,
        clock,
        settings,
        feeds=feeds,
        worker=worker,
    )
    tiers = settings.feed_tiers()
    return Discovery(hunter, FeedSampler(db.discovery, feeds, tiers) if tiers else None)


def describe(result: DiscoveryResult) -> str:
    """One line for the CLI."""
    text = (
        f"polled {result.channels_polled} channels ({result.feeds_read} feeds read), "
        f"added {result.added} videos"
    )
    if result.backfills or result.gaps:
        text += f" ({result.backfills} backfills, {result.gaps} gaps filled)"
    if result.channel_stats:
        text += f", channel statistics {result.channel_stats}"
    if result.searches_run:
        text += f", searches {result.searches_run}"
    text += f"; {result.units} units"
    if result.errors:
        text += f", errors {result.errors}"
    if result.quota_exhausted:
        text += "; quota exhausted (the rest waits for the Pacific midnight reset)"
    return text


__all__ = [
    "Discovery",
    "DiscoveryResult",
    "FeedCache",
    "FeedSampler",
    "Hunter",
    "describe",
    "discovery",
]
