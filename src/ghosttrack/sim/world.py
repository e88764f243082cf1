"""The simulated YouTube: channels, their uploads, and every video's counts at any moment.

Everything is a pure function of the seed: a video's traits are hashed from (seed, index) when
first needed, its publish time comes from its channel's upload rhythm in closed form, and its
counts at time t from a lifetime curve. Only the channels (a few thousand) are held in memory,
so a world of a million videos costs a few megabytes and answers any lookup in microseconds.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from ghosttrack.clock import ensure_utc
from ghosttrack.sim import names
from ghosttrack.sim.codec import M64, VideoIdCodec, channel_id_for, derive_key, mix64
from ghosttrack.youtube.models import VideoStats

DEFAULT_EPOCH = datetime(2026, 6, 1, tzinfo=UTC)
DEFAULT_HORIZON = timedelta(days=60)
VIDEOS_PER_CHANNEL = 200

HOUR = 3600.0
DAY = 86400.0
YEAR = 365.0 * DAY
_MAX_BACK_CATALOGUE = 15 * YEAR
_GOLDEN = 0x9E3779B97F4A7C15
_U16 = 1.0 / 65536.0
# log-uniform ranges of the traits, per 16-bit step
_LN_LIKES = math.log(0.08 / 0.008) / 65536
_LN_COMMENTS = math.log(0.25 / 0.02) / 65536
_LN_TAIL = math.log(12.0) / 65536
_LN_FAST = math.log(12.0) / 65536

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
    """What a video is, hashed from (seed, index); times are Unix seconds, ages seconds."""

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
    gone_kind: str
    viral_age: float
    viral_size: float
    viral_tau: float
    corrections: tuple[tuple[float, float], ...]
    duration: int


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


def _logit(u: float) -> float:
    """A symmetric heavy-ish variate from a uniform (logistic: sd ≈ 1.8)."""
    u = min(max(u, 1e-4), 1.0 - 1e-4)
    return math.log(u / (1.0 - u))


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


def _hash16(key: bytes, index: int, counter: int = 0) -> tuple[int, ...]:
    """Sixteen 16-bit draws (0..65535) for (key, index, counter): one keyed BLAKE2s, C-fast."""
    data = (index | (counter << 48)).to_bytes(8, "little")
    return _SIXTEEN(hashlib.blake2s(data, key=key).digest())


class _Draws:
    """A stream of uniforms in [0, 1) for (key, index), sixteen per hash."""

    __slots__ = ("_counter", "_index", "_key", "_pending")

    def __init__(self, key: bytes, index: int) -> None:
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
    simulated time passes.
    """

    def __init__(
        self,
        seed: int,
        videos: int,
        channels: int | None = None,
        epoch: datetime = DEFAULT_EPOCH,
        horizon: timedelta = DEFAULT_HORIZON,
        trait_cache: int = 65_536,
    ) -> None:
        if videos < 1:
            raise ValueError("a world needs at least one video")
        if channels is not None and channels < 1:
            raise ValueError("a world needs at least one channel")
        self.seed = seed
        self.video_count = videos
        self.epoch = ensure_utc(epoch)
        self.horizon = horizon
        self._epoch_ts = self.epoch.timestamp()
        self._codec = VideoIdCodec(seed)
        self._publish_key = derive_key(seed, 10)
        self._trait_key = derive_key(seed, 11).to_bytes(8, "little")
        self._title_key = derive_key(seed, 12).to_bytes(8, "little")
        self._rare_key = derive_key(seed, 13).to_bytes(8, "little")
        wanted = channels if channels is not None else max(1, videos // VIDEOS_PER_CHANNEL)
        self.channels: Sequence[Channel] = self._build_channels(min(wanted, videos))
        self._starts = [c.first_video for c in self.channels]
        self._by_id = {c.channel_id: c for c in self.channels}
        self._by_handle = {c.handle.lower(): c for c in self.channels}
        self.traits = lru_cache(maxsize=trait_cache)(self._compute_traits)

    # ---- channels -------------------------------------------------------------------------

    def _build_channels(self, count: int) -> list[Channel]:
        key = derive_key(self.seed, 20).to_bytes(8, "little")
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
        """When the channel's ``position``-th upload (0 = first) is published: closed form,
        strictly increasing in ``position``."""
        index = channel.first_video + position
        h = mix64(self._publish_key ^ ((index * _GOLDEN) & M64))
        jitter = 0.8 * (h & 0xFFFF) * _U16
        if channel.burst == 1:
            return float(int(channel.first_upload + (position + jitter) * channel.interval))
        group, within = divmod(position, channel.burst)
        start = channel.first_upload + group * channel.interval * channel.burst
        return float(int(start + (within + jitter) * channel.burst_step))

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
        for position in range(low, high):
            traits = self.traits(channel.first_video + position)
            found.append(
                Upload(
                    video_id=self.video_id(traits.number),
                    channel_id=channel.channel_id,
                    published_at=from_ts(traits.published),
                    gone_at=None if math.isinf(traits.gone_at) else from_ts(traits.gone_at),
                )
            )
        return found

    def public_uploads_desc(self, channel: Channel, ts: float) -> Iterator[Traits]:
        """The channel's uploads visible at ``ts``, newest first."""
        for position in range(self.count_published(channel, ts) - 1, -1, -1):
            traits = self.traits(channel.first_video + position)
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
        channel = self.channel_of(index)
        position = index - channel.first_video
        u = _hash16(self._trait_key, index)
        v0 = channel.view_scale * math.exp(0.9 * _logit(u[0] * _U16))
        like_ratio = 0.008 * math.exp(u[4] * _LN_LIKES)
        tau_tail = 10 * DAY * math.exp(u[3] * _LN_TAIL)
        if u[10] < 16384:  # a quarter are shorts
            duration = 10 + (u[11] * 50 >> 16)
        else:
            duration = min(int(60 * math.exp(2.3 + 0.5 * _logit(u[11] * _U16))), 43_200)
        traits = Traits(
            index,
            channel.index,
            position,
            self.upload_time(channel, position),
            v0,
            0.3 + 0.55 * u[1] * _U16,
            6 * HOUR * math.exp(u[2] * _LN_FAST),
            tau_tail,
            math.log1p(YEAR / tau_tail),
            like_ratio,
            like_ratio * 0.02 * math.exp(u[5] * _LN_COMMENTS),
            u[6] < 2621,  # 4% hide their likes
            u[7] < 3932,  # 6% have comments off
            math.inf,
            PUBLIC,
            math.inf,
            0.0,
            DAY,
            (),
            duration,
        )
        if u[8] < 1966 or u[9] < 983 or u[12] < 13107:  # 3% end, 1.5% go viral, 20% corrected
            return self._rare_traits(traits, u)
        return traits

    def _rare_traits(self, traits: Traits, u: tuple[int, ...]) -> Traits:
        """What only a few videos have: an end (private/deleted), a viral spike, corrections."""
        d = _Draws(self._rare_key, traits.number)
        if u[8] < 1966:
            gone_age = _log_uniform(d(), HOUR, 3 * YEAR)
            traits = traits._replace(
                gone_at=float(int(traits.published + gone_age)),
                gone_kind=PRIVATE if d() < 0.5 else DELETED,
            )
        if u[9] < 983:
            traits = traits._replace(
                viral_age=_log_uniform(d(), DAY, 2 * YEAR),
                viral_size=traits.v0 * (2.0 + 20.0 * d()),
                viral_tau=_log_uniform(d(), DAY, 5 * DAY),
            )
        if u[12] < 13107:
            traits = traits._replace(corrections=self._corrections(traits, d))
        return traits

    def _corrections(self, traits: Traits, d: _Draws) -> tuple[tuple[float, float], ...]:
        """Moments (ages) when invalid views are removed, and how many each time."""
        windows = ((2 * HOUR, 3 * DAY), (3 * DAY, 60 * DAY), (60 * DAY, 3 * YEAR))
        events = []
        for low, high in windows[: 1 + int(d() * 3)]:
            age = float(int(_log_uniform(d(), low, high)))
            events.append((age, _log_uniform(d(), 0.002, 0.05) * raw_views(traits, age)))
        return tuple(events)

    def observe(self, traits: Traits, ts: float) -> tuple[int, int | None, int | None] | None:
        """(views, likes, comments) at ``ts``; None when the video is not public then."""
        if ts < traits.published or ts >= traits.gone_at:
            return None
        age = ts - traits.published
        raw = raw_views(traits, age)
        views = raw
        for at_age, drop in traits.corrections:
            if age >= at_age:
                views -= drop
        likes = None if traits.hides_likes else int(raw * traits.like_ratio)
        comments = None if traits.comments_off else int(raw * traits.comment_ratio)
        return max(0, int(views)), likes, comments

    def stats(self, video_id: str, at: datetime) -> VideoStats | None:
        """The video's counts at ``at`` as the API would report them; None when absent."""
        index = self.video_index(video_id)
        if index is None:
            return None
        traits = self.traits(index)
        observed = self.observe(traits, to_ts(at))
        if observed is None:
            return None
        views, likes, comments = observed
        return VideoStats(
            video_id=video_id,
            views=views,
            likes=likes,
            comments=comments,
            published_at=from_ts(traits.published),
            channel_id=self.channels[traits.channel].channel_id,
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
        for step in range(self.video_count):
            index = (step * stride) % self.video_count
            traits = self.traits(index)
            if traits.published < ts and traits.gone_at > ts:
                found.append(self.video_id(index))
                if len(found) == n:
                    break
        return found

    def channel_ids(self, n: int) -> list[str]:
        return [c.channel_id for c in self.channels[:n]]

    def find_videos(
        self, n: int, predicate: Callable[[Traits], bool] | None = None, *, start: int = 0
    ) -> list[Traits]:
        """The first ``n`` videos (by index from ``start``) whose traits satisfy ``predicate``."""
        found = []
        for index in range(start, self.video_count):
            traits = self.traits(index)
            if predicate is None or predicate(traits):
                found.append(traits)
                if len(found) == n:
                    break
        return found


def raw_views(traits: Traits, age: float) -> float:
    """Views accumulated by ``age`` before any correction: a fast launch that decays, a long
    logarithmic tail, and now and then a viral spike."""
    value = traits.v0 * (
        traits.w_fast * (1.0 - math.exp(-age / traits.tau_fast))
        + (1.0 - traits.w_fast) * math.log1p(age / traits.tau_tail) / traits.tail_norm
    )
    if age > traits.viral_age:
        value += traits.viral_size * (1.0 - math.exp(-(age - traits.viral_age) / traits.viral_tau))
    return value


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
