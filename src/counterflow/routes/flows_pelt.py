"""Change points in a series of counts or measurements: PELT with a seasonal term.

The series is cut into segments of constant level by minimising, over every segmentation,

    Σ cost(segment) + β · (number of changes)

exactly, with PELT (Killick, Fearnhead & Eckley 2012, "Optimal detection of changepoints with a
linear computational cost", JASA 107:1590): optimal partitioning (Jackson et al. 2005) whose
candidate last-change set is pruned when a candidate can never again be optimal. The pruning is
applied ``min_size`` steps late, which keeps the result exact with a minimum segment length
(the oracle test compares it with unpruned optimal partitioning).

Costs (twice the negative log-likelihood, so β is on the BIC scale):

* ``poisson``: counts with rate ``level × season``; divided by a dispersion φ ≥ 1 estimated from
  the data (quasi-Poisson), because real counts of people vary more than Poisson.
* ``normal``: measurements ``level + season + noise``, σ estimated from the data; use it on prices,
  or on log counts.

σ and φ are estimated robustly from first differences (the median of their squares), so a few
large changes do not inflate them (the same idea as the MAD estimate of Fryzlewicz 2014).
With ``period`` (12 for months, 52 for weeks, 7 for days) a seasonal profile is fitted jointly by
alternating segmentation and season estimation (as BFAST does, Verbesselt et al. 2010), so the
yearly rise and fall of migration is not reported as a change of route.

The default penalty β = 2·ln n counts a change as two parameters (where, and the new level):
the Schwarz/BIC criterion.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from counterflow.errors import InvalidValue

__all__ = ["Cost", "Segmentation", "optimal_partition", "pelt", "segment"]

Cost = Literal["poisson", "normal"]
Array = NDArray[np.float64]
SegmentCost = Callable[[NDArray[np.int64], int], Array]

# median of the chi-square distribution with one degree of freedom: E[median(z²)] for z ~ N(0, 1)
_CHI2_1_MEDIAN = 0.454936423119572
# the largest lag-1 autocorrelation of the noise that is believed; beyond it, changes are read as changes
MAX_RHO = 0.5


@dataclass(frozen=True)
class Segmentation:
    """The best segmentation of a series: where each new segment starts, and its level.

    ``levels[i]`` is the level of segment ``i`` (a rate before the seasonal factor for ``poisson``,
    a mean before the seasonal offset for ``normal``); ``season`` the factors (``poisson``, mean 1)
    or offsets (``normal``, mean 0) by phase ``t % period``, empty without a period; ``scale`` is φ
    or σ; ``penalty`` the β used."""

    breaks: tuple[int, ...]
    levels: tuple[float, ...]
    season: tuple[float, ...]
    scale: float
    penalty: float
    cost: Cost

    def level_at(self, t: int) -> float:
        """The segment level at index ``t``."""
        return self.levels[sum(1 for b in self.breaks if b <= t)]

    def fitted(self, n: int) -> list[float]:
        """The fitted value at each of ``n`` indices (level with the seasonal term)."""
        out = []
        for t in range(n):
            level = self.level_at(t)
            if not self.season:
                out.append(level)
            elif self.cost == "poisson":
                out.append(level * self.season[t % len(self.season)])
            else:
                out.append(level + self.season[t % len(self.season)])
        return out


def _segment_cost(x: Array, offset: Array, cost: Cost, scale: float) -> SegmentCost:
    """A vectorised cost of segments ``[start, end)`` from prefix sums: O(1) per segment."""
    if cost == "poisson":
        cx = np.concatenate(([0.0], np.cumsum(x)))
        ce = np.concatenate(([0.0], np.cumsum(offset)))

        def poisson(starts: NDArray[np.int64], end: int) -> Array:
            s = cx[end] - cx[starts]
            e = ce[end] - ce[starts]
            with np.errstate(divide="ignore", invalid="ignore"):
                c = np.where(s > 0, 2.0 * s * (1.0 - np.log(s / e)), 2.0 * e * 0.0)
            return np.asarray(c / scale, dtype=np.float64)

        return poisson
    r = x - offset
    c1 = np.concatenate(([0.0], np.cumsum(r)))
    c2 = np.concatenate(([0.0], np.cumsum(r * r)))

    def normal(starts: NDArray[np.int64], end: int) -> Array:
        n = (end - starts).astype(np.float64)
        s = c1[end] - c1[starts]
        return np.asarray((c2[end] - c2[starts] - s * s / n) / (scale * scale), dtype=np.float64)

    return normal


def pelt(cost: SegmentCost, n: int, penalty: float, min_size: int = 2) -> list[int]:
    """Exact minimiser of Σ cost + penalty·changes over segmentations of ``range(n)`` (PELT).

    Returns the change indices (each the first index of a new segment), ascending."""
    if min_size < 1:
        raise InvalidValue("min_size", str(min_size), "must be at least 1")
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=np.int64)
    cands = np.zeros(0, dtype=np.int64)
    prune_at = np.zeros(0, dtype=np.int64)
    for t in range(min_size, n + 1):
        # a cut at t - min_size becomes a possible last change once its segment is long enough
        new = t - min_size
        if new == 0 or new >= min_size:
            cands = np.append(cands, new)
            prune_at = np.append(prune_at, np.iinfo(np.int64).max)
        if cands.size == 0:
            continue
        totals = best[cands] + cost(cands, t)
        k = int(np.argmin(totals))
        best[t] = totals[k] + penalty
        last[t] = cands[k]
        # F(τ) + C(τ, t) > F(t): τ can never be the last change of a segment ending at s ≥ t + min_size
        hopeless = totals > best[t]
        prune_at = np.where(hopeless, np.minimum(prune_at, t + min_size), prune_at)
        keep = prune_at > t
        cands, prune_at = cands[keep], prune_at[keep]
    breaks = []
    t = n
    while t > 0:
        t = int(last[t])
        if t > 0:
            breaks.append(t)
    return sorted(breaks)


def optimal_partition(cost: SegmentCost, n: int, penalty: float, min_size: int = 2) -> list[int]:
    """The same minimiser without pruning (O(n²)); the oracle PELT is tested against."""
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=np.int64)
    for t in range(min_size, n + 1):
        cands = np.array([0, *range(min_size, t - min_size + 1)], dtype=np.int64)
        totals = best[cands] + cost(cands, t)
        k = int(np.argmin(totals))
        best[t], last[t] = totals[k] + penalty, cands[k]
    breaks, t = [], n
    while t > 0:
        t = int(last[t])
        if t > 0:
            breaks.append(t)
    return sorted(breaks)


def _levels(x: Array, offset: Array, breaks: Sequence[int], cost: Cost) -> Array:
    bounds = [0, *breaks, len(x)]
    out = np.empty(len(x))
    for a, b in itertools.pairwise(bounds):
        if cost == "poisson":
            out[a:b] = x[a:b].sum() / max(offset[a:b].sum(), 1e-12)
        else:
            out[a:b] = (x[a:b] - offset[a:b]).mean()
    return out


def _scale(x: Array, fitted: Array, cost: Cost) -> float:
    """Long-run φ or σ of the noise around the fit, from differences at lags 1 and 2.

    Real monthly counts are autocorrelated (a good summer stays good), which makes a segment mean
    vary more than independent noise would: the long-run variance σ²(1 + ρ)/(1 − ρ) of AR(1) noise
    is the right scale for a change in level. Robust estimates from differences (Chakar et al. 2017,
    "A robust approach for estimating change-points in the mean of an AR(1) process", Bernoulli 23):
    with noise of variance σ², E[(Δ₁)²] = 2σ²(1 − ρ) and E[(Δ₂)²] = 2σ²(1 − ρ²), so their ratio is
    1 + ρ; medians of squares stand in for the means (÷ the χ²₁ median), and level changes touch
    only a few differences."""
    if len(x) < 4:
        return 1.0
    est = []
    for lag in (1, 2):
        if cost == "normal":
            d = (x - fitted)[lag:] - (x - fitted)[:-lag]
            est.append(float(np.median(d * d)) / _CHI2_1_MEDIAN / 2.0)
            continue
        # quasi-Poisson: (x_t − r x_{t−k})² / (local mean · (1 + r)) ≈ φ χ²₁ with r = m_t / m_{t−k}
        m = np.maximum(fitted, 1e-12)
        ratio = m[lag:] / m[:-lag]
        local = (x[lag:] + x[:-lag] * ratio) / 2.0
        d = x[lag:] - x[:-lag] * ratio
        z2 = (d * d / np.maximum(local * (1.0 + ratio), 1e-12))[local > 0]
        est.append(float(np.median(z2)) / _CHI2_1_MEDIAN if z2.size else 1.0)
    v1, v2 = est
    rho = min(max(v2 / v1 - 1.0, 0.0), MAX_RHO) if v1 > 0 else 0.0
    long_run = v1 * (1.0 + rho) / (1.0 - rho) ** 2
    if cost == "normal":
        return max(math.sqrt(long_run), 1e-9)
    return max(1.0, long_run)


def segment(
    values: Sequence[float],
    *,
    cost: Cost = "poisson",
    penalty: float | None = None,
    min_size: int = 3,
    period: int | None = None,
    scale: float | None = None,
    iterations: int = 6,
) -> Segmentation:
    """Segment ``values`` into runs of constant level (with a seasonal term when ``period`` is given).

    ``scale`` fixes φ (``poisson``) or σ (``normal``) instead of estimating it; ``penalty`` fixes β."""
    x = np.asarray(values, dtype=np.float64)
    problems = []
    if x.ndim != 1 or x.size == 0:
        problems.append("need a non-empty one-dimensional series")
    elif not np.all(np.isfinite(x)):
        problems.append(f"{int(np.sum(~np.isfinite(x)))} values are not finite numbers")
    elif cost == "poisson" and np.any(x < 0):
        problems.append(f"{int(np.sum(x < 0))} counts are negative")
    if cost not in ("poisson", "normal"):
        problems.append(f"cost {cost!r} is not 'poisson' or 'normal'")
    if period is not None and (period < 2 or x.size < 2 * period):
        problems.append(f"period {period} needs at least two full periods of data (have {x.size} values)")
    if problems:
        raise InvalidValue("series", f"{x.size} values", "; ".join(problems))
    n = x.size
    beta = 2.0 * math.log(max(n, 2)) if penalty is None else penalty
    poisson = cost == "poisson"
    season = np.ones(period or 1) if poisson else np.zeros(period or 1)
    breaks: list[int] = []
    phase = np.arange(n) % (period or 1)
    level = _levels(x, season[phase], breaks, cost)
    seen: set[tuple[int, ...]] = set()
    for _ in range(max(1, iterations) if period else 1):
        offset = season[phase]
        fitted = level * offset if poisson else level + offset
        phi = scale if scale is not None else _scale(x, fitted, cost)
        breaks = pelt(_segment_cost(x, offset, cost, phi), n, beta, min_size)
        level = _levels(x, offset, breaks, cost)
        if not period or tuple(breaks) in seen:
            break
        seen.add(tuple(breaks))
        if poisson:
            num = np.bincount(phase, weights=x, minlength=period)
            den = np.bincount(phase, weights=level, minlength=period)
            season = np.where(den > 0, num / np.maximum(den, 1e-12), 1.0)
            season = season / max(float(season.mean()), 1e-12)
        else:
            season = np.bincount(phase, weights=x - level, minlength=period) / np.bincount(phase)
            season = season - season.mean()
    offset = season[phase]
    level = _levels(x, offset, breaks, cost)
    bounds = [0, *breaks]
    return Segmentation(
        breaks=tuple(breaks),
        levels=tuple(float(level[b]) for b in bounds),
        season=tuple(float(s) for s in season) if period else (),
        scale=float(phi),
        penalty=beta,
        cost=cost,
    )
