"""JSON resources as the YouTube Data API v3 writes them: counts as strings, RFC 3339 times.

Every key written here exists in the official discovery document (the contract test walks
the responses and fails on any invented field).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Collection
from typing import Any

from ghosttrack.sim.fields import ItemPlan
from ghosttrack.sim.world import Channel, ChannelStats, Observed, Traits, World


def rfc3339(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_duration(seconds: int) -> str:
    """``PT1H2M3S`` (what ``videos.list`` contentDetails.duration holds)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs or text == "PT":
        text += f"{secs}S"
    return text


def etag(*parts: int) -> str:
    """An opaque etag (27 base64url characters, like YouTube's) that changes with the parts."""
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=20).digest()
    return base64.urlsafe_b64encode(digest)[:27].decode("ascii")


def video_thumbnails(video_id: str) -> dict[str, Any]:
    base = f"https://i.ytimg.com/vi/{video_id}/"
    return {
        "default": {"url": base + "default.jpg", "width": 120, "height": 90},
        "medium": {"url": base + "mqdefault.jpg", "width": 320, "height": 180},
        "high": {"url": base + "hqdefault.jpg", "width": 480, "height": 360},
    }


def channel_thumbnails(channel_id: str) -> dict[str, Any]:
    base = f"https://yt3.ggpht.com/ghosttrack-sim/{channel_id}="
    return {
        "default": {"url": base + "s88", "width": 88, "height": 88},
        "medium": {"url": base + "s240", "width": 240, "height": 240},
        "high": {"url": base + "s800", "width": 800, "height": 800},
    }


def statistics(
    views: int, likes: int | None, comments: int | None, favorite: bool
) -> dict[str, str]:
    out = {"viewCount": str(views)}
    if likes is not None:
        out["likeCount"] = str(likes)
    if favorite:
        out["favoriteCount"] = "0"
    if comments is not None:
        out["commentCount"] = str(comments)
    return out


def video_resource(
    world: World, video: Observed, parts: Collection[str], plan: ItemPlan | None = None
) -> dict[str, Any]:
    """One ``youtube#video`` with the requested parts (only those ``plan`` keeps are built)."""
    want = parts if plan is None else plan.keys.intersection(parts)
    item: dict[str, Any] = {
        "kind": "youtube#video",
        "etag": etag(video.number, video.views) if plan is None or "etag" in plan.keys else "",
        "id": video.video_id,
    }
    if "snippet" in want:
        item["snippet"] = video_snippet(world, video, light=plan is not None and plan.snippet_light)
    if "contentDetails" in want:
        item["contentDetails"] = {
            "duration": iso_duration(video.duration),
            "dimension": "2d",
            "definition": "hd" if video.duration > 60 else "sd",
            "caption": "false",
            "licensedContent": video.number % 3 == 0,
            "contentRating": {},
            "projection": "rectangular",
        }
    if "status" in want:
        item["status"] = {
            "uploadStatus": "processed",
            "privacyStatus": "public",
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "madeForKids": video.comments_off and video.number % 2 == 0,
        }
    if "statistics" in want:
        item["statistics"] = statistics(video.views, video.likes, video.comments, favorite=True)
    return item if plan is None else plan.apply(item)


def video_snippet(world: World, video: Observed, light: bool = False) -> dict[str, Any]:
    channel = world.channels[video.channel]
    if light:  # what trackers ask for: no title to write
        return {
            "publishedAt": rfc3339(video.published),
            "channelId": channel.channel_id,
            "liveBroadcastContent": "none",
        }
    info = world.info(video.number)
    return {
        "publishedAt": rfc3339(video.published),
        "channelId": channel.channel_id,
        "title": info.title,
        "description": info.description,
        "thumbnails": video_thumbnails(info.video_id),
        "channelTitle": info.channel_title,
        "tags": list(info.tags),
        "categoryId": info.category_id,
        "liveBroadcastContent": "none",
        "localized": {"title": info.title, "description": info.description},
    }


def video_stat_resource(
    video: Observed, parts: Collection[str], plan: ItemPlan | None = None
) -> dict[str, Any]:
    """One ``youtube#videoStats`` item of ``videos:batchGetStats``."""
    want = parts if plan is None else plan.keys.intersection(parts)
    item: dict[str, Any] = {
        "kind": "youtube#videoStats",
        "etag": etag(video.number, video.views, 7) if plan is None or "etag" in plan.keys else "",
        "id": video.video_id,
    }
    if "snippet" in want:
        item["snippet"] = {"publishTime": rfc3339(video.published)}
    if "statistics" in want:
        item["statistics"] = statistics(video.views, video.likes, video.comments, favorite=False)
    if "contentDetails" in want:
        item["contentDetails"] = {"duration": f"{video.duration}s"}
    return item if plan is None else plan.apply(item)


def channel_resource(
    channel: Channel, stats: ChannelStats, parts: Collection[str]
) -> dict[str, Any]:
    """One ``youtube#channel``."""
    item: dict[str, Any] = {
        "kind": "youtube#channel",
        "etag": etag(channel.index, stats.videos, 11),
        "id": channel.channel_id,
    }
    if "snippet" in parts:
        description = f"Simulated {channel.topic_name} channel ({channel.rhythm} uploads)."
        item["snippet"] = {
            "title": channel.title,
            "description": description,
            "customUrl": channel.handle.lower(),
            "publishedAt": rfc3339(channel.created_at),
            "thumbnails": channel_thumbnails(channel.channel_id),
            "localized": {"title": channel.title, "description": description},
            "country": channel.country,
        }
    if "contentDetails" in parts:
        item["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": channel.uploads_playlist_id}
        }
    if "statistics" in parts:
        statistics_: dict[str, Any] = {"viewCount": str(stats.views)}
        if stats.subscribers is not None:
            statistics_["subscriberCount"] = str(stats.subscribers)
        statistics_["hiddenSubscriberCount"] = stats.subscribers is None
        statistics_["videoCount"] = str(stats.videos)
        item["statistics"] = statistics_
    if "status" in parts:
        item["status"] = {
            "privacyStatus": "public",
            "isLinked": True,
            "longUploadsStatus": "longUploadsUnspecified",
            "madeForKids": False,
        }
    return item


def playlist_item_resource(
    world: World, channel: Channel, traits: Traits, position: int, parts: Collection[str]
) -> dict[str, Any]:
    """One ``youtube#playlistItem`` of a channel's uploads playlist."""
    video_id = world.video_id(traits.number)
    playlist_id = channel.uploads_playlist_id
    item_id = base64.b64encode(f"{playlist_id}.{video_id}".encode()).decode("ascii")
    item: dict[str, Any] = {
        "kind": "youtube#playlistItem",
        "etag": etag(traits.number, position, 13),
        "id": item_id,
    }
    published = rfc3339(traits.published)
    if "snippet" in parts:
        info = world.info(traits.number)
        item["snippet"] = {
            "publishedAt": published,
            "channelId": channel.channel_id,
            "title": info.title,
            "description": info.description,
            "thumbnails": video_thumbnails(video_id),
            "channelTitle": channel.title,
            "playlistId": playlist_id,
            "position": position,
            "resourceId": {"kind": "youtube#video", "videoId": video_id},
            "videoOwnerChannelTitle": channel.title,
            "videoOwnerChannelId": channel.channel_id,
        }
    if "contentDetails" in parts:
        item["contentDetails"] = {"videoId": video_id, "videoPublishedAt": published}
    if "status" in parts:
        item["status"] = {"privacyStatus": "public"}
    return item


def search_result_resource(world: World, traits: Traits, parts: Collection[str]) -> dict[str, Any]:
    """One ``youtube#searchResult`` (always a video here)."""
    video_id = world.video_id(traits.number)
    item: dict[str, Any] = {
        "kind": "youtube#searchResult",
        "etag": etag(traits.number, 17),
        "id": {"kind": "youtube#video", "videoId": video_id},
    }
    if "snippet" in parts:
        info = world.info(traits.number)
        item["snippet"] = {
            "publishedAt": rfc3339(traits.published),
            "channelId": info.channel_id,
            "title": info.title,
            "description": info.description,
            "thumbnails": video_thumbnails(video_id),
            "channelTitle": info.channel_title,
            "liveBroadcastContent": "none",
        }
    return item
