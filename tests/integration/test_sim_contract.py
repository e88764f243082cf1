"""The contract: every field the simulator sends exists in the official discovery document
(``youtube.v3.json`` shipped with google-api-python-client) with the right JSON type.

Each endpoint is called over HTTP with every part it serves; the answer is walked against the
method's response schema (``$ref`` resolved). A field the simulator invents fails the test.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from ghosttrack.sim.server import SimServer
from tests.fixtures.sim import SIM_EPOCH

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@cache
def discovery() -> dict[str, Any]:
    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache/documents/youtube.v3.json"
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def response_schema(resource: str, method: str) -> dict[str, Any]:
    return dict(discovery()["resources"][resource]["methods"][method]["response"])


class ContractError(AssertionError):
    pass


SCALARS = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}


def check(value: Any, schema: dict[str, Any], path: str = "$") -> None:
    """Raise ContractError at the first value the schema does not allow."""
    if "$ref" in schema:
        schema = discovery()["schemas"][schema["$ref"]]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        _check_object(value, schema, path)
    elif kind == "array":
        if not isinstance(value, list):
            raise ContractError(f"{path}: expected an array, got {value!r}")
        for i, item in enumerate(value):
            check(item, schema["items"], f"{path}[{i}]")
    elif kind == "string":
        _check_string(value, schema, path)
    elif kind in SCALARS:
        if not SCALARS[kind](value):
            raise ContractError(f"{path}: expected {kind}, got {value!r}")
    else:
        raise ContractError(f"{path}: schema type {kind!r} not handled by this test")


def _check_object(value: Any, schema: dict[str, Any], path: str) -> None:
    if not isinstance(value, dict):
        raise ContractError(f"{path}: expected an object, got {value!r}")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    for key, item in value.items():
        if key in properties:
            check(item, properties[key], f"{path}.{key}")
        elif extra is not None:
            check(item, extra, f"{path}.{key}")
        else:
            raise ContractError(f"{path}.{key}: not in the discovery document")


def _check_string(value: Any, schema: dict[str, Any], path: str) -> None:
    if not isinstance(value, str):
        raise ContractError(f"{path}: expected a string, got {value!r}")
    fmt = schema.get("format")
    if fmt in ("int64", "uint64") and not value.isdigit():
        raise ContractError(f"{path}: expected a decimal count in a string, got {value!r}")
    if fmt in ("date-time", "google-datetime") and not RFC3339.match(value):
        raise ContractError(f"{path}: expected an RFC 3339 UTC time, got {value!r}")
    if fmt == "google-duration" and not re.fullmatch(r"\d+(\.\d+)?s", value):
        raise ContractError(f"{path}: expected a protobuf duration, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        raise ContractError(f"{path}: {value!r} is not one of {schema['enum']}")


def fetch(sim: SimServer, path: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(sim.base_url + path, params={"key": "contract", **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def calls(sim: SimServer) -> list[tuple[str, str, str, dict[str, Any]]]:
    world = sim.world
    hidden = world.find_videos(3, lambda t: t.hides_likes or t.comments_off)
    ids = world.video_ids(20) + [world.video_id(t.number) for t in hidden]
    channels = world.channels[:10]
    busiest = max(world.channels, key=lambda c: c.video_count)
    after = (SIM_EPOCH - timedelta(days=30)).isoformat().replace("+00:00", "Z")
    every_video_part = "id,snippet,contentDetails,statistics,status"
    return [
        ("videos", "list", "/videos", {"part": every_video_part, "id": ",".join(ids)}),
        ("videos", "batchGetStats", "/videos:batchGetStats",
         {"part": "snippet,statistics,contentDetails", "id": ",".join(ids)}),
        ("channels", "list", "/channels",
         {"part": "id,snippet,contentDetails,statistics,status",
          "id": ",".join(c.channel_id for c in channels)}),
        ("channels", "list", "/channels", {"part": "snippet", "forHandle": "@nobody-here"}),
        ("playlistItems", "list", "/playlistItems",
         {"part": "id,snippet,contentDetails,status", "playlistId": busiest.uploads_playlist_id,
          "maxResults": 50}),
        ("search", "list", "/search",
         {"part": "id,snippet", "type": "video", "order": "date", "publishedAfter": after,
          "maxResults": 50}),
    ]  # fmt: skip


def test_every_field_the_simulator_sends_is_in_the_discovery_document(sim: SimServer) -> None:
    checked = 0
    for resource, method, path, params in calls(sim):
        body = fetch(sim, path, **params)
        check(body, response_schema(resource, method), f"{resource}.{method}")
        checked += len(body.get("items", []))
    assert checked > 100


def test_pages_after_the_first_keep_the_contract(sim: SimServer) -> None:
    busiest = max(sim.world.channels, key=lambda c: c.video_count)
    first = fetch(sim, "/playlistItems", part="snippet", playlistId=busiest.uploads_playlist_id)
    second = fetch(
        sim,
        "/playlistItems",
        part="snippet",
        playlistId=busiest.uploads_playlist_id,
        pageToken=first["nextPageToken"],
    )
    check(second, response_schema("playlistItems", "list"))
    search = fetch(sim, "/search", part="snippet", q="the", maxResults=5)
    check(fetch(sim, "/search", part="snippet", q="the", pageToken=search["nextPageToken"]),
          response_schema("search", "list"))  # fmt: skip


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body: body["items"][0].update(bogus=1),
        lambda body: body["items"][0]["statistics"].update(viewCount=12),
        lambda body: body["items"][0]["snippet"].update(publishedAt="2026-01-01 10:00"),
        lambda body: body["items"][0]["statistics"].update(shareCount="3"),
        lambda body: body.update(items={}),
    ],
)
def test_the_checker_catches_invented_or_mistyped_fields(sim: SimServer, tamper: Any) -> None:
    body = fetch(sim, "/videos", part="snippet,statistics", id=",".join(sim.world.video_ids(2)))
    check(body, response_schema("videos", "list"))
    tamper(body)
    with pytest.raises(ContractError):
        check(body, response_schema("videos", "list"))


def test_the_document_describes_batch_get_stats() -> None:
    method = discovery()["resources"]["videos"]["methods"]["batchGetStats"]
    assert method["path"] == "youtube/v3/videos:batchGetStats"
    assert method["response"] == {"$ref": "BatchGetStatsResponse"}
