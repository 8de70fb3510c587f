"""Route shifts on the real Frontex monthly detections: PELT change points against a year-on-year threshold.

Claim (issue 8): ``counterflow.routes.flows.shifts`` (PELT, seasonal term, BIC penalty) finds the
documented collapses of the Western Balkan route with far fewer alarms than a naive detector.

Data: Frontex monthly detections of illegal border crossings per route, 2009-01 … 2025-04, summed
over nationality and border type (vendored; see src/counterflow/routes/data/SOURCES.md).

Method: ``shifts(months, detections, period=12)`` per route (log scale for large counts, Poisson
for small ones; penalty 2·ln n per change).
Baseline ("year-on-year threshold", the analyst's rule of thumb): month t is an alarm when its
detections are below half, or above double, those of the same month a year before (months with
fewer than 20 detections on both sides are ignored); a run of consecutive alarms in one direction
is one episode, dated by its first month.
Known events (documented; used only to score): the Western Balkan route's closure in March 2016
(North Macedonia's border closure, 8 March, and the EU–Turkey statement, 18 March), and its
collapse from November 2023 (Serbian police operations along the Hungarian border after late
October 2023). An event is found when an alarm in the right direction is within ±2 months.
Displacement: for each downward Western Balkan shift, the other routes over the 12 months after
against the 12 before (``flows.displacement``).

    .venv/bin/python benchmarks/bench_flows.py
"""

from __future__ import annotations

import time
from datetime import date

from counterflow.routes.flows import displacement, shifts
from counterflow.routes.flows_data import FRONTEX_ATTRIBUTION, load_frontex_monthly

WB = "Western Balkan Route"
EVENTS = [(date(2016, 3, 1), "down", "closure of the corridor"), (date(2023, 11, 1), "down", "2023 collapse")]


def yoy_episodes(months: tuple[date, ...], values: tuple[int, ...]) -> list[tuple[date, str]]:
    out: list[tuple[date, str]] = []
    previous = None
    for t in range(12, len(values)):
        now, before = values[t], values[t - 12]
        flag = None
        if max(now, before) >= 20:
            if now < 0.5 * before:
                flag = "down"
            elif now > 2.0 * before:
                flag = "up"
        if flag and flag != previous:
            out.append((months[t], flag))
        previous = flag
    return out


def found(alarms: list[tuple[date, str]], when: date, direction: str) -> date | None:
    for at, d in alarms:
        if d == direction and abs((at.year - when.year) * 12 + at.month - when.month) <= 2:
            return at
    return None


def main() -> None:
    data = load_frontex_monthly()
    t0 = time.perf_counter()
    pelt = {r: shifts(data.months, v, name=r, period=12) for r, v in data.detections.items()}
    pelt_s = time.perf_counter() - t0
    naive = {r: yoy_episodes(data.months, v) for r, v in data.detections.items()}
    print(
        f"Frontex monthly detections, {data.months[0]:%Y-%m} to {data.months[-1]:%Y-%m}, "
        f"{len(data.detections)} routes"
    )
    print(f"PELT on all routes in {pelt_s * 1000:.0f} ms\n")
    print(
        f"{'route':40} {'PELT':>5} {'YoY':>5}  "
        "PELT change points (first month at the new level, after/before)"
    )
    for route in data.detections:
        cps = ", ".join(f"{s.at:%Y-%m} {s.direction} x{s.ratio:.2g}" for s in pelt[route])
        print(f"{route:40} {len(pelt[route]):5} {len(naive[route]):5}  {cps}")
    total_pelt = sum(map(len, pelt.values()))
    total_naive = sum(map(len, naive.values()))
    print(f"{'all routes: alarms':40} {total_pelt:5} {total_naive:5}")
    print(f"ratio of alarms, baseline/PELT: {total_naive / total_pelt:.1f}x\n")

    print("Western Balkan route, known events (±2 months):")
    print(f"{'event':34} {'PELT':>10} {'YoY':>10}")
    hits = {"PELT": 0, "YoY": 0}
    for when, direction, what in EVENTS:
        p = found([(s.at, s.direction) for s in pelt[WB]], when, direction)
        n = found(naive[WB], when, direction)
        hits["PELT"] += p is not None
        hits["YoY"] += n is not None
        show = [f"{x:%Y-%m}" if x else "missed" for x in (p, n)]
        print(f"{when:%Y-%m} {direction:5} {what:22} {show[0]:>10} {show[1]:>10}")
    print(
        f"events found: PELT {hits['PELT']}/{len(EVENTS)} with {len(pelt[WB])} alarms; "
        f"YoY {hits['YoY']}/{len(EVENTS)} with {len(naive[WB])} alarms on this route"
    )
    wb = data.yearly(WB)
    print(f"Western Balkan yearly detections: 2022 {wb[2022]:,}; 2023 {wb[2023]:,}; 2024 {wb[2024]:,}\n")

    for source in pelt[WB]:
        if source.direction != "down" or source.index < 12 or source.index + 12 > len(data.months):
            continue
        moved = displacement(data.months, data.detections, source, route_shifts=pelt)
        print(
            f"displacement after the Western Balkan fall of {source.at:%Y-%m} "
            f"({source.before:,.0f} -> {source.after:,.0f} a month); 12 months after vs 12 before:"
        )
        print(
            f"  {'route':38} {'before':>9} {'after':>9} {'absorbed':>9} {'share before->after':>20}  own rise"
        )
        for d in moved:
            if d.before + d.after < 100:
                continue
            rise = f"{d.rise.at:%Y-%m} x{d.rise.ratio:.2g}" if d.rise else "-"
            share = f"{d.share_before:6.1%} -> {d.share_after:6.1%}"
            print(f"  {d.route:38} {d.before:9,.0f} {d.after:9,.0f} {d.absorbed:9.2f} {share:>20}  {rise}")
        print(f"  sum of absorbed over the other routes: {sum(d.absorbed for d in moved):.2f}\n")
    print(FRONTEX_ATTRIBUTION)


if __name__ == "__main__":
    main()
