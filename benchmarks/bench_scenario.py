"""Scenario generator speed and memory against the I/O floor.

Usage: python benchmarks/bench_scenario.py [N_STATEMENTS]   (default 1,000,000)

Generator: ``counterflow.scenario.generate`` with ``size=N`` into a temporary directory.
Baseline ("stdlib I/O floor"): writing the same number of statement-sized records with the stdlib
only - half as JSON lines of ~30-value report objects (json.dumps), half as 8-column CSV rows
(csv.writer), no generation logic at all. The ratio generator/baseline says how much the world
simulation and rendering cost on top of merely serialising that much data.
Peak RSS from resource.getrusage (the maximum of the process so far, in MiB).
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from counterflow.scenario import generate


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(n: int, out: Path) -> float:
    t0 = time.perf_counter()
    per_report = 30
    with (out / "floor.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(n // 2 // per_report):
            report = {
                "format": "counterflow.report/1",
                "agency": "rs_mup",
                "report_id": f"RS-MUP-2026-{i:07d}",
                "entities": [
                    {
                        "id": f"p{i}-{k}",
                        "schema": "Person",
                        "properties": {
                            "name": [f"Name {k}"],
                            "phone": ["064 1234567"],
                            "birthDate": ["1990"],
                        },
                    }
                    for k in range(per_report // 3)
                ],
            }
            fh.write(json.dumps(report, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
    with (out / "floor.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for i in range(n // 2 // 6):
            w.writerow(
                [
                    f"RS-CDR-{i:09d}",
                    "0641234567",
                    "+436641234567",
                    "2026-03-14T03:40:12",
                    120,
                    "RS-BELGRADE-1",
                    44.8,
                    20.45,
                ]
            )
    return time.perf_counter() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        manifest = generate(Path(tmp) / "scenario", seed=7, size=n)
        gen_s = time.perf_counter() - t0
        gen_rss = peak_rss_mib()
        floor_s = baseline(manifest.statements, Path(tmp))
    stmts = manifest.statements
    rows = [
        ("generator (counterflow.scenario)", gen_s, stmts / gen_s),
        ("baseline: stdlib json/csv I/O floor", floor_s, stmts / floor_s),
    ]
    print(f"target {n:,} statements; generated {stmts:,} statements in {manifest.reports:,} reports/files")
    print(f"{'':38} {'seconds':>9} {'statements/s':>14}")
    for name, secs, rate in rows:
        print(f"{name:38} {secs:9.2f} {rate:14,.0f}")
    print(f"ratio generator/baseline time: {gen_s / floor_s:.1f}x")
    print(f"peak RSS after generation: {gen_rss:,.0f} MiB")


if __name__ == "__main__":
    main()
