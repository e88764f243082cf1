"""Quota per key, per bucket, per Pacific day, and the key checks, as YouTube answers them."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.quota import BATCH_STATS, SEARCH, SHARED, QuotaPolicy, key_fingerprint, next_reset
from tests.fixtures.sim import SIM_EPOCH, MakeSim, sim_config

SMALL = QuotaPolicy(buckets={SHARED: 3, BATCH_STATS: 2, SEARCH: 1})


@pytest.fixture
def sim_server_with_keys(make_sim: MakeSim) -> MakeSim:
    """A simulator that knows exactly one key, ``good-key``."""
    return lambda: make_sim(config=sim_config(valid_keys=frozenset({"good-key"})))


def reason(response: httpx.Response) -> str:
    return str(response.json()["error"]["errors"][0]["reason"])


def test_over_budget_is_a_403_quota_exceeded_until_pacific_midnight(make_sim: MakeSim) -> None:
    clock = ManualClock(SIM_EPOCH + timedelta(hours=2))
    sim = make_sim(config=sim_config(quota=SMALL), clock=clock)
    url = sim.base_url + "/videos"
    params = {"part": "statistics", "id": sim.world.video_ids(1)[0], "key": "key-one"}
    assert [httpx.get(url, params=params).status_code for _ in range(3)] == [200, 200, 200]
    refused = httpx.get(url, params=params)
    assert refused.status_code == 403
    assert reason(refused) == "quotaExceeded"
    assert refused.json()["error"]["errors"][0]["domain"] == "youtube.quota"
    assert httpx.get(url, params={**params, "key": "key-two"}).status_code == 200
    clock.set(next_reset(clock.now()) - timedelta(seconds=1))
    assert httpx.get(url, params=params).status_code == 403
    clock.advance(timedelta(seconds=1))
    assert httpx.get(url, params=params).status_code == 200


def test_each_method_draws_on_its_own_bucket(make_sim: MakeSim) -> None:
    sim = make_sim(config=sim_config(quota=SMALL))
    video = sim.world.video_ids(1)[0]
    key = {"key": "key-one"}

    def status(path: str, **params: str) -> int:
        return httpx.get(sim.base_url + path, params={**key, **params}).status_code

    assert [status("/videos:batchGetStats", part="statistics", id=video) for _ in range(3)] == [
        200, 200, 403,
    ]  # fmt: skip
    assert [status("/search", part="id", q="x") for _ in range(2)] == [200, 403]
    channel = sim.world.channels[0]
    assert status("/channels", part="id", id=channel.channel_id) == 200
    assert status("/playlistItems", part="id", playlistId=channel.uploads_playlist_id) == 200
    assert status("/videos", part="id", id=video) == 200
    assert status("/videos", part="id", id=video) == 403
    stats = httpx.get(sim.root_url + "/_sim/stats").json()
    assert stats["units"] == {key_fingerprint("key-one"): {BATCH_STATS: 2, SEARCH: 1, SHARED: 3}}
    assert "key-one" not in str(stats)


def test_a_key_may_travel_in_the_header(sim_server_with_keys: MakeSim) -> None:
    sim = sim_server_with_keys()
    url = sim.base_url + "/videos"
    params = {"part": "id", "id": sim.world.video_ids(1)[0]}
    assert httpx.get(url, params=params, headers={"X-Goog-Api-Key": "good-key"}).status_code == 200
    assert httpx.get(url, params={**params, "key": "good-key"}).status_code == 200


def test_an_unknown_key_is_a_400_key_invalid(sim_server_with_keys: MakeSim) -> None:
    sim = sim_server_with_keys()
    response = httpx.get(
        sim.base_url + "/videos",
        params={"part": "id", "id": sim.world.video_ids(1)[0], "key": "wrong-key"},
    )
    assert response.status_code == 400
    assert reason(response) == "keyInvalid"
    assert response.json()["error"]["message"] == "API key not valid. Please pass a valid API key."
    assert "wrong-key" not in response.text


def test_a_missing_key_is_a_403_forbidden(sim_server_with_keys: MakeSim) -> None:
    sim = sim_server_with_keys()
    response = httpx.get(sim.base_url + "/videos", params={"part": "id", "id": "x"})
    assert response.status_code == 403
    assert reason(response) == "forbidden"
    assert response.json()["error"]["message"] == "The request is missing a valid API key."


def test_invalid_key_mode_rejects_every_key(make_sim: MakeSim) -> None:
    sim = make_sim(config=sim_config(invalid_key_mode=True))
    response = httpx.get(sim.base_url + "/channels", params={"part": "id", "id": "x", "key": "k"})
    assert response.status_code == 400
    assert reason(response) == "keyInvalid"
    switched = httpx.post(sim.root_url + "/_sim/config", json={"invalid_key_mode": False})
    assert switched.json()["invalid_key_mode"] is False
    ok = httpx.get(sim.base_url + "/channels", params={"part": "id", "id": "x", "key": "k"})
    assert ok.status_code == 200


def test_refused_calls_cost_nothing(make_sim: MakeSim) -> None:
    sim = make_sim(config=sim_config(quota=SMALL, valid_keys=frozenset({"good-key"})))
    url = sim.base_url + "/videos"
    for key in ("bad-1", "bad-2", "bad-3", "bad-4"):
        assert httpx.get(url, params={"part": "id", "id": "x", "key": key}).status_code == 400
    assert httpx.get(sim.root_url + "/_sim/stats").json()["units"] == {}
