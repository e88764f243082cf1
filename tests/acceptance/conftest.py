"""Run the real ``ghosttrack`` command in a subprocess, with its own home and environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def ghosttrack(tmp_path: Path) -> Run:
    """``ghosttrack("add", "…", env={...})`` → CompletedProcess; cwd and home in tmp_path."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("GHOSTTRACK_")} | {
        "GHOSTTRACK_HOME": str(tmp_path / "home"),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ghosttrack", *args],
            cwd=tmp_path,
            env=base_env | (env or {}),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
