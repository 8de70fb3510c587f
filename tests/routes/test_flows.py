"""Weekly counts per leg, change points (PELT against its unpruned oracle, planted shifts, stationary
series) and displacement, on synthetic series and on the real Frontex monthly detections."""

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from counterflow.errors import InvalidValue
from counterflow.routes.flows import displacement, shifts, weekly_counts
from counterflow.routes.flows_data import load_frontex_monthly
from counterflow.routes.flows_pelt import _segment_cost, optimal_partition, pelt, segment


def months(n, start=date(2010, 1, 1)):
    return [
        date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1) for k in range(n)
    ]


# ---- weekly counts -------------------------------------------------------------------------------


def test_weekly_counts_by_iso_week_zero_filled():
    tz = timezone(timedelta(hours=2))
    events = [
        ("rs-hu", date(2026, 3, 2)),  # Monday
        ("rs-hu", datetime(2026, 3, 8, 23, 59)),  # Sunday: same week
        ("rs-hu", datetime(2026, 3, 9, 0, 1, tzinfo=tz)),  # next Monday, in its own time zone
        ("ba-hr", date(2026, 3, 25)),
    ]
    wc = weekly_counts(events)
    assert wc.weeks == (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23))
    assert wc.series("rs-hu") == (2, 1, 0, 0)
    assert wc.series("ba-hr") == (0, 0, 0, 1)
    assert wc.series("never") == (0, 0, 0, 0)
    assert wc.total() == (2, 1, 0, 1)
    bounded = weekly_counts(events, start=date(2026, 3, 4), end=date(2026, 3, 12))
    assert bounded.weeks == (date(2026, 3, 2), date(2026, 3, 9))
    assert bounded.series("rs-hu") == (1, 1)  # the Monday before start is left out
    assert weekly_counts([]).weeks == ()
    # Bounds past every event: nothing to count, and no error for the open end.
    assert weekly_counts(events, start=date(2027, 1, 1)).weeks == ()
    assert weekly_counts(events, end=date(2020, 1, 1)).weeks == ()
    assert weekly_counts([], start=date(2026, 3, 2), end=date(2026, 3, 9)).total() == ()


def test_weekly_counts_names_every_bad_event():
    with pytest.raises(InvalidValue) as err:
        weekly_counts([("a", date(2026, 1, 1)), ("", date(2026, 1, 1)), ("b", "2026-01-01"), ("c",)])
    msg = str(err.value)
    assert "event 1" in msg and "event 2" in msg and "event 3" in msg and "event 0" not in msg


# ---- PELT ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cost", ["poisson", "normal"])
@pytest.mark.parametrize("min_size", [1, 2, 5])
def test_pelt_equals_unpruned_optimal_partitioning(cost, min_size):
    rng = np.random.default_rng(11)
    for _ in range(6):
        n = int(rng.integers(30, 90))
        levels = np.repeat(rng.uniform(2, 30, size=4), n // 4 + 1)[:n]
        x = rng.poisson(levels).astype(float) if cost == "poisson" else rng.normal(levels / 5, 1.0)
        f = _segment_cost(x, np.ones(n) if cost == "poisson" else np.zeros(n), cost, 1.0)
        for penalty in (2.0, 8.0, 30.0):
            assert pelt(f, n, penalty, min_size) == optimal_partition(f, n, penalty, min_size)


def test_pelt_is_exact_with_long_minimum_segments():
    """Pruning must wait min_size steps: pruned at once, short noisy series disagree with the oracle."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        n, min_size = int(rng.integers(10, 40)), int(rng.integers(2, 8))
        x = rng.normal(rng.choice([0.0, 2.0], size=n), 1.0)
        f = _segment_cost(x, np.zeros(n), "normal", 1.0)
        for penalty in (0.5, 2.0, 5.0):
            assert pelt(f, n, penalty, min_size) == optimal_partition(f, n, penalty, min_size)


def test_planted_poisson_shift_found_in_place():
    rng = np.random.default_rng(3)
    extra = 0
    for _ in range(10):
        x = np.r_[rng.poisson(20, 90), rng.poisson(12, 66)]
        seg = segment(x)
        planted = [k for k, b in enumerate(seg.breaks) if abs(b - 90) <= 3]
        assert len(planted) == 1, seg.breaks
        k = planted[0]
        assert seg.levels[k + 1] / seg.levels[k] == pytest.approx(0.6, abs=0.12)
        extra += len(seg.breaks) - 1
    assert extra <= 1


def test_stationary_poisson_has_no_change_points():
    rng = np.random.default_rng(5)
    spurious = sum(bool(segment(rng.poisson(20, 156)).breaks) for _ in range(30))
    assert spurious <= 1


def test_season_is_not_a_change_of_route():
    """Ten years of monthly counts with a strong summer peak and no change of level."""
    rng = np.random.default_rng(8)
    season = 1 + 0.8 * np.sin(2 * np.pi * np.arange(120) / 12)
    false = [segment(rng.poisson(200 * season), period=12).breaks for _ in range(10)]
    assert sum(map(bool, false)) <= 1, false
    # a planted halving in a seasonal series is found, in place
    x = rng.poisson(200 * season * np.where(np.arange(120) >= 70, 0.5, 1.0))
    assert any(abs(b - 70) <= 2 for b in segment(x, period=12).breaks)


def test_price_shift_on_the_normal_scale():
    rng = np.random.default_rng(2)
    weeks = [date(2024, 1, 1) + timedelta(weeks=k) for k in range(80)]
    fee = np.r_[rng.normal(1600, 120, 50), rng.normal(2300, 120, 30)]  # € per crossing, Greece → N. Macedonia
    found = shifts(weeks, fee.tolist(), name="fee", cost="normal")
    assert [(s.at, s.direction) for s in found] == [(weeks[50], "up")]
    assert found[0].after - found[0].before == pytest.approx(700, abs=100)
    assert shifts(weeks, rng.normal(1600, 120, 80).tolist(), cost="normal") == []


def test_bad_series_are_named():
    with pytest.raises(InvalidValue, match="not finite"):
        segment([1.0, float("nan"), 2.0])
    with pytest.raises(InvalidValue, match="negative"):
        segment([1, -2, 3])
    with pytest.raises(InvalidValue, match=r"3 periods but 2 values.*strictly increasing"):
        shifts([date(2024, 1, 1), date(2024, 1, 1), date(2024, 2, 1)], [1, 2])


# ---- displacement --------------------------------------------------------------------------------


def test_displacement_measures_who_took_the_loss():
    rng = np.random.default_rng(4)
    n = 96
    t = np.arange(n)
    a = rng.poisson(np.where(t >= 60, 200, 1000))  # the closed route loses 800 a month
    b = rng.poisson(np.where(t >= 61, 700, 300))  # takes half of it a month later
    c = rng.poisson(np.full(n, 500))
    periods = months(n)
    table = {"A": a.tolist(), "B": b.tolist(), "C": c.tolist()}
    (fall,) = shifts(periods, table["A"], name="A")
    assert fall.direction == "down" and fall.index == 60
    by_route = {d.route: d for d in displacement(periods, table, fall)}
    assert by_route["B"].absorbed == pytest.approx(0.5 * 11 / 12, abs=0.05)
    assert by_route["B"].rose and by_route["B"].rise.index == 61
    assert by_route["B"].share_after > by_route["B"].share_before
    assert abs(by_route["C"].absorbed) < 0.05 and not by_route["C"].rose
    with pytest.raises(InvalidValue, match="needs 40 periods"):
        displacement(periods, table, fall, window=40)


# ---- the real Frontex series ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def frontex():
    return load_frontex_monthly()


def test_vendored_frontex_matches_published_totals(frontex):
    wb = frontex.yearly("Western Balkan Route")
    assert (wb[2015], wb[2022], wb[2023], wb[2024]) == (764_033, 144_118, 99_002, 21_525)
    assert frontex.months[0] == date(2009, 1, 1) and frontex.months[-1] == date(2025, 4, 1)


def test_western_balkan_collapse_is_found(frontex):
    found = shifts(frontex.months, frontex.detections["Western Balkan Route"], name="WB", period=12)
    collapse = [s for s in found if date(2022, 10, 1) <= s.at <= date(2023, 12, 1) and s.direction == "down"]
    assert collapse, [(s.at, s.direction) for s in found]
    assert collapse[0].ratio < 0.5
    # the March 2016 closure of the corridor (and EU–Turkey statement) is found too
    assert any(abs((s.at - date(2016, 3, 1)).days) <= 62 and s.ratio < 0.2 for s in found)
    # nothing that large in the quiet years between
    assert not [s for s in found if date(2017, 6, 1) <= s.at <= date(2019, 6, 1)]


def test_western_balkan_loss_was_not_displaced_in_total(frontex):
    """After the late-2023 collapse the other routes together fell too: no route took the loss."""
    found = shifts(
        frontex.months, frontex.detections["Western Balkan Route"], name="Western Balkan Route", period=12
    )
    collapse = next(s for s in found if s.at.year == 2023 and s.direction == "down")
    moved = displacement(frontex.months, frontex.detections, collapse, period=12)
    assert sum(d.absorbed for d in moved) < 0
    assert max(d.absorbed for d in moved) < 0.3


def test_malformed_frontex_csv_names_every_problem(tmp_path):
    bad = tmp_path / "f.csv"
    bad.write_text("month,A,B\n2020-01,1,2\n2020-02,x,3\n2020-3x,1,1\n2020-05,1\n", encoding="utf-8")
    with pytest.raises(InvalidValue) as err:
        load_frontex_monthly(bad)
    msg = str(err.value)
    assert "line 3, A: 'x'" in msg and "'2020-3x'" in msg and "line 5: 2 fields" in msg
