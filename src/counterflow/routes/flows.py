"""Flows per leg and their shifts: weekly counts, change points in levels, and displacement.

Three questions analysts ask after a disruption (an operation, a fence, a new visa rule):

* how many movements per leg per week (``weekly_counts``, from dated movement events);
* did a route's level (or a price) change, when, and by how much (``shifts``: change points by
  PELT with a seasonal term, ``flows_pelt``);
* when one route fell, did another rise (``displacement``): the other routes' level over the
  ``window`` periods after the change against the ``window`` before (a whole year, so the season
  cancels), the share of all movements they carry, the fraction of the fallen route's loss they
  absorbed, and whether their own series shows an upward change point near the same time.

A rise that follows a fall is a co-occurrence, not proof that the same people moved: displacement
is a lead for analysts, to be checked against nationalities and intelligence.

Counts of people are overdispersed and vary multiplicatively (a good month is twice a bad one, not
a fixed number more), so large counts are segmented on the log scale (``lognormal``: Gaussian
mean shifts of ``log(1 + x)``); small counts (a few movements per leg per week) as quasi-Poisson.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np

from counterflow.errors import InvalidValue
from counterflow.routes.flows_pelt import segment

__all__ = ["Displacement", "Shift", "WeeklyCounts", "displacement", "shifts", "weekly_counts"]

ShiftCost = Literal["auto", "lognormal", "poisson", "normal"]

# "auto": counts whose median is at least this are segmented on the log scale, smaller ones as Poisson
LOG_SCALE_FROM = 20.0


@dataclass(frozen=True)
class WeeklyCounts:
    """Movements per leg per week; ``weeks`` are consecutive Mondays (ISO weeks), zero-filled."""

    weeks: tuple[date, ...]
    counts: dict[str, tuple[int, ...]]

    def series(self, leg: str) -> tuple[int, ...]:
        """The weekly counts of ``leg`` (zeros for a leg with no movement)."""
        return self.counts.get(leg, (0,) * len(self.weeks))

    def total(self) -> tuple[int, ...]:
        """All legs together, per week."""
        return tuple(int(sum(c)) for c in zip(*self.counts.values(), strict=True)) if self.counts else ()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(
    events: Iterable[tuple[str, date | datetime]], *, start: date | None = None, end: date | None = None
) -> WeeklyCounts:
    """Count ``(leg_id, when)`` movement events per leg per ISO week (Monday to Sunday).

    ``when`` is a date or a datetime (its own calendar date, time zone as given). Weeks run from the
    week of ``start`` (default: the first event) to the week of ``end`` (default: the last); events
    outside are left out. Every malformed event is named in one ``InvalidValue``."""
    per: dict[tuple[str, date], int] = {}
    problems: list[str] = []
    for i, event in enumerate(events):
        try:
            leg, when = event
        except (TypeError, ValueError):
            problems.append(f"event {i}: not a (leg_id, date) pair: {event!r}")
            continue
        if not isinstance(leg, str) or not leg:
            problems.append(f"event {i}: leg id {leg!r} is not a non-empty string")
            continue
        if not isinstance(when, date):
            problems.append(f"event {i}: {when!r} is not a date or datetime")
            continue
        day = when.date() if isinstance(when, datetime) else when
        if (start is None or day >= start) and (end is None or day <= end):
            key = (leg, _monday(day))
            per[key] = per.get(key, 0) + 1
    if problems:
        raise InvalidValue("movement events", f"{len(problems)} bad", "; ".join(problems))
    if not per and (start is None or end is None):  # no event to say where the open end is
        return WeeklyCounts((), {})
    first = _monday(start) if start else min(w for _, w in per)
    last = _monday(end) if end else max(w for _, w in per)
    weeks = tuple(first + timedelta(weeks=k) for k in range((last - first).days // 7 + 1))
    index = {w: k for k, w in enumerate(weeks)}
    counts: dict[str, list[int]] = {}
    for (leg, week), n in sorted(per.items()):
        counts.setdefault(leg, [0] * len(weeks))[index[week]] = n
    return WeeklyCounts(weeks, {leg: tuple(c) for leg, c in counts.items()})


@dataclass(frozen=True)
class Shift:
    """A change of level in one series: from ``at`` (the first period at the new level) onwards.

    ``before`` and ``after`` are the levels of the two segments in the series' units, with the season
    averaged out: the mean period (e.g. the average month of a year) at that level."""

    series: str
    index: int
    at: date
    before: float
    after: float

    @property
    def ratio(self) -> float:
        return self.after / self.before if self.before else float("inf")

    @property
    def direction(self) -> Literal["up", "down"]:
        return "up" if self.after > self.before else "down"


def _check(periods: Sequence[date], values: Sequence[float], name: str) -> None:
    problems = []
    if len(periods) != len(values):
        problems.append(f"{len(periods)} periods but {len(values)} values")
    if any(b <= a for a, b in itertools.pairwise(periods)):
        problems.append("periods are not strictly increasing")
    if problems:
        raise InvalidValue("series", name, "; ".join(problems))


def shifts(
    periods: Sequence[date],
    values: Sequence[float],
    *,
    name: str = "",
    cost: ShiftCost = "auto",
    period: int | None = None,
    penalty: float | None = None,
    min_size: int = 3,
) -> list[Shift]:
    """Change points of a route's counts (or of a price, ``cost="normal"``), oldest first.

    ``cost``: ``lognormal`` for large counts, ``poisson`` for small ones, ``auto`` to choose by the
    median (``LOG_SCALE_FROM``), ``normal`` for prices. ``period`` is the seasonal cycle in steps (12
    for months, 52 for weeks); ``penalty`` overrides the BIC penalty 2·ln n per change (higher:
    fewer, surer changes)."""
    _check(periods, values, name)
    v = np.asarray(values, dtype=np.float64)
    if cost != "normal" and v.size and np.nanmin(v) < 0:
        raise InvalidValue("series", name, "counts must not be negative")
    if cost == "auto":
        cost = "lognormal" if v.size and float(np.median(v)) >= LOG_SCALE_FROM else "poisson"
    log = cost == "lognormal"
    x = np.log1p(v) if log else v
    seg = segment(
        x.tolist(), cost="poisson" if cost == "poisson" else "normal", penalty=penalty, min_size=min_size,
        period=period,
    )  # fmt: skip
    if log:
        # the average period at that level: mean over the seasonal phases, back in counts
        season = np.asarray(seg.season or (0.0,))
        levels = [max(0.0, float(np.mean(np.expm1(level + season)))) for level in seg.levels]
    else:
        levels = list(seg.levels)
    return [Shift(name, b, periods[b], levels[k], levels[k + 1]) for k, b in enumerate(seg.breaks)]


@dataclass(frozen=True)
class Displacement:
    """How one other route moved when ``source`` changed (sums over ``window`` periods each side)."""

    source: Shift
    route: str
    before: float
    after: float
    share_before: float
    share_after: float
    absorbed: float
    rise: Shift | None

    @property
    def ratio(self) -> float:
        return self.after / self.before if self.before else float("inf")

    @property
    def rose(self) -> bool:
        """The route's own series shows an upward change point near the source's change."""
        return self.rise is not None


def displacement(
    periods: Sequence[date],
    table: Mapping[str, Sequence[float]],
    source: Shift,
    *,
    window: int = 12,
    lead: int = 3,
    lag: int = 12,
    route_shifts: Mapping[str, Sequence[Shift]] | None = None,
    cost: ShiftCost = "auto",
    period: int | None = None,
) -> list[Displacement]:
    """For each route in ``table`` other than ``source.series``: did it rise when the source changed?

    ``absorbed`` is the route's gain over the loss of the source (both as sums over ``window``
    periods after the change against the ``window`` before): 1.0 means it took every movement the
    source lost; negative means it fell too. ``rise`` is the route's first upward shift from
    ``lead`` periods before to ``lag`` after the source's change (shifts are computed with ``cost``
    and ``period`` unless given in ``route_shifts``). Largest ``absorbed`` first."""
    if source.series not in table:
        raise InvalidValue("route", source.series, f"not in the table (have {', '.join(sorted(table))})")
    for route, values in table.items():
        _check(periods, values, route)
    i = source.index
    if i < window or i + window > len(periods):
        raise InvalidValue(
            "window", str(window), f"needs {window} periods each side of {source.at} (have {i} before)"
        )
    sums = {r: (float(np.sum(v[i - window : i])), float(np.sum(v[i : i + window]))) for r, v in table.items()}
    total_before = sum(b for b, _ in sums.values())
    total_after = sum(a for _, a in sums.values())
    src_before, src_after = sums[source.series]
    loss = src_before - src_after
    out = []
    for route, (before, after) in sums.items():
        if route == source.series:
            continue
        found = route_shifts.get(route) if route_shifts is not None else None
        if found is None:
            found = shifts(periods, table[route], name=route, cost=cost, period=period)
        rise = next((s for s in found if s.direction == "up" and i - lead <= s.index <= i + lag), None)
        out.append(
            Displacement(
                source=source,
                route=route,
                before=before,
                after=after,
                share_before=before / total_before if total_before else 0.0,
                share_after=after / total_after if total_after else 0.0,
                absorbed=(after - before) / loss if loss else 0.0,
                rise=rise,
            )
        )
    return sorted(out, key=lambda d: -d.absorbed)
