"""Explanations: why two records are (or are not) one entity, as plain data for the CLI and the API.

For a pair: the name parts side by side with their scripts and how each pair of parts matched
(same, spelling variant, Arabic-script pattern, typo, consonants only), the birth dates, the
selectors and documents in common (and whether a selector is shared), anything that forbids the
merge, and the scorer's own account: for each comparison the level that fired, its Bayes factor
and its weight in bits, summing with the prior to the match weight.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import LocalEngine
from counterflow.resolve.comparisons import levels_by_gamma
from counterflow.resolve.identifiers import compatible
from counterflow.resolve.names import Part, matched_parts
from counterflow.resolve.records import Record
from counterflow.resolve.splink_model import (
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
    TrainedModel,
    records_table,
    score_pairs,
)


def _part(p: Part) -> dict[str, str]:
    return {"written": p.form, "script": p.script, "latin": p.latin, "skeleton": p.skeleton}


def _levels(model: TrainedModel, row: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for comparison in model.settings["comparisons"]:
        name = comparison["output_column_name"]
        gamma = row.get(f"gamma_{name}")
        if gamma is None or gamma < 0:
            out.append(
                {"comparison": name, "level": "missing on one side", "bayes_factor": 1.0, "weight": 0.0}
            )
            continue
        level = levels_by_gamma(comparison)[int(gamma)]
        weight = float(row.get(f"mw_{name}") or 0.0)
        out.append(
            {
                "comparison": name,
                "level": level.get("label_for_charts", ""),
                "m": level.get("m_probability"),
                "u": level.get("u_probability"),
                "bayes_factor": round(2.0**weight, 6),
                "weight": round(weight, 3),
            }
        )
    return out


def score_detail(model: TrainedModel, a: Record, b: Record, shared: set[str]) -> dict[str, Any]:
    """Splink's comparison vector and Bayes factors for one pair (scored in a private connection)."""
    engine = LocalEngine(threads=1)
    try:
        x, y = (a, b) if a.uid <= b.uid else (b, a)
        if x.uid == y.uid:
            x.uid, y.uid = 0, 1
        engine.put("cf_x", records_table([x, y], shared))
        engine.put("cf_xp", pa.table({"l": [x.uid], "r": [y.uid]}))
        table = score_pairs(engine, model, "cf_x", "cf_xp", threshold=0.0, detail=True)
        rows = table.to_pylist()
    finally:
        engine.close()
    if not rows:
        return {"match_weight": None, "match_probability": None, "comparisons": []}
    row = rows[0]
    prior = float(model.settings["probability_two_random_records_match"])
    return {
        "match_weight": round(float(row["match_weight"]), 3),
        "match_probability": round(float(row["match_probability"]), 6),
        "prior_weight": round(math.log2(prior / (1 - prior)), 3),
        "comparisons": _levels(model, row),
    }


def explain_records(
    a: Record, b: Record, model: TrainedModel | None, *, shared: set[str] | None = None
) -> dict[str, Any]:
    """Everything that speaks for and against ``a`` and ``b`` being one entity."""
    shared = shared or set()
    matches = matched_parts(a.parts, b.parts)
    common_selectors = sorted(set(a.selectors) & set(b.selectors))
    out: dict[str, Any] = {
        "left": {"entity_id": a.entity_id, "agency": a.agency, "schema": a.schema, "names": a.names},
        "right": {"entity_id": b.entity_id, "agency": b.agency, "schema": b.schema, "names": b.names},
        "name_parts": {
            "left": [_part(p) for p in a.parts],
            "right": [_part(p) for p in b.parts],
            "matched": [
                {"left": x.form, "right": y.form, "how": how, "scripts": f"{x.script}–{y.script}"}
                for x, y, how in matches
            ],
        },
        "birth_dates": {"left": a.dob, "right": b.dob},
        "selectors_in_common": [{"selector": s, "shared": s in shared} for s in common_selectors],
        "documents_in_common": sorted(set(a.docs) & set(b.docs)),
        "objection": compatible(a, b),
    }
    if model is not None and a.kind == b.kind and a.kind in ("person", "org"):
        detail = score_detail(model, a, b, shared)
        out["scorer"] = model.scorer
        out.update(detail)
        p = detail.get("match_probability")
        if p is not None:
            out["decision"] = (
                "match" if p >= MATCH_THRESHOLD else "review" if p >= REVIEW_THRESHOLD else "no match"
            )
    return out
