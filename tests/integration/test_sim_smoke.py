"""The simulator answers over real HTTP: the first thing every other test relies on."""

from __future__ import annotations

import httpx

from ghosttrack.sim.server import SimServer


def test_videos_list_answers_counts_as_strings(sim: SimServer) -> None:
    ids = sim.world.video_ids(3)
    response = httpx.get(
        sim.base_url + "/videos",
        params={"part": "statistics", "id": ",".join(ids), "key": "test-key"},
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == ids
    assert all(isinstance(item["statistics"]["viewCount"], str) for item in items)
