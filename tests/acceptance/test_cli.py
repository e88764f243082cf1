"""The ``ghosttrack`` command end to end: exit codes, messages, and what lands on disk."""

from __future__ import annotations

import json
from pathlib import Path

from tests.acceptance.conftest import Run
from tests.fixtures.sim import MakeSim

RICK = "dQw4w9WgXcQ"
GANGNAM = "9bZkp7q19f0"


def status(ghosttrack: Run, **env: str) -> dict:  # type: ignore[type-arg]
    result = ghosttrack("status", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_add_accepts_ids_and_urls_and_re_adding_is_a_no_op(ghosttrack: Run) -> None:
    result = ghosttrack(
        "add",
        RICK,
        f"https://youtu.be/{GANGNAM}",
        f"https://www.youtube.com/shorts/{RICK}",  # the same video again
    )
    assert result.returncode == 0, result.stderr
    assert "added 2" in result.stdout
    again = ghosttrack("add", f"https://www.youtube.com/watch?v={RICK}&t=42")
    assert "added 0, already present 1" in again.stdout
    report = status(ghosttrack)
    assert report["watchlist_total"] == 2
    assert report["due_now"] == 2


def test_add_with_an_invalid_entry_adds_nothing_and_names_every_bad_one(ghosttrack: Run) -> None:
    result = ghosttrack("add", RICK, "not a video", "https://vimeo.com/123")
    assert result.returncode == 2
    assert "'not a video'" in result.stderr
    assert "vimeo.com/123" in result.stderr
    assert status(ghosttrack)["watchlist_total"] == 0
    skipped = ghosttrack("add", "--skip-invalid", RICK, "not a video")
    assert skipped.returncode == 0
    assert "added 1" in skipped.stdout


def test_remove_keeps_a_tombstone_and_add_revives(ghosttrack: Run) -> None:
    ghosttrack("add", RICK, GANGNAM)
    assert ghosttrack("remove", RICK).returncode == 0
    report = status(ghosttrack)
    assert report["watchlist_total"] == 1
    assert report["by_status"]["removed"] == 1
    ghosttrack("add", RICK)
    assert status(ghosttrack)["watchlist_total"] == 2


def test_import_reports_bad_rows_by_line(ghosttrack: Run, tmp_path: Path) -> None:
    csv = tmp_path / "videos.csv"
    csv.write_text(f"video_id,title\n{RICK},a\nbad id,b\n{GANGNAM},c\n")
    refused = ghosttrack("import", str(csv))
    assert refused.returncode == 2
    assert "line 3" in refused.stderr
    assert status(ghosttrack)["watchlist_total"] == 0
    done = ghosttrack("import", "--skip-invalid", str(csv))
    assert done.returncode == 0, done.stderr
    assert "added 2" in done.stdout
    assert "rejected 1" in done.stdout


def test_track_once_without_a_key_says_what_to_do(ghosttrack: Run) -> None:
    ghosttrack("add", RICK)
    result = ghosttrack("track", "--once")
    assert result.returncode != 0
    assert "GHOSTTRACK_YOUTUBE_API_KEYS" in result.stderr


def test_track_once_against_the_simulator(ghosttrack: Run, make_sim: MakeSim) -> None:
    sim = make_sim()
    ids = sim.world.video_ids(120)
    env = {
        "GHOSTTRACK_YOUTUBE_API_URL": sim.base_url,
        "GHOSTTRACK_YOUTUBE_API_KEYS": "acceptance-secret-key",
        "GHOSTTRACK_NOW": sim.clock.now().isoformat(),
    }
    assert ghosttrack("add", "--", *ids, env=env).returncode == 0
    result = ghosttrack("track", "--once", "--limit", "100", env=env)
    assert result.returncode == 0, result.stderr
    assert "tracked 100 videos in 2 calls" in result.stdout
    report = status(ghosttrack, **env)
    assert report["due_now"] == 20
    assert report["vault"]["samples"] == 100
    [job] = [j for j in report["jobs"] if j["kind"] == "track"]
    assert job["status"] == "succeeded"
    assert "acceptance-secret-key" not in json.dumps(report)
    assert sum(q["used"] for q in report["quota"]) == 2


def test_track_once_with_a_rejected_key_fails_without_printing_it(
    ghosttrack: Run, make_sim: MakeSim
) -> None:
    from tests.fixtures.sim import sim_config

    sim = make_sim(config=sim_config(invalid_key_mode=True))
    env = {
        "GHOSTTRACK_YOUTUBE_API_URL": sim.base_url,
        "GHOSTTRACK_YOUTUBE_API_KEYS": "very-secret-key-123",
    }
    ghosttrack("add", RICK, env=env)
    result = ghosttrack("track", "--once", env=env)
    assert result.returncode == 1
    assert "very-secret-key-123" not in result.stderr + result.stdout
    assert "key" in result.stderr.lower()
    report = status(ghosttrack, **env)
    assert report["due_now"] == 1  # released, still due


def test_an_unreachable_database_is_named_without_its_password(ghosttrack: Run) -> None:
    url = "postgresql+psycopg://tracker:hunter2@127.0.0.1:1/ghosttrack"
    result = ghosttrack(
        "track",
        "--once",
        env={"GHOSTTRACK_DATABASE_URL": url, "GHOSTTRACK_YOUTUBE_API_KEYS": "k"},
    )
    assert result.returncode == 1
    assert "127.0.0.1:1" in result.stderr
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_settings_name_the_variable(ghosttrack: Run) -> None:
    result = ghosttrack("status", env={"GHOSTTRACK_LEASE": "soon"})
    assert result.returncode == 2
    assert "GHOSTTRACK_LEASE" in result.stderr


def test_sigterm_finishes_the_batch_in_hand_and_leaves_the_rest_due(
    ghosttrack: Run, make_sim: MakeSim, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.fixtures.sim import sim_config

    sim = make_sim(config=sim_config(latency=0.1))
    ids = sim.world.video_ids(1000)
    env = {
        "GHOSTTRACK_YOUTUBE_API_URL": sim.base_url,
        "GHOSTTRACK_YOUTUBE_API_KEYS": "k",
        "GHOSTTRACK_NOW": sim.clock.now().isoformat(),
        "GHOSTTRACK_CLAIM_SIZE": "100",
        "GHOSTTRACK_API_CONCURRENCY": "1",
    }
    assert ghosttrack("add", "--", *ids, env=env).returncode == 0
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("GHOSTTRACK_")}
    child_env |= env | {"GHOSTTRACK_HOME": str(tmp_path / "home")}
    with subprocess.Popen(
        [sys.executable, "-m", "ghosttrack", "track", "--once"],
        cwd=tmp_path,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        vault = tmp_path / "home" / "vault"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(vault.rglob("*.parquet")):
            time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "stopped on request" in out
    report = status(ghosttrack, **env)
    tracked = report["vault"]["samples"]
    assert 0 < tracked < 1000
    assert report["due_now"] == 1000 - tracked  # nothing half-done, nothing lost
    [job] = [j for j in report["jobs"] if j["kind"] == "track"]
    assert job["status"] == "interrupted"
    assert job["counts"]["tracked"] == tracked
    rest = ghosttrack("track", "--once", env=env)  # no lease is left behind
    assert f"tracked {1000 - tracked} videos" in rest.stdout


def test_settings_lists_every_variable_without_secrets(ghosttrack: Run) -> None:
    result = ghosttrack(
        "settings",
        env={
            "GHOSTTRACK_YOUTUBE_API_KEYS": "AIza-secret-1,AIza-secret-2",
            "GHOSTTRACK_DATABASE_URL": "postgresql+psycopg://tracker:hunter2@db.example/gt",
            "GHOSTTRACK_LEASE": "15m",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "AIza-secret" not in result.stdout
    assert "hunter2" not in result.stdout
    assert "(2 set)" in result.stdout
    assert "GHOSTTRACK_LEASE" in result.stdout
    assert "15m" in result.stdout
    assert "GHOSTTRACK_METADATA_RETENTION" in result.stdout
