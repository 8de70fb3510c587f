"""How cost grows: the pipeline's batch stages at 10k, 100k, 1M (and 10M) statements.

Claim (issue 10): on the embedded default, ingest, resolution and graph building grow
near-linearly (exponent <= 1.2 in time against statements); Spark local[2] runs resolution and
graph building at 1M beside it.

For each size, a scenario world of that many statements is generated (not timed) and every stage
runs as its own process, timed, with the peak memory (PSS) of its process tree sampled:

  ingest       counterflow ingest <world folders>            (SQLite store, validated, FTS)
  export       counterflow export-statements DIR             (Parquet, agency=/date=)
  resolve      counterflow resolve run --engine local         (blocking, training, scoring, clustering)
  graph        build_graph over every statement               (ties aggregated, igraph built)

Then, at the size named by --spark-at, Spark local[2]: ``resolve run --engine spark --statements``
(records read and built by Spark from that size's Parquet export, scored and clustered on it)
and graph building from the same export on Spark (``counterflow.graph.batch.build_graph_from``:
each entity's occurrences and the ties' sums made by Spark). ``--engines-only N`` reruns just
the embedded and Spark resolution and graph stages on the store and export a previous run left
for size N in --workdir.
Baselines: linear growth (exponent 1.0; the exponent is the least-squares slope of log time on
log statements over all sizes) and, for Spark, the embedded engine on the same store in the
same run (ratio printed).

Usage: python benchmarks/bench_scale.py [--sizes 10000,100000,1000000,10000000] [--spark-at 1000000]
       [--workdir DIR] [--json]
       python benchmarks/bench_scale.py --engines-only 1000000 --workdir DIR
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/_measure.py
from _measure import run_measured

GRAPH = """
import sys, time
from counterflow.graph.build import build_graph
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore
store = SqlStore(sys.argv[1])
g = build_graph(store.iter_statements(viewer=Viewer.operator(), batch=50_000))
ig = g.to_igraph()
print(len(g.nodes), len(g.ties))
"""
GRAPH_SPARK = """
import sys
from counterflow.engine.spark import SparkEngine
from counterflow.graph.batch import build_graph_from
engine = SparkEngine(master="local[2]")
engine.load("statements", sys.argv[1])
g = build_graph_from(engine, "statements")
ig = g.to_igraph()
print(len(g.nodes), len(g.ties))
"""
STAGES = ("ingest", "export", "resolve", "graph")
LIMIT = 1.2


def _cli() -> str:
    return str(Path(sys.executable).parent / "counterflow")


def _slope(points: list[tuple[float, float]]) -> float:
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(s, 1e-3)) for _, s in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else float("nan")


def run_size(n: int, work: Path, seed: int) -> tuple[int, dict[str, dict[str, float]], str]:
    from counterflow.demo import INPUT_FOLDERS

    world, db = work / f"world-{n}", work / f"store-{n}.sqlite"
    if not world.exists():
        run_measured(
            [_cli(), "scenario", "--seed", str(seed), "--size", str(n), "--out", str(world), "--json"]
        )
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(work / f"parquet-{n}", ignore_errors=True)
    url = f"sqlite:///{db}"
    env = {**os.environ, "COUNTERFLOW_DATABASE_URL": url, "COUNTERFLOW_ENGINE": "local"}
    env.pop("COUNTERFLOW_USER", None)
    folders = [str(world / f) for f in INPUT_FOLDERS if (world / f).exists()]
    out: dict[str, dict[str, float]] = {}
    ingest = run_measured([_cli(), "ingest", *folders, "--json"], env=env)
    statements = int(json.loads(ingest.stdout)["statements_added"])
    out["ingest"] = {"seconds": ingest.seconds, "peak_mib": ingest.peak_rss_mib}
    export = run_measured([_cli(), "export-statements", str(work / f"parquet-{n}"), "--json"], env=env)
    out["export"] = {"seconds": export.seconds, "peak_mib": export.peak_rss_mib}
    out.update(embedded_stages(n, work, url))
    return statements, out, url


def embedded_stages(n: int, work: Path, url: str) -> dict[str, dict[str, float]]:
    env = {**os.environ, "COUNTERFLOW_DATABASE_URL": url, "COUNTERFLOW_ENGINE": "local"}
    env.pop("COUNTERFLOW_USER", None)
    resolve = run_measured(
        [_cli(), "resolve", "run", "--engine", "local", "--index", str(work / f"idx-{n}.duckdb"), "--json"],
        env=env,
    )
    graph = run_measured([sys.executable, "-c", GRAPH, url], env=env)
    return {
        "resolve": {"seconds": resolve.seconds, "peak_mib": resolve.peak_rss_mib},
        "graph": {"seconds": graph.seconds, "peak_mib": graph.peak_rss_mib},
    }


def spark_stages(n: int, work: Path, url: str, local: dict[str, dict[str, float]]) -> dict[str, Any]:
    env = {**os.environ, "COUNTERFLOW_DATABASE_URL": url, "COUNTERFLOW_SPARK_MASTER": "local[2]"}
    env.pop("COUNTERFLOW_USER", None)
    idx = str(work / f"idx-spark-{n}.duckdb")
    parquet = str(work / f"parquet-{n}")
    resolve = run_measured(
        [_cli(), "resolve", "run", "--engine", "spark", "--statements", parquet, "--index", idx, "--json"],
        env=env,
    )
    graph = run_measured([sys.executable, "-c", GRAPH_SPARK, parquet], env=env)
    return {
        "size": n,
        "resolve": {"seconds": resolve.seconds, "peak_mib": resolve.peak_rss_mib},
        "graph": {"seconds": graph.seconds, "peak_mib": graph.peak_rss_mib},
        "embedded": local,
        "ratio_to_local": {
            "resolve": resolve.seconds / local["resolve"]["seconds"],
            "graph": graph.seconds / local["graph"]["seconds"],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="statements per world, comma-separated"
    )
    parser.add_argument(
        "--spark-at", type=int, default=1_000_000, help="size to run Spark at (0: not at all)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--engines-only",
        type=int,
        default=0,
        metavar="N",
        help="only the embedded and Spark resolution and graph stages, on size N's store and export "
        "left in --workdir by an earlier run",
    )
    args = parser.parse_args()
    if args.engines_only:
        if args.workdir is None:
            parser.error("--engines-only needs the --workdir of an earlier run")
        n = args.engines_only
        url = f"sqlite:///{args.workdir / f'store-{n}.sqlite'}"
        spark = spark_stages(n, args.workdir, url, embedded_stages(n, args.workdir, url))
        if args.json:
            print(json.dumps(spark, indent=2))
        else:
            _print_spark(spark)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cf-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    urls: dict[int, str] = {}
    for n in sizes:
        print(f"size {n:,} …", file=sys.stderr)
        statements, stages, url = run_size(n, work, args.seed)
        urls[n] = url
        rows.append({"size": n, "statements": statements, "stages": stages})
    spark: dict[str, Any] | None = None
    if args.spark_at and args.spark_at in urls:
        n = args.spark_at
        spark = spark_stages(n, work, urls[n], next(r for r in rows if r["size"] == n)["stages"])
    exponents = {
        stage: _slope([(r["statements"], r["stages"][stage]["seconds"]) for r in rows])
        if len(rows) > 1
        else None
        for stage in STAGES
    }
    # The tail: growth between the two largest sizes, where fixed costs (process start, imports)
    # no longer flatter the slope. The goal is judged on it.
    tail = {
        stage: _slope([(r["statements"], r["stages"][stage]["seconds"]) for r in rows[-2:]])
        if len(rows) > 1
        else None
        for stage in STAGES
    }
    result = {"rows": rows, "exponents": exponents, "tail_exponents": tail, "spark": spark, "limit": LIMIT}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"\n{'statements':>11} " + " ".join(f"{s + ' s':>10} {s + ' MiB':>11}" for s in STAGES))
    for r in rows:
        cells = " ".join(
            f"{r['stages'][s]['seconds']:>10.1f} {r['stages'][s]['peak_mib']:>11.0f}" for s in STAGES
        )
        print(f"{r['statements']:>11,} {cells}")
    print("\ngrowth exponent (time ~ statements^k; baseline: linear, k = 1.0; goal k <= 1.2 on the tail):")
    for stage, k in exponents.items():
        k_tail = tail[stage]
        if k is None or k_tail is None:
            continue
        verdict = "(not a goal)" if stage == "export" else ("MET" if k_tail <= LIMIT else "NOT MET")
        print(f"  {stage:8} k = {k:.2f} over all sizes, {k_tail:.2f} between the two largest  {verdict}")
    if spark:
        _print_spark(spark)


def _print_spark(spark: dict[str, Any]) -> None:
    print(
        f"\nSpark local[2] at {spark['size']:,} (JVM included; baseline: the embedded default, same store):"
    )
    for stage, what in (
        ("resolve", "resolve run --statements PARQUET: records, scores, clusters on Spark"),
        ("graph", "build_graph_from PARQUET: occurrences and ties on Spark"),
    ):
        ran, ratio = spark[stage], spark["ratio_to_local"][stage]
        base = spark["embedded"][stage]
        print(
            f"  {stage:8} {ran['seconds']:6.1f} s {ran['peak_mib']:6.0f} MiB ({what}); embedded "
            f"{base['seconds']:.1f} s {base['peak_mib']:.0f} MiB; ratio Spark/embedded {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
