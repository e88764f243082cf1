"""The API methods: query parameters in, a JSON body out (or an ApiError). No HTTP here.

Each handler reads only what the real method reads, answers in the real shape, and leaves out
what real YouTube leaves out: unknown or unavailable ids are simply absent from ``items``.
"""

from __future__ import annotations

import base64
import binascii
import heapq
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from ghosttrack.sim import resources
from ghosttrack.sim.apierrors import ApiError
from ghosttrack.sim.codec import is_id_text
from ghosttrack.sim.fields import (
    FieldsError,
    ItemPlan,
    Mask,
    item_mask,
    item_plan,
    parse_fields,
    projector,
)
from ghosttrack.sim.world import Channel, Traits, World

MAX_IDS = 50
MAX_SEARCH_RESULTS = 500
MAX_SEARCH_SCAN = 5_000  # uploads examined per search: bounds a query's cost

# Parts the simulator fills, and parts the real API knows (accepted, left empty).
VIDEO_PARTS = frozenset({"id", "snippet", "contentDetails", "statistics", "status"})
KNOWN_VIDEO_PARTS = VIDEO_PARTS | {
    "fileDetails", "liveStreamingDetails", "localizations", "paidProductPlacementDetails",
    "player", "processingDetails", "recordingDetails", "suggestions", "topicDetails",
}  # fmt: skip
STAT_PARTS = frozenset({"snippet", "statistics", "contentDetails"})
CHANNEL_PARTS = frozenset({"id", "snippet", "contentDetails", "statistics", "status"})
KNOWN_CHANNEL_PARTS = CHANNEL_PARTS | {
    "auditDetails", "brandingSettings", "contentOwnerDetails", "localizations", "topicDetails",
}  # fmt: skip
PLAYLIST_ITEM_PARTS = frozenset({"id", "snippet", "contentDetails", "status"})
SEARCH_PARTS = frozenset({"id", "snippet"})


Params = QueryParams
Handler = Callable[[World, Params, float], dict[str, Any]]


# ---- parameter parsing -------------------------------------------------------------------


def parse_parts(params: Params, served: frozenset[str], known: frozenset[str]) -> set[str]:
    values = [p.strip() for raw in params.getlist("part") for p in raw.split(",") if p.strip()]
    if not values:
        raise ApiError(400, "required", "Required parameter: part", location="part")
    for value in values:
        if value not in known:
            raise ApiError(400, "unknownPart", f"'{value}'", location="part")
    return {v for v in values if v in served}


def parse_ids(params: Params, name: str = "id") -> list[str]:
    """The ids of a comma-separated and/or repeated parameter, in order, without repeats."""
    ids = [i.strip() for raw in params.getlist(name) for i in raw.split(",") if i.strip()]
    if len(ids) > MAX_IDS:
        raise ApiError(
            400,
            "invalidParameter",
            f"The request specifies {len(ids)} ids; at most {MAX_IDS} are allowed.",
            location=name,
        )
    for item in ids:
        if not is_id_text(item):
            raise ApiError(400, "badRequest", "Request contains an invalid argument.", name)
    return list(dict.fromkeys(ids))


def parse_mask(params: Params) -> Mask | None:
    text = params.get("fields")
    if not text:
        return None
    try:
        return parse_fields(text)
    except FieldsError as exc:
        raise ApiError(400, "invalidParameter", str(exc), location="fields") from None


def finish(body: dict[str, Any], params: Params, exact_items: bool = False) -> dict[str, Any]:
    """Apply ``fields`` (already known to parse) to the answer; ``exact_items``: the items were
    built trimmed already (see ItemPlan) and only the envelope is left to trim."""
    text = params.get("fields")
    if not text:
        return body
    if not exact_items:
        pruned: dict[str, Any] = projector(text)(body)
        return pruned
    items = body.pop("items")
    envelope: dict[str, Any] = projector(text)(body)
    selected = parse_fields(text)
    if "items" in selected or "*" in selected:
        envelope["items"] = items
    return envelope


def effective_parts(parts: set[str], mask: Mask | None, container: str = "items") -> set[str]:
    """Parts worth building: requested, and not pruned away by ``fields`` anyway."""
    each = item_mask(mask, container)
    if each is None or "*" in each:
        return parts
    return parts & set(each)


def parse_max_results(params: Params, default: int, maximum: int = 50) -> int:
    raw = params.get("maxResults")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= maximum:
        raise ApiError(
            400,
            "invalidParameter",
            f"Invalid value '{raw}'. Values must be within the range: [0, {maximum}]",
            location="maxResults",
        )
    return value


def parse_time(params: Params, name: str) -> float | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ApiError(
            400, "invalidParameter", f"Invalid value '{raw}' for {name}.", location=name
        ) from None


def encode_token(anchor: float, *numbers: int) -> str:
    text = ":".join([str(int(anchor)), *map(str, numbers)])
    return "GT" + base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def decode_token(token: str, count: int) -> tuple[float, list[int]]:
    try:
        if not token.startswith("GT"):
            raise ValueError(token)
        body = token[2:]
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
        anchor, *numbers = (int(part) for part in text.split(":"))
        if len(numbers) != count or any(n < 0 for n in numbers):
            raise ValueError(token)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalidPageToken", location="pageToken") from None
    return float(anchor), numbers


def page_info(total: int, per_page: int) -> dict[str, int]:
    return {"totalResults": total, "resultsPerPage": per_page}


# ---- videos.list and videos:batchGetStats ------------------------------------------------


def _plan_of(params: Params) -> ItemPlan | None:
    text = params.get("fields")
    return item_plan(text) if text else None


def videos_list(world: World, params: Params, ts: float) -> dict[str, Any]:
    parts = parse_parts(params, VIDEO_PARTS, KNOWN_VIDEO_PARTS)
    mask = parse_mask(params)
    if "id" not in params:
        raise ApiError(
            400,
            "required",
            "No filter selected. Expected one of: myRating, chart, id",
            location="id",
        )
    ids = parse_ids(params)
    build, plan = effective_parts(parts, mask), _plan_of(params)
    items = [
        resources.video_resource(world, video, build, plan) for video in world.observe_ids(ids, ts)
    ]
    body = {
        "kind": "youtube#videoListResponse",
        "etag": resources.etag(len(items), int(ts), 1),
        "items": items,
        "pageInfo": page_info(len(items), len(items)),
    }
    return finish(body, params, exact_items=plan is not None)


def batch_get_stats(world: World, params: Params, ts: float) -> dict[str, Any]:
    parts = parse_parts(params, STAT_PARTS, STAT_PARTS)
    mask = parse_mask(params)
    ids = parse_ids(params)
    if not ids:
        raise ApiError(400, "required", "Required parameter: id", location="id")
    build, plan = effective_parts(parts, mask), _plan_of(params)
    items = [
        resources.video_stat_resource(video, build, plan) for video in world.observe_ids(ids, ts)
    ]
    body = {
        "kind": "youtube#batchGetStatsResponse",
        "etag": resources.etag(len(items), int(ts), 2),
        "items": items,
    }
    return finish(body, params, exact_items=plan is not None)


# ---- channels.list -----------------------------------------------------------------------


def channels_list(world: World, params: Params, ts: float) -> dict[str, Any]:
    parts = parse_parts(params, CHANNEL_PARTS, KNOWN_CHANNEL_PARTS)
    mask = parse_mask(params)
    channels: list[Channel] = []
    if "id" in params:
        for channel_id in parse_ids(params):
            found = world.channel_by_id(channel_id)
            if found is not None:
                channels.append(found)
    elif "forHandle" in params or "forUsername" in params:
        handle = params.get("forHandle") or params.get("forUsername") or ""
        found = world.channel_by_handle(handle)
        if found is not None:
            channels.append(found)
    else:
        raise ApiError(
            400,
            "required",
            "No filter selected. Expected one of: forHandle, forUsername, id, mine",
        )
    build = effective_parts(parts, mask)
    at = resources_time(ts)
    items = []
    for channel in channels:
        stats = world.channel_stats(channel, at)
        if stats is not None:
            items.append(resources.channel_resource(channel, stats, build))
    body: dict[str, Any] = {
        "kind": "youtube#channelListResponse",
        "etag": resources.etag(len(items), int(ts), 3),
        "pageInfo": page_info(len(items), max(5, len(items))),
    }
    if items:  # real YouTube leaves "items" out when nothing matched
        body["items"] = items
    return finish(body, params)


def resources_time(ts: float) -> datetime:
    from ghosttrack.sim.world import from_ts

    return from_ts(ts)


# ---- playlistItems.list ------------------------------------------------------------------


def playlist_items_list(world: World, params: Params, ts: float) -> dict[str, Any]:
    parts = parse_parts(params, PLAYLIST_ITEM_PARTS, PLAYLIST_ITEM_PARTS)
    mask = parse_mask(params)
    playlist_id = params.get("playlistId")
    if not playlist_id:
        raise ApiError(
            400, "required", "No filter selected. Expected one of: id, playlistId", "playlistId"
        )
    channel = world.channel_by_id("UC" + playlist_id[2:]) if playlist_id[:2] == "UU" else None
    if channel is None:
        raise ApiError(404, "playlistNotFound", location="playlistId")
    per_page = parse_max_results(params, default=5)
    token = params.get("pageToken")
    anchor, (next_raw, offset) = (
        decode_token(token, 2) if token else (ts, [world.count_published(channel, ts), 0])
    )
    build = effective_parts(parts, mask)
    items: list[dict[str, Any]] = []
    raw = next_raw
    if per_page > 0:
        for traits in world.public_uploads_desc(channel, anchor, below=next_raw):
            position = offset + len(items)
            items.append(resources.playlist_item_resource(world, channel, traits, position, build))
            raw = traits.position
            if len(items) == per_page:
                break
        else:
            raw = 0
    body: dict[str, Any] = {
        "kind": "youtube#playlistItemListResponse",
        "etag": resources.etag(channel.index, int(anchor), raw, 4),
    }
    if raw > 0 and per_page > 0:
        body["nextPageToken"] = encode_token(anchor, raw, offset + len(items))
    if offset > 0:
        body["prevPageToken"] = encode_token(anchor, next_raw, max(0, offset - per_page))
    body["items"] = items
    body["pageInfo"] = page_info(world.count_published(channel, anchor), per_page)
    return finish(body, params)


# ---- search.list -------------------------------------------------------------------------


def search_list(world: World, params: Params, ts: float) -> dict[str, Any]:
    parts = parse_parts(params, SEARCH_PARTS, SEARCH_PARTS)
    mask = parse_mask(params)
    per_page = parse_max_results(params, default=5)
    token = params.get("pageToken")
    anchor, (skip,) = decode_token(token, 1) if token else (ts, [0])
    after = parse_time(params, "publishedAfter")
    before = parse_time(params, "publishedBefore")
    until = anchor if before is None else min(anchor, before)
    wanted_types = {t.strip() for raw in params.getlist("type") for t in raw.split(",")}
    channel_filter = params.get("channelId")
    if channel_filter is not None:
        only = world.channel_by_id(channel_filter)
        channels: Collection[Channel] = [] if only is None else [only]
    else:
        channels = world.channels
    if wanted_types and "video" not in wanted_types:
        channels = []
    terms = _Query(params.get("q") or "")
    build = effective_parts(parts, mask)
    found, total = _search(world, channels, terms, after, until, skip + per_page)
    items = [resources.search_result_resource(world, t, build) for t in found[skip:]]
    body: dict[str, Any] = {
        "kind": "youtube#searchListResponse",
        "etag": resources.etag(int(anchor), skip, len(items), 5),
    }
    if per_page > 0 and skip + per_page < min(total, MAX_SEARCH_RESULTS):
        body["nextPageToken"] = encode_token(anchor, skip + per_page)
    if skip > 0:
        body["prevPageToken"] = encode_token(anchor, max(0, skip - per_page))
    body["regionCode"] = "US"
    body["pageInfo"] = page_info(total, per_page)
    body["items"] = items
    return finish(body, params)


class _Query:
    """``q``: words that must all appear; ``a|b`` either; ``-word`` must not appear."""

    def __init__(self, text: str) -> None:
        self.required: list[list[str]] = []
        self.excluded: list[str] = []
        for word in text.lower().replace('"', " ").split():
            if word.startswith("-") and len(word) > 1:
                self.excluded.append(word[1:])
            else:
                self.required.append([w for w in word.split("|") if w])

    @property
    def empty(self) -> bool:
        return not self.required and not self.excluded

    def matches(self, text: str) -> bool:
        text = text.lower()
        return all(any(w in text for w in alts) for alts in self.required) and not any(
            w in text for w in self.excluded
        )


def _search(
    world: World,
    channels: Collection[Channel],
    query: _Query,
    after: float | None,
    until: float,
    limit: int,
) -> tuple[list[Traits], int]:
    """Public uploads in (after, until], newest first, matching ``query``: the first ``limit``
    and an estimate of how many there are (YouTube's totalResults is an estimate too)."""
    indices = [c.index for c in channels]
    newest = world.count_published_many(indices, until) - 1
    oldest = world.count_published_many(indices, after) if after is not None else 0 * newest
    candidates = int((newest - oldest + 1).clip(min=0).sum())
    heap = [
        (-world.upload_time(world.channels[c], top), c, top, low)
        for c, top, low in zip(indices, newest.tolist(), oldest.tolist(), strict=True)
        if top >= low
    ]
    heapq.heapify(heap)
    found: list[Traits] = []
    scanned = matched = 0
    while heap and scanned < MAX_SEARCH_SCAN and matched < MAX_SEARCH_RESULTS:
        chunk = _pop_newest(world, heap, 64)
        scanned += len(chunk)
        for traits in world.batch(chunk).rows():
            if traits.gone_at <= until or not _matches(world, query, traits):
                continue
            matched += 1
            if len(found) < limit:
                found.append(traits)
    if not heap:
        return found, matched
    return found, min(1_000_000, max(matched, int(candidates * matched / max(1, scanned))))


def _pop_newest(world: World, heap: list[tuple[float, int, int, int]], count: int) -> list[int]:
    """The next ``count`` uploads (video indices) across channels, newest first."""
    taken: list[int] = []
    while heap and len(taken) < count:
        _, c, position, low = heapq.heappop(heap)
        channel = world.channels[c]
        taken.append(channel.first_video + position)
        if position > low:
            heapq.heappush(heap, (-world.upload_time(channel, position - 1), c, position - 1, low))
    return taken


def _matches(world: World, query: _Query, traits: Traits) -> bool:
    if query.empty:
        return True
    info = world.info(traits.number)
    return query.matches(f"{info.title} {info.channel_title} {' '.join(info.tags)}")
