"""The demo's clock, shared with every command on the demo's home (``demo.json``): light, since
every command reads it before opening its runtime (the demo itself lives in ``demo.py``)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ghosttrack.settings import Settings

if TYPE_CHECKING:
    from ghosttrack.watchlist.database import Database

STATE_FILE = "demo.json"


def shared_clock(settings: Settings) -> Settings:
    """Settings on the demo's home take the demo's clock, so that ``status`` and the others
    see the time its jobs were stamped with: the running demo's accelerated clock, or the
    moment it stopped. Anything else (no ``demo.json`` in the home, or a clock set explicitly
    with GHOSTTRACK_NOW / GHOSTTRACK_CLOCK_*) is left as it is."""
    explicit = (
        settings.now is not None or settings.clock_speed != 1.0 or settings.clock_start is not None
    )
    state = {} if explicit else read_state(settings.home)
    clock = state.get("clock")
    if clock is not None and alive(state.get("pid")):
        return settings.model_copy(
            update={
                "clock_speed": float(clock["speed"]),
                "clock_start": datetime.fromisoformat(clock["start"]),
                "clock_anchor": datetime.fromisoformat(clock["anchor"]),
            }
        )
    if "epoch" not in state:
        return settings
    stopped = state.get("stopped_at")
    if stopped is None:  # the demo died without a word: its last job is its last moment
        from ghosttrack.watchlist.database import Database

        db = Database.from_url(settings.resolved_database_url)
        try:
            last = last_job_time(db)
        finally:
            db.close()
        return settings if last is None else settings.model_copy(update={"now": last})
    return settings.model_copy(update={"now": datetime.fromisoformat(stopped)})


def last_job_time(db: Database) -> datetime | None:
    """When the last job of the database started or finished (the demo's last moment)."""
    jobs = db.jobs.recent_jobs(1)
    return (jobs[0].finished_at or jobs[0].started_at) if jobs else None


def read_state(home: Path) -> dict[str, Any]:
    """What ``demo.json`` says (nothing when there is none)."""
    path = home / STATE_FILE
    if not path.exists():
        return {}
    state: dict[str, Any] = json.loads(path.read_text())
    return state


def write_state(
    home: Path,
    epoch: datetime,
    *,
    clock: dict[str, Any] | None = None,
    stopped_at: datetime | None = None,
) -> None:
    """Replace ``demo.json`` atomically (a reader never sees half of it)."""
    state: dict[str, Any] = {"epoch": epoch.isoformat()}
    if clock is not None:
        state["clock"] = {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in clock.items()
        }
        state["pid"] = os.getpid()
    if stopped_at is not None:
        state["stopped_at"] = stopped_at.isoformat()
    temp = home / f".{STATE_FILE}.tmp"
    temp.write_text(json.dumps(state))
    temp.replace(home / STATE_FILE)


def alive(pid: object) -> bool:
    """Whether a process of this id runs."""
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
