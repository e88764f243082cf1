"""The ``fields`` parameter: parsed like Google parses it, applied like Google applies it."""

from __future__ import annotations

from typing import Any

import pytest

from ghosttrack.sim.fields import FieldsError, apply_mask, compile_mask, parse_fields, projector

CLIENT_FIELDS = (
    "items(id,snippet(publishedAt,channelId),statistics(viewCount,likeCount,commentCount))"
)

BODY: dict[str, Any] = {
    "kind": "youtube#videoListResponse",
    "etag": "x",
    "nextPageToken": "GTabc",
    "items": [
        {
            "kind": "youtube#video",
            "id": "a",
            "snippet": {"publishedAt": "2026-01-01T00:00:00Z", "channelId": "UCx", "title": "t"},
            "statistics": {"viewCount": "10", "likeCount": "2", "commentCount": "1"},
        },
        {
            "kind": "youtube#video",
            "id": "b",
            "snippet": {"publishedAt": "2026-01-02T00:00:00Z", "channelId": "UCy", "title": "u"},
            "statistics": {"viewCount": "5"},
        },
    ],
    "pageInfo": {"totalResults": 2, "resultsPerPage": 2},
}


def test_parses_the_form_the_client_sends() -> None:
    assert parse_fields(CLIENT_FIELDS) == {
        "items": {
            "id": None,
            "snippet": {"publishedAt": None, "channelId": None},
            "statistics": {"viewCount": None, "likeCount": None, "commentCount": None},
        }
    }


def test_paths_and_groups_merge() -> None:
    assert parse_fields("items/id,items/statistics/viewCount,nextPageToken") == {
        "items": {"id": None, "statistics": {"viewCount": None}},
        "nextPageToken": None,
    }
    assert parse_fields("items(id),items") == {"items": None}
    assert parse_fields("items(snippet/title, id)") == {
        "items": {"snippet": {"title": None}, "id": None}
    }


@pytest.mark.parametrize("bad", ["", "items(", "items)", "items(id", "a,,b", "items/(id)", "a b("])
def test_malformed_selections_are_refused_with_the_offset(bad: str) -> None:
    with pytest.raises(FieldsError, match="Invalid field selection"):
        parse_fields(bad)


def test_applies_to_each_array_element_and_drops_what_is_not_selected() -> None:
    assert apply_mask(BODY, parse_fields(CLIENT_FIELDS)) == {
        "items": [
            {
                "id": "a",
                "snippet": {"publishedAt": "2026-01-01T00:00:00Z", "channelId": "UCx"},
                "statistics": {"viewCount": "10", "likeCount": "2", "commentCount": "1"},
            },
            {
                "id": "b",
                "snippet": {"publishedAt": "2026-01-02T00:00:00Z", "channelId": "UCy"},
                "statistics": {"viewCount": "5"},
            },
        ]
    }


def test_objects_left_empty_are_dropped() -> None:
    pruned = apply_mask(BODY, parse_fields("items(id,statistics/likeCount)"))
    assert pruned["items"][1] == {"id": "b"}


def test_wildcard_keeps_every_key_at_its_level() -> None:
    pruned = apply_mask(BODY, parse_fields("items(*),pageInfo"))
    assert pruned == {"items": BODY["items"], "pageInfo": BODY["pageInfo"]}
    assert apply_mask(BODY, parse_fields("items/*/viewCount"))["items"][0] == {
        "statistics": {"viewCount": "10"}
    }


@pytest.mark.parametrize(
    "fields",
    [CLIENT_FIELDS, "items(id,statistics/likeCount)", "items(*),pageInfo", "nextPageToken,items/id",
     "items/*/viewCount", "kind,items(snippet(title))"],
)  # fmt: skip
def test_compiled_projector_agrees_with_the_reference(fields: str) -> None:
    mask = parse_fields(fields)
    assert compile_mask(mask)(BODY) == apply_mask(BODY, mask)
    assert projector(fields)(BODY) == apply_mask(BODY, mask)
