"""Tier tables: which tier a video is in at each age, and when its next visit falls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ghosttrack.tiers import DAY, DEFAULT_PRESET, HOUR, PRESETS, TierRule, TierTable

PUBLISHED = datetime(2026, 1, 10, 8, 17, 23, tzinfo=UTC)  # not on any round time
GHOST = PRESETS["ghost"]
PRIORITY = PRESETS["priority"]
MINUTE = timedelta(minutes=1)


def at_age(age: timedelta) -> datetime:
    return PUBLISHED + age


@pytest.mark.parametrize(
    ("age", "tier", "next_age"),
    [
        (timedelta(0), "HOURLY", HOUR),
        (30 * MINUTE, "HOURLY", HOUR),
        (HOUR, "HOURLY", 2 * HOUR),
        (23 * HOUR + 59 * MINUTE, "HOURLY", 24 * HOUR),
        (24 * HOUR, "DAILY", 2 * DAY),
        (24 * HOUR + MINUTE, "DAILY", 2 * DAY),
        (6 * DAY + 23 * HOUR, "DAILY", 7 * DAY),
        (7 * DAY, "WEEKLY", 14 * DAY),
        (7 * DAY + HOUR, "WEEKLY", 14 * DAY),
        (30 * DAY, "WEEKLY", 35 * DAY),
        (180 * DAY, "WEEKLY", 182 * DAY),  # 7 d + 25 weeks
    ],
)
def test_ghost_preset_boundaries(age: timedelta, tier: str, next_age: timedelta) -> None:
    schedule = GHOST.schedule(PUBLISHED, at_age(age))
    assert schedule.tier == tier
    assert schedule.next_track_at - PUBLISHED == next_age


@pytest.mark.parametrize(
    ("age", "tier", "next_age"),
    [
        (timedelta(0), "DAILY", DAY),
        (23 * HOUR + 59 * MINUTE, "DAILY", DAY),
        (24 * HOUR, "DAILY", 2 * DAY),
        (6 * DAY + 23 * HOUR, "DAILY", 7 * DAY),
        (7 * DAY, "DAILY", 8 * DAY),
        (29 * DAY + 23 * HOUR, "DAILY", 30 * DAY),
        (30 * DAY, "EVERY_3_DAYS", 33 * DAY),
        (31 * DAY, "EVERY_3_DAYS", 33 * DAY),
        (179 * DAY, "EVERY_3_DAYS", 180 * DAY),  # the grid would say 180 d anyway
        (178 * DAY + HOUR, "EVERY_3_DAYS", 180 * DAY),  # clipped to the next tier's start
        (180 * DAY, "WEEKLY", 187 * DAY),
        (400 * DAY, "WEEKLY", 404 * DAY),  # 180 d + 32 weeks
    ],
)
def test_priority_preset_boundaries(age: timedelta, tier: str, next_age: timedelta) -> None:
    schedule = PRIORITY.schedule(PUBLISHED, at_age(age))
    assert schedule.tier == tier
    assert schedule.next_track_at - PUBLISHED == next_age


def test_a_late_visit_returns_to_the_grid() -> None:
    late = GHOST.schedule(PUBLISHED, at_age(5 * HOUR + 40 * MINUTE))
    assert late.next_track_at == at_age(6 * HOUR)  # not 6 h 40 m
    very_late = GHOST.schedule(PUBLISHED, at_age(3 * DAY + 20 * HOUR))
    assert very_late.next_track_at == at_age(4 * DAY)


def test_a_visit_far_past_the_last_hourly_slot_moves_to_the_daily_grid() -> None:
    """Missing the hourly tier altogether (e.g. added late) still lands on exact days."""
    schedule = GHOST.schedule(PUBLISHED, at_age(2 * DAY + 3 * HOUR))
    assert schedule.tier == "DAILY"
    assert schedule.next_track_at == at_age(3 * DAY)


def test_next_visit_is_strictly_after_now_even_on_a_grid_point() -> None:
    for age in (HOUR, 5 * DAY, 21 * DAY):
        now = at_age(age)
        assert GHOST.schedule(PUBLISHED, now).next_track_at > now


def test_unknown_publication_is_treated_as_the_first_tier_from_now() -> None:
    now = datetime(2026, 3, 1, 12, 34, tzinfo=UTC)
    assert GHOST.schedule(None, now).tier == "HOURLY"
    assert GHOST.schedule(None, now).next_track_at == now + HOUR
    assert PRIORITY.schedule(None, now).next_track_at == now + DAY


def test_a_publication_in_the_future_counts_as_age_zero() -> None:
    now = PUBLISHED - 10 * MINUTE  # the clocks disagree a little
    schedule = GHOST.schedule(PUBLISHED, now)
    assert schedule.tier == "HOURLY"
    assert schedule.next_track_at == at_age(HOUR)


def count_visits(table: TierTable, first_age: timedelta, days: int) -> dict[str, int]:
    """Visit at each scheduled time, as a tracker would, and count the visits per tier."""
    counts: dict[str, int] = {}
    now, end = at_age(first_age), at_age(days * DAY)
    while now < end:
        schedule = table.schedule(PUBLISHED, now)
        counts[schedule.tier] = counts.get(schedule.tier, 0) + 1
        assert schedule.next_track_at > now
        now = schedule.next_track_at
    return counts


def test_thirty_days_of_ghost_tracking_is_24_hourly_6_daily_then_weekly() -> None:
    assert count_visits(GHOST, timedelta(0), 30) == {"HOURLY": 24, "DAILY": 6, "WEEKLY": 4}


def test_a_video_added_mid_hour_still_gets_exact_hour_visits() -> None:
    counts = count_visits(GHOST, 20 * MINUTE, 30)
    assert counts == {"HOURLY": 24, "DAILY": 6, "WEEKLY": 4}  # 0h20, then 1 h … 23 h


def test_a_year_of_the_priority_preset() -> None:
    counts = count_visits(PRIORITY, timedelta(0), 365)
    # 30 daily (0 … 29 d), 50 every 3 days (30 … 177 d), weekly from 180 d to 362 d
    assert counts == {"DAILY": 30, "EVERY_3_DAYS": 50, "WEEKLY": 27}


def test_rule_for_age_and_names() -> None:
    assert GHOST.names() == ["HOURLY", "DAILY", "WEEKLY"]
    assert GHOST.rule_for_age(-HOUR).name == "HOURLY"
    assert GHOST.rule_for_age(24 * HOUR - timedelta(microseconds=1)).name == "HOURLY"
    assert GHOST.rule_for_age(24 * HOUR).name == "DAILY"
    assert GHOST.rule_for_age(10_000 * DAY).name == "WEEKLY"
    assert GHOST.first.interval == HOUR
    assert DEFAULT_PRESET in PRESETS


def test_describe_is_the_table_for_humans() -> None:
    assert GHOST.describe() == [
        {"tier": "HOURLY", "from age": "0", "until age": "1d", "every": "1h"},
        {"tier": "DAILY", "from age": "1d", "until age": "1w", "every": "1d"},
        {"tier": "WEEKLY", "from age": "1w", "until age": "forever", "every": "1w"},
    ]


def test_a_single_open_ended_tier_is_a_valid_table() -> None:
    table = TierTable([TierRule("ALWAYS", None, 6 * HOUR)])
    assert table.schedule(PUBLISHED, at_age(7 * HOUR)).next_track_at == at_age(12 * HOUR)


@pytest.mark.parametrize(
    ("rules", "complaint"),
    [
        ([], "at least one tier"),
        ([TierRule("A", DAY, HOUR), TierRule("A", None, DAY)], "unique"),
        ([TierRule("A", None, HOUR), TierRule("B", None, DAY)], "only the last tier"),
        ([TierRule("A", DAY, HOUR), TierRule("B", DAY, DAY), TierRule("C", None, DAY)], "grow"),
        ([TierRule("A", 2 * DAY, HOUR), TierRule("B", DAY, DAY), TierRule("C", None, DAY)], "grow"),
        ([TierRule("A", DAY, HOUR)], "must have no max_age"),
        ([TierRule("A", DAY, timedelta(0)), TierRule("B", None, DAY)], "positive"),
        ([TierRule("A", DAY, HOUR), TierRule("B", None, -DAY)], "positive"),
        ([TierRule("A", timedelta(0), HOUR), TierRule("B", None, DAY)], "grow"),
    ],
)
def test_invalid_tier_tables_are_refused(rules: list[TierRule], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        TierTable(rules)
