"""Comparisons on hand-made channels: peers, medians and scores with known values, the grid,
the lifecycle curve, breakout rules, methodology changes, and the 30-day forecast."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from ghosttrack.analytics import ages, forecast, peers
from ghosttrack.analytics.breakouts import Rule, judge
from ghosttrack.analytics.methodology import (
    KNOWN_CHANGES,
    MethodologyChange,
    changes_table,
    overlapping,
)
from ghosttrack.analytics.series import DAY, HOUR

NAN = float("nan")
RULE = Rule(ratio=5.0, acceleration=2.0, min_views=100, take=20, min_peers=3)


def test_peers_are_the_same_channels_earlier_uploads_most_recent_first() -> None:
    channel = np.array([0, 0, 1, 0, 0, -1])
    published = np.array([0.0, 10.0, 5.0, 20.0, 30.0, 40.0]) * DAY
    got = peers.candidates(channel, published, np.array([4, 1, 2, 5]), 3, 365 * DAY)
    assert got.tolist() == [[3, 1, 0], [0, -1, -1], [-1, -1, -1], [-1, -1, -1]]
    # the window keeps only uploads published at most 20 days before
    assert peers.candidates(channel, published, np.array([4]), 3, 20 * DAY).tolist() == [[3, 1, -1]]


def test_typical_is_the_median_of_the_first_known_values_and_says_how_many() -> None:
    values = np.array([[NAN, 4.0, 2.0, 9.0, 100.0], [NAN, NAN, NAN, NAN, NAN]])
    got = peers.typical(values, take=3)
    assert got.median[0] == 4.0  # 4, 2, 9: the 100 is beyond the 3 most recent with a value
    assert got.count.tolist() == [3, 0]
    assert np.isnan(got.median[1])


def test_score_is_own_over_median_and_none_with_too_few_peers() -> None:
    typical = peers.typical(np.array([[10.0, 20.0, 30.0], [10.0, 20.0, NAN]]), take=20)
    got = peers.score(np.array([60.0, 60.0]), typical, min_peers=3)
    assert got[0] == 3.0
    assert np.isnan(got[1])


def test_grid_holds_every_milestone_and_reads_between_grid_ages() -> None:
    assert [ages.GRID[c] for c in ages.MILESTONE_COLUMNS] == [a for _, a in ages.MILESTONES]
    grid = np.full((2, len(ages.GRID)), NAN)
    grid[0, :] = ages.GRID / HOUR  # views = age in hours
    one_hour, two_hours = 0, 1
    grid[1, one_hour], grid[1, two_hours] = 10.0, 20.0
    got = ages.grid_at(
        grid, np.array([0, 1, 1, -1]), np.array([30.5 * HOUR, 1.5 * HOUR, 3 * HOUR, HOUR])
    )
    assert got[0] == pytest.approx(30.5)
    assert got[1] == 15.0
    assert np.isnan(got[2])
    assert np.isnan(got[3])
    assert np.isnan(ages.grid_at(grid, np.array([0]), np.array([0.5 * HOUR]))[0])


def test_lifecycle_is_the_median_share_of_30_day_views() -> None:
    grid = np.full((3, len(ages.GRID)), NAN)
    thirty = ages.THIRTY_DAYS
    for row, total in enumerate((100.0, 200.0, 400.0)):
        grid[row, : thirty + 1] = np.linspace(0.1, 1.0, thirty + 1) * total
    grid[2, 0] = 0.3 * 400  # this video had 30 % at 1 h; the others 10 %
    median, counts = ages.lifecycle(grid)
    assert median[0] == pytest.approx(0.1)
    assert median[thirty] == 1.0
    assert counts[0] == 3


def test_a_sudden_climb_against_channel_and_own_pace_is_a_breakout() -> None:
    peer_start = np.array([[100.0, 200.0, 300.0]] * 4)
    peer_end = peer_start + np.array([[10.0, 20.0, 30.0]])  # median gain 20
    gain = np.array([400.0, 400.0, 400.0, 90.0])
    before = np.array([50.0, 300.0, NAN, 5.0])
    got = judge(gain, peer_start, peer_end, before, np.zeros(4, dtype=bool), RULE)
    assert got.channel_ratio.tolist() == [20.0, 20.0, 20.0, 4.5]
    # 1: 20× the channel and 8× its own pace; 2: only 1.3× its own pace (a big video growing
    # as usual); 3: no own history, the channel alone decides; 4: under min_views
    assert got.breakout.tolist() == [True, False, True, False]


def test_too_few_peers_leaves_the_videos_own_pace() -> None:
    start = np.array([[100.0, NAN, NAN]])
    end = np.array([[110.0, NAN, NAN]])
    got = judge(np.array([600.0]), start, end, np.array([100.0]), np.array([False]), RULE)
    assert np.isnan(got.channel_ratio[0])
    assert got.peers[0] == 1
    assert got.own_ratio[0] == 6.0
    assert got.breakout[0]


def test_an_interval_over_a_methodology_change_is_never_a_breakout() -> None:
    change = MethodologyChange(
        datetime(2026, 8, 24, tzinfo=UTC), datetime(2026, 8, 28, tzinfo=UTC), "all", "test"
    )
    day = datetime(2026, 8, 25, tzinfo=UTC).timestamp()
    t0 = np.array([day - DAY, day + 10 * DAY])
    excluded = overlapping(t0, t0 + DAY, [change])
    assert excluded.tolist() == [True, False]
    peer = np.array([[100.0, 100.0, 100.0]] * 2)
    got = judge(np.array([5000.0] * 2), peer, peer + 10, np.array([10.0] * 2), excluded, RULE)
    assert got.breakout.tolist() == [False, True]


def test_known_changes_are_data_users_can_extend() -> None:
    dates = {(c.start.date().isoformat(), c.scope) for c in KNOWN_CHANGES}
    assert ("2025-03-31", "shorts") in dates
    assert ("2026-08-24", "all") in dates
    extra = MethodologyChange(
        datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC), "all", "mine"
    )
    table = changes_table([extra])
    assert table[-1] == extra
    assert len(table) == len(KNOWN_CHANGES) + 1
    with pytest.raises(ValueError, match="end is before start"):
        MethodologyChange(extra.end, extra.start, "all", "backwards")


def _grid_with(early: np.ndarray, total: np.ndarray) -> np.ndarray:
    grid = np.full((len(early), len(ages.GRID)), NAN)
    grid[:, ages.MILESTONE_COLUMNS[1]] = early  # views at 24 h
    grid[:, ages.THIRTY_DAYS] = total
    return grid


def test_forecast_fits_the_log_ratio_and_reports_held_out_error() -> None:
    rng = np.random.default_rng(3)
    early = rng.lognormal(6, 1.5, 400)
    noise = rng.normal(0, 0.2, 400)
    total = early * np.exp(np.log(4.0) + noise)  # 30-day views ≈ 4 × views at 24 h
    model = forecast.fit(_grid_with(early, total), np.arange(400) % forecast.FOLDS, 20)
    (fit,) = [f for f in model.fits if f.age_seconds == DAY]
    assert fit.beta == pytest.approx(np.log(4.0), abs=0.03)
    assert fit.videos == 400
    assert 0.08 < fit.median_error < 0.2  # |e^x - 1| / e^x for noise sd 0.2: about 0.13
    assert fit.low < 1.0 < fit.high
    assert forecast.Model.from_json(model.to_json()) == model
    young = _grid_with(np.array([100.0, 100.0, NAN]), np.array([NAN, NAN, NAN]))
    got = forecast.predict(model, young, np.array([2 * DAY, 40 * DAY, 2 * DAY]))
    assert got.views[0] == pytest.approx(100 * np.exp(fit.beta))
    assert got.from_age[0] == DAY
    assert np.isnan(got.views[1])  # past 30 days: no forecast
    assert np.isnan(got.views[2])  # no early count


def test_forecast_needs_enough_videos() -> None:
    grid = _grid_with(np.array([10.0] * 5), np.array([40.0] * 5))
    assert forecast.fit(grid, np.arange(5) % forecast.FOLDS, 20).fits == ()
