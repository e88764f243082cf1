"""The hunter's commands end to end: ``channels``, ``discover``, ``searches``, ``migrate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.acceptance.conftest import Run
from tests.fixtures.sim import MakeSim

RICK = "dQw4w9WgXcQ"
GANGNAM = "9bZkp7q19f0"


def status(ghosttrack: Run, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = ghosttrack("status", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_channels_are_added_by_id_handle_or_url_then_discovered(
    ghosttrack: Run, make_sim: MakeSim
) -> None:
    sim = make_sim()
    one, two, three = sim.world.channels[3], sim.world.channels[6], sim.world.channels[9]
    env = {
        "GHOSTTRACK_YOUTUBE_API_URL": sim.base_url,
        "GHOSTTRACK_YOUTUBE_FEED_URL": sim.feed_url,
        "GHOSTTRACK_YOUTUBE_API_KEYS": "acceptance-hunter-key",
        "GHOSTTRACK_NOW": sim.clock.now().isoformat(),
        "GHOSTTRACK_BACKFILL_UPLOADS": "20",
    }
    refused = ghosttrack(
        "channels", "add", one.channel_id, "@nosuchchannelhere", "vimeo.com/x", env=env
    )
    assert refused.returncode == 2
    assert "vimeo.com/x" in refused.stderr
    assert "nothing was added" in refused.stderr
    assert "0 channels" in ghosttrack("channels", "list", env=env).stdout
    assert (
        "'@nosuchchannelhere': YouTube knows no such channel"
        in ghosttrack("channels", "add", one.channel_id, "@nosuchchannelhere", env=env).stderr
    )

    added = ghosttrack(
        "channels", "add", one.channel_id, two.handle, f"https://www.youtube.com/{three.handle}",
        env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "added 3, already present 0" in added.stdout
    listed = ghosttrack("channels", "list", env=env).stdout
    assert two.handle in listed
    assert "3 channels" in listed

    found = ghosttrack("discover", env=env)
    assert found.returncode == 0, found.stderr
    assert "polled 3 channels" in found.stdout
    assert "added 60 videos" in found.stdout
    report = status(ghosttrack, env)
    assert report["watchlist_total"] == 60
    assert report["metadata_rows"] == 60
    [job] = [j for j in report["jobs"] if j["kind"] == "discover"]
    assert job["counts"]["added"] == 60
    assert job["counts"]["units"] == 3  # one playlist page per backfill
    assert "acceptance-hunter-key" not in json.dumps(report)

    removed = ghosttrack("channels", "remove", two.handle, env=env)
    assert "removed 1 of 1" in removed.stdout
    assert ghosttrack("channels", "remove", two.handle, env=env).returncode == 2
    assert status(ghosttrack, env)["watchlist_total"] == 60, "its videos stay"


def test_searches_are_saved_within_the_search_bucket(ghosttrack: Run) -> None:
    env = {"GHOSTTRACK_SEARCH_QUOTA": "10"}
    saved = ghosttrack("searches", "add", "lofi  beats", "--every", "6h", env=env)
    assert saved.returncode == 0, saved.stderr
    assert "saved: search 1 'lofi beats' every 6h" in saved.stdout
    again = ghosttrack("searches", "add", "lofi beats", env=env)
    assert "already saved" in again.stdout
    too_often = ghosttrack("searches", "add", "chess", "--every", "2h", env=env)
    assert too_often.returncode == 2
    assert "search bucket holds 10" in too_often.stderr
    assert ghosttrack("searches", "add", "chess", "--every", "soon", env=env).returncode == 2
    listed = ghosttrack("searches", "list", env=env).stdout
    assert "lofi beats" in listed
    assert "1 searches" in listed
    assert "removed 1 of 1" in ghosttrack("searches", "remove", "lofi beats", env=env).stdout
    assert "0 searches" in ghosttrack("searches", "list", env=env).stdout


def test_migrate_a_csv_reports_and_a_second_run_adds_nothing(
    ghosttrack: Run, tmp_path: Path
) -> None:
    export = tmp_path / "old.csv"
    export.write_text(
        "id,view_count,last_updated_at\n"
        f"{RICK},1500000000,2026-05-01T12:00:00Z\n"
        "not a video,3,2026-05-01T12:00:00Z\n"
        f"{GANGNAM},5000000000,2026-05-02T12:00:00Z\n"
    )
    env = {"GHOSTTRACK_NOW": "2026-06-01T00:00:00+00:00"}

    first = ghosttrack("migrate", str(export), env=env)
    second = ghosttrack("migrate", str(export), env=env)

    assert first.returncode == 0, first.stderr
    assert "rows read 3, added 2, already present 0, duplicates 0, rejected 1" in first.stdout
    assert "line 3" in first.stderr
    assert "added 0, already present 2" in second.stdout
    report = status(ghosttrack, env)
    assert report["watchlist_total"] == 2
    assert report["due_now"] == 2
    assert report["vault"]["samples"] == 2
    assert [j["counts"]["added"] for j in report["jobs"] if j["kind"] == "migrate"] == [0, 2]
