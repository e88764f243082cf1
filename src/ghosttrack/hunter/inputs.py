"""What users type to name a channel: a ``UC…`` id, an ``@handle``, or a channel URL. Pure.

Ids are used as they are; handles are resolved with ``channels.list?forHandle=`` (one call
each). Legacy ``/c/…`` and ``/user/…`` URLs are refused with advice: the API cannot resolve
custom URLs, and the user can always find the channel's handle on its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from ghosttrack.ids import CHANNEL_ID, HANDLE, YOUTUBE_HOSTS, parse_youtube_url


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel as named by the user: by ``id`` (``UC…``) or by ``handle`` (``@…``)."""

    text: str  # what the user typed, for messages
    channel_id: str | None = None
    handle: str | None = None


def parse_channel_ref(text: str) -> ChannelRef:
    """A ChannelRef from an id, a handle or a URL; ValueError naming the input otherwise."""
    candidate = text.strip()
    if CHANNEL_ID.match(candidate):
        return ChannelRef(text, channel_id=candidate)
    if HANDLE.match(candidate):
        return ChannelRef(text, handle=candidate)
    return _from_url(text, candidate)


def _from_url(text: str, candidate: str) -> ChannelRef:
    url = parse_youtube_url(candidate)
    if (url.hostname or "").lower() not in YOUTUBE_HOSTS:
        raise ValueError(f"{text!r} is not a channel id (UC…), a @handle or a YouTube channel URL")
    parts = [unquote(p) for p in url.path.split("/") if p]
    first = parts[0] if parts else ""
    if first == "channel" and len(parts) > 1 and CHANNEL_ID.match(parts[1]):
        return ChannelRef(text, channel_id=parts[1])
    if HANDLE.match(first):
        return ChannelRef(text, handle=first)
    if first in ("c", "user"):
        raise ValueError(
            f"{text!r} is a legacy custom URL, which the API cannot resolve; use the channel's "
            "@handle or its UC… id (both are on the channel's page)"
        )
    raise ValueError(f"{text!r} is not a channel URL (youtube.com/channel/UC… or youtube.com/@…)")


def parse_channel_refs(inputs: list[str]) -> tuple[list[ChannelRef], list[str]]:
    """ChannelRefs in order without repeats, and a message per bad entry."""
    refs: dict[str, ChannelRef] = {}
    problems: list[str] = []
    for text in inputs:
        try:
            ref = parse_channel_ref(text)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        refs.setdefault(ref.channel_id or (ref.handle or "").lower(), ref)
    return list(refs.values()), problems
