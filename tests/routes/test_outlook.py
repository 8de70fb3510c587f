"""The Channel crossing outlook: the vendored daily series, the baseline, the backtest on real data,
and weather and staged logistics on synthetic days where their effect is known."""

from datetime import date, timedelta

import numpy as np
import pytest

from counterflow.errors import InvalidValue
from counterflow.routes.outlook import fit_outlook, forecast, outlook
from counterflow.routes.outlook_backtest import backtest, recent_frequency, seasonal_naive
from counterflow.routes.outlook_data import DailyArrivals, Weather, load_small_boats_daily


@pytest.fixture(scope="module")
def boats():
    return load_small_boats_daily()


def yearly(history, year):
    return sum(m for k, m in enumerate(history.migrants) if history.day(k).year == year)


def test_vendored_series_matches_published_totals(boats):
    assert boats.start == date(2018, 1, 1) and len(boats) == 3154
    assert [yearly(boats, y) for y in (2022, 2023, 2024, 2025)] == [45_755, 29_437, 36_816, 41_472]
    assert sum(m > 0 for m in boats.migrants) == 1065


def test_malformed_csv_names_every_problem(tmp_path):
    bad = tmp_path / "d.csv"
    bad.write_text(
        "full_date,migrants_arrived,boats_arrived\n2024-01-01,,\n2024-01-02,12,x\n2024-01-04,-3,1\nnope,1,1\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidValue) as err:
        load_small_boats_daily(bad)
    msg = str(err.value)
    assert "line 3: boats_arrived 'x'" in msg
    assert "line 4: migrants_arrived '-3'" in msg and "2024-01-04 does not follow 2024-01-02" in msg
    assert "line 5: full_date 'nope'" in msg
    (tmp_path / "c.csv").write_text("full_date,people\n", encoding="utf-8")
    with pytest.raises(InvalidValue, match="migrants_arrived, boats_arrived"):
        load_small_boats_daily(tmp_path / "c.csv")


def test_seasonal_naive_is_the_same_week_of_previous_years():
    start = date(2020, 1, 1)
    migrants = [0] * (3 * 366 + 30)
    for k in range(len(migrants)):
        d = start + timedelta(days=k)
        if d.month == 6 and 12 <= d.day <= 18 and d.day % 2 == 0:  # 14, 16, 18 in the window 12–18
            migrants[k] = 10 * (d.year - 2019)
    h = DailyArrivals(start, tuple(migrants), tuple(min(m, 1) for m in migrants))
    p, mean, median = seasonal_naive(h, date(2023, 6, 15))
    # 2020, 2021, 2022: days 12..18 each year, crossings on 12, 14, 16, 18 → 4 of 7 days
    assert p == pytest.approx(4 / 7)
    assert mean == pytest.approx((4 * 10 + 4 * 20 + 4 * 30) / 21)
    assert median == 10
    assert recent_frequency(h, date(2022, 6, 18), days=7) == (
        pytest.approx(4 / 7),
        pytest.approx(120 / 7),
        30,
    )


def test_model_beats_seasonal_naive_on_real_days_at_horizon_one(boats):
    (score,) = backtest(
        boats, start=date(2023, 1, 1), end=date(2025, 12, 31), horizons=range(1, 2), refit_every=91
    )
    assert score.n == 1096  # 2023–2025, one leap year
    assert score.brier < score.brier_seasonal and score.brier_skill > 0.1
    assert score.mae_skill > 0 and score.rmse_skill > 0
    # the crossing-day rate in those three years is near 0.36: the Brier score of a constant is ~0.23
    assert 0.3 < score.crossing_rate < 0.42


def test_outlook_for_the_coming_week(boats):
    days = outlook(boats, horizon=7)
    assert [d.day for d in days] == [boats.end + timedelta(days=h) for h in range(1, 8)]
    for d in days:
        assert 0 < d.p_crossing < 1
        assert d.expected_migrants == pytest.approx(d.p_crossing * d.migrants_if_crossing)
        assert d.basis == ("season", "recent activity")
        assert (d.median_migrants == 0) == (d.p_crossing <= 0.5)
    with pytest.raises(InvalidValue, match="1 to 7"):
        outlook(boats, horizon=8)


def synthetic_channel(seed=1, years=4):
    """Days whose crossings are driven by a known wind: calm days cross, windy days rarely."""
    rng = np.random.default_rng(seed)
    n = 365 * years
    start = date(2021, 1, 1)
    wind = np.empty(n)
    wind[0] = 15
    for t in range(1, n):  # weather spells: AR(1) around 15 mph
        wind[t] = 15 + 0.6 * (wind[t - 1] - 15) + rng.normal(0, 6)
    wind = np.clip(wind, 0, None)
    season = np.sin(2 * np.pi * (np.arange(n) - 80) / 365.25)
    p = 1 / (1 + np.exp(-(0.2 + 0.8 * season - 0.35 * (wind - 15))))
    crossed = rng.random(n) < p
    people = np.where(crossed, rng.poisson(60 * np.exp(-0.03 * (wind - 15))) + 1, 0)
    weather = {start + timedelta(days=t): Weather(wind_mph=float(wind[t])) for t in range(n)}
    return DailyArrivals(start, tuple(int(v) for v in people), tuple(int(v > 0) for v in people)), weather


def test_weather_when_supplied_is_used_and_helps():
    h, weather = synthetic_channel()
    common = dict(start=date(2023, 1, 1), horizons=range(1, 2), refit_every=120)
    (without,) = backtest(h, **common)
    (with_wind,) = backtest(h, weather=weather, **common)
    assert with_wind.brier < 0.8 * without.brier
    assert with_wind.brier_skill > without.brier_skill + 0.15
    model = fit_outlook(h, horizons=range(1, 3), weather=weather)
    assert model.weather == ("wind_mph",)
    fit = model.fits[1]
    assert fit.crossing[1 + fit.names.index("wind_mph")] < 0  # wind lowers the odds
    tomorrow = h.end + timedelta(days=1)
    calm = forecast(model, h, weather={tomorrow: Weather(wind_mph=5.0)})
    gale = forecast(model, h, weather={tomorrow: Weather(wind_mph=30.0)})
    assert calm[0].p_crossing > 0.8 > 0.2 > gale[0].p_crossing
    assert calm[0].basis == ("season", "recent activity", "weather")
    # no forecast for day 2: it falls back on the season and recent activity
    assert calm[1].basis == ("season", "recent activity") and calm[1].p_crossing == gale[1].p_crossing


def test_rating_alone_is_enough():
    h, weather = synthetic_channel(seed=2)
    rated = {
        d: Weather(rating="red" if w.wind_mph < 12 else "amber" if w.wind_mph < 20 else "green")
        for d, w in weather.items()
    }
    model = fit_outlook(h, horizons=range(1, 2), weather=rated)
    assert model.weather == ("amber", "red")
    tomorrow = h.end + timedelta(days=1)
    p = {r: forecast(model, h, weather={tomorrow: Weather(rating=r)})[0].p_crossing for r in ("green", "red")}
    assert p["red"] > p["green"] + 0.4


def test_staged_logistics_raise_the_chance():
    rng = np.random.default_rng(9)
    n = 3 * 365
    start = date(2022, 1, 1)
    staged = rng.poisson(2.0, n) * (rng.random(n) < 0.4)  # boats seen in the dunes the evening before
    crossed = np.r_[False, rng.random(n - 1) < np.where(staged[:-1] > 0, 0.8, 0.15)]
    people = np.where(crossed, rng.poisson(50, n) + 1, 0)
    h = DailyArrivals(start, tuple(int(v) for v in people), tuple(int(v > 0) for v in people))
    seen = {start + timedelta(days=t): float(staged[t]) for t in range(n)}
    model = fit_outlook(h, horizons=range(1, 2), staged=seen)
    assert model.staged
    p_none = forecast(model, h, staged={h.end: 0.0})[0]
    p_four = forecast(model, h, staged={h.end: 4.0})[0]
    assert p_four.p_crossing > p_none.p_crossing + 0.4
    assert p_four.basis == ("season", "recent activity", "staged logistics")


def test_bad_inputs_are_named(boats):
    with pytest.raises(InvalidValue, match="too short"):
        fit_outlook(boats.until(date(2018, 2, 1)))
    with pytest.raises(InvalidValue, match="outside the history"):
        forecast(
            fit_outlook(boats.until(date(2019, 6, 1)), horizons=range(1, 2)), boats, origin=date(2030, 1, 1)
        )
    with pytest.raises(InvalidValue, match="a year of history"):
        backtest(boats, start=date(2018, 6, 1))
    with pytest.raises(InvalidValue, match="2 days of people but 1"):
        DailyArrivals(date(2024, 1, 1), (1, 2), (1,))
