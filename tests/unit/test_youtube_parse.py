"""Parsing the API's real response shapes into records."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ghosttrack.youtube._parse import (
    MalformedResponse,
    load_json,
    parse_channels,
    parse_count,
    parse_error,
    parse_feed,
    parse_iso_duration,
    parse_playlist_page,
    parse_search_page,
    parse_stats,
    parse_time,
    parse_video_details,
)

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_counts_arrive_as_strings_and_absent_counts_become_none() -> None:
    payload = {
        "kind": "youtube#videoListResponse",
        "items": [
            {
                "id": "aaaaaaaaaaA",
                "snippet": {"publishedAt": "2026-06-30T10:00:00Z", "channelId": "UCx"},
                "statistics": {"viewCount": "1234", "likeCount": "56", "commentCount": "7"},
            },
            {  # likes hidden, comments off
                "id": "bbbbbbbbbbA",
                "snippet": {"publishedAt": "2026-06-29T10:00:00Z", "channelId": "UCy"},
                "statistics": {"viewCount": "0"},
            },
        ],
    }
    batch = parse_stats(payload, ["aaaaaaaaaaA", "bbbbbbbbbbA", "ccccccccccA"], NOW)
    first, second = batch.found
    assert (first.views, first.likes, first.comments) == (1234, 56, 7)
    assert first.published_at == datetime(2026, 6, 30, 10, tzinfo=UTC)
    assert first.channel_id == "UCx"
    assert first.fetched_at == NOW
    assert (second.views, second.likes, second.comments) == (0, None, None)
    assert batch.missing == ("ccccccccccA",)
    assert batch.invalid == ()


def test_batch_get_stats_shape_has_publish_time_and_no_channel() -> None:
    payload = {
        "kind": "youtube#batchGetStatsResponse",
        "items": [
            {
                "kind": "youtube#videoStats",
                "id": "aaaaaaaaaaA",
                "snippet": {"publishTime": "2026-06-30T10:00:00.123456789Z"},
                "statistics": {"viewCount": "10", "likeCount": "2"},
            }
        ],
    }
    (stats,) = parse_stats(payload, ["aaaaaaaaaaA"], NOW).found
    assert stats.published_at == datetime(2026, 6, 30, 10, 0, 0, 123456, tzinfo=UTC)
    assert stats.channel_id is None
    assert (stats.likes, stats.comments) == (2, None)


def test_no_items_means_every_id_is_missing() -> None:
    batch = parse_stats({"kind": "youtube#videoListResponse"}, ["x1", "x2"], NOW)
    assert batch.found == ()
    assert batch.missing == ("x1", "x2")


def test_unrequested_and_duplicate_items_are_ignored() -> None:
    item = {"id": "a", "statistics": {"viewCount": "1"}}
    other = {"id": "zzz", "statistics": {"viewCount": "1"}}
    batch = parse_stats({"items": [item, item, other]}, ["a"], NOW)
    assert [s.video_id for s in batch.found] == ["a"]
    assert batch.missing == ()


@pytest.mark.parametrize(
    "payload",
    [
        {"items": "nope"},
        {"items": [{"statistics": {"viewCount": "1"}}]},  # no id
        {"items": [{"id": "a", "statistics": {"viewCount": "-1"}}]},
        {"items": [{"id": "a", "statistics": {"viewCount": "1e3"}}]},
        {"items": [{"id": "a", "statistics": {"viewCount": "１２"}}]},  # non-ASCII digits
        {"items": [{"id": "a", "statistics": "x"}]},
        {"items": [{"id": "a", "statistics": {"viewCount": "1"}, "snippet": {"publishedAt": 5}}]},
        {"items": [{"id": "a", "statistics": {"viewCount": "1"}, "snippet": {"publishedAt": "x"}}]},
    ],
)
def test_malformed_stats_raise(payload: dict[str, object]) -> None:
    with pytest.raises(MalformedResponse):
        parse_stats(payload, ["a"], NOW)


@pytest.mark.parametrize("body", [b"", b"<html>502</html>", b"[1, 2]", b'{"items": [', b"\xff\xfe"])
def test_load_json_refuses_what_is_not_a_json_object(body: bytes) -> None:
    with pytest.raises(MalformedResponse):
        load_json(body)


def test_parse_time_gives_aware_utc() -> None:
    assert parse_time("2026-03-08T01:30:00-08:00") == datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
    assert parse_time("2026-03-08T01:30:00") == datetime(2026, 3, 8, 1, 30, tzinfo=UTC)


def test_parse_count() -> None:
    assert parse_count("0") == 0
    assert parse_count(None) is None
    assert parse_count(12) == 12
    with pytest.raises(MalformedResponse):
        parse_count(True)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT1H2M3S", 3723),
        ("PT45S", 45),
        ("P1DT2H", 93600),
        ("P1W", 604800),
        ("P0D", 0),
        ("PT0.5S", 0),
        ("", None),
        ("P", None),
        ("1:02", None),
        (None, None),
    ],
)
def test_iso_durations(text: object, seconds: int | None) -> None:
    assert parse_iso_duration(text) == seconds


def test_video_details() -> None:
    payload = {
        "items": [
            {
                "id": "aaaaaaaaaaA",
                "snippet": {
                    "publishedAt": "2026-06-30T10:00:00Z",
                    "channelId": "UCx",
                    "title": "A title",
                    "description": "words",
                    "tags": ["a", "b"],
                    "categoryId": "22",
                    "liveBroadcastContent": "none",
                },
                "contentDetails": {"duration": "PT4M13S"},
            },
            {
                "id": "bbbbbbbbbbA",
                "snippet": {
                    "publishedAt": "2026-06-30T11:00:00Z",
                    "channelId": "UCy",
                    "liveBroadcastContent": "live",
                },
            },
        ]
    }
    first, second = parse_video_details(payload)
    assert first.duration_seconds == 253
    assert first.tags == ("a", "b")
    assert (first.title, first.description, first.category_id, first.live) == (
        "A title",
        "words",
        "22",
        False,
    )
    assert second.live is True
    assert second.duration_seconds is None
    assert second.tags == ()


def test_channels_with_hidden_subscribers() -> None:
    payload = {
        "items": [
            {
                "id": "UCaaaaaaaaaaaaaaaaaaaaaA",
                "snippet": {"title": "Chan", "customUrl": "@chan"},
                "contentDetails": {"relatedPlaylists": {"uploads": "UUaaaaaaaaaaaaaaaaaaaaaA"}},
                "statistics": {
                    "viewCount": "100",
                    "subscriberCount": "0",
                    "hiddenSubscriberCount": True,
                    "videoCount": "3",
                },
            },
            {
                "id": "UCbbbbbbbbbbbbbbbbbbbbbA",
                "snippet": {"title": "Other"},
                "statistics": {"viewCount": "5", "subscriberCount": "7", "videoCount": "1"},
            },
        ]
    }
    hidden, shown = parse_channels(payload, NOW)
    assert hidden.subscribers is None
    assert hidden.handle == "@chan"
    assert (hidden.views, hidden.video_count) == (100, 3)
    assert shown.subscribers == 7
    assert shown.uploads_playlist_id == "UUbbbbbbbbbbbbbbbbbbbbbA"  # derived when not sent
    assert shown.handle is None


def test_playlist_page_uses_the_video_publication_time() -> None:
    payload = {
        "nextPageToken": "CDIQAA",
        "pageInfo": {"totalResults": 120, "resultsPerPage": 50},
        "items": [
            {
                "snippet": {
                    "publishedAt": "2026-06-30T12:00:00Z",
                    "channelId": "UCowner",
                    "title": "Upload",
                    "resourceId": {"kind": "youtube#video", "videoId": "aaaaaaaaaaA"},
                    "videoOwnerChannelId": "UCowner",
                },
                "contentDetails": {
                    "videoId": "aaaaaaaaaaA",
                    "videoPublishedAt": "2026-06-30T10:00:00Z",
                },
            },
            {  # a deleted video: no owner, no publication time
                "snippet": {
                    "publishedAt": "2026-06-01T12:00:00Z",
                    "channelId": "UCowner",
                    "title": "Deleted video",
                    "resourceId": {"kind": "youtube#video", "videoId": "bbbbbbbbbbA"},
                },
                "contentDetails": {"videoId": "bbbbbbbbbbA"},
            },
        ],
    }
    page = parse_playlist_page(payload)
    assert page.next_page_token == "CDIQAA"
    assert page.total_results == 120
    upload, deleted = page.items
    assert upload.published_at == datetime(2026, 6, 30, 10, tzinfo=UTC)
    assert deleted.published_at is None
    assert deleted.channel_id == "UCowner"


def test_last_playlist_page_has_no_token() -> None:
    page = parse_playlist_page({"items": [], "pageInfo": {"totalResults": 0}})
    assert page.next_page_token is None
    assert page.items == ()


def test_search_page_skips_non_videos() -> None:
    payload = {
        "nextPageToken": "tok",
        "items": [
            {
                "id": {"kind": "youtube#video", "videoId": "aaaaaaaaaaA"},
                "snippet": {
                    "publishedAt": "2026-06-30T10:00:00Z",
                    "channelId": "UCx",
                    "title": "Hit",
                },
            },
            {"id": {"kind": "youtube#channel", "channelId": "UCx"}, "snippet": {}},
        ],
    }
    page = parse_search_page(payload)
    assert [h.video_id for h in page.items] == ["aaaaaaaaaaA"]
    assert page.next_page_token == "tok"


def test_error_body_reasons() -> None:
    body = {
        "error": {
            "code": 403,
            "message": "The request cannot be completed because you have exceeded your quota.",
            "errors": [
                {"message": "…", "domain": "youtube.quota", "reason": "quotaExceeded"},
            ],
        }
    }
    parsed = parse_error(json.dumps(body).encode())
    assert parsed.reasons == ("quotaExceeded",)
    assert "exceeded your quota" in parsed.message
    assert parse_error(b"<html>").reasons == ()
    assert parse_error(b'{"error": "flat"}').reasons == ()


def test_error_body_includes_error_info_details() -> None:
    body = {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "errors": [{"reason": "badRequest"}],
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
            ],
        }
    }
    assert parse_error(json.dumps(body).encode()).reasons == ("badRequest", "API_KEY_INVALID")


FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015"
      xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <yt:channelId>UCaaaaaaaaaaaaaaaaaaaaaA</yt:channelId>
 <title>Chan</title>
 <entry>
  <id>yt:video:aaaaaaaaaaA</id>
  <yt:videoId>aaaaaaaaaaA</yt:videoId>
  <yt:channelId>UCaaaaaaaaaaaaaaaaaaaaaA</yt:channelId>
  <title>First upload</title>
  <published>2026-06-30T10:00:00+00:00</published>
  <media:group>
   <media:title>First upload</media:title>
   <media:community>
    <media:starRating count="42" average="5.00" min="1" max="5"/>
    <media:statistics views="1000"/>
   </media:community>
  </media:group>
 </entry>
 <entry>
  <yt:videoId>bbbbbbbbbbA</yt:videoId>
  <title>No community</title>
  <published>2026-06-29T10:00:00+00:00</published>
 </entry>
</feed>"""


def test_feed_entries_carry_views_and_likes() -> None:
    feed = parse_feed(FEED, "UCaaaaaaaaaaaaaaaaaaaaaA", NOW)
    assert feed.title == "Chan"
    first, second = feed.entries
    assert (first.video_id, first.views, first.likes) == ("aaaaaaaaaaA", 1000, 42)
    assert first.published_at == datetime(2026, 6, 30, 10, tzinfo=UTC)
    assert (second.views, second.likes) == (None, None)
    assert second.channel_id == "UCaaaaaaaaaaaaaaaaaaaaaA"


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b"<rss/>",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol;</title></feed>',
    ],
)
def test_bad_feeds_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedResponse):
        parse_feed(body, "UC", NOW)
