"""The per-video model — traits hashed from (seed, index), publish time, lifetime curve — written
once and evaluated either on Python scalars (``SCALAR``: math) or on whole batches (``VECTOR``:
numpy arrays). A 50-id API call is then a few dozen array operations instead of thousands of
interpreted ones, and a single video looked up by a test goes through the very same formulas.

Traits come out bit-identical in both: the hashing is 64-bit wrap-around integer arithmetic, and
every non-linear function of a hashed 16-bit word is read from one table (``_tables``) instead
of being computed by two libraries. Only the lifetime curve calls exp/log1p on continuous ages,
where numpy and libm may differ in the last bit — which survives truncation to an integer count
with a probability of about 1e-12.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from ghosttrack.sim.codec import M64, mix64

HOUR = 3600.0
DAY = 86400.0
YEAR = 365.0 * DAY
NEVER = 1e18  # an age no correction reaches (finite: keeps the arithmetic free of inf * 0)

_GOLDEN = 0x9E3779B97F4A7C15
_U16 = 1.0 / 65536.0
# log-uniform ranges, per 16-bit step
_LN_FAST = math.log(72 / 6) / 65536  # launch decay: 6 h .. 3 days
_LN_TAIL = math.log(120 / 10) / 65536  # long tail scale: 10 .. 120 days
_LN_LIKES = math.log(0.08 / 0.008) / 65536  # likes per view: 0.8% .. 8%
_LN_COMMENTS = math.log(0.25 / 0.02) / 65536  # comments per like: 2% .. 25%
_LN_GONE = math.log(3 * 365 * 24) / 65536  # turns private/deleted: 1 h .. 3 years after upload
_LN_VIRAL_AGE = math.log(2 * 365) / 65536  # spike: 1 day .. 2 years after upload
_LN_VIRAL_TAU = math.log(5) / 65536  # spike length: 1 .. 5 days
_LN_SHARE = math.log(0.05 / 0.002) / 65536  # views removed by a correction: 0.2% .. 5%
# correction windows (ages): soon after upload, the following weeks, years later
_WINDOWS = ((2 * HOUR, 3 * DAY), (3 * DAY, 60 * DAY), (60 * DAY, 3 * YEAR))

FIELDS = (
    "number", "channel", "position", "published", "v0", "w_fast", "tau_fast", "tau_tail",
    "tail_norm", "like_ratio", "comment_ratio", "hides_likes", "comments_off", "gone_at",
    "private", "viral_age", "viral_size", "viral_tau", "c1_age", "c1_share", "c2_age",
    "c2_share", "c3_age", "c3_share", "recount_at", "recount_by", "duration",
)  # fmt: skip


class _Scalar:
    """math on Python numbers (``where`` picks a branch; both were computed)."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    log1p = staticmethod(math.log1p)

    @staticmethod
    def where(cond: Any, yes: Any, no: Any) -> Any:
        return yes if cond else no

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return a if a >= b else b

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return a if a <= b else b

    @staticmethod
    def trunc(x: Any) -> float:
        return float(math.trunc(x))

    @staticmethod
    def table(values: Any, word: Any) -> Any:
        return float(values[word])

    @staticmethod
    def hash_index(key: int, index: int) -> int:
        return mix64(key ^ ((index * _GOLDEN) & M64))

    @staticmethod
    def word(h: int, j: int) -> int:
        return (h >> (16 * j)) & 0xFFFF

    @staticmethod
    def words(key: int, index: int, hashes: int) -> list[int]:
        """4 × ``hashes`` 16-bit words: hash k (1-based) of the stream seeded by (key, index)."""
        base = mix64(key ^ ((index * _GOLDEN) & M64))
        out: list[int] = []
        for k in range(1, hashes + 1):
            h = mix64((base + k * _GOLDEN) & M64)
            out += (h & 0xFFFF, (h >> 16) & 0xFFFF, (h >> 32) & 0xFFFF, h >> 48)
        return out


class _Vector:
    """The same operations on numpy arrays."""

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)
    where = staticmethod(np.where)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    trunc = staticmethod(np.trunc)

    @staticmethod
    def table(values: Any, word: Any) -> Any:
        return values[word.astype(np.intp)]

    # the same 64-bit hashing as _Scalar (SplitMix64), on uint64 arrays that wrap silently

    @staticmethod
    def hash_index(key: int, index: Any) -> Any:
        return _mix64_array(np.asarray(index).astype(np.uint64) * _NP_GOLDEN ^ np.uint64(key))

    @staticmethod
    def word(h: Any, j: int) -> Any:
        return (h >> _NP_SHIFTS[j]) & _NP_WORD

    @staticmethod
    def words(key: int, index: Any, hashes: int) -> Any:
        """The same words as ``_Scalar.words``, as rows of an int64 array (row j: word j of
        every video): all hashes in one 2-D pass, split into words by a little-endian view."""
        base = _Vector.hash_index(key, index)
        streams = _mix64_array(base[:, None] + _NP_STREAMS[None, :hashes])
        halves = streams.astype("<u8", copy=False).view("<u2").reshape(len(base), 4 * hashes)
        return halves.astype(np.int64).T


_NP_GOLDEN = np.uint64(_GOLDEN)
_NP_C1, _NP_C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_NP_30, _NP_27, _NP_31 = np.uint64(30), np.uint64(27), np.uint64(31)
_NP_SHIFTS = tuple(np.uint64(16 * j) for j in range(4))
_NP_STREAMS = np.array([(k * _GOLDEN) & M64 for k in range(1, 9)], dtype=np.uint64)
_NP_WORD = np.uint64(0xFFFF)


def _mix64_array(x: Any) -> Any:
    """``codec.mix64`` on a uint64 array (in place on the fresh array it is given)."""
    x ^= x >> _NP_30
    x *= _NP_C1
    x ^= x >> _NP_27
    x *= _NP_C2
    x ^= x >> _NP_31
    return x


SCALAR: Any = _Scalar()
VECTOR: Any = _Vector()


class ViewChange(NamedTuple):
    """A change in what counts as a view (Unix seconds): each video in scope switches at its own
    moment within ``[start, end]``, from then on showing ``low``..``high`` times the views the
    old count would (its past recounted too, so the count jumps)."""

    start: float
    end: float
    shorts_only: bool
    low: float
    high: float


SHORT_SECONDS = 60


class Keys(NamedTuple):
    """The seed's keys for each hash stream."""

    publish: int
    trait: int


class ChannelParams(NamedTuple):
    """A channel's upload rhythm and audience, as scalars or as arrays (one per video)."""

    index: Any
    first_video: Any
    first_upload: Any
    interval: Any
    burst: Any
    burst_step: Any
    view_scale: Any


def upload_time(m: Any, key: int, index: Any, position: Any, ch: ChannelParams) -> Any:
    """When the channel's ``position``-th upload is published (Unix seconds, whole): regular
    uploads jittered within their interval, or bursts of ``burst`` uploads hours apart.
    Strictly increasing in ``position``."""
    jitter = 0.8 * m.word(m.hash_index(key, index), 0) * _U16
    group = position // ch.burst
    within = position - group * ch.burst
    regular = ch.first_upload + (position + jitter) * ch.interval
    bursty = ch.first_upload + group * ch.interval * ch.burst + (within + jitter) * ch.burst_step
    return m.trunc(m.where(ch.burst == 1, regular, bursty))


class _Tables(NamedTuple):
    """Non-linear functions of a 16-bit word, one float64 array of 65536 entries each."""

    v0: Any  # audience multiplier: exp(0.9 · logistic)
    tau_fast: Any
    tau_tail: Any
    tail_norm: Any
    likes: Any
    comments: Any
    gone: Any
    viral_age: Any
    viral_tau: Any
    windows: tuple[Any, ...]
    share: Any
    long_form: Any  # duration of a non-short, seconds


@cache
def _tables() -> _Tables:
    word = np.arange(65536, dtype=np.float64)
    u = np.clip(word * _U16, 1e-4, 1.0 - 1e-4)
    logit = np.log(u / (1.0 - u))  # a symmetric heavy-ish variate (logistic: sd ≈ 1.8)
    tau_tail = 10 * DAY * np.exp(word * _LN_TAIL)
    return _Tables(
        v0=np.exp(0.9 * logit),
        tau_fast=6 * HOUR * np.exp(word * _LN_FAST),
        tau_tail=tau_tail,
        tail_norm=np.log1p(YEAR / tau_tail),
        likes=0.008 * np.exp(word * _LN_LIKES),
        comments=0.02 * np.exp(word * _LN_COMMENTS),
        gone=np.trunc(HOUR * np.exp(word * _LN_GONE)),
        viral_age=DAY * np.exp(word * _LN_VIRAL_AGE),
        viral_tau=DAY * np.exp(word * _LN_VIRAL_TAU),
        windows=tuple(
            np.trunc(low * np.exp(word * (math.log(high / low) * _U16))) for low, high in _WINDOWS
        ),
        share=0.002 * np.exp(word * _LN_SHARE),
        long_form=np.minimum(np.trunc(60 * np.exp(2.3 + 0.5 * logit)), 43_200.0),
    )


def derive(m: Any, keys: Keys, index: Any, ch: ChannelParams) -> tuple[Any, ...]:
    """A video's traits, in ``FIELDS`` order."""
    position = index - ch.first_video
    published = upload_time(m, keys.publish, index, position, ch)
    words = m.words(keys.trait, index, 7)

    def word(j: int) -> Any:
        return words[j]

    t = _tables()
    v0 = ch.view_scale * m.table(t.v0, word(0))
    like_ratio = m.table(t.likes, word(4))
    gone = word(8) < 1966  # 3% turn private or get deleted
    viral = word(9) < 983  # 1.5% go viral once
    corrected = word(12) < 13107  # 20% get invalid views removed, 1 to 3 times
    count = 1 + ((word(19) * 3) >> 16)
    slots = []
    for k, window in enumerate(t.windows):
        active = corrected & (count > k)
        slots.append(m.where(active, m.table(window, word(20 + 2 * k)), NEVER))
        slots.append(m.where(active, m.table(t.share, word(21 + 2 * k)), 0.0))
    return (
        index,
        ch.index,
        position,
        published,
        v0,
        0.3 + 0.55 * word(1) * _U16,
        m.table(t.tau_fast, word(2)),
        m.table(t.tau_tail, word(3)),
        m.table(t.tail_norm, word(3)),
        like_ratio,
        like_ratio * m.table(t.comments, word(5)),
        word(6) < 2621,  # 4% hide their likes
        word(7) < 3932,  # 6% have comments off
        m.where(gone, published + m.table(t.gone, word(13)), math.inf),
        word(14) < 32768,
        m.where(viral, m.table(t.viral_age, word(16)), math.inf),
        m.where(viral, v0 * (2.0 + 20.0 * word(17) * _U16), 0.0),
        m.table(t.viral_tau, word(18)),
        *slots,
        word(26) * _U16,
        word(27) * _U16,
        m.where(word(10) < 16384, 10 + ((word(11) * 50) >> 16), m.table(t.long_form, word(11))),
    )


def raw_views(m: Any, t: Any, age: Any) -> Any:
    """Views accumulated by ``age`` before any correction: a fast launch that decays, a long
    logarithmic tail, and now and then a viral spike."""
    value = t.v0 * (
        t.w_fast * (1.0 - m.exp(-age / t.tau_fast))
        + (1.0 - t.w_fast) * m.log1p(age / t.tau_tail) / t.tail_norm
    )
    spike = 1.0 - m.exp(-m.maximum(age - t.viral_age, 0.0) / t.viral_tau)
    return value + t.viral_size * spike


def observe(
    m: Any, t: Any, ts: Any, changes: Sequence[ViewChange] = ()
) -> tuple[Any, Any, Any, Any]:
    """(views, likes, comments) as floats before truncation, and whether the video is public
    at ``ts``. A correction removes, at its moment, a share of the views counted by then; a
    change in what counts as a view multiplies the count from the video's switch on."""
    age = m.maximum(ts - t.published, 0.0)
    raw = raw_views(m, t, age)
    views = raw
    for at, share in ((t.c1_age, t.c1_share), (t.c2_age, t.c2_share), (t.c3_age, t.c3_share)):
        views = views - m.where(age >= at, share * raw_views(m, t, at), 0.0)
    for change in changes:
        switch = change.start + t.recount_at * (change.end - change.start)
        in_scope = (t.duration <= SHORT_SECONDS) | (not change.shorts_only)
        factor = change.low + t.recount_by * (change.high - change.low)
        views = views * m.where(in_scope & (ts >= switch), factor, 1.0)
    visible = (ts >= t.published) & (ts < t.gone_at)
    return views, raw * t.like_ratio, raw * t.comment_ratio, visible
