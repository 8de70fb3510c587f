"""Resolution speed and memory, end to end, against plain Splink measured in the same run.

Claims (issue 4), on this 2-core machine: 200k person records end to end in <= 30 s and <= 1 GiB;
1M in <= 150 s and <= 4 GiB; 100 new records against 1M resolved in <= 5 s.

Input: synthetic person records as FollowTheMoney entity lines, about three records per person,
written by the twelve scenario agencies with the scenario's spelling, particle, typo, Cyrillic,
Greek and Arabic-script conventions (counterflow.scenario.names). Names are drawn from the
scenario pools and, for diversity at national scale, from syllable-built names (the scenario's
pools alone would make every name a namesake at 1M records). Generation is not timed.

Ours: ``counterflow resolve --input … --output …`` (process start, parsing, identifiers, blocking,
training, scoring, clustering, CSV). Baseline: plain Splink (bench_resolve_quality.plain_splink:
lower-cased names, standard comparisons, EM) on the same records, also as its own process.
Peak memory is the process tree's PSS. Incremental: a full run leaves a resolution index; a fresh
process then resolves 100 new records against it (timed with process start).

    .venv/bin/python benchmarks/bench_resolve_speed.py --records 200000 [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _measure import run_measured

from counterflow.scenario.names import POOLS, to_arabic, to_cyrillic, to_greek, written_name

AGENCIES = ("gr_police", "mk_mvr", "rs_mup", "hu_police", "ba_sipa", "hr_mup", "de_bpol", "fr_ocriest",
            "be_police", "gb_nca", "gb_ukbsu", "eu_europol")  # fmt: skip
SYLLABLES = ("ka", "ri", "mo", "ha", "med", "sa", "li", "dan", "ver", "ba", "tu", "zel", "nor", "fa", "ro",
             "vic", "an", "el", "os", "ki", "mir", "za", "dra", "go", "lu", "pe", "sta", "ni", "ja",
             "bo")  # fmt: skip
NATIONALITIES = ("sy", "af", "iq", "ir", "pk", "ma", "al", "rs", "mk", "ba", "tr", "gr")


def make_person(rng: random.Random, n: int) -> dict[str, Any]:
    pool = rng.choice(list(POOLS))
    given_pool, _, family_pool = POOLS[pool]
    if rng.random() < 0.3:
        given, family = rng.choice(given_pool), rng.choice(family_pool)
    else:
        given = (
            rng.choice(given_pool)
            if rng.random() < 0.5
            else "".join(rng.choice(SYLLABLES) for _ in range(2)).title()
        )
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
    phone = f"+38164{n % 10_000_000:07d}"
    return {"given": given, "family": family, "pool": pool, "born": born, "phone": phone,
            "nat": rng.choice(NATIONALITIES), "female": rng.random() < 0.1}  # fmt: skip


def render(rng: random.Random, p: dict[str, Any], eid: str, agency: str) -> dict[str, Any]:
    _, g, f = written_name(rng, p["given"], p["family"], variant=0.3, swap=0.0, typo_rate=0.05)
    name = f"{g} {f}" if rng.random() > 0.2 else f"{f.upper()} {g}"
    r = rng.random()
    if r < 0.15 and agency in ("rs_mup", "mk_mvr", "ba_sipa"):
        name = to_cyrillic(name, "mk" if agency == "mk_mvr" else "sr")
    elif r < 0.15 and agency == "gr_police":
        name = to_greek(name)
    elif r < 0.1 and agency in ("gb_nca", "eu_europol", "de_bpol"):
        name = to_arabic(f"{p['given']} {p['family']}") or name
    props: dict[str, list[str]] = {"name": [name]}
    r = rng.random()
    if r < 0.65:
        props["birthDate"] = [p["born"].isoformat()]
    elif r < 0.8:
        props["birthDate"] = [str(p["born"].year)]
    if rng.random() < 0.7:
        props["nationality"] = [p["nat"]]
    if rng.random() < 0.3:
        props["gender"] = ["female" if p["female"] else "male"]
    if rng.random() < 0.5:
        props["phone"] = [p["phone"]]
    return {"id": eid, "schema": "Person", "properties": props, "datasets": [agency]}


def write_records(path: Path, n: int, seed: int, start: int = 0) -> None:
    rng = random.Random(seed)
    written = 0
    person = start
    with path.open("w", encoding="utf-8") as fh:
        while written < n:
            p = make_person(rng, person)
            for _ in range(min(n - written, rng.choice((1, 2, 3, 3, 4, 5)))):
                agency = rng.choice(AGENCIES)
                eid = f"{agency.replace('_', '-')}.p{start + written}"
                fh.write(json.dumps(render(rng, p, eid, agency), ensure_ascii=False) + "\n")
                written += 1
            person += 1


BASELINE = r"""
import json, sys, logging
sys.path.insert(0, sys.argv[2])
logging.getLogger("splink").setLevel(logging.ERROR)
from bench_resolve_quality import plain_rows, plain_splink
ents = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
clusters = plain_splink(plain_rows(ents))
print(json.dumps({"clusters": len(set(clusters.values()))}))
"""

BUILD_INDEX = r"""
import sys, logging
from pathlib import Path
logging.getLogger("splink").setLevel(logging.ERROR)
from counterflow.resolve.ftm_io import read_ftm_file
from counterflow.resolve.incremental import build_index
from counterflow.resolve.resolver import resolve
build_index(Path(sys.argv[2]), resolve(read_ftm_file(Path(sys.argv[1])).records))
"""

INCREMENTAL = r"""
import json, sys, time, logging
from pathlib import Path
t0 = time.perf_counter()
logging.getLogger("splink").setLevel(logging.ERROR)
from counterflow.resolve.ftm_io import read_ftm_file
from counterflow.resolve.incremental import resolve_incremental
t1 = time.perf_counter()
result = resolve_incremental(Path(sys.argv[2]), read_ftm_file(Path(sys.argv[1])).records)
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "resolve": t2 - t1, **result.stats}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--incremental", action="store_true", help="also time 100 new records against the index"
    )
    args = parser.parse_args()
    py = sys.executable
    cli = str(Path(py).with_name("counterflow"))
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "records.jsonl"
        write_records(src, args.records, args.seed)
        ours = run_measured(
            [cli, "resolve", "--input", str(src), "--output", str(Path(tmp) / "c.csv")], env=env
        )
        print(
            f"ours: {args.records:,} person records end to end in {ours.seconds:.1f} s, "
            f"peak {ours.peak_rss_mib:.0f} MiB"
        )
        if not args.no_baseline:
            base = run_measured([py, "-c", BASELINE, str(src), str(Path(__file__).parent)], env=env)
            print(
                f"plain Splink: {base.seconds:.1f} s, peak {base.peak_rss_mib:.0f} MiB; "
                f"time ratio ours/baseline {ours.seconds / base.seconds:.2f}x, "
                f"memory ratio {ours.peak_rss_mib / base.peak_rss_mib:.2f}x"
            )
        if args.incremental:
            index = Path(tmp) / "index.duckdb"
            built = run_measured([py, "-c", BUILD_INDEX, str(src), str(index)], env=env)
            new = Path(tmp) / "new.jsonl"
            write_records(new, 100, args.seed + 1, start=args.records)
            inc = run_measured([py, "-c", INCREMENTAL, str(new), str(index)], env=env)
            stats = json.loads(inc.stdout)
            print(
                f"incremental: 100 new records against {args.records:,} resolved in {inc.seconds:.2f} s "
                f"(process; {stats['resolve']:.2f} s resolving, {stats['imports']:.2f} s imports), "
                f"peak {inc.peak_rss_mib:.0f} MiB; full run with index {built.seconds:.1f} s; "
                f"ratio incremental/full {inc.seconds / ours.seconds:.3f}x"
            )


if __name__ == "__main__":
    main()
