"""Rolling-origin backtest of the crossing outlook against a seasonal-naive baseline.

Every day from ``start`` to ``end`` is an origin: what was known that evening is the history up to
it, and the forecast is scored on each of the next ``horizons`` days. The model is refitted every
``refit_every`` days on the history up to the origin (never on later days) and used in between,
as an analyst would.

Baseline ("seasonal naive", the same week in previous years): for target day d, the days d − 3 …
d + 3 of the same calendar dates in each of the previous ``years`` years (Feb 29 read as Feb 28),
as far as the data go. P(crossing) is the share of those 7 × ``years`` days with a crossing;
expected arrivals their mean daily people, median arrivals their median. It knows the season and
the recent years' level, not the last few days.

Scores, each for the point forecast it is consistent for (Gneiting 2011, "Making and evaluating
point forecasts", JASA 106:746): the Brier score for P(crossing) (mean squared difference between
the probability and the 0/1 outcome), the mean absolute error (MAE) of the median arrivals, the
root mean squared error (RMSE) of the expected arrivals. Skill = 1 − score / score of the baseline
(positive: better than the baseline; 1: perfect). On days that are mostly without crossings the
MAE-best forecast is often 0, which is why expected arrivals are not scored by MAE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from counterflow.errors import InvalidValue
from counterflow.routes.outlook import OutlookModel, fit_outlook, forecast
from counterflow.routes.outlook_data import DailyArrivals, Weather

__all__ = ["HorizonScore", "backtest", "recent_frequency", "seasonal_naive"]


def _same_day(day: date, years_back: int) -> date:
    year = day.year - years_back
    return day.replace(year=year, day=28) if (day.month, day.day) == (2, 29) else day.replace(year=year)


def seasonal_naive(
    history: DailyArrivals, day: date, *, years: int = 3, half_width: int = 3
) -> tuple[float, float, float]:
    """(P(crossing), expected, median people) for ``day`` from the same week of the previous ``years``
    years."""
    values = []
    for k in range(1, years + 1):
        centre = history.index(_same_day(day, k))
        for i in range(centre - half_width, centre + half_width + 1):
            if 0 <= i < len(history):
                values.append(history.migrants[i])
    if not values:
        raise InvalidValue("seasonal-naive baseline", str(day), "no earlier year in the history")
    v = np.asarray(values, dtype=np.float64)
    return float(np.mean(v > 0)), float(np.mean(v)), float(np.median(v))


def recent_frequency(history: DailyArrivals, origin: date, *, days: int = 14) -> tuple[float, float, float]:
    """(P(crossing), expected, median people) from the share of crossing days and the mean and median
    people over the last ``days`` days up to ``origin`` (a persistence baseline, for comparison)."""
    t = history.index(origin)
    v = np.asarray(history.migrants[max(0, t + 1 - days) : t + 1], dtype=np.float64)
    return float(np.mean(v > 0)), float(np.mean(v)), float(np.median(v))


@dataclass(frozen=True)
class HorizonScore:
    """Scores of the model and the baselines at one horizon, over ``n`` forecasts."""

    horizon: int
    n: int
    brier: float
    brier_seasonal: float
    brier_recent: float
    mae: float
    mae_seasonal: float
    mae_recent: float
    rmse: float
    rmse_seasonal: float
    rmse_recent: float
    crossing_rate: float

    @property
    def brier_skill(self) -> float:
        return 1.0 - self.brier / self.brier_seasonal

    @property
    def mae_skill(self) -> float:
        return 1.0 - self.mae / self.mae_seasonal

    @property
    def rmse_skill(self) -> float:
        return 1.0 - self.rmse / self.rmse_seasonal


def backtest(
    history: DailyArrivals,
    *,
    start: date,
    end: date | None = None,
    horizons: range = range(1, 8),
    refit_every: int = 28,
    weather: Mapping[date, Weather] | None = None,
    staged: Mapping[date, float] | None = None,
) -> list[HorizonScore]:
    """Score the outlook from every origin in ``start`` … ``end`` (default: the last day that still
    has all horizons ahead) against the baselines, per horizon."""
    last = history.end - timedelta(days=max(horizons))
    end = min(end or last, last)
    problems = []
    if refit_every < 1:
        problems.append("refit_every must be at least 1")
    if start > end:
        problems.append(f"start {start} is after the last scorable origin {end}")
    if history.index(start) < 365:
        problems.append("the first origin needs a year of history before it (for the baseline)")
    if problems:
        raise InvalidValue("backtest", f"{start} to {end}", "; ".join(problems))
    rows: dict[int, list[tuple[float, ...]]] = {h: [] for h in horizons}
    model: OutlookModel | None = None
    origin = start
    k = 0
    while origin <= end:
        known = history.until(origin)
        if model is None or k % refit_every == 0:
            model = fit_outlook(known, horizons=horizons, weather=weather, staged=staged)
        recent = recent_frequency(known, origin)
        for day in forecast(model, known, origin=origin, weather=weather, staged=staged):
            actual = history.migrants[history.index(day.day)]
            base = seasonal_naive(known, day.day)
            crossed = float(actual > 0)
            rows[day.horizon].append(
                (
                    (day.p_crossing - crossed) ** 2,
                    (base[0] - crossed) ** 2,
                    (recent[0] - crossed) ** 2,
                    abs(day.median_migrants - actual),
                    abs(base[2] - actual),
                    abs(recent[2] - actual),
                    (day.expected_migrants - actual) ** 2,
                    (base[1] - actual) ** 2,
                    (recent[1] - actual) ** 2,
                    crossed,
                )
            )
        origin += timedelta(days=1)
        k += 1
    out = []
    for h, scored in rows.items():
        a = np.asarray(scored, dtype=np.float64)
        means = [float(v) for v in a.mean(axis=0)]
        means[6:9] = [v**0.5 for v in means[6:9]]
        out.append(HorizonScore(h, len(a), *means))
    return out
