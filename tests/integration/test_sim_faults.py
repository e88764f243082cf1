"""Injected faults over real HTTP: scripted ones in order, random ones at their rates, latency,
and the admin endpoints that drive them (off unless ``admin=True``)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from ghosttrack.quota import key_fingerprint
from ghosttrack.sim.server import SimServer
from tests.fixtures.sim import MakeSim, sim_config


def videos(sim: SimServer, client: httpx.Client | None = None) -> httpx.Response:
    params = {"part": "statistics", "id": sim.world.video_ids(1)[0], "key": "k"}
    return (client or httpx).get(sim.base_url + "/videos", params=params)


def script(sim: SimServer, *faults: dict[str, object]) -> None:
    response = httpx.post(sim.root_url + "/_sim/faults", json={"next": list(faults)})
    assert response.status_code == 200


def test_scripted_errors_come_in_order_with_googles_bodies(sim: SimServer) -> None:
    script(
        sim,
        {"status": 503, "reason": "backendError"},
        {"status": 429},
        {"status": 403, "reason": "quotaExceeded"},
        {"status": 500},
    )
    answers = [videos(sim) for _ in range(5)]
    assert [a.status_code for a in answers] == [503, 429, 403, 500, 200]
    reasons = [a.json()["error"]["errors"][0]["reason"] for a in answers[:4]]
    assert reasons == ["backendError", "rateLimitExceeded", "quotaExceeded", "backendError"]
    assert answers[2].json()["error"]["errors"][0]["domain"] == "youtube.quota"


def test_a_malformed_body_is_invalid_json_with_200(sim: SimServer) -> None:
    script(sim, {"kind": "malformed"})
    response = videos(sim)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_a_disconnect_breaks_the_connection_mid_answer(sim: SimServer) -> None:
    script(sim, {"kind": "disconnect"})
    with pytest.raises(httpx.RemoteProtocolError):
        videos(sim)
    assert videos(sim).status_code == 200


def test_a_timeout_hangs_longer_than_the_client_waits(make_sim: MakeSim) -> None:
    sim = make_sim(config=sim_config(hang_seconds=20.0))
    script(sim, {"kind": "timeout"})
    started = time.monotonic()
    with httpx.Client(timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        videos(sim, client)
    assert time.monotonic() - started < 5
    assert videos(sim).status_code == 200


def test_a_fault_for_one_method_waits_for_that_method(sim: SimServer) -> None:
    script(
        sim, {"status": 503, "method": "videos.batchGetStats"}, {"status": 502, "method": "feed"}
    )
    assert videos(sim).status_code == 200
    feed = httpx.get(sim.feed_url, params={"channel_id": sim.world.channels[0].channel_id})
    assert feed.status_code == 502
    batch = httpx.get(
        sim.base_url + "/videos:batchGetStats",
        params={"part": "statistics", "id": sim.world.video_ids(1)[0], "key": "k"},
    )
    assert batch.status_code == 503


def test_random_faults_follow_rates_and_repeat_with_the_seed(make_sim: MakeSim) -> None:
    def run() -> list[int]:
        sim = make_sim(config=sim_config(error_rate=0.3, rate_limit_rate=0.2))
        with httpx.Client() as client:
            return [videos(sim, client).status_code for _ in range(60)]

    first, second = run(), run()
    assert first == second
    assert {500, 503, 429, 200} <= set(first)
    assert 0.25 < first.count(200) / len(first) < 0.75


def test_latency_is_added_to_every_call(make_sim: MakeSim) -> None:
    sim = make_sim(config=sim_config(latency=0.15))
    with httpx.Client() as client:
        videos(sim, client)
        started = time.monotonic()
        videos(sim, client)
        assert time.monotonic() - started >= 0.15
        httpx.post(sim.root_url + "/_sim/config", json={"latency": 0})
        started = time.monotonic()
        videos(sim, client)
        assert time.monotonic() - started < 0.15


def test_config_changes_at_run_time_and_refuses_fixed_fields(sim: SimServer) -> None:
    changed = httpx.post(sim.root_url + "/_sim/config", json={"error_rate": 1.0})
    assert changed.json()["error_rate"] == 1.0
    assert videos(sim).status_code in (500, 503)
    assert httpx.post(sim.root_url + "/_sim/config", json={"videos": 3}).status_code == 400
    assert httpx.get(sim.root_url + "/_sim/config").json()["error_rate"] == 1.0


def test_stats_count_requests_units_and_injected_faults(sim: SimServer) -> None:
    script(sim, {"status": 503}, {"kind": "malformed"})
    for _ in range(4):
        videos(sim)
    stats = httpx.get(sim.root_url + "/_sim/stats").json()
    assert stats["requests"]["videos.list"] == 4
    assert stats["injected"] == {"503:backendError": 1, "malformed": 1}
    assert stats["units"] == {key_fingerprint("k"): {"shared": 2}}  # faults cost nothing
    assert httpx.post(sim.root_url + "/_sim/reset").status_code == 200
    assert httpx.get(sim.root_url + "/_sim/stats").json()["requests"] == {}


def test_pending_faults_can_be_listed_and_cleared(sim: SimServer) -> None:
    script(sim, {"kind": "timeout"}, {"status": 500})
    pending = httpx.get(sim.root_url + "/_sim/faults").json()["pending"]
    assert [f["kind"] for f in pending] == ["timeout", "error"]
    assert httpx.delete(sim.root_url + "/_sim/faults").json() == {"pending": []}
    assert videos(sim).status_code == 200
    bad = httpx.post(sim.root_url + "/_sim/faults", json={"next": [{"kind": "explode"}]})
    assert bad.status_code == 400


def test_admin_endpoints_are_absent_unless_enabled(make_sim: MakeSim) -> None:
    sim = make_sim(config=sim_config(admin=False))
    for method, path in [
        ("POST", "/_sim/faults"),
        ("GET", "/_sim/stats"),
        ("POST", "/_sim/config"),
    ]:
        assert httpx.request(method, sim.root_url + path, json={}).status_code == 404
    assert videos(sim).status_code == 200
