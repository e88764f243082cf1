"""Turning the YouTube Data API's JSON (and the channel feed's Atom) into records. Pure, no I/O.

The real shapes, not an idealised one: counts arrive as strings; ``likeCount`` is absent when
likes are hidden and ``commentCount`` when comments are off (those become None, never 0); an id
missing from ``items`` is a deleted or private video. Anything that does not fit raises
``MalformedResponse``, which the client treats as a transient failure.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ghosttrack.youtube.models import (
    ChannelFeed,
    ChannelInfo,
    FeedEntry,
    PlaylistEntry,
    PlaylistPage,
    SearchHit,
    SearchPage,
    StatsBatch,
    VideoDetails,
    VideoStats,
)

JsonObject = Mapping[str, Any]


class MalformedResponse(Exception):
    """The body does not have the shape the API documents (truncated, HTML, wrong types)."""


# Generic values


def load_json(content: bytes) -> JsonObject:
    """The body as a JSON object; MalformedResponse when it is not one."""
    try:
        payload = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"the body is not JSON ({type(exc).__name__})") from None
    if not isinstance(payload, dict):
        raise MalformedResponse(f"the body is a JSON {type(payload).__name__}, not an object")
    return payload


def parse_time(value: object) -> datetime:
    """An RFC 3339 timestamp as an aware UTC datetime (naive values are taken as UTC)."""
    if not isinstance(value, str):
        raise MalformedResponse(f"expected an RFC 3339 timestamp, got {type(value).__name__}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedResponse(f"{value[:40]!r} is not an RFC 3339 timestamp") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_count(value: object) -> int | None:
    """A count sent as a decimal string (or a number); None when absent."""
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise MalformedResponse(f"{str(value)[:40]!r} is not a count")


def _items(payload: JsonObject) -> list[JsonObject]:
    items = payload.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MalformedResponse("'items' is not a list of objects")
    return items


def _object(item: JsonObject, name: str) -> JsonObject:
    value = item.get(name, {})
    if not isinstance(value, dict):
        raise MalformedResponse(f"{name!r} is not an object")
    return value


def _text(item: JsonObject, name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str):
        raise MalformedResponse(f"{name!r} is missing or not a string")
    return value


def _optional_text(item: JsonObject, name: str) -> str | None:
    value = item.get(name)
    if value is None or isinstance(value, str):
        return value
    raise MalformedResponse(f"{name!r} is not a string")


# videos.list and videos.batchGetStats


def parse_stats(payload: JsonObject, requested: Sequence[str], fetched_at: datetime) -> StatsBatch:
    """Statistics of a batch; ids absent from ``items`` are reported as missing.

    Works for both methods: ``videos.list`` sends ``snippet.publishedAt`` and ``channelId``,
    ``videos.batchGetStats`` sends ``snippet.publishTime`` and no channel.
    """
    wanted = set(requested)
    found: list[VideoStats] = []
    seen: set[str] = set()
    for item in _items(payload):
        video_id = _text(item, "id")
        if video_id not in wanted or video_id in seen:
            continue
        stats = _object(item, "statistics")
        views = parse_count(stats.get("viewCount"))
        if views is None:
            continue  # no count to record: treated like an id YouTube did not return
        snippet = _object(item, "snippet")
        published = snippet.get("publishedAt") or snippet.get("publishTime")
        seen.add(video_id)
        found.append(
            VideoStats(
                video_id=video_id,
                views=views,
                likes=parse_count(stats.get("likeCount")),
                comments=parse_count(stats.get("commentCount")),
                published_at=None if published is None else parse_time(published),
                channel_id=_optional_text(snippet, "channelId"),
                fetched_at=fetched_at,
            )
        )
    missing = tuple(v for v in requested if v not in seen)
    return StatsBatch(found=tuple(found), missing=missing)


_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_DURATION_SECONDS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def parse_iso_duration(value: object) -> int | None:
    """ISO 8601 durations as YouTube sends them ("PT1H2M3S", "P1DT2H", "P0D") in seconds."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    if match is None or value in ("P", "PT"):
        return None
    total = sum(float(n) * _DURATION_SECONDS[unit] for unit, n in match.groupdict().items() if n)
    return int(total)


def parse_video_details(payload: JsonObject) -> list[VideoDetails]:
    """``videos.list`` with ``part=snippet,contentDetails``."""
    result = []
    for item in _items(payload):
        snippet = _object(item, "snippet")
        details = _object(item, "contentDetails")
        tags = snippet.get("tags", [])
        if not isinstance(tags, list):
            raise MalformedResponse("'tags' is not a list")
        result.append(
            VideoDetails(
                video_id=_text(item, "id"),
                channel_id=_text(snippet, "channelId"),
                title=_optional_text(snippet, "title") or "",
                published_at=parse_time(snippet.get("publishedAt")),
                duration_seconds=parse_iso_duration(details.get("duration")),
                tags=tuple(str(t) for t in tags),
                description=_optional_text(snippet, "description") or "",
                category_id=_optional_text(snippet, "categoryId"),
                live=snippet.get("liveBroadcastContent") in ("live", "upcoming"),
            )
        )
    return result


# channels.list, playlistItems.list, search.list


def parse_channels(payload: JsonObject, fetched_at: datetime) -> list[ChannelInfo]:
    """``channels.list`` with ``part=snippet,contentDetails,statistics``."""
    channels = []
    for item in _items(payload):
        channel_id = _text(item, "id")
        snippet = _object(item, "snippet")
        stats = _object(item, "statistics")
        related = _object(_object(item, "contentDetails"), "relatedPlaylists")
        uploads = _optional_text(related, "uploads") or "UU" + channel_id[2:]
        hidden = stats.get("hiddenSubscriberCount") is True
        channels.append(
            ChannelInfo(
                channel_id=channel_id,
                title=_optional_text(snippet, "title") or "",
                handle=_optional_text(snippet, "customUrl"),
                uploads_playlist_id=uploads,
                subscribers=None if hidden else parse_count(stats.get("subscriberCount")),
                views=parse_count(stats.get("viewCount")) or 0,
                video_count=parse_count(stats.get("videoCount")) or 0,
                fetched_at=fetched_at,
            )
        )
    return channels


def _page_token(payload: JsonObject) -> str | None:
    return _optional_text(payload, "nextPageToken") or None


def parse_playlist_page(payload: JsonObject) -> PlaylistPage:
    """``playlistItems.list`` with ``part=snippet,contentDetails``.

    The video's own publication time is ``contentDetails.videoPublishedAt`` (``snippet``'s is
    when it was added to the playlist); deleted and private entries have neither owner nor time.
    """
    entries = []
    for item in _items(payload):
        snippet = _object(item, "snippet")
        details = _object(item, "contentDetails")
        video_id = _optional_text(details, "videoId") or _text(
            _object(snippet, "resourceId"), "videoId"
        )
        published = details.get("videoPublishedAt")
        channel = _optional_text(snippet, "videoOwnerChannelId") or _optional_text(
            snippet, "channelId"
        )
        entries.append(
            PlaylistEntry(
                video_id=video_id,
                channel_id=channel or "",
                published_at=None if published is None else parse_time(published),
                title=_optional_text(snippet, "title") or "",
            )
        )
    total = parse_count(_object(payload, "pageInfo").get("totalResults"))
    return PlaylistPage(
        items=tuple(entries), next_page_token=_page_token(payload), total_results=total
    )


def parse_search_page(payload: JsonObject) -> SearchPage:
    """``search.list`` with ``part=snippet&type=video``; non-video hits are skipped."""
    hits = []
    for item in _items(payload):
        video_id = _optional_text(_object(item, "id"), "videoId")
        if video_id is None:
            continue
        snippet = _object(item, "snippet")
        published = snippet.get("publishedAt") or snippet.get("publishTime")
        hits.append(
            SearchHit(
                video_id=video_id,
                channel_id=_text(snippet, "channelId"),
                published_at=parse_time(published),
                title=_optional_text(snippet, "title") or "",
            )
        )
    return SearchPage(items=tuple(hits), next_page_token=_page_token(payload))


# Errors


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """What an error answer says: ``error.errors[].reason``, ``error.message``, details."""

    reasons: tuple[str, ...]
    message: str


def parse_error(content: bytes) -> ErrorBody:
    """The reasons of an error answer; empty when the body is not the API's error shape."""
    try:
        payload = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return ErrorBody((), "")
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return ErrorBody((), "")
    reasons: list[str] = []
    for entry in error.get("errors") or []:
        if isinstance(entry, dict) and isinstance(entry.get("reason"), str):
            reasons.append(entry["reason"])
    for entry in error.get("details") or []:  # newer bodies: google.rpc.ErrorInfo
        if isinstance(entry, dict) and isinstance(entry.get("reason"), str):
            reasons.append(entry["reason"])
    message = error.get("message")
    return ErrorBody(tuple(reasons), message if isinstance(message, str) else "")


# The channel feed (Atom)

_ATOM = "{http://www.w3.org/2005/Atom}"
_YT = "{http://www.youtube.com/xml/schemas/2015}"
_MEDIA = "{http://search.yahoo.com/mrss/}"


def parse_feed(content: bytes, channel_id: str, fetched_at: datetime) -> ChannelFeed:
    """A channel's RSS (Atom) feed: its latest uploads with quota-free views and likes.

    Documents with a DTD are refused, so no entity is ever expanded.
    """
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise MalformedResponse("the feed declares a DTD; refusing to expand its entities")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise MalformedResponse(f"the feed is not XML ({exc})") from None
    if root.tag != _ATOM + "feed":
        raise MalformedResponse(f"the feed's root is {root.tag!r}, not an Atom feed")
    entries = [_feed_entry(e, channel_id) for e in root.iter(_ATOM + "entry")]
    return ChannelFeed(
        channel_id=channel_id,
        title=(root.findtext(_ATOM + "title") or "").strip(),
        entries=tuple(entries),
        fetched_at=fetched_at,
    )


def _feed_entry(entry: ET.Element, channel_id: str) -> FeedEntry:
    video_id = entry.findtext(_YT + "videoId")
    if not video_id:
        raise MalformedResponse("a feed entry has no yt:videoId")
    community = entry.find(f"{_MEDIA}group/{_MEDIA}community")
    views = likes = None
    if community is not None:
        statistics = community.find(_MEDIA + "statistics")
        rating = community.find(_MEDIA + "starRating")
        views = parse_count(None if statistics is None else statistics.get("views"))
        likes = parse_count(None if rating is None else rating.get("count"))
    return FeedEntry(
        video_id=video_id,
        channel_id=entry.findtext(_YT + "channelId") or channel_id,
        title=(entry.findtext(_ATOM + "title") or "").strip(),
        published_at=parse_time(entry.findtext(_ATOM + "published")),
        views=views,
        likes=likes,
    )
