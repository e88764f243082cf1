"""Identifiers and randomness of the simulated world, derived from the seed — nothing stored.

A video id is an invertible keyed permutation of the video's index, written as YouTube writes
its 64-bit ids: 11 base64url characters whose last one carries 4 bits (``AEIMQUYcgkosw048``).
Decoding an id gives the index back in O(1), so a world of 1M videos needs no table of ids.
"""

from __future__ import annotations

import base64
import binascii

M64 = (1 << 64) - 1
_MUL_A = 0x9E3779B97F4A7C15
_MUL_B = 0xD6E8FEB86659FD93
_INV_A = pow(_MUL_A, -1, 1 << 64)
_INV_B = pow(_MUL_B, -1, 1 << 64)
_LAST_VIDEO_CHARS = frozenset("AEIMQUYcgkosw048")
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def mix64(x: int) -> int:
    """SplitMix64's finaliser: a fast, well-spread hash of a 64-bit integer."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def derive_key(seed: int, purpose: int) -> int:
    """A 64-bit key for one use of the seed (ids, traits, faults…), independent of the others."""
    return mix64((seed * 0x2545F4914F6CDD1D + purpose * 0x9E3779B97F4A7C15) & M64)


def is_id_text(text: str) -> bool:
    """Only base64url characters: what YouTube accepts inside an id parameter."""
    return bool(text) and _ID_CHARS.issuperset(text)


class VideoIdCodec:
    """Index ↔ video id, a bijection on 64 bits keyed by the seed."""

    __slots__ = ("_k1", "_k2")

    def __init__(self, seed: int) -> None:
        self._k1 = derive_key(seed, 1)
        self._k2 = derive_key(seed, 2)

    def _permute(self, x: int) -> int:
        x = ((x ^ self._k1) * _MUL_A) & M64
        x ^= x >> 32
        x = ((x + self._k2) * _MUL_B) & M64
        return x ^ (x >> 32)

    def _unpermute(self, x: int) -> int:
        x ^= x >> 32
        x = ((x * _INV_B) - self._k2) & M64
        x ^= x >> 32
        return ((x * _INV_A) & M64) ^ self._k1

    def encode(self, index: int) -> str:
        raw = self._permute(index).to_bytes(8, "big")
        return base64.urlsafe_b64encode(raw)[:11].decode("ascii")

    def decode(self, video_id: str) -> int | None:
        """The index behind an id, or None when the text cannot be one of this world's ids."""
        if len(video_id) != 11 or video_id[10] not in _LAST_VIDEO_CHARS:
            return None
        try:
            raw = base64.urlsafe_b64decode(video_id + "=")
        except (binascii.Error, ValueError):
            return None
        return self._unpermute(int.from_bytes(raw, "big"))


def channel_id_for(seed: int, index: int) -> str:
    """``UC`` + 22 base64url characters (128 bits; the last character is one of ``AQgw``)."""
    key = derive_key(seed, 3)
    hi = mix64((key + index * 2) & M64)
    lo = mix64((key + index * 2 + 1) & M64)
    raw = ((hi << 64) | lo).to_bytes(16, "big")
    return "UC" + base64.urlsafe_b64encode(raw)[:22].decode("ascii")
