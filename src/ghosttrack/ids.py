"""Recognising YouTube video and channel identifiers in what users type. Pure, no I/O."""

from __future__ import annotations

import re
from urllib.parse import ParseResult, parse_qs, urlparse

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]$")
CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{21}[AQgw]$")
HANDLE = re.compile(r"^@[A-Za-z0-9._-]{3,30}$")

#: Hosts of youtube.com pages (video and channel URLs); youtu.be is the short video link.
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"})
_PATH_PREFIXES = ("/shorts/", "/embed/", "/live/", "/v/", "/e/")


def parse_video_id(text: str) -> str:
    """An 11-character video id from an id or a watch / youtu.be / shorts / embed / live URL.

    Raises ValueError with a message naming the input when it holds no valid video id.
    """
    candidate = text.strip()
    if VIDEO_ID.match(candidate):
        return candidate
    found = _video_id_from_url(candidate)
    if found is None or not VIDEO_ID.match(found):
        raise ValueError(f"{text!r} is not a YouTube video id or video URL")
    return found


def parse_youtube_url(text: str) -> ParseResult:
    """``text`` parsed as a URL; "youtube.com/…" and "youtu.be/…" typed without a scheme too."""
    if "://" not in text and text.split("/")[0].lower().endswith(("youtube.com", "youtu.be")):
        text = "https://" + text
    return urlparse(text)


def _video_id_from_url(text: str) -> str | None:
    url = parse_youtube_url(text)
    host = (url.hostname or "").lower()
    if host in ("youtu.be", "www.youtu.be"):
        return url.path.strip("/").split("/")[0] or None
    if host not in YOUTUBE_HOSTS:
        return None
    if url.path in ("/watch", "/watch/"):
        values = parse_qs(url.query).get("v")
        return values[0] if values else None
    for prefix in _PATH_PREFIXES:
        if url.path.startswith(prefix):
            return url.path[len(prefix) :].split("/")[0] or None
    return None


def is_channel_id(text: str) -> bool:
    return bool(CHANNEL_ID.match(text))


def uploads_playlist_id(channel_id: str) -> str:
    """The channel's uploads playlist: ``UC…`` → ``UU…``."""
    if not is_channel_id(channel_id):
        raise ValueError(f"{channel_id!r} is not a channel id (UC followed by 22 characters)")
    return "UU" + channel_id[2:]
