"""Per-video maths on hand-computed cases: interpolation only between bracketing samples,
velocities, negative steps, increases with corrections bridged, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from ghosttrack.analytics.series import (
    HOUR,
    Series,
    at,
    at_ages,
    increases,
    intervals,
    negative_steps,
    velocity,
)

NAN = float("nan")


def series(*videos: list[tuple[float, float]], published: list[float] | None = None) -> Series:
    """Videos given as [(hours after publication, views)], publication at t = 0 each."""
    keys = np.concatenate([np.full(len(v), i) for i, v in enumerate(videos)]).astype(np.int64)
    t = np.array([h * HOUR for v in videos for h, _ in v], dtype=float)
    views = np.array([x for v in videos for _, x in v], dtype=float)
    pub = np.array(published if published is not None else [0.0] * len(videos))
    return Series.from_sorted(keys, t, views, views / 10, np.full(len(t), NAN), pub)


def test_interpolation_is_linear_between_the_two_bracketing_samples() -> None:
    s = series([(0.5, 10), (1.5, 30), (3.0, 90)])
    got = at_ages(s, s.views, np.array([1 * HOUR, 2 * HOUR, 1.5 * HOUR, 3 * HOUR]))
    # 1 h: halfway from 10 to 30; 2 h: a third of the way from 30 to 90; exact samples as is
    assert got.tolist() == [[20.0, 50.0, 30.0, 90.0]]


def test_no_value_outside_the_samples_never_extrapolated() -> None:
    s = series([(2.0, 10), (5.0, 40)], [(1.0, 5)])
    got = at_ages(s, s.views, np.array([1 * HOUR, 6 * HOUR, 2 * HOUR]))
    assert np.isnan(got[0, 0])
    assert np.isnan(got[0, 1])
    assert got[0, 2] == 10.0
    # one sample brackets only its own moment
    assert np.isnan(got[1, 1])
    assert np.isnan(got[1, 2])
    assert got[1, 0] == 5.0


def test_unknown_publication_or_counts_give_no_value() -> None:
    s = series([(1.0, 10), (3.0, 30)], published=[NAN])
    assert np.isnan(at_ages(s, s.views, np.array([2 * HOUR]))).all()
    known = series([(1.0, 10), (3.0, 30)])
    assert np.isnan(at_ages(known, known.comments, np.array([2 * HOUR]))).all()


def test_at_searches_each_query_in_its_own_range() -> None:
    t = np.array([0.0, 10.0, 20.0, 0.0, 100.0])
    v = np.array([0.0, 10.0, 20.0, 5.0, 105.0])
    starts, ends = np.array([0, 3]), np.array([3, 5])
    got = at(t, v, starts, ends, np.array([15.0, 50.0]))
    assert got.tolist() == [15.0, 55.0]


def test_velocity_last_interval_last_24h_and_lifetime_average() -> None:
    s = series([(1.0, 100), (24.0, 1000), (48.0, 1600)], [(5.0, 50)])
    v = velocity(s)
    assert v.last[0] == pytest.approx(600 / 24)
    assert v.last_hours[0] == 24.0
    assert v.day[0] == pytest.approx(600 / 24)  # 24 h before 48 h is the 24 h sample
    assert v.lifetime_average[0] == pytest.approx(1600 / 48)
    # one sample: no interval, no 24 h velocity, but a lifetime average
    assert np.isnan(v.last[1])
    assert np.isnan(v.day[1])
    assert v.lifetime_average[1] == pytest.approx(10.0)


def test_velocity_over_24h_interpolates_the_start() -> None:
    s = series([(0.0, 0), (20.0, 200), (30.0, 500), (44.0, 900)])
    # 24 h before 44 h is 20 h: a sample (200), so (900 - 200) / 24
    assert velocity(s).day[0] == pytest.approx(700 / 24)
    shifted = series([(0.0, 0), (10.0, 100), (30.0, 500), (40.0, 900)])
    # 24 h before 40 h is 16 h: 100 + (500 - 100) * 6 / 20 = 220
    assert velocity(shifted).day[0] == pytest.approx((900 - 220) / 24)


def test_negative_steps_are_counted_and_kept() -> None:
    s = series([(1.0, 100), (2.0, 90), (3.0, 95), (4.0, 80)], [(1.0, 5), (2.0, 6)])
    assert negative_steps(s).tolist() == [2, 0]
    v = velocity(s)
    assert v.last[0] == pytest.approx(-15.0)  # a fall is shown as it is


def test_increases_bridge_a_correction_at_the_pace_before_it() -> None:
    s = series([(0.0, 0), (1.0, 100), (2.0, 50), (3.0, 150)])
    # the fall of 50 is bridged at the previous pace (100/h): 0, 100, 200, 300
    assert increases(s).tolist() == [0.0, 100.0, 200.0, 300.0]


def test_intervals_compare_with_the_same_length_before_and_from_publication() -> None:
    s = series([(1.0, 60), (2.0, 100), (4.0, 300)])
    found = intervals(s)
    assert found.gain.tolist() == [40.0, 200.0]
    assert found.a0.tolist() == [HOUR, 2 * HOUR]
    # [1 h, 2 h]: the hour before is publication (0 views) to 1 h: 60 views
    # [2 h, 4 h]: two hours before, from publication: 100 views over 2 h
    assert found.before.tolist() == pytest.approx([60.0, 100.0])


def test_intervals_scale_a_short_history_to_the_interval_length() -> None:
    # published 11.5 h before the first sample (30 views); then a 24 h interval: the 24 h
    # before it reach back past the publication, so the pace since publication (30 views in
    # 12 h) is scaled to 24 h
    s = series([(0.5, 30), (24.5, 1000)], published=[-11.5 * HOUR])
    assert intervals(s).before[0] == pytest.approx(60.0)


def test_intervals_mask_keeps_those_ending_in_it() -> None:
    s = series([(1.0, 10), (2.0, 20), (3.0, 40)])
    mask = np.array([False, False, True])
    assert intervals(s, mask).gain.tolist() == [20.0]
