"""The simulated YouTube: channels, their uploads, and every video's counts at any moment.

Everything is a pure function of the seed: a video's traits are hashed from (seed, index) when
needed, its publish time comes from its channel's upload rhythm in closed form, and its counts
at time t from a lifetime curve (``model``). Only the channels (a few thousand) are held in
memory, so a world of a million videos costs a few megabytes; batches of videos are evaluated
as numpy arrays, so a 50-id call costs tens of microseconds.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from ghosttrack.clock import ensure_utc
from ghosttrack.sim import model, names
from ghosttrack.sim.codec import VideoIdCodec, channel_id_for, derive_key
from ghosttrack.sim.model import DAY, HOUR, SCALAR, VECTOR, YEAR, ChannelParams
from ghosttrack.youtube.models import VideoStats

DEFAULT_EPOCH = datetime(2026, 6, 1, tzinfo=UTC)
DEFAULT_HORIZON = timedelta(days=60)
VIDEOS_PER_CHANNEL = 200

_MAX_BACK_CATALOGUE = 15 * YEAR
_U16 = 1.0 / 65536.0
_CHUNK = 256

# Rhythm: (name, share of channels, mean seconds between uploads, videos-count weight)
RHYTHMS: tuple[tuple[str, float, float, float], ...] = (
    ("prolific", 0.05, 5 * HOUR, 4.0),
    ("daily", 0.25, DAY, 2.0),
    ("weekly", 0.40, 7 * DAY, 1.0),
    ("bursty", 0.15, 5 * DAY, 1.0),
    ("sporadic", 0.15, 30 * DAY, 0.3),
)

PRIVATE = "private"
DELETED = "deleted"
PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Channel:
    """One simulated channel and its upload rhythm (times are Unix seconds)."""

    index: int
    channel_id: str
    handle: str
    title: str
    topic: int
    country: str
    created_at: float
    subscribers: int
    hidden_subscribers: bool
    rhythm: str
    first_video: int
    video_count: int
    first_upload: float
    interval: float
    burst: int
    burst_step: float
    view_scale: float

    @property
    def uploads_playlist_id(self) -> str:
        return "UU" + self.channel_id[2:]

    @property
    def topic_name(self) -> str:
        return names.TOPICS[self.topic][0]


class Traits(NamedTuple):
    """What one video is (``model.FIELDS``); times are Unix seconds, ages seconds.
    ``cN_age``/``cN_share``: when invalid views are removed, and which share of those counted."""

    number: int
    channel: int
    position: int
    published: float
    v0: float
    w_fast: float
    tau_fast: float
    tau_tail: float
    tail_norm: float
    like_ratio: float
    comment_ratio: float
    hides_likes: bool
    comments_off: bool
    gone_at: float
    private: bool
    viral_age: float
    viral_size: float
    viral_tau: float
    c1_age: float
    c1_share: float
    c2_age: float
    c2_share: float
    c3_age: float
    c3_share: float
    recount_at: float
    recount_by: float
    duration: int

    @property
    def gone_kind(self) -> str:
        """``public`` if it never goes; else ``private`` or ``deleted`` (from ``gone_at``)."""
        if math.isinf(self.gone_at):
            return PUBLIC
        return PRIVATE if self.private else DELETED

    @property
    def corrections(self) -> tuple[tuple[float, float], ...]:
        """(age, share removed) of each correction."""
        slots = ((self.c1_age, self.c1_share), (self.c2_age, self.c2_share))
        return tuple((a, s) for a, s in (*slots, (self.c3_age, self.c3_share)) if s > 0)


class TraitArrays(NamedTuple):
    """The traits of a batch of videos, one numpy array per field (same order as ``Traits``)."""

    number: Any
    channel: Any
    position: Any
    published: Any
    v0: Any
    w_fast: Any
    tau_fast: Any
    tau_tail: Any
    tail_norm: Any
    like_ratio: Any
    comment_ratio: Any
    hides_likes: Any
    comments_off: Any
    gone_at: Any
    private: Any
    viral_age: Any
    viral_size: Any
    viral_tau: Any
    c1_age: Any
    c1_share: Any
    c2_age: Any
    c2_share: Any
    c3_age: Any
    c3_share: Any
    recount_at: Any
    recount_by: Any
    duration: Any

    def rows(self) -> list[Traits]:
        columns = [np.asarray(column).tolist() for column in self]
        columns[-1] = [int(d) for d in columns[-1]]
        return [Traits(*row) for row in zip(*columns, strict=True)]


class Observed(NamedTuple):
    """A video as an API answer shows it at a moment (None counts: hidden or off)."""

    video_id: str
    number: int
    channel: int
    published: float
    duration: int
    views: int
    likes: int | None
    comments: int | None
    comments_off: bool


@dataclass(frozen=True, slots=True)
class Upload:
    """One upload of a channel; ``gone_at`` is when it turns private or deleted, if ever."""

    video_id: str
    channel_id: str
    published_at: datetime
    gone_at: datetime | None


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """A video's metadata (what ``snippet`` and ``contentDetails`` show)."""

    video_id: str
    channel_id: str
    channel_title: str
    title: str
    description: str
    tags: tuple[str, ...]
    category_id: str
    published_at: datetime
    duration_seconds: int


@dataclass(frozen=True, slots=True)
class Spike:
    """A viral spike the world planted: from ``onset_at`` the video gains ``size`` extra views,
    63 % of them within ``duration`` (an exponential approach)."""

    video_id: str
    channel_id: str
    published_at: datetime
    onset_at: datetime
    size: float
    duration: timedelta


@dataclass(frozen=True, slots=True)
class ChannelStats:
    """A channel's public statistics at a moment (``subscribers`` None when hidden)."""

    channel_id: str
    subscribers: int | None
    views: int
    videos: int


def to_ts(moment: datetime) -> float:
    return ensure_utc(moment).timestamp()


def from_ts(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _log_uniform(u: float, low: float, high: float) -> float:
    return low * math.exp(u * math.log(high / low))


def round_subscribers(count: int) -> int:
    """YouTube shows subscriber counts to three significant figures."""
    if count < 1000:
        return count
    digits = int(math.log10(count)) - 2
    scale = int(10**digits)
    return (count // scale) * scale


_SIXTEEN = struct.Struct("<16H").unpack


Hasher = Any  # a keyed hashlib.blake2s object, copied for each use (cheaper than re-keying)


def keyed(key: int) -> Hasher:
    return hashlib.blake2s(key=key.to_bytes(8, "little"))


def _hash16(keyed_hasher: Hasher, index: int, counter: int = 0) -> tuple[int, ...]:
    """Sixteen 16-bit draws (0..65535) for (key, index, counter): one keyed BLAKE2s, C-fast."""
    h = keyed_hasher.copy()
    h.update((index | (counter << 48)).to_bytes(8, "little"))
    return _SIXTEEN(h.digest())


class _Draws:
    """A stream of uniforms in [0, 1) for (key, index), sixteen per hash."""

    __slots__ = ("_counter", "_index", "_key", "_pending")

    def __init__(self, key: Hasher, index: int) -> None:
        self._key = key
        self._index = index
        self._counter = 0
        self._pending: list[int] = []

    def __call__(self) -> float:
        if not self._pending:
            self._counter += 1
            self._pending = list(_hash16(self._key, self._index, self._counter))
        return self._pending.pop() * _U16


class World:
    """A deterministic synthetic YouTube of ``videos`` videos spread over ``channels`` channels.

    Most uploads lie before ``epoch`` (a back catalogue over years); each channel keeps
    uploading on its rhythm for ``horizon`` after it, so discovery finds new uploads as
    simulated time passes. ``view_changes``: changes in what YouTube counts as a view, which
    make counts jump (none by default).
    """

    def __init__(
        self,
        seed: int,
        videos: int,
        channels: int | None = None,
        epoch: datetime = DEFAULT_EPOCH,
        horizon: timedelta = DEFAULT_HORIZON,
        trait_cache: int = 4096,
        view_changes: Sequence[model.ViewChange] = (),
    ) -> None:
        if videos < 1:
            raise ValueError("a world needs at least one video")
        if channels is not None and channels < 1:
            raise ValueError("a world needs at least one channel")
        self.seed = seed
        self.video_count = videos
        self.view_changes = tuple(view_changes)
        self.epoch = ensure_utc(epoch)
        self.horizon = horizon
        self._epoch_ts = self.epoch.timestamp()
        self._codec = VideoIdCodec(seed)
        self._keys = model.Keys(publish=derive_key(seed, 10), trait=derive_key(seed, 11))
        self._title_key = keyed(derive_key(seed, 12))
        wanted = channels if channels is not None else max(1, videos // VIDEOS_PER_CHANNEL)
        self.channels: Sequence[Channel] = self._build_channels(min(wanted, videos))
        self._starts = [c.first_video for c in self.channels]
        self._starts_array = np.array(self._starts, dtype=np.int64)
        self._params = [_params(c) for c in self.channels]
        self._arrays = ChannelParams(
            *(np.array(column) for column in zip(*self._params, strict=True))
        )
        self._by_id = {c.channel_id: c for c in self.channels}
        self._by_handle = {c.handle.lower(): c for c in self.channels}
        self.traits = lru_cache(maxsize=trait_cache)(self._compute_traits)

    # ---- channels -------------------------------------------------------------------------

    def _build_channels(self, count: int) -> list[Channel]:
        key = keyed(derive_key(self.seed, 20))
        draws = [_Draws(key, i) for i in range(count)]
        rhythms = [self._pick_rhythm(d()) for d in draws]
        weights = [
            (1.0 - d()) ** (-1.0 / 1.2) * rhythm[3]
            for d, rhythm in zip(draws, rhythms, strict=True)
        ]
        counts = _apportion(self.video_count, weights)
        built: list[Channel] = []
        handles: set[str] = set()
        first = 0
        for index, (draw, rhythm, n) in enumerate(zip(draws, rhythms, counts, strict=True)):
            built.append(self._make_channel(index, draw, rhythm, first, n, handles))
            first += n
        return built

    @staticmethod
    def _pick_rhythm(u: float) -> tuple[str, float, float, float]:
        for rhythm in RHYTHMS:
            if u < rhythm[1]:
                return rhythm
            u -= rhythm[1]
        return RHYTHMS[-1]

    def _make_channel(
        self,
        index: int,
        draw: _Draws,
        rhythm: tuple[str, float, float, float],
        first_video: int,
        n: int,
        handles: set[str],
    ) -> Channel:
        name, _, mean_interval, _ = rhythm
        interval = mean_interval * (0.7 + 0.6 * draw())
        n_after = min(int(self.horizon.total_seconds() / interval), n // 2)
        n_before = n - n_after
        if n_before * interval > _MAX_BACK_CATALOGUE:
            interval = _MAX_BACK_CATALOGUE / n_before
            n_after = min(int(self.horizon.total_seconds() / interval), n // 2)
            n_before = n - n_after
        burst = 1 + int(draw() * 7) if name == "bursty" else 1
        first_upload = self._epoch_ts - n_before * interval + draw() * interval * 0.2
        created_at = first_upload - _log_uniform(draw(), DAY, 2 * YEAR)
        subscribers = min(int(200 * (1.0 - draw()) ** (-1.0 / 0.5)), 300_000_000)
        topic = int(draw() * len(names.TOPICS))
        adjective = names.ADJECTIVES[int(draw() * len(names.ADJECTIVES))]
        noun = names.CHANNEL_NOUNS[int(draw() * len(names.CHANNEL_NOUNS))]
        topic_name = names.TOPICS[topic][0]
        handle = "@" + adjective + topic_name + noun
        if handle in handles:
            handle += str(index)
        handles.add(handle)
        return Channel(
            index=index,
            channel_id=channel_id_for(self.seed, index),
            handle=handle,
            title=f"{adjective.title()} {topic_name.title()} {noun.title()}",
            topic=topic,
            country=names.COUNTRIES[int(draw() * len(names.COUNTRIES))],
            created_at=float(int(created_at)),
            subscribers=subscribers,
            hidden_subscribers=draw() < 0.03,
            rhythm=name,
            first_video=first_video,
            video_count=n,
            first_upload=first_upload,
            interval=interval,
            burst=burst,
            burst_step=min(3 * HOUR, interval / 2),
            view_scale=max(100.0, subscribers * _log_uniform(draw(), 0.05, 1.5)),
        )

    @property
    def channel_count(self) -> int:
        return len(self.channels)

    def channel_by_id(self, channel_id: str) -> Channel | None:
        return self._by_id.get(channel_id)

    def channel_by_handle(self, handle: str) -> Channel | None:
        """Handles are case-insensitive; the leading ``@`` is optional."""
        key = handle.strip().lower()
        return self._by_handle.get(key if key.startswith("@") else "@" + key)

    def channel_of(self, index: int) -> Channel:
        return self.channels[bisect.bisect_right(self._starts, index) - 1]

    def channel_stats(self, channel: Channel, at: datetime) -> ChannelStats | None:
        """Statistics at ``at``; None before the channel was created."""
        ts = to_ts(at)
        if ts < channel.created_at:
            return None
        growth = math.sqrt((ts - channel.created_at) / (self._epoch_ts - channel.created_at))
        subscribers = round_subscribers(int(channel.subscribers * growth))
        published = self.count_published(channel, ts)
        return ChannelStats(
            channel_id=channel.channel_id,
            subscribers=None if channel.hidden_subscribers else subscribers,
            views=int(channel.view_scale * 1.3 * published),
            videos=published,
        )

    # ---- uploads --------------------------------------------------------------------------

    def upload_time(self, channel: Channel, position: int) -> float:
        """When the channel's ``position``-th upload (0 = first) is published."""
        published: float = model.upload_time(
            SCALAR,
            self._keys.publish,
            channel.first_video + position,
            position,
            self._params[channel.index],
        )
        return published

    def count_published(self, channel: Channel, ts: float) -> int:
        """How many of the channel's uploads are published at or before ``ts``."""
        low, high = 0, channel.video_count
        while low < high:
            mid = (low + high) // 2
            if self.upload_time(channel, mid) <= ts:
                low = mid + 1
            else:
                high = mid
        return low

    def count_published_many(self, channel_indices: Any, ts: float) -> Any:
        """``count_published`` for many channels at once (an array), by a joint bisection."""
        chans = np.asarray(channel_indices, dtype=np.int64)
        params = ChannelParams(*(column[chans] for column in self._arrays))
        low = np.zeros(len(chans), dtype=np.int64)
        high = np.array([self.channels[c].video_count for c in chans.tolist()], dtype=np.int64)
        while (open_ := low < high).any():
            mid = (low + high) // 2
            at = model.upload_time(
                VECTOR, self._keys.publish, params.first_video + mid, mid, params
            )
            early = open_ & (at <= ts)
            low = np.where(early, mid + 1, low)
            high = np.where(open_ & ~early, mid, high)
        return low

    def uploads(
        self, channel_id: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Upload]:
        """The channel's uploads published in [since, until), oldest first."""
        channel = self._by_id.get(channel_id)
        if channel is None:
            raise KeyError(f"no channel {channel_id!r} in this world")
        low = 0 if since is None else self.count_published(channel, to_ts(since) - 1e-3)
        high = (
            channel.video_count
            if until is None
            else self.count_published(channel, to_ts(until) - 1e-3)
        )
        found = []
        for start in range(low, high, _CHUNK):
            first = channel.first_video + start
            for traits in self.batch(
                range(first, min(first + _CHUNK, channel.first_video + high))
            ).rows():
                found.append(
                    Upload(
                        video_id=self.video_id(traits.number),
                        channel_id=channel.channel_id,
                        published_at=from_ts(traits.published),
                        gone_at=None if math.isinf(traits.gone_at) else from_ts(traits.gone_at),
                    )
                )
        return found

    def public_uploads_desc(
        self, channel: Channel, ts: float, below: int | None = None
    ) -> Iterator[Traits]:
        """The channel's uploads published at or before ``ts`` and public then, newest first
        (from position ``below - 1`` down when given)."""
        top = self.count_published(channel, ts) if below is None else below
        for stop in range(top, 0, -_CHUNK):
            first = channel.first_video + max(0, stop - _CHUNK)
            rows = self.batch(range(first, channel.first_video + stop)).rows()
            for traits in reversed(rows):
                if traits.gone_at > ts:
                    yield traits

    # ---- videos ---------------------------------------------------------------------------

    def video_id(self, index: int) -> str:
        return self._codec.encode(index)

    def video_index(self, video_id: str) -> int | None:
        """The index of a video of this world, or None when the id is not one."""
        index = self._codec.decode(video_id)
        if index is None or index >= self.video_count:
            return None
        return index

    def _compute_traits(self, index: int) -> Traits:
        params = self._params[bisect.bisect_right(self._starts, index) - 1]
        values = model.derive(SCALAR, self._keys, index, params)
        return Traits._make([*values[:-1], int(values[-1])])

    def batch(self, indices: Iterable[int]) -> TraitArrays:
        """The traits of many videos at once, as arrays."""
        numbers = np.fromiter(indices, dtype=np.int64)
        chans = np.searchsorted(self._starts_array, numbers, side="right") - 1
        params = ChannelParams(*(column[chans] for column in self._arrays))
        return TraitArrays(*model.derive(VECTOR, self._keys, numbers, params))

    def observe(self, traits: Traits, ts: float) -> tuple[int, int | None, int | None] | None:
        """(views, likes, comments) at ``ts``; None when the video is not public then."""
        views, likes, comments, visible = model.observe(SCALAR, traits, ts, self.view_changes)
        if not visible:
            return None
        return (
            max(0, int(views)),
            None if traits.hides_likes else int(likes),
            None if traits.comments_off else int(comments),
        )

    def observe_many(
        self, indices: Sequence[int], ts: float, video_ids: Sequence[str] | None = None
    ) -> list[Observed | None]:
        """What the API shows of each video at ``ts`` (None: not public then), in one batch.
        ``video_ids``, when the caller has them, saves encoding the indices again."""
        if not indices:
            return []
        t = self.batch(indices)
        views, likes, comments, visible = model.observe(VECTOR, t, ts, self.view_changes)
        columns = zip(
            video_ids if video_ids is not None else [self.video_id(i) for i in indices],
            indices,
            t.channel.tolist(),
            t.published.tolist(),
            t.duration.astype(np.int64).tolist(),
            np.maximum(views, 0.0).astype(np.int64).tolist(),
            np.where(t.hides_likes, -1, likes.astype(np.int64)).tolist(),
            np.where(t.comments_off, -1, comments.astype(np.int64)).tolist(),
            t.comments_off.tolist(),
            visible.tolist(),
            strict=True,
        )
        return [
            Observed(vid, n, ch, pub, dur, v, None if li < 0 else li, None if co < 0 else co, off)
            if vis
            else None
            for vid, n, ch, pub, dur, v, li, co, off, vis in columns
        ]

    def observe_ids(self, video_ids: Sequence[str], ts: float) -> list[Observed]:
        """The videos among ``video_ids`` that are public at ``ts``, in order (what
        ``videos.list`` answers: unknown, unpublished, private and deleted ids left out)."""
        decode = self.video_index
        known = [(v, i) for v in video_ids if (i := decode(v)) is not None]
        seen = self.observe_many([i for _, i in known], ts, [v for v, _ in known])
        return [o for o in seen if o is not None]

    def stats(self, video_id: str, at: datetime) -> VideoStats | None:
        """The video's counts at ``at`` as the API would report them; None when absent."""
        found = self.observe_ids([video_id], to_ts(at))
        if not found:
            return None
        seen = found[0]
        return VideoStats(
            video_id=video_id,
            views=seen.views,
            likes=seen.likes,
            comments=seen.comments,
            published_at=from_ts(seen.published),
            channel_id=self.channels[seen.channel].channel_id,
            fetched_at=ensure_utc(at),
        )

    def status(self, video_id: str, at: datetime) -> str | None:
        """``public``, ``private``, ``deleted`` or ``unpublished`` at ``at``; None if unknown."""
        index = self.video_index(video_id)
        if index is None:
            return None
        traits = self.traits(index)
        ts = to_ts(at)
        if ts < traits.published:
            return "unpublished"
        return traits.gone_kind if ts >= traits.gone_at else PUBLIC

    def info(self, index: int) -> VideoInfo:
        """Titles and the like, hashed separately from the counts (not needed to serve stats)."""
        traits = self.traits(index)
        channel = self.channels[traits.channel]
        d = _Draws(self._title_key, index)
        topic, things = names.TOPICS[channel.topic]
        thing = things[int(d() * len(things))]
        adjective = names.ADJECTIVES[int(d() * len(names.ADJECTIVES))]
        pattern = names.TITLE_PATTERNS[int(d() * len(names.TITLE_PATTERNS))]
        title = pattern.format(thing=thing, Thing=thing.capitalize(), adj=adjective, topic=topic)
        return VideoInfo(
            video_id=self.video_id(index),
            channel_id=channel.channel_id,
            channel_title=channel.title,
            title=title,
            description=names.DESCRIPTION.format(topic=topic, thing=thing),
            tags=(topic, thing, adjective),
            category_id=names.CATEGORY_BY_TOPIC[topic],
            published_at=from_ts(traits.published),
            duration_seconds=traits.duration,
        )

    # ---- helpers for tests and demos ------------------------------------------------------

    def video_ids(self, n: int, *, published_before: datetime | None = None) -> list[str]:
        """``n`` ids spread over the world, public at ``published_before`` (default: epoch)."""
        ts = to_ts(published_before) if published_before is not None else self._epoch_ts
        stride = _coprime_stride(self.video_count)
        found: list[str] = []
        for start in range(0, self.video_count, _CHUNK):
            chunk = [(step * stride) % self.video_count for step in range(start, start + _CHUNK)]
            t = self.batch(chunk[: self.video_count - start])
            public = (t.published < ts) & (t.gone_at > ts)
            found += [self.video_id(int(i)) for i in t.number[public].tolist()]
            if len(found) >= n:
                break
        return found[:n]

    def spikes(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        indices: Iterable[int] | None = None,
    ) -> list[Spike]:
        """The viral spikes planted (by the seed) among ``indices`` (default: every video) whose
        onset falls in ``[since, until)``, by onset: the truth breakout detection is scored on."""
        low = -math.inf if since is None else to_ts(since)
        high = math.inf if until is None else to_ts(until)
        numbers = (
            np.arange(self.video_count, dtype=np.int64)
            if indices is None
            else np.fromiter(indices, dtype=np.int64)
        )
        found: list[Spike] = []
        for first in range(0, len(numbers), 65_536):
            t = self.batch(numbers[first : first + 65_536].tolist())
            onset = t.published + t.viral_age
            hit = np.flatnonzero(np.isfinite(onset) & (onset >= low) & (onset < high))
            found += [
                Spike(
                    video_id=self.video_id(int(t.number[i])),
                    channel_id=self.channels[int(t.channel[i])].channel_id,
                    published_at=from_ts(float(t.published[i])),
                    onset_at=from_ts(float(onset[i])),
                    size=float(t.viral_size[i]),
                    duration=timedelta(seconds=float(t.viral_tau[i])),
                )
                for i in hit.tolist()
            ]
        return sorted(found, key=lambda s: (s.onset_at, s.video_id))

    def channel_ids(self, n: int) -> list[str]:
        return [c.channel_id for c in self.channels[:n]]

    def find_videos(
        self, n: int, predicate: Callable[[Traits], bool] | None = None, *, start: int = 0
    ) -> list[Traits]:
        """The first ``n`` videos (by index from ``start``) whose traits satisfy ``predicate``."""
        found: list[Traits] = []
        for first in range(start, self.video_count, _CHUNK):
            rows = self.batch(range(first, min(first + _CHUNK, self.video_count))).rows()
            found += [t for t in rows if predicate is None or predicate(t)]
            if len(found) >= n:
                break
        return found[:n]


def raw_views(traits: Traits, age: float) -> float:
    """Views accumulated by ``age`` before any correction (see ``model.raw_views``)."""
    value: float = model.raw_views(SCALAR, traits, age)
    return value


def _params(channel: Channel) -> ChannelParams:
    return ChannelParams(
        channel.index,
        channel.first_video,
        channel.first_upload,
        channel.interval,
        channel.burst,
        channel.burst_step,
        channel.view_scale,
    )


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights``, each share at least 1."""
    spare = total - len(weights)
    scale = spare / sum(weights)
    shares = [w * scale for w in weights]
    counts = [1 + int(s) for s in shares]
    left = total - sum(counts)
    by_fraction = sorted(range(len(weights)), key=lambda i: int(shares[i]) - shares[i])
    for i in by_fraction[:left]:
        counts[i] += 1
    return counts


def _coprime_stride(n: int) -> int:
    stride = max(1, int(n * 0.6180339887)) | 1
    while math.gcd(stride, n) != 1:
        stride += 2
    return stride
