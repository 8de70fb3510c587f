"""The case's network twice: on all its intelligence and on its evidence alone.

Centrality and a disruption plan are computed on both views. A conclusion "stands on
evidence" when it holds in the evidential network too: a target keeps ties there, a plan
target is chosen again. Where it does not, the gaps say which excluded statements carry the
tie, why they are excluded, and what would bring them in (``evidential.REMEDY``), grouped
by reason and providing agency so that one request to one agency closes many gaps.

Victims, witnesses and minors are never ranked or targeted (``graph.metrics.rank``, the
planner's ``protected``) and appear under a neutral caption only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from counterflow.cases.evidential import REMEDY, Exclusion
from counterflow.cases.material import CaseMaterial
from counterflow.graph.build import EntityGraph, build_graph, mark_protected, person_projection
from counterflow.graph.metrics import betweenness, degree
from counterflow.graph.views import PROTECTED_CAPTION, network_summary
from counterflow.model.statement import Statement

VIEWS = ("intelligence", "evidential")


@dataclass
class ViewNetwork:
    people: EntityGraph
    summary: dict[str, Any]
    betweenness: dict[str, float]
    degree: dict[str, float]


def person_network(statements: list[Statement], material: CaseMaterial) -> EntityGraph:
    people = person_projection(build_graph(statements, canonical=material.canonical))
    return mark_protected(people, material.protected)


def _view(statements: list[Statement], material: CaseMaterial, k: int, seed: int) -> ViewNetwork:
    people = person_network(statements, material)
    summary = network_summary(people, k=k, strategy="hba", seed=seed, pivots=None)
    g = people.to_igraph()
    protected = {v["name"] for v in g.vs if v["protected"]}
    between = {n: s for n, s in betweenness(g).items() if n not in protected} if g.vcount() else {}
    deg = {n: s for n, s in degree(g).items() if n not in protected} if g.vcount() else {}
    return ViewNetwork(people, summary, between, deg)


def caption(people: EntityGraph, entity_id: str) -> str:
    node = people.nodes.get(entity_id)
    if node is None:
        return entity_id
    return PROTECTED_CAPTION if node.protected else node.caption


def _ties_of(people: EntityGraph, entity_id: str) -> dict[tuple[str, str, str], set[str]]:
    return {
        key: tie.statements
        for key, tie in people.ties.items()
        if entity_id in (tie.source, tie.target) and tie.source != tie.target
    }


def analyse(material: CaseMaterial, *, k: int = 5, seed: int = 7) -> dict[str, Any]:
    """Both views' networks, each target's standing, and the gaps between intelligence and evidence."""
    return analyse_with_networks(material, k=k, seed=seed)[0]


def analyse_with_networks(
    material: CaseMaterial, *, k: int = 5, seed: int = 7
) -> tuple[dict[str, Any], dict[str, ViewNetwork]]:
    """``analyse`` and the two networks it was computed on (for pictures and exports)."""
    intel = _view(material.statements, material, k, seed)
    evid = _view(material.evidential, material, k, seed)
    by_id = {s.id: s for s in material.statements}
    intel_plan = {t["id"] for t in (intel.summary["plan"] or {}).get("targets", [])}
    evid_plan = {t["id"] for t in (evid.summary["plan"] or {}).get("targets", [])}
    targets = []
    for t in material.targets:
        ties_i, ties_e = _ties_of(intel.people, t), _ties_of(evid.people, t)
        missing = {key: ids for key, ids in ties_i.items() if key not in ties_e}
        gaps: Counter[tuple[str, str]] = Counter()
        for ids in missing.values():
            for sid in ids:
                for reason in material.split.excluded.get(sid, []):
                    gaps[(reason.value, by_id[sid].agency)] += 1
        standing = "evidence" if ties_e else ("intelligence only" if ties_i else "no ties seen")
        targets.append(
            {
                "id": t,
                "name": caption(intel.people, t),
                "standing": standing,
                "ties": {"intelligence": len(ties_i), "evidential": len(ties_e)},
                "betweenness": {
                    "intelligence": round(intel.betweenness.get(t, 0.0), 1),
                    "evidential": round(evid.betweenness.get(t, 0.0), 1),
                },
                "in_plan": {"intelligence": t in intel_plan, "evidential": t in evid_plan},
                "ties_without_evidence": [
                    {
                        "with": caption(intel.people, b if a == t else a),
                        "relation": rel,
                        "statements": len(ids),
                    }
                    for (a, b, rel), ids in sorted(missing.items())
                ],
                "gaps": [
                    {
                        "reason": reason,
                        "agency": agency,
                        "statements": n,
                        "remedy": REMEDY[Exclusion(reason)].format(agency=agency),
                    }
                    for (reason, agency), n in sorted(gaps.items(), key=lambda x: (-x[1], x[0]))
                ],
            }
        )
    stands = sorted(intel_plan & evid_plan)
    result = {
        "views": {"intelligence": intel.summary, "evidential": evid.summary},
        "statements": {
            "intelligence": len(material.statements),
            "evidential": len(material.evidential),
            "excluded": len(material.split.excluded),
            "by_reason": dict(
                sorted(Counter(r.value for rs in material.split.excluded.values() for r in rs).items())
            ),
        },
        "targets": targets,
        "plan_stands_on_evidence": [{"id": t, "name": caption(intel.people, t)} for t in stands],
        "plan_intelligence_only": [
            {"id": t, "name": caption(intel.people, t)} for t in sorted(intel_plan - evid_plan)
        ],
        "single_source_rule": material.single_source_rule,
        "truncated": material.truncated,
    }
    return result, {"intelligence": intel, "evidential": evid}
