"""Every simulator endpoint over real HTTP on loopback: paths, parameters, shapes, behaviour."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.ids import CHANNEL_ID
from ghosttrack.sim.server import SimServer
from ghosttrack.sim.world import from_ts
from tests.fixtures.sim import SIM_EPOCH, MakeSim

KEY = {"key": "test-key"}
CLIENT_FIELDS = (
    "items(id,snippet(publishedAt,channelId),statistics(viewCount,likeCount,commentCount))"
)
ATOM = {
    "a": "http://www.w3.org/2005/Atom",
    "yt": "http://www.youtube.com/xml/schemas/2015",
    "media": "http://search.yahoo.com/mrss/",
}


def get(sim: SimServer, path: str, **params: Any) -> httpx.Response:
    return httpx.get(sim.base_url + path, params={**KEY, **params})


def test_videos_list_answers_every_part_in_request_order(sim: SimServer) -> None:
    ids = sim.world.video_ids(5)
    response = get(
        sim, "/videos", part="snippet,contentDetails,statistics,status", id=",".join(ids)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["kind"] == "youtube#videoListResponse"
    assert [item["id"] for item in body["items"]] == ids
    item = body["items"][0]
    expected = sim.world.stats(ids[0], SIM_EPOCH)
    assert expected is not None
    assert item["statistics"]["viewCount"] == str(expected.views)
    assert item["snippet"]["channelId"] == expected.channel_id
    assert item["snippet"]["publishedAt"].endswith("Z")
    assert item["contentDetails"]["duration"].startswith("PT")
    assert item["status"]["privacyStatus"] == "public"


def test_videos_list_honours_the_fields_the_client_sends(sim: SimServer) -> None:
    ids = sim.world.video_ids(3)
    body = get(
        sim, "/videos", part="snippet,statistics", id=",".join(ids), fields=CLIENT_FIELDS
    ).json()
    assert set(body) == {"items"}
    for item in body["items"]:
        assert set(item) == {"id", "snippet", "statistics"}
        assert set(item["snippet"]) == {"publishedAt", "channelId"}
        assert set(item["statistics"]) <= {"viewCount", "likeCount", "commentCount"}


def test_hidden_likes_and_comments_off_are_absent_not_zero(sim: SimServer) -> None:
    world = sim.world
    hidden = world.find_videos(
        1, lambda t: t.hides_likes and t.published < SIM_EPOCH.timestamp() and t.gone_at > 1e12
    )[0]
    off = world.find_videos(
        1,
        lambda t: (
            t.comments_off
            and not t.hides_likes
            and t.published < SIM_EPOCH.timestamp()
            and t.gone_at > 1e12
        ),
    )[0]
    ids = [world.video_id(hidden.number), world.video_id(off.number)]
    items = get(sim, "/videos", part="statistics", id=",".join(ids)).json()["items"]
    assert "likeCount" not in items[0]["statistics"]
    assert "commentCount" not in items[1]["statistics"]
    assert "likeCount" in items[1]["statistics"]


def test_unknown_future_and_removed_videos_are_left_out(make_sim: MakeSim) -> None:
    clock = ManualClock(SIM_EPOCH)
    sim = make_sim(clock=clock)
    world = sim.world
    epoch = SIM_EPOCH.timestamp()
    future = world.find_videos(
        1, lambda t: epoch < t.published < epoch + 5 * 86400 and t.gone_at > 1e12
    )[0]
    ending = world.find_videos(
        1, lambda t: t.published < epoch < t.gone_at < epoch + 3 * 365 * 86400
    )[0]
    ids = [world.video_id(future.number), world.video_id(ending.number), "dQw4w9WgXcQ"]
    seen = [i["id"] for i in get(sim, "/videos", part="id", id=",".join(ids)).json()["items"]]
    assert seen == [ids[1]]
    clock.set(from_ts(max(future.published, ending.gone_at) + 1))
    seen = [i["id"] for i in get(sim, "/videos", part="id", id=",".join(ids)).json()["items"]]
    assert seen == [ids[0]]


def test_batch_get_stats_takes_repeated_and_comma_separated_ids(sim: SimServer) -> None:
    ids = sim.world.video_ids(4)
    params = [("id", ids[0]), ("id", f"{ids[1]},{ids[2]}"), ("id", ids[3])]
    params += [("part", "statistics,snippet,contentDetails"), ("key", "k")]
    body = httpx.get(sim.base_url + "/videos:batchGetStats", params=params).json()
    assert body["kind"] == "youtube#batchGetStatsResponse"
    assert [item["id"] for item in body["items"]] == ids
    item = body["items"][0]
    assert item["kind"] == "youtube#videoStats"
    assert set(item["snippet"]) == {"publishTime"}
    assert item["contentDetails"]["duration"].endswith("s")
    assert item["statistics"]["viewCount"].isdigit()


@pytest.mark.parametrize("path", ["/videos", "/videos:batchGetStats"])
def test_batches_refuse_more_than_fifty_ids_and_foreign_characters(
    sim: SimServer, path: str
) -> None:
    ids = sim.world.video_ids(51)
    too_many = get(sim, path, part="statistics", id=",".join(ids))
    assert too_many.status_code == 400
    bad = get(sim, path, part="statistics", id=",".join([*ids[:3], "abc!def*gh0"]))
    assert bad.status_code == 400
    assert bad.json()["error"]["errors"][0]["reason"] == "badRequest"
    assert get(sim, path, part="statistics", id=",".join(ids[:3])).status_code == 200


def test_channels_list_by_ids_and_by_handle(sim: SimServer) -> None:
    channels = sim.world.channels[:3]
    body = get(
        sim,
        "/channels",
        part="snippet,statistics,contentDetails",
        id=",".join(c.channel_id for c in channels),
    ).json()
    assert [item["id"] for item in body["items"]] == [c.channel_id for c in channels]
    item = body["items"][0]
    assert CHANNEL_ID.match(item["id"])
    assert item["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + item["id"][2:]
    assert item["snippet"]["customUrl"] == channels[0].handle.lower()
    assert isinstance(item["statistics"]["hiddenSubscriberCount"], bool)
    assert item["statistics"]["videoCount"].isdigit()
    by_handle = get(sim, "/channels", part="id", forHandle=channels[1].handle.upper()).json()
    assert [i["id"] for i in by_handle["items"]] == [channels[1].channel_id]
    assert "items" not in get(sim, "/channels", part="id", forHandle="@no-such-handle").json()


def test_playlist_items_list_uploads_newest_first_and_pages(sim: SimServer) -> None:
    channel = max(sim.world.channels, key=lambda c: c.video_count)
    first = get(
        sim,
        "/playlistItems",
        part="snippet,contentDetails",
        playlistId=channel.uploads_playlist_id,
        maxResults=50,
    ).json()
    assert first["kind"] == "youtube#playlistItemListResponse"
    assert len(first["items"]) == 50
    published = [item["contentDetails"]["videoPublishedAt"] for item in first["items"]]
    assert published == sorted(published, reverse=True)
    assert first["items"][0]["snippet"]["position"] == 0
    assert first["items"][0]["snippet"]["resourceId"]["kind"] == "youtube#video"
    second = get(
        sim,
        "/playlistItems",
        part="contentDetails",
        playlistId=channel.uploads_playlist_id,
        maxResults=50,
        pageToken=first["nextPageToken"],
    ).json()
    assert second["items"][0]["contentDetails"]["videoPublishedAt"] < published[-1]
    assert "prevPageToken" in second
    missing = get(sim, "/playlistItems", part="id", playlistId="UU" + "x" * 22)
    assert missing.status_code == 404
    assert missing.json()["error"]["errors"][0]["reason"] == "playlistNotFound"
    assert (
        get(
            sim, "/playlistItems", part="id", playlistId=channel.uploads_playlist_id, maxResults=51
        ).status_code
        == 400
    )


def test_new_uploads_appear_in_the_playlist_and_feed_as_time_passes(make_sim: MakeSim) -> None:
    clock = ManualClock(SIM_EPOCH)
    sim = make_sim(clock=clock)
    channel = next(c for c in sim.world.channels if c.rhythm in ("daily", "prolific"))
    uploads = sim.world.uploads(channel.channel_id, SIM_EPOCH, SIM_EPOCH + timedelta(days=3))
    fresh = next(u for u in uploads if u.gone_at is None)

    def newest_in_playlist() -> str:
        body = get(
            sim,
            "/playlistItems",
            part="contentDetails",
            playlistId=channel.uploads_playlist_id,
            maxResults=1,
        ).json()
        return str(body["items"][0]["contentDetails"]["videoId"])

    def feed_ids() -> list[str]:
        xml = httpx.get(sim.feed_url, params={"channel_id": channel.channel_id}).text
        return [e.text or "" for e in ET.fromstring(xml).iterfind("a:entry/yt:videoId", ATOM)]

    assert fresh.video_id != newest_in_playlist()
    assert fresh.video_id not in feed_ids()
    clock.set(fresh.published_at + timedelta(seconds=1))
    assert newest_in_playlist() == fresh.video_id
    assert feed_ids()[0] == fresh.video_id


def test_search_list_by_date_channel_and_query(sim: SimServer) -> None:
    channel = max(sim.world.channels, key=lambda c: c.video_count)
    after = (SIM_EPOCH - timedelta(days=60)).isoformat().replace("+00:00", "Z")
    body = get(
        sim,
        "/search",
        part="snippet",
        type="video",
        order="date",
        channelId=channel.channel_id,
        publishedAfter=after,
        maxResults=10,
    ).json()
    assert body["kind"] == "youtube#searchListResponse"
    assert body["items"]
    for item in body["items"]:
        assert item["id"]["kind"] == "youtube#video"
        assert item["snippet"]["channelId"] == channel.channel_id
        assert item["snippet"]["publishedAt"] > after
    topic = channel.topic_name
    hits = get(
        sim, "/search", part="snippet", q=topic, type="video", order="date", maxResults=20
    ).json()
    assert hits["items"]
    assert all(
        topic in (i["snippet"]["title"] + i["snippet"]["channelTitle"]).lower()
        for i in hits["items"]
    )
    page2 = get(
        sim,
        "/search",
        part="id",
        q=topic,
        type="video",
        maxResults=20,
        pageToken=hits["nextPageToken"],
    ).json()
    assert not {i["id"]["videoId"] for i in hits["items"]} & {
        i["id"]["videoId"] for i in page2["items"]
    }
    assert get(sim, "/search", part="snippet", type="channel").json()["items"] == []


def test_channel_feed_is_youtubes_atom_with_counts(sim: SimServer) -> None:
    channel = max(sim.world.channels, key=lambda c: c.video_count)
    response = httpx.get(sim.feed_url, params={"channel_id": channel.channel_id})
    assert response.status_code == 200
    assert "xml" in response.headers["content-type"]
    root = ET.fromstring(response.text)
    assert root.findtext("yt:channelId", namespaces=ATOM) == channel.channel_id
    entries = root.findall("a:entry", ATOM)
    assert len(entries) == 15
    published = [e.findtext("a:published", namespaces=ATOM) or "" for e in entries]
    assert published == sorted(published, reverse=True)
    for entry in entries:
        video_id = entry.findtext("yt:videoId", namespaces=ATOM) or ""
        stats = sim.world.stats(video_id, SIM_EPOCH)
        assert stats is not None
        assert entry.findtext("yt:channelId", namespaces=ATOM) == channel.channel_id
        views = entry.find("media:group/media:community/media:statistics", ATOM)
        rating = entry.find("media:group/media:community/media:starRating", ATOM)
        assert views is not None
        assert int(views.attrib["views"]) == stats.views
        assert rating is not None
        assert int(rating.attrib["count"]) == (stats.likes or 0)
    assert httpx.get(sim.feed_url, params={"channel_id": "UC" + "y" * 22}).status_code == 404


def test_the_feed_costs_no_quota_and_needs_no_key(sim: SimServer) -> None:
    channel = sim.world.channels[0]
    for _ in range(3):
        assert httpx.get(sim.feed_url, params={"channel_id": channel.channel_id}).status_code == 200
    assert httpx.get(sim.root_url + "/_sim/stats").json()["units"] == {}
