"""Channel crossing outlook: for each of the coming days, the chance of a crossing and the arrivals.

A hurdle model per horizon h (1–7 days; the direct strategy, one fit per horizon):

* P(at least one crossing on day d) is a logistic regression;
* the people arriving on a day with crossings, a log-linear (Poisson quasi-likelihood) regression;
* expected arrivals = P × expected people on a crossing day; the median arrivals (the best point
  forecast under absolute error) from the same mixture, with a lognormal spread of the people on a
  crossing day around their regression mean (``spread``: the weighted sd of log(y / fitted)).

Both are fitted by maximum likelihood (L-BFGS, a small ridge penalty on standardised features) on
every origin in the history, with older days down-weighted (half-life ``HALF_LIFE_DAYS``) because
the trade changes from year to year (more people per boat, new launch areas, new policing).

Features, as known on the evening of the origin day t for target day d = t + h:

* season of d: two harmonics of the day of the year;
* recent activity: crossing on t, share of crossing days over the last 7, 28 and 365 days, days
  since the last crossing, people per crossing day over the last 28 and 365 days;
* staged logistics (optional): ``log(1 + staged[t])``, e.g. boats or engines seen near launch areas;
* weather on d (optional): wind (mph), waves (m) and/or the red/amber/green rating.

Optional inputs are used when the fitting history supplies them; a day without a value gets the
training mean (so the forecast falls back to the season and recent activity), and each forecast
names what it rests on. Scores against a seasonal-naive baseline: ``outlook_backtest``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize  # type: ignore[import-untyped]
from scipy.special import expit, ndtri  # type: ignore[import-untyped]

from counterflow.errors import InvalidValue
from counterflow.routes.outlook_data import DailyArrivals, Weather

__all__ = ["DayOutlook", "HorizonFit", "OutlookModel", "fit_outlook", "forecast", "outlook"]

Array = NDArray[np.float64]

HALF_LIFE_DAYS = 730.0
RIDGE = 1.0
MIN_HISTORY = 28  # days of history before the first training origin
BASE = ("sin1", "cos1", "sin2", "cos2", "crossed", "frac7", "frac28", "frac365", "quiet", "ppd28", "ppd365")
WEATHER = ("wind_mph", "wave_m", "amber", "red")


@dataclass(frozen=True)
class HorizonFit:
    """The two regressions for one horizon, on standardised features (``mean``, ``scale``)."""

    horizon: int
    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    crossing: tuple[float, ...]
    arrivals: tuple[float, ...]
    spread: float
    rows: int


@dataclass(frozen=True)
class OutlookModel:
    trained_until: date
    fits: dict[int, HorizonFit]
    weather: tuple[str, ...]
    staged: bool


@dataclass(frozen=True)
class DayOutlook:
    day: date
    horizon: int
    p_crossing: float
    expected_migrants: float
    median_migrants: float
    migrants_if_crossing: float
    basis: tuple[str, ...]


def _weather_columns(weather: Mapping[date, Weather] | None) -> tuple[str, ...]:
    if not weather:
        return ()
    have = set()
    for w in weather.values():
        if w.wind_mph is not None:
            have.add("wind_mph")
        if w.wave_m is not None:
            have.add("wave_m")
        if w.rating is not None:
            have.update(("amber", "red"))
    return tuple(c for c in WEATHER if c in have)


def _weather_value(w: Weather | None, column: str) -> float:
    if w is None:
        return math.nan
    if column in ("amber", "red"):
        return math.nan if w.rating is None else float(w.rating == column)
    value = w.wind_mph if column == "wind_mph" else w.wave_m
    return math.nan if value is None else float(value)


def _features(
    history: DailyArrivals,
    origins: NDArray[np.int64],
    horizon: int,
    *,
    weather: Mapping[date, Weather] | None,
    weather_columns: tuple[str, ...],
    staged: Mapping[date, float] | None,
    use_staged: bool,
) -> Array:
    """One row per origin index: BASE, then ``staged``, then the weather columns (NaN when unknown)."""
    m = np.asarray(history.migrants, dtype=np.float64)
    c = (m > 0).astype(np.float64)
    cc = np.concatenate(([0.0], np.cumsum(c)))
    cm = np.concatenate(([0.0], np.cumsum(m)))
    end = origins + 1

    def window(cum: Array, w: int) -> Array:
        return np.asarray(cum[end] - cum[np.maximum(end - w, 0)], dtype=np.float64)

    def frac(w: int) -> Array:
        return window(cc, w) / np.minimum(end, w)

    def per_day(w: int) -> Array:
        return np.log1p(window(cm, w) / np.maximum(window(cc, w), 1.0))

    # days since the last crossing (capped at 60), from the index of the last crossing day at or before t
    last = np.maximum.accumulate(np.where(c > 0, np.arange(len(c)), -10_000))
    quiet = np.log1p(np.minimum(origins - last[origins], 60))
    targets = [history.day(int(t) + horizon) for t in origins]
    doy = np.array([d.timetuple().tm_yday for d in targets], dtype=np.float64)
    angle = 2 * np.pi * doy / 365.25
    cols = [
        np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle),
        c[origins], frac(7), frac(28), frac(365), quiet, per_day(28), per_day(365),
    ]  # fmt: skip
    if use_staged:
        known = staged or {}
        cols.append(
            np.array(
                [
                    math.log1p(known[d]) if d in known else math.nan
                    for d in (history.day(int(t)) for t in origins)
                ]
            )
        )
    for column in weather_columns:
        cols.append(np.array([_weather_value((weather or {}).get(d), column) for d in targets]))
    return np.column_stack(cols)


def _logistic(x: Array, y: Array, w: Array) -> Array:
    def loss(beta: Array) -> tuple[float, Array]:
        eta = x @ beta
        p = expit(eta)
        nll = float(np.sum(w * (np.logaddexp(0.0, eta) - y * eta))) + 0.5 * RIDGE * float(beta[1:] @ beta[1:])
        grad = x.T @ (w * (p - y))
        grad[1:] += RIDGE * beta[1:]
        return nll, grad

    return np.asarray(minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x, dtype=np.float64)


def _loglinear(x: Array, y: Array, w: Array) -> Array:
    start = np.zeros(x.shape[1])
    start[0] = math.log(max(float(np.average(y, weights=w)), 1e-6))

    def loss(gamma: Array) -> tuple[float, Array]:
        eta = np.clip(x @ gamma, -30.0, 30.0)
        mu = np.exp(eta)
        nll = float(np.sum(w * (mu - y * eta))) + 0.5 * RIDGE * float(gamma[1:] @ gamma[1:])
        grad = x.T @ (w * (mu - y))
        grad[1:] += RIDGE * gamma[1:]
        return nll, grad

    return np.asarray(minimize(loss, start, jac=True, method="L-BFGS-B").x, dtype=np.float64)


def _design(raw: Array, mean: Array, scale: Array) -> Array:
    filled = np.where(np.isnan(raw), mean, raw)
    return np.column_stack([np.ones(len(raw)), (filled - mean) / scale])


def fit_outlook(
    history: DailyArrivals,
    *,
    horizons: range = range(1, 8),
    weather: Mapping[date, Weather] | None = None,
    staged: Mapping[date, float] | None = None,
    half_life_days: float = HALF_LIFE_DAYS,
) -> OutlookModel:
    """Fit one crossing and one arrivals regression per horizon on every origin of ``history``."""
    problems = []
    if not horizons or min(horizons) < 1:
        problems.append(f"horizons must be 1 or more (got {list(horizons)})")
    if len(history) < MIN_HISTORY + max(horizons or [1]) + 60:
        problems.append(f"{len(history)} days of history is too short to fit")
    crossing_days = sum(1 for v in history.migrants[MIN_HISTORY:] if v > 0)
    if crossing_days < 10:
        problems.append(f"{crossing_days} days with crossings to learn from (need 10)")
    if problems:
        raise InvalidValue("outlook fit", f"until {history.end}", "; ".join(problems))
    weather_columns = _weather_columns(weather)
    use_staged = bool(staged)
    names = BASE + (("staged",) if use_staged else ()) + weather_columns
    m = np.asarray(history.migrants, dtype=np.float64)
    fits = {}
    for h in horizons:
        origins = np.arange(MIN_HISTORY, len(history) - h, dtype=np.int64)
        raw = _features(
            history, origins, h, weather=weather, weather_columns=weather_columns, staged=staged,
            use_staged=use_staged,
        )  # fmt: skip
        mean = np.nanmean(raw, axis=0)
        mean = np.where(np.isnan(mean), 0.0, mean)
        scale = np.nanstd(raw, axis=0)
        scale = np.where(~(scale > 1e-9), 1.0, scale)
        x = _design(raw, mean, scale)
        target = m[origins + h]
        age = (len(history) - 1 - (origins + h)).astype(np.float64)
        w = 0.5 ** (age / half_life_days)
        crossed = target > 0
        gamma = _loglinear(x[crossed], target[crossed], w[crossed])
        resid = np.log(target[crossed]) - x[crossed] @ gamma
        spread = math.sqrt(
            float(np.average((resid - np.average(resid, weights=w[crossed])) ** 2, weights=w[crossed]))
        )
        fits[h] = HorizonFit(
            horizon=h,
            names=names,
            mean=tuple(map(float, mean)),
            scale=tuple(map(float, scale)),
            crossing=tuple(map(float, _logistic(x, crossed.astype(np.float64), w))),
            arrivals=tuple(map(float, gamma)),
            spread=spread,
            rows=len(origins),
        )
    return OutlookModel(history.end, fits, weather_columns, use_staged)


def _median(p: float, mu: float, spread: float) -> float:
    """Median of: none with probability 1 − p, else lognormal people of mean ``mu``, log-sd ``spread``."""
    if p <= 0.5:
        return 0.0
    z = float(ndtri((p - 0.5) / p))
    return mu * math.exp(spread * z - spread * spread / 2.0)


def forecast(
    model: OutlookModel,
    history: DailyArrivals,
    *,
    origin: date | None = None,
    weather: Mapping[date, Weather] | None = None,
    staged: Mapping[date, float] | None = None,
) -> list[DayOutlook]:
    """The outlook for the days after ``origin`` (default: the last day of ``history``), one per
    horizon of the model. ``weather`` is keyed by the target day, ``staged`` by the origin day."""
    origin = origin or history.end
    t = history.index(origin)
    if not 0 <= t < len(history):
        raise InvalidValue("origin", str(origin), f"outside the history ({history.start} to {history.end})")
    out = []
    for h, fit in sorted(model.fits.items()):
        raw = _features(
            history, np.array([t], dtype=np.int64), h, weather=weather, weather_columns=model.weather,
            staged=staged, use_staged=model.staged,
        )  # fmt: skip
        x = _design(raw, np.asarray(fit.mean), np.asarray(fit.scale))
        p = float(expit((x @ np.asarray(fit.crossing))[0]))
        mu = float(np.exp(np.clip(x @ np.asarray(fit.arrivals), -30.0, 30.0))[0])
        basis = ["season", "recent activity"]
        extra = raw[0, len(BASE) :]
        supplied = [n for n, v in zip(fit.names[len(BASE) :], extra, strict=True) if not math.isnan(v)]
        if "staged" in supplied:
            basis.append("staged logistics")
        if any(n in WEATHER for n in supplied):
            basis.append("weather")
        out.append(
            DayOutlook(origin + timedelta(days=h), h, p, p * mu, _median(p, mu, fit.spread), mu, tuple(basis))
        )
    return out


def outlook(
    history: DailyArrivals,
    *,
    horizon: int = 7,
    weather: Mapping[date, Weather] | None = None,
    staged: Mapping[date, float] | None = None,
) -> list[DayOutlook]:
    """Fit on all of ``history`` and forecast the next ``horizon`` days (1–7)."""
    if not 1 <= horizon <= 7:
        raise InvalidValue("horizon", str(horizon), "must be 1 to 7 days")
    model = fit_outlook(history, horizons=range(1, horizon + 1), weather=weather, staged=staged)
    return forecast(model, history, weather=weather, staged=staged)
