"""Speed of disruption planning, against networkx measured in the same run.

1. A full plan (strategy ``best``) for the 754-node St Louis crime network: goal < 2 s. Baseline:
   the same HBA-LCC definition written with networkx (betweenness recomputed on the largest
   component after every removal), run to the same point (q_c, LCC ≤ 10 %).
2. Metrics and a plan (sampled betweenness) on a synthetic 100,000-node, 1,000,000-tie graph
   shaped like the scenario (six route stages, heavy-tailed degrees inside each, brokers between
   adjacent stages): goal < 60 s and < 4 GiB on 2 cores. Runs in a child process whose peak
   memory (PSS) is sampled. networkx is timed on the same graph for the metrics it can do in
   reasonable time; where a full run would take too long it is timed on a sample and
   extrapolated, and the output says so.

Run: ``.venv/bin/python benchmarks/bench_dismantle_speed.py`` (add ``--nodes 20000`` to try
smaller graphs). Data attribution: crime_stlouis is Decker, Kohfeld, Rosenfeld & Sprague (1991)
St. Louis Homicide Project via Konect (moreno_crime), as prepared in Ren et al. (2019).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
NETWORKS = HERE.parents[1] / "shared" / "data" / "networks"
NX_BETWEENNESS = "nx betweenness 4 pivots (x16 = 64 pivots, extrapolated)"


def scenario_graph(n: int, m: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """Six stages of heavy-tailed graphs (static power law), with brokers between adjacent stages."""
    from counterflow.graph._ig import ig

    stages = 6
    per = n // stages
    cross = m // 20
    inside = (m - cross) // stages
    edges: list[tuple[int, int]] = []
    stage: list[int] = []
    rng = random.Random(seed)
    ig.set_random_number_generator(random.Random(seed))
    offsets = []
    for s in range(stages):
        size = per if s < stages - 1 else n - per * (stages - 1)
        g = ig.Graph.Static_Power_Law(size, inside, exponent_out=2.5)
        off = len(stage)
        offsets.append((off, size, g.degree()))
        edges.extend((a + off, b + off) for a, b in g.get_edgelist())
        stage.extend([s + 1] * size)
    for s in range(stages - 1):
        (oa, na, da), (ob, nb, db) = offsets[s], offsets[s + 1]
        left = rng.choices(range(na), weights=[d + 1 for d in da], k=cross // (stages - 1))
        right = rng.choices(range(nb), weights=[d + 1 for d in db], k=cross // (stages - 1))
        edges.extend((oa + a, ob + b) for a, b in zip(left, right, strict=True))
    g = ig.Graph(n=n, edges=edges).simplify()
    g.vs["name"] = [f"p{i}" for i in range(n)]
    g.vs["stage"] = stage
    return g


def child(n: int, m: int) -> None:
    """Run in a child process: our metrics and plan, then the networkx baseline. Prints JSON lines."""
    from counterflow.graph import brokerage, metrics, plan

    t0 = time.perf_counter()
    g = scenario_graph(n, m)
    print(json.dumps({"step": "generate", "s": time.perf_counter() - t0, "n": g.vcount(), "m": g.ecount()}))
    total = 0.0
    steps = [
        ("degree", lambda: metrics.degree(g)),
        ("pagerank", lambda: metrics.pagerank(g)),
        ("eigenvector", lambda: metrics.eigenvector(g)),
        ("kcore", lambda: metrics.kcore(g)),
        ("betweenness (64 pivots)", lambda: metrics.betweenness(g, pivots=64, seed=1)),
        ("leiden", lambda: metrics.leiden(g, seed=1)),
        ("brokerage (stages)", lambda: brokerage(g, "stage")),
        ("plan best k=5 (sampled betweenness)", lambda: plan(g, k=5, seed=1, pivots=64)),
    ]
    results = {}
    for name, fn in steps:
        t = time.perf_counter()
        results[name] = fn()
        dt = time.perf_counter() - t
        total += dt
        print(json.dumps({"step": name, "s": dt}), flush=True)
    p = results["plan best k=5 (sampled betweenness)"]
    print(
        json.dumps(
            {
                "step": "ours total",
                "s": total,
                "chosen": p.chosen,
                "lcc5": p.metrics.lcc_after_k,
                "qc": p.metrics.qc,
                "R": p.metrics.robustness,
            }
        ),
        flush=True,
    )

    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"step": "ours peak rss", "mib": peak}), flush=True)

    import networkx as nx

    t = time.perf_counter()
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    h.add_edges_from(g.get_edgelist())
    print(json.dumps({"step": "nx build", "s": time.perf_counter() - t}), flush=True)
    t = time.perf_counter()
    nx.pagerank(h)
    print(json.dumps({"step": "nx pagerank", "s": time.perf_counter() - t}), flush=True)
    t = time.perf_counter()
    nx.core_number(h)
    print(json.dumps({"step": "nx kcore", "s": time.perf_counter() - t}), flush=True)
    t = time.perf_counter()
    nx.betweenness_centrality(h, k=4, seed=1)
    dt = time.perf_counter() - t
    print(
        json.dumps({"step": "nx betweenness 4 pivots (x16 = 64 pivots, extrapolated)", "s": dt * 16}),
        flush=True,
    )


def st_louis() -> None:
    import networkx as nx

    from counterflow.graph import graph_from_edge_list, plan
    from counterflow.graph.dismantle.adaptive import hba
    from counterflow.graph.dismantle.measures import lcc_curve, qc
    from counterflow.graph.dismantle.problem import problem_from_graph

    g = graph_from_edge_list(NETWORKS / "crime_stlouis.csv")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        p = plan(g, k=5, seed=0)
        times.append(time.perf_counter() - t)
    ours_best = min(times)
    pb = problem_from_graph(g)
    t = time.perf_counter()
    order = hba(pb)
    ours_hba = time.perf_counter() - t
    q = qc(lcc_curve(pb, order), 0.1)

    h = nx.Graph(g.get_edgelist())
    t = time.perf_counter()
    for _ in range(q):  # the same definition in networkx, to the same point
        lcc = max(nx.connected_components(h), key=len)
        b = nx.betweenness_centrality(h.subgraph(lcc), normalized=False)
        h.remove_node(max(b, key=lambda v: (b[v], -v)))
    nx_hba = time.perf_counter() - t
    print("St Louis crime network (754 nodes, 2,127 ties)")
    print(
        f"  full plan, strategy best (all candidates), best of 3: {ours_best:6.3f} s   goal < 2 s: "
        f"{'PASS' if ours_best < 2 else 'FAIL'}  (chosen {p.chosen})"
    )
    print(f"  HBA-LCC full order, ours:                            {ours_hba:6.3f} s")
    print(f"  HBA-LCC to q_c = {q} removals, networkx (baseline):   {nx_hba:6.3f} s")
    print(f"  ratio networkx / ours (HBA-LCC, ours doing the full order): {nx_hba / ours_hba:6.1f}x")
    print(f"  ratio networkx HBA-LCC to q_c / ours full best plan:      {nx_hba / ours_best:6.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--skip-small", action="store_true")
    a = ap.parse_args()
    if a.child:
        child(a.nodes, a.edges)
        return
    if not a.skip_small:
        st_louis()
    from _measure import run_measured

    run = run_measured(
        [sys.executable, __file__, "--child", "--nodes", str(a.nodes), "--edges", str(a.edges)]
    )
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    print(
        f"\nSynthetic scenario graph: {rows[0]['n']:,} nodes, {rows[0]['m']:,} ties (6 stages), generated in "
        f"{rows[0]['s']:.1f} s"
    )
    ours_rss = next(r["mib"] for r in rows if r["step"] == "ours peak rss")
    ours = {r["step"]: r for r in rows[1:] if not r["step"].startswith(("nx", "ours peak"))}
    nxs = {r["step"]: r["s"] for r in rows if r["step"].startswith("nx")}
    for name, r in ours.items():
        if name != "ours total":
            print(f"  {name:40s} {r['s']:7.2f} s")
    tot = ours["ours total"]
    print(
        f"  {'metrics + plan, total':40s} {tot['s']:7.2f} s   "
        f"goal < 60 s: {'PASS' if tot['s'] < 60 else 'FAIL'}"
    )
    print(
        f"  plan chose {tot['chosen']}: LCC/N after 5 = {tot['lcc5']:.4f}, "
        f"q_c(10%) = {tot['qc']}, R = {tot['R']:.4f}"
    )
    print(
        f"  peak memory of metrics + plan (max RSS before networkx starts): {ours_rss / 1024:.2f} GiB   "
        f"goal < 4 GiB: {'PASS' if ours_rss < 4096 else 'FAIL'}"
    )
    print(
        f"  peak memory of the whole child incl. the networkx copy (PSS): {run.peak_rss_mib / 1024:.2f} GiB"
    )
    print("  networkx baseline on the same graph:")
    for name, s in nxs.items():
        print(f"    {name:55s} {s:8.2f} s")
    pairs = [
        ("pagerank", "nx pagerank"),
        ("kcore", "nx kcore"),
        ("betweenness (64 pivots)", "nx betweenness 4 pivots (x16 = 64 pivots, extrapolated)"),
    ]
    for ours_name, nx_name in pairs:
        if ours_name in ours and nx_name in nxs:
            print(
                f"    ratio networkx / ours, {ours_name:28s} "
                f"{nxs[nx_name] / max(ours[ours_name]['s'], 1e-9):8.1f}x"
            )
    print(
        "    (networkx has no Leiden and no planner; a networkx HBA-LCC here would need one "
        "sampled betweenness per removal, tens of thousands of them: not run)"
    )


if __name__ == "__main__":
    main()
