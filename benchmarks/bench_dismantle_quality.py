"""Quality of the default plan on 13 real criminal and covert networks.

For each network in ../shared/data/networks (not caviar_phases.csv, which is for the temporal
test) this prints LCC/N after 5 removals, robustness R (Schneider et al. 2011) and q_c(10 %)
with greedy reinsertion for the four standard strategies (HDA-LCC, HBA-LCC, CoreHD with
reinsertion, Greedy-LCC) and for the default planner (``best``). The named baseline is, per
metric, the best of the four. Goal: ``best`` is no worse than that baseline on every network
and metric (±0.005 for LCC/N and R, ±1 removal for q_c), and strictly better on several. The
ratio columns are best / baseline (below 1 is better). Exit status 1 if the goal is missed.

Run: ``.venv/bin/python benchmarks/bench_dismantle_quality.py``

Data: see ../shared/data/networks/SOURCES.md for every network's origin and citation
(Morselli 2009; Jiménez-Salinas Framis 2011; Natarajan 2000/2006; Cavallaro et al. 2020;
Berlusconi et al. 2016; Grund & Densley 2012; de la Mora et al.; Decker et al. 1991 via Konect;
Ribeiro et al. 2018).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from counterflow.graph import graph_from_edge_list, plan

NETWORKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "networks"
REFERENCE = {"hda": "HDA-LCC", "hba": "HBA-LCC", "corehd": "CoreHD+R", "greedy-lcc": "Greedy-LCC"}
TOL = {"lcc5": 0.005, "R": 0.005, "qcR": 1}


def main() -> int:
    files = sorted(p for p in NETWORKS.glob("*.csv") if p.stem != "caviar_phases")
    if len(files) != 13:
        print(f"expected 13 networks in {NETWORKS}, found {len(files)}")
        return 1
    header = f"{'network':25s} {'N':>4s} | {'strategy':10s} {'LCC/N@5':>8s} {'R':>7s} {'qcR':>5s}"
    print(header)
    print("-" * len(header))
    failures: list[str] = []
    wins = {"lcc5": 0, "R": 0, "qcR": 0}
    strict_networks = 0
    for f in files:
        g = graph_from_edge_list(f)
        rows = {}
        for strategy, label in REFERENCE.items():
            m = plan(g, strategy=strategy, k=5, seed=0).metrics
            rows[label] = {"lcc5": m.lcc_after_k, "R": m.robustness, "qcR": m.qc_reinserted}
        t = time.perf_counter()
        p = plan(g, k=5, seed=0)
        dt = time.perf_counter() - t
        m = p.metrics
        best = {"lcc5": m.lcc_after_k, "R": m.robustness, "qcR": m.qc_reinserted}
        base = {key: min(r[key] for r in rows.values()) for key in TOL}
        for i, (label, r) in enumerate(rows.items()):
            name = f"{f.stem:25s} {g.vcount():4d}" if i == 0 else " " * 30
            print(f"{name} | {label:10s} {r['lcc5']:8.3f} {r['R']:7.4f} {r['qcR']:5d}")
        marks = []
        strict = False
        for key in TOL:
            if best[key] > base[key] + TOL[key] + 1e-12:
                failures.append(f"{f.stem}: {key} {best[key]} vs baseline {base[key]}")
                marks.append("✗")
            elif best[key] < base[key] - 1e-12:
                wins[key] += 1
                strict = True
                marks.append("better")
            else:
                marks.append("=")
        strict_networks += strict
        ratio = [best[key] / base[key] if base[key] else 1.0 for key in TOL]
        print(
            f"{' ' * 30} | {'best':10s} {best['lcc5']:8.3f} {best['R']:7.4f} {best['qcR']:5d}"
            f"   chose {p.chosen} in {dt:.2f} s"
        )
        print(
            f"{' ' * 30} | {'vs base':10s} {ratio[0]:8.3f} {ratio[1]:7.3f} {ratio[2]:5.2f}"
            f"   ({', '.join(marks)})"
        )
    print()
    print("Baseline = per metric, the best of HDA-LCC, HBA-LCC, CoreHD+R and Greedy-LCC.")
    print(
        f"best strictly better than every standard strategy: LCC/N@5 on {wins['lcc5']}, R on {wins['R']}, "
        f"q_c reinserted on {wins['qcR']} networks; on at least one metric on {strict_networks} of 13."
    )
    if failures:
        print("GOAL MISSED:")
        for x in failures:
            print("  " + x)
        return 1
    print("GOAL MET: best is no worse than the baseline on every network and metric (within tolerance).")
    print("Data: ../shared/data/networks/SOURCES.md (attribution per network).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
