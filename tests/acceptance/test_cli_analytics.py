"""``ghosttrack trends|video|top`` end to end on a home with tracked samples (the other
analytics commands and the human output are tested in-process, in ``test_cli_analytics``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.acceptance.conftest import Run
from tests.fixtures.tracked import build

NOW = "2026-06-15T00:00:00Z"


def test_trends_refresh_then_video_and_top(
    ghosttrack: Run, tmp_path: Path, scratch_dir: Path
) -> None:
    world = build(scratch_dir, seed=3, videos=600, channels=6, days=14)
    env = {
        "GHOSTTRACK_NOW": NOW,
        "GHOSTTRACK_DATABASE_URL": f"sqlite:///{scratch_dir / 'ghosttrack.db'}",
        "GHOSTTRACK_VAULT_URL": str(scratch_dir / "vault"),
    }
    top = ghosttrack("top", env=env)
    assert top.returncode == 2
    assert "ghosttrack trends refresh" in top.stderr
    refreshed = ghosttrack("trends", "refresh", env=env)
    assert refreshed.returncode == 0, refreshed.stderr
    assert "in all" in refreshed.stdout
    video_id = world.world.video_ids(1, published_before=world.end)[0]
    shown = ghosttrack("video", video_id, "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert body["video_id"] == video_id
    assert body["derived"]["computed_by"] == "ghosttrack"
    assert body["derived"]["trends_refreshed_at"] == "2026-06-15T00:00:00+00:00"
    assert body["sampled"]["samples"] == len(body["series"]["samples"])
