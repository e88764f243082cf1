"""Maintenance tasks run when due, each on its own period, and a failure stops nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ghosttrack.clock import ManualClock
from ghosttrack.maintenance.runner import Maintenance, Task

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def recorder(log: list[str], name: str, *, fail: bool = False) -> Task:
    def run() -> str:
        log.append(name)
        if fail:
            raise RuntimeError(f"{name} broke")
        return f"{name} done"

    return Task(name, timedelta(hours=1) if name == "hourly" else timedelta(days=1), run)


async def test_every_task_runs_at_start_then_on_its_own_period() -> None:
    clock = ManualClock(START)
    ran: list[str] = []
    done: list[tuple[str, object]] = []
    maintenance = Maintenance(
        [recorder(ran, "hourly"), recorder(ran, "daily")],
        clock,
        on_done=lambda name, outcome: done.append((name, outcome)),
    )
    assert maintenance.next_due_at() == START
    assert await maintenance.run_due() == ["hourly", "daily"]
    assert done == [("hourly", "hourly done"), ("daily", "daily done")]
    assert maintenance.next_due_at() == START + timedelta(hours=1)

    clock.advance(timedelta(minutes=59))
    assert await maintenance.run_due() == []
    clock.advance(timedelta(minutes=1))
    assert await maintenance.run_due() == ["hourly"]
    clock.advance(timedelta(days=1))
    assert await maintenance.run_due() == ["hourly", "daily"]
    assert ran == ["hourly", "daily", "hourly", "hourly", "daily"]


async def test_a_failing_task_is_logged_rescheduled_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(START)
    ran: list[str] = []
    maintenance = Maintenance([recorder(ran, "hourly", fail=True), recorder(ran, "daily")], clock)
    assert await maintenance.run_due() == ["hourly", "daily"]
    assert ran == ["hourly", "daily"]
    assert "maintenance task hourly failed" in caplog.text
    assert maintenance.next_due_at() == START + timedelta(hours=1)


def test_names_must_be_unique_and_periods_positive() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="unique"):
        Maintenance([recorder([], "daily"), recorder([], "daily")], clock)
    with pytest.raises(ValueError, match="positive"):
        Maintenance([Task("never", timedelta(0), lambda: None)], clock)
