"""Watched channels: ``ghosttrack channels add UC…|@handle|URL…``, ``list``, ``remove``.

Adding resolves every entry with ``channels.list`` (ids 50 a call, each handle one call:
``forHandle``) before anything is stored: any entry that is malformed or names no channel, and
nothing is added. The answer carries the channels' statistics: they become their first
``channel_metrics`` samples. A new channel is polled at once; its first poll backfills it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ghosttrack.clock import Clock
from ghosttrack.errors import InputError
from ghosttrack.hunter.hunter import ChannelSampleSink, channel_sample
from ghosttrack.hunter.inputs import ChannelRef, parse_channel_refs
from ghosttrack.hunter.policy import next_grid_point
from ghosttrack.settings import Settings
from ghosttrack.watchlist.discovery import DiscoveryStore
from ghosttrack.watchlist.records import ChannelStatus, WatchedChannel
from ghosttrack.youtube.models import ChannelInfo


class ChannelLookup(Protocol):
    """The part of the YouTube client that resolves channels."""

    async def channels(
        self, *, ids: Sequence[str] = (), handle: str | None = None
    ) -> list[ChannelInfo]: ...


@dataclass(frozen=True, slots=True)
class ChannelsAdded:
    added: list[WatchedChannel]
    already_present: list[str]


async def add_channels(
    discovery: DiscoveryStore,
    youtube: ChannelLookup,
    vault: ChannelSampleSink,
    clock: Clock,
    settings: Settings,
    inputs: Sequence[str],
) -> ChannelsAdded:
    """Resolve and add channels; InputError naming every bad entry, nothing added."""
    refs, problems = parse_channel_refs(list(inputs))
    if problems:
        raise InputError(
            f"nothing was added: {len(problems)} of {len(inputs)} entries are not channel ids, "
            "handles or channel URLs",
            problems,
        )
    infos, missing = await resolve(youtube, refs)
    if missing:
        raise InputError(
            f"nothing was added: {len(missing)} of {len(inputs)} channels were not found",
            [f"{ref.text!r}: YouTube knows no such channel" for ref in missing],
        )
    present = {c.channel_id for c in discovery.get_channels([i.channel_id for i in infos])}
    fresh = [i for i in infos if i.channel_id not in present]
    now = clock.now()
    rows = [new_channel(i, settings, now) for i in fresh]
    discovery.add_channels(rows)
    if fresh:
        await asyncio.to_thread(vault.write_channel_samples, [channel_sample(i) for i in fresh])
    return ChannelsAdded(rows, [i.channel_id for i in infos if i.channel_id in present])


async def resolve(
    youtube: ChannelLookup, refs: Sequence[ChannelRef]
) -> tuple[list[ChannelInfo], list[ChannelRef]]:
    """The channels the refs name, in order without repeats, and the refs naming none."""
    ids = [r.channel_id for r in refs if r.channel_id]
    handles = [r for r in refs if r.handle]
    by_id, *by_handle = await asyncio.gather(
        youtube.channels(ids=ids) if ids else _nothing(),
        *(youtube.channels(handle=r.handle) for r in handles),
    )
    found = {i.channel_id: i for i in by_id}
    for ref, answer in zip(handles, by_handle, strict=True):
        if answer:
            found[_handle_key(ref)] = answer[0]
    infos: dict[str, ChannelInfo] = {}
    missing: list[ChannelRef] = []
    for ref in refs:
        info = found.get(ref.channel_id or _handle_key(ref))
        if info is None:
            missing.append(ref)
        else:
            infos.setdefault(info.channel_id, info)
    return list(infos.values()), missing


def _handle_key(ref: ChannelRef) -> str:
    return "handle:" + (ref.handle or "").lower()


async def _nothing() -> list[ChannelInfo]:
    return []


def new_channel(info: ChannelInfo, settings: Settings, now: datetime) -> WatchedChannel:
    """A channel row, due for its first poll (the backfill) now."""
    return WatchedChannel(
        channel_id=info.channel_id,
        handle=(info.handle or "")[:64] or None,
        title=info.title[:200] or None,
        status=ChannelStatus.ACTIVE,
        poll_every=settings.channel_poll_max,
        next_poll_at=now,
        last_polled_at=None,
        last_upload_at=None,
        last_video_id=None,
        backfilled=False,
        stats_next_at=next_grid_point(now, settings.channel_stats_every),
        added_at=now,
    )


def remove_channels(discovery: DiscoveryStore, inputs: Sequence[str]) -> int:
    """Stop watching channels named by id, @handle (as stored) or URL; their videos stay on
    the watchlist. InputError, nothing removed, when an entry names no watched channel."""
    refs, problems = parse_channel_refs(list(inputs))
    watched = discovery.list_channels()
    by_handle = {(c.handle or "").lower(): c.channel_id for c in watched if c.handle}
    ids = {c.channel_id for c in watched}
    chosen: list[str] = []
    for ref in refs:
        channel_id = ref.channel_id or by_handle.get((ref.handle or "").lower())
        if channel_id in ids and channel_id is not None:
            chosen.append(channel_id)
        else:
            problems.append(
                f"{ref.text!r} is not a watched channel (see `ghosttrack channels list`)"
            )
    if problems:
        raise InputError("nothing was removed", problems)
    return discovery.remove_channels(chosen)
