"""The analytics commands in-process (the Typer app, real settings from the environment) over
the shared tracked world: what people and scripts see."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ghosttrack.cli.analytics import sparkline
from ghosttrack.cli.main import app
from tests.fixtures.tracked import Tracked


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """The command configures logging for a process (levels, root handlers); put it back so
    later tests in this process see the logging they expect."""
    root = logging.getLogger()
    names = ("httpx", "httpcore", "alembic")
    levels = {n: logging.getLogger(n).level for n in names}
    handlers, level = list(root.handlers), root.level
    yield
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)
    root.handlers[:] = handlers
    root.setLevel(level)


def run(world: Tracked, *args: str) -> tuple[int, str]:
    env = {
        "GHOSTTRACK_HOME": str(world.home),
        "GHOSTTRACK_VAULT_URL": world.vault.url,
        "GHOSTTRACK_NOW": world.end.isoformat(),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_video_shows_sparkline_milestones_and_labels(tracked_world: Tracked) -> None:
    video_id = tracked_world.world.video_ids(1, published_before=tracked_world.end)[0]
    code, out = run(tracked_world, "video", video_id)
    assert code == 0, out
    assert f"video {video_id}" in out
    assert "computed by ghosttrack from its samples, not by YouTube" in out
    for label in ("1h", "24h", "7d", "30d"):
        assert label in out
    assert any(block in out for block in "▁▂▃▄▅▆▇█")


def test_top_breakouts_and_channel_as_json(tracked_world: Tracked) -> None:
    code, out = run(tracked_world, "top", "--json", "--age", "..2d", "--limit", "5")
    assert code == 0, out
    top = json.loads(out)
    assert top["computed_by"] == "ghosttrack"
    assert 0 < len(top["videos"]) <= 5
    assert all(v["age_hours"] < 48 for v in top["videos"])
    code, out = run(tracked_world, "breakouts", "--json")
    assert code == 0, out
    assert json.loads(out)["computed_by"] == "ghosttrack"
    since = (tracked_world.end - timedelta(days=7)).isoformat()
    code, out = run(tracked_world, "breakouts", "--since", since)
    assert code == 0, out
    assert "breakouts ended" in out
    channel_id = tracked_world.world.channels[0].channel_id
    code, out = run(tracked_world, "channel", channel_id, "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["derived"]["videos_tracked"] > 0
    days = report["sampled"]["days"]
    assert len(days) == 30
    assert days[1]["views_change"] == days[1]["views"] - days[0]["views"]
    shares = [p["median_share_of_30d_views"] for p in report["derived"]["lifecycle"]]
    assert shares[-1] == 1.0
    assert all(s is None or 0 <= s <= 1.5 for s in shares)


def test_bad_input_is_named(tracked_world: Tracked) -> None:
    code, out = run(tracked_world, "top", "--age", "2d")
    assert code == 2
    assert "--age '2d'" in out
    code, out = run(tracked_world, "top", "--by", "likes")
    assert code == 2
    assert "cannot rank by 'likes'" in out
    code, out = run(tracked_world, "video", "AAAAAAAAAAA")
    assert code == 2
    assert "no sample of video 'AAAAAAAAAAA'" in out


def test_sparkline_scales_values_to_blocks() -> None:
    assert sparkline([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]) == "▁▂▃▄▅▆▇█"
    assert sparkline([]) == ""
    assert sparkline([5.0, 5.0]) == "▁▁"
    assert len(sparkline([float(i) for i in range(1000)], width=50)) == 50
    assert sparkline([1.0, float("nan"), 2.0]) == "▁ █"


def test_sql_as_table_csv_and_json(tracked_world: Tracked) -> None:
    query = "SELECT video_id, views FROM video_trends ORDER BY views DESC"
    code, out = run(tracked_world, "sql", query, "--limit", "3")
    assert code == 0, out
    assert "video_id" in out
    assert "3 shown (--csv or --json for all)" in out
    code, out = run(tracked_world, "sql", query, "--csv")
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[0] == '"video_id","views"'
    assert len(lines) > 100
    code, out = run(tracked_world, "sql", "SELECT 1 AS one, 'x' AS two", "--json")
    assert code == 0, out
    assert json.loads(out) == [{"one": 1, "two": "x"}]
    code, out = run(tracked_world, "sql", "DELETE FROM metrics")
    assert code == 2
    assert "only reads" in out


def test_export_writes_the_file(tracked_world: Tracked, tmp_path: Path) -> None:
    video_id = tracked_world.world.video_ids(1, published_before=tracked_world.end)[0]
    target = tmp_path / "video.parquet"
    code, out = run(tracked_world, "export", str(target), "--video", video_id)
    assert code == 0, out
    assert "samples to" in out
    assert target.exists()
