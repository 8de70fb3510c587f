"""Need-to-know overhead on reads at 1M statements, against the same reads unfiltered.

Claim (issue 6): the visibility filter costs at most 1.5x on search and entity reads.
Baseline: the same store methods read by the open operator (no condition added).
Viewer: a UK-unit analyst with an agreement from every other agency (the widest filter:
every owner, half of them with accepted conditions, handling codes per agreement and the
protected-person exclusion), clearance OFFICIAL-SENSITIVE.

    .venv/bin/python benchmarks/bench_visibility.py --workdir /tmp/bench1m   # reuses bench_ingest's store
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from counterflow.model.handling import Classification
from counterflow.model.visibility import Agreement, Viewer
from counterflow.store import SqlStore

AGENCIES = [
    "ba_sipa",
    "be_police",
    "de_bpol",
    "eu_europol",
    "fr_ocriest",
    "gb_nca",
    "gr_police",
    "hr_mup",
    "hu_police",
    "mk_mvr",
    "rs_mup",
]


def timed(fn, items) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - start) / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cf-bench-vis"))
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "ours.sqlite"
    if not db.exists():
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).parent / "bench_ingest.py"),
                "--statements",
                str(args.statements),
                "--workdir",
                str(args.workdir),
                "--skip-baseline",
            ],
            check=True,
        )
    copy = args.workdir / "vis.sqlite"
    shutil.copy(db, copy)
    store = SqlStore(f"sqlite:///{copy}")
    operator = Viewer.operator()
    uk = Viewer(
        "bench",
        "gb_ukbsu",
        Classification.OFFICIAL_SENSITIVE,
        frozenset({"analyst"}),
        tuple(Agreement(a, "gb_ukbsu", accepts_conditions=(i % 2 == 0)) for i, a in enumerate(AGENCIES)),
    )
    total = store.stats(viewer=operator)["statements"]
    rng = random.Random(1)
    names = [s for s in store.iter_statements(viewer=operator, prop_types=["name"], batch=5000)]
    sample = rng.sample(names, args.queries)
    queries = [s.value.split()[0] for s in sample]
    entities = [s.entity_id for s in sample]

    rows = []
    for label, fn in (
        ("search (first name, 20 hits)", lambda v: lambda q: store.search(q, viewer=v, limit=20)),
        ("entity read (all statements)", lambda v: lambda e: store.statements_for_entities([e], viewer=v)),
    ):
        items = queries if label.startswith("search") else entities
        fn(operator)(items[0])  # warm caches
        base = statistics.median(timed(fn(operator), items) for _ in range(3))
        filtered = statistics.median(timed(fn(uk), items) for _ in range(3))
        rows.append((label, base * 1000, filtered * 1000, filtered / base))
    print(
        f"\nstore: {total:,} statements; viewer gb_ukbsu with {len(uk.shares)} agreements; "
        f"{args.queries} queries each, median of 3 runs"
    )
    print(f"{'read':34} {'unfiltered ms':>14} {'filtered ms':>12} {'ratio':>7}")
    for label, base_ms, filt_ms, ratio in rows:
        print(f"{label:34} {base_ms:>14.2f} {filt_ms:>12.2f} {ratio:>6.2f}x")
    worst = max(r[3] for r in rows)
    print(f"goal: filtered/unfiltered <= 1.5x: {'MET' if worst <= 1.5 else 'NOT MET'} (worst {worst:.2f}x)")


if __name__ == "__main__":
    main()
