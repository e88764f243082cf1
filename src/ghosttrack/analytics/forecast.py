"""A video's 30-day views forecast from its early counts: the Szabo–Huberman log-linear model.

Szabo and Huberman (2010) found that the logarithm of a video's views at a later age is its
logarithm at an early "indicator" age plus a constant that depends only on the two ages:
``ln N(30d) = ln N(t) + beta(t) + noise``. ``beta`` is fitted here on the vault's own videos that
reached 30 days, one per indicator age of the grid; the forecast is ``N(t) · exp(beta(t))``, from
the latest indicator age the video has passed. How good that is gets measured the honest way:
on videos left out of the fit (k folds), as the median relative error and the 10 %–90 % band of
the ratio actual ÷ forecast. It is an estimate, and every caller says so. Pure: no I/O.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np

from ghosttrack.analytics.ages import GRID, THIRTY_DAYS
from ghosttrack.analytics.series import Floats, Ints

FOLDS = 5
#: Indicator ages: every grid age before 30 days.
INDICATORS = tuple(range(THIRTY_DAYS))


@dataclass(frozen=True, slots=True)
class Fit:
    """The model at one indicator age."""

    age_seconds: float
    beta: float  # mean of ln N(30d) - ln N(age) over the training videos
    videos: int  # videos the fit rests on
    median_error: float  # median |forecast - actual| / actual on held-out videos
    low: float  # 10th percentile of actual / forecast on held-out videos
    high: float  # 90th percentile


@dataclass(frozen=True, slots=True)
class Model:
    """One fit per indicator age that had enough videos (by age)."""

    fits: tuple[Fit, ...]

    def to_json(self) -> str:
        return json.dumps([asdict(f) for f in self.fits])

    @classmethod
    def from_json(cls, text: str) -> Model:
        return cls(tuple(Fit(**f) for f in json.loads(text)))

    @property
    def trained_on(self) -> int:
        return max((f.videos for f in self.fits), default=0)


def fit(grid: Floats, fold: Ints, min_videos: int) -> Model:
    """Fit ``beta`` at each indicator age on the rows of ``grid`` (videos × grid ages) that
    have positive views at that age and at 30 days; ``fold`` (0..FOLDS-1, per row, fixed per
    video) says which held-out fold a video belongs to."""
    fits = []
    target = grid[:, THIRTY_DAYS]
    for column in INDICATORS:
        early = grid[:, column]
        usable = (early > 0) & (target > 0)
        if usable.sum() < min_videos:
            continue
        logs = np.log(target[usable]) - np.log(early[usable])
        folds = fold[usable]
        held_out = np.empty_like(logs)
        for f in range(FOLDS):
            inside = folds == f
            rest = logs[~inside]
            held_out[inside] = logs[inside] - (rest.mean() if len(rest) else np.nan)
        held_out = held_out[~np.isnan(held_out)]
        if len(held_out) == 0:
            continue
        fits.append(
            Fit(
                age_seconds=float(GRID[column]),
                beta=float(logs.mean()),
                videos=int(usable.sum()),
                median_error=float(np.median(np.abs(np.exp(held_out) - 1.0) / np.exp(held_out))),
                low=float(np.exp(np.quantile(held_out, 0.1))),
                high=float(np.exp(np.quantile(held_out, 0.9))),
            )
        )
    return Model(tuple(fits))


@dataclass(frozen=True)
class Forecasts:
    """Per video: the 30-day estimate, its band, and the indicator age it came from."""

    views: Floats
    low: Floats
    high: Floats
    from_age: Floats  # seconds; NaN when there is no forecast
    median_error: Floats


def predict(model: Model, grid: Floats, age: Floats) -> Forecasts:
    """Forecasts for videos younger than 30 days at ``age`` (seconds), from the latest fitted
    indicator age they have passed with positive views; NaN for the rest."""
    n = len(grid)
    out = [np.full(n, np.nan) for _ in range(5)]
    views, low, high, from_age, error = out
    young = age < GRID[THIRTY_DAYS]
    for f in sorted(model.fits, key=lambda f: f.age_seconds):
        column = int(np.searchsorted(GRID, f.age_seconds))
        early = grid[:, column] if n else np.empty(0)
        ok = young & (age >= f.age_seconds) & (early > 0)
        estimate = early * np.exp(f.beta)
        views[ok] = estimate[ok]
        low[ok] = estimate[ok] * f.low
        high[ok] = estimate[ok] * f.high
        from_age[ok] = f.age_seconds
        error[ok] = f.median_error
    return Forecasts(views, low, high, from_age, error)
