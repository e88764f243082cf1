"""The API methods without HTTP: parameters in, the real shape (or the real error) out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.datastructures import QueryParams

from ghosttrack.sim import api
from ghosttrack.sim.apierrors import ApiError
from ghosttrack.sim.fields import apply_mask, parse_fields
from ghosttrack.sim.world import World

NOW = datetime(2026, 6, 1, tzinfo=UTC).timestamp()


def call(handler: api.Handler, **params: str | list[str]) -> dict[str, object]:
    pairs = [
        (k, v)
        for k, values in params.items()
        for v in ([values] if isinstance(values, str) else values)
    ]
    return handler(WORLD, QueryParams(pairs), NOW)


WORLD = World(7, 2000, 20, datetime(2026, 6, 1, tzinfo=UTC))


def test_more_than_fifty_ids_is_an_invalid_parameter() -> None:
    ids = ",".join(WORLD.video_id(i) for i in range(51))
    with pytest.raises(ApiError) as caught:
        call(api.videos_list, part="statistics", id=ids)
    assert (caught.value.status, caught.value.reason) == (400, "invalidParameter")


def test_an_id_with_foreign_characters_is_a_bad_request() -> None:
    with pytest.raises(ApiError) as caught:
        call(api.batch_get_stats, part="statistics", id=[WORLD.video_id(1), "abc$%def12"])
    assert (caught.value.status, caught.value.reason) == (400, "badRequest")


def test_unknown_and_well_formed_ids_are_simply_absent() -> None:
    known = WORLD.video_ids(2)
    body = call(
        api.videos_list, part="statistics", id=",".join([known[0], "dQw4w9WgXcQ", "abc", known[1]])
    )
    assert [item["id"] for item in body["items"]] == known  # type: ignore[attr-defined]


def test_missing_or_unknown_part_is_refused() -> None:
    with pytest.raises(ApiError, match="required"):
        call(api.videos_list, id=WORLD.video_id(1))
    with pytest.raises(ApiError, match="unknownPart"):
        call(api.videos_list, part="statistics,bogus", id=WORLD.video_id(1))


def test_a_bad_fields_value_is_an_invalid_parameter() -> None:
    with pytest.raises(ApiError, match="invalidParameter"):
        call(api.videos_list, part="statistics", id=WORLD.video_id(1), fields="items(id")


def test_page_tokens_round_trip_and_bad_ones_are_refused() -> None:
    token = api.encode_token(NOW, 42, 7)
    assert api.decode_token(token, 2) == (float(int(NOW)), [42, 7])
    for bad in ("nonsense", "GT!!", api.encode_token(NOW, 1)):
        with pytest.raises(ApiError, match="invalidPageToken"):
            api.decode_token(bad, 2)


def test_search_query_terms_all_any_and_none() -> None:
    query = api._Query('pasta -bread "quick|slow"')
    assert query.matches("Slow pasta night")
    assert not query.matches("Slow pasta and bread")
    assert not query.matches("pasta alone")


def test_search_results_are_newest_first_within_the_window() -> None:
    after = datetime(2026, 5, 1, tzinfo=UTC)
    body = call(
        api.search_list,
        part="snippet",
        type="video",
        order="date",
        maxResults="50",
        publishedAfter=after.isoformat().replace("+00:00", "Z"),
    )
    times = [item["snippet"]["publishedAt"] for item in body["items"]]  # type: ignore[attr-defined]
    assert times == sorted(times, reverse=True)
    assert len(times) == 50
    assert all(t > "2026-05-01T00:00:00Z" and t <= "2026-06-01T00:00:00Z" for t in times)
    assert body["pageInfo"]["totalResults"] >= 50  # type: ignore[index]
    assert "nextPageToken" in body


def test_playlist_pages_cover_the_uploads_newest_first_without_repeats() -> None:
    channel = min(WORLD.channels, key=lambda c: abs(c.video_count - 120))
    seen: list[str] = []
    token: str | None = None
    while True:
        params = {
            "part": "contentDetails",
            "playlistId": channel.uploads_playlist_id,
            "maxResults": "50",
        }
        if token:
            params["pageToken"] = token
        body = call(api.playlist_items_list, **params)
        seen += [
            item["contentDetails"]["videoPublishedAt"] + item["contentDetails"]["videoId"]
            for item in body["items"]
        ]  # type: ignore[attr-defined]
        token = body.get("nextPageToken")  # type: ignore[assignment]
        if not token:
            break
    expected = [
        u
        for u in WORLD.uploads(channel.channel_id, until=datetime.fromtimestamp(NOW + 1, UTC))
        if u.gone_at is None or u.gone_at.timestamp() > NOW
    ]
    assert len(seen) == len(set(seen)) == len(expected)
    assert seen == sorted(seen, reverse=True)


def test_channels_list_leaves_items_out_when_nothing_matches() -> None:
    body = call(api.channels_list, part="snippet", forHandle="@nobody-at-all")
    assert "items" not in body
    assert body["pageInfo"] == {"totalResults": 0, "resultsPerPage": 5}


def test_counts_are_strings_and_times_rfc3339_utc() -> None:
    body = call(
        api.batch_get_stats, part="statistics,snippet,contentDetails", id=WORLD.video_ids(1)
    )
    item = body["items"][0]  # type: ignore[index]
    assert item["statistics"]["viewCount"].isdigit()
    assert item["snippet"]["publishTime"].endswith("Z")
    assert item["contentDetails"]["duration"].endswith("s")
    assert datetime.fromisoformat(
        item["snippet"]["publishTime"].replace("Z", "+00:00")
    ) < datetime.fromtimestamp(NOW, UTC) + timedelta(0)


@pytest.mark.parametrize(
    "fields",
    [
        "items(id,snippet(publishedAt,channelId),statistics(viewCount,likeCount,commentCount))",
        "items(id,statistics/likeCount)",
        "items/snippet/title,pageInfo",
        "items(*)",
        "kind,etag",
        "items(id,contentDetails(duration),status)",
    ],
)
def test_items_built_trimmed_equal_the_full_answer_trimmed(fields: str) -> None:
    ids = ",".join(WORLD.video_ids(30))
    full = call(api.videos_list, part="snippet,contentDetails,statistics,status", id=ids)
    trimmed = call(
        api.videos_list, part="snippet,contentDetails,statistics,status", id=ids, fields=fields
    )
    assert trimmed == apply_mask(full, parse_fields(fields))
