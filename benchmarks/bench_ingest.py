"""Bulk ingest into the embedded SQLite default, against nomenklatura's SQL store.

Claim (issue 2): bulk ingest of 1M statements at >= 50,000 statements/s on a 2-core
machine, peak RSS under 1 GiB whatever the input size.

Both sides get the same input: the scenario world (call records, ANPR, spreadsheets and
native reports) turned by Counterflow's readers into one native-report JSON lines file
(that conversion is not timed for either). Counterflow: ``counterflow ingest`` (validate,
normalise, grade, write whole reports, index names for search). Baseline: the same
entities as FollowTheMoney statement entities (FtM's own value cleaning) written through
nomenklatura's ``SQLStore`` on SQLite: the FollowTheMoney ecosystem's statement store.

    .venv/bin/python benchmarks/bench_ingest.py --statements 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import run_measured

BASELINE = r"""
import json, sys, time
from followthemoney import model
from followthemoney.dataset import Dataset
from followthemoney.statement import StatementEntity
from nomenklatura.resolver import Linker
from nomenklatura.store.sql import SQLStore
from sqlalchemy import create_engine, text

src, url = sys.argv[1], sys.argv[2]
engine = create_engine(url)
count = 0
with open(src, encoding="utf-8") as fh:
    first = json.loads(fh.readline())
datasets = {}
store = None
with open(src, encoding="utf-8") as fh:
    for line in fh:
        report = json.loads(line)
        agency = report["agency"]
        if agency not in datasets:
            datasets[agency] = Dataset.make({"name": agency, "title": agency})
        ds = datasets[agency]
        if store is None:
            store = SQLStore(ds, Linker({}), engine)
            writer = store.writer()
        slug = agency.replace("_", "-")
        for ent in report.get("entities", []):
            proxy = StatementEntity(ds, {"id": f"{slug}.{ent['id']}", "schema": ent["schema"]})
            for prop, values in (ent.get("properties") or {}).items():
                values = values if isinstance(values, list) else [values]
                for v in values:
                    v = v["value"] if isinstance(v, dict) else v
                    if proxy.schema.get(prop) is not None and proxy.schema.get(prop).type.name == "entity":
                        v = f"{slug}.{v}"
                    proxy.add(prop, v, quiet=True)
            for stmt in proxy.statements:
                writer.add_statement(stmt)
    writer.flush()
with engine.connect() as conn:
    n = conn.execute(text("select count(*) from statement")).scalar()
print(json.dumps({"statements": n}))
"""


def materialise(world: Path, out: Path) -> int:
    """Every report of the world, as read by Counterflow's readers, as native JSON lines."""
    from counterflow.demo import INPUT_FOLDERS
    from counterflow.ingest.pipeline import expand_paths, read_path
    from counterflow.ingest.readers.base import JsonLine, RawReport

    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for path in expand_paths([world / f for f in INPUT_FOLDERS if (world / f).exists()]):
            for read in read_path(path):
                item = read.decode() if isinstance(read, JsonLine) else read
                if isinstance(item, RawReport):
                    fh.write(json.dumps(item.data, ensure_ascii=False) + "\n")
                    n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--statements", type=int, default=1_000_000, help="size of the scenario world")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (default: a temp dir)")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cf-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    world, source = work / "world", work / "input.jsonl"
    bin_dir = Path(sys.executable).parent
    if not source.exists():
        print(f"generating a {args.statements:,}-statement world in {world} …", file=sys.stderr)
        run_measured(
            [
                str(bin_dir / "counterflow"),
                "scenario",
                "--seed",
                str(args.seed),
                "--size",
                str(args.statements),
                "--out",
                str(world),
                "--json",
            ]
        )
        n_reports = materialise(world, source)
        print(f"{n_reports:,} reports materialised in {source}", file=sys.stderr)
    for name in ("ours.sqlite", "baseline.sqlite"):
        for suffix in ("", "-wal", "-shm"):
            (work / f"{name}{suffix}").unlink(missing_ok=True)

    env = {**os.environ, "COUNTERFLOW_DATABASE_URL": f"sqlite:///{work / 'ours.sqlite'}"}
    ours = run_measured([str(bin_dir / "counterflow"), "ingest", str(source), "--json"], env=env)
    ours_n = json.loads(ours.stdout)["statements_added"]
    rows = [
        ("counterflow ingest (SQLite, validated, normalised, FTS)", ours_n, ours.seconds, ours.peak_rss_mib)
    ]
    if not args.skip_baseline:
        base = run_measured(
            [sys.executable, "-c", BASELINE, str(source), f"sqlite:///{work / 'baseline.sqlite'}"]
        )
        base_n = json.loads(base.stdout)["statements"]
        rows.append(
            ("baseline: FtM statements via nomenklatura SQLStore", base_n, base.seconds, base.peak_rss_mib)
        )

    print(f"\n{'path':58} {'statements':>11} {'seconds':>8} {'stmts/s':>9} {'peak RSS MiB':>13}")
    for name, n, secs, rss in rows:
        print(f"{name:58} {n:>11,} {secs:>8.1f} {n / secs:>9,.0f} {rss:>13,.0f}")
    if len(rows) == 2:
        ratio = (rows[0][1] / rows[0][2]) / (rows[1][1] / rows[1][2])
        print(f"\nratio (counterflow / baseline statements per second): {ratio:.2f}x")
    print(
        f"goal: >= 50,000 statements/s and < 1024 MiB peak RSS: "
        f"{'MET' if ours_n / ours.seconds >= 50_000 and ours.peak_rss_mib < 1024 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
