"""Exports of a case for the tools prosecutors and partner analysts use.

=============  ==========================================================================
format         what is written
=============  ==========================================================================
``ftm``        FollowTheMoney entities, one JSON object per line (loads into Aleph)
``graphml``    the person network (Gephi, yEd, igraph, networkx)
``gexf``       the same network as GEXF 1.3 (Gephi)
``i2``         i2 Analyst's Notebook: a link CSV, an entity CSV and the import specification
``designation`` a sanctions designation evidence pack: graded evidence per proposed designation
=============  ==========================================================================

Every export is built from one view of the case (``intelligence`` or ``evidential``) as its
reader may see it, and then honours handling: material another agency marked for no onward
dissemination (SIENA H2, 5x5x5 4 and 5) stays behind unless the exporter's own agency sent
it, and victims, witnesses and minors are left out with everything said about them. What was
withheld is counted in the manifest.
Each export is logged as a disclosure to its recipient, with the reports it drew on, and its
manifest carries the marking of its contents (most restrictive handling, highest
classification) and the SHA-256 of each file written.
"""

from __future__ import annotations

import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from counterflow.cases.analysis import person_network
from counterflow.cases.briefing import log_disclosure, marking_of
from counterflow.cases.files import Document, document_bytes, record_export
from counterflow.cases.material import CaseMaterial
from counterflow.errors import InvalidValue
from counterflow.graph.build import EntityGraph
from counterflow.graph.metrics import betweenness
from counterflow.graph.views import network_summary
from counterflow.model.statement import ROLE_PROP, Statement, assemble
from counterflow.policy.session import derived_marking

FORMATS = ("ftm", "graphml", "gexf", "i2", "designation")
VIEWS = ("intelligence", "evidential")
ID_PROPS = ("passportNumber", "idNumber", "taxNumber", "phone", "email", "birthDate", "nationality", "gender")


def releasable(material: CaseMaterial, view: str) -> tuple[list[Statement], Counter[str]]:
    """The view's statements that may leave the system, and what was withheld by reason."""
    if view not in VIEWS:
        raise InvalidValue("view", view, f"one of {', '.join(VIEWS)}")
    chosen = material.statements if view == "intelligence" else material.evidential
    _, protected = material.labels()
    own = material.viewer.agency
    out: list[Statement] = []
    withheld: Counter[str] = Counter()
    for s in chosen:
        refers = s.prop_type == "entity" and material.canonical(s.value) in protected
        if material.canonical(s.entity_id) in protected or refers:
            withheld["protected person"] += 1
        elif s.handling.no_onward and s.agency != own and not material.viewer.open:
            withheld[f"{s.handling.label}: no onward dissemination without {s.agency}'s permission"] += 1
        else:
            out.append(s)
    return out, withheld


def export_case(
    material: CaseMaterial,
    out_dir: Path,
    *,
    fmt: str,
    recipient: str,
    view: str = "evidential",
    documents: bool = False,
    store: Any = None,
) -> dict[str, Any]:
    """Write one export of the case into ``out_dir``; returns its manifest (also written)."""
    if fmt not in FORMATS:
        raise InvalidValue("format", fmt, f"one of {', '.join(FORMATS)}")
    if not recipient.strip():
        raise InvalidValue(
            "recipient", recipient, "say whom the export is for (it is logged as a disclosure)"
        )
    statements, withheld = releasable(material, view)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{material.case.id}-{view}"
    written: list[Path] = []
    if fmt == "ftm":
        written.append(_write_ftm(material, statements, out_dir / f"{stem}.ftm.jsonl"))
    elif fmt in ("graphml", "gexf"):
        people = person_network(statements, material)
        path = out_dir / f"{stem}.{fmt}"
        written.append(
            _write_graphml(people, material, path)
            if fmt == "graphml"
            else _write_gexf(people, material, path)
        )
    elif fmt == "i2":
        written += _write_i2(material, statements, out_dir, stem)
    else:
        written += _write_designation(material, statements, out_dir, stem)
    docs = _releasable_documents(material, view) if documents and store is not None else []
    exhibits = _copy_documents(store, docs, out_dir) if docs else []
    manifest = {
        "case": material.case.id,
        "format": fmt,
        "view": view,
        "recipient": recipient,
        "produced_by": material.viewer.user,
        "produced_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "statements": len(statements),
        "withheld": dict(sorted(withheld.items())),
        "marking": marking_of(statements, docs),
        "documents": [d.exhibit for d in docs],
        "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written + exhibits},
    }
    manifest_path = out_dir / f"{stem}.{fmt}.manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if store is not None:
        try:
            digests = {d.id: d.sha256 for d in docs}
            log_disclosure(
                store,
                material,
                f"export-{fmt}",
                recipient,
                [s.id for s in statements],
                also=lambda conn: record_export(
                    conn, digests, material.viewer, f"case {material.case.id} {fmt}", recipient
                ),
            )
        except BaseException:
            # Nothing leaves without its record in the processing log.
            for path in [*written, *exhibits, manifest_path]:
                path.unlink(missing_ok=True)
            raise
    return manifest


# --- FollowTheMoney -----------------------------------------------------------------------------


def _write_ftm(material: CaseMaterial, statements: list[Statement], path: Path) -> Path:
    canon = material.canonical
    by_entity: dict[str, list[Statement]] = defaultdict(list)
    for s in statements:
        if s.is_extension:
            continue
        value = canon(s.value) if s.prop_type == "entity" else s.value
        by_entity[canon(s.entity_id)].append(replace(s, value=value))
    with path.open("w", encoding="utf-8") as fh:
        for eid in sorted(by_entity):
            try:
                entity = assemble(by_entity[eid], canonical_id=eid)
            except ValueError:
                continue
            data = entity.to_dict()
            data["id"] = eid
            fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
    return path


# --- graphs -------------------------------------------------------------------------------------


def _node_rows(people: EntityGraph, material: CaseMaterial) -> list[dict[str, Any]]:
    g = people.to_igraph()
    between = betweenness(g) if g.vcount() else {}
    plan = network_summary(people, k=5, pivots=None)["plan"] if g.vcount() else None
    planned = {t["id"] for t in (plan or {}).get("targets", [])}
    targets = set(material.targets)
    return [
        {
            "id": n,
            "label": node.caption,
            "schema": node.schema,
            "country": node.country or "",
            "protected": node.protected,
            "target": n in targets,
            "plan": n in planned,
            "betweenness": round(float(between.get(n, 0.0)), 3),
        }
        for n, node in sorted(people.nodes.items())
    ]


def _edge_rows(people: EntityGraph, material: CaseMaterial) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for tie in people.ties.values():
        if tie.source == tie.target:
            continue
        a, b = sorted((tie.source, tie.target))
        row = merged.setdefault(
            (a, b),
            {
                "source": a,
                "target": b,
                "relations": set(),
                "weight": 0.0,
                "count": 0,
                "first": "",
                "last": "",
                "evidential": False,
                "statements": set(),
            },
        )
        row["relations"].add(tie.relation)
        row["weight"] += tie.weight
        row["count"] += tie.count
        row["first"] = min(filter(None, (row["first"], tie.first or "")), default="")
        row["last"] = max(row["last"], tie.last or "")
        row["statements"] |= tie.statements
    for row in merged.values():
        row["evidential"] = any(material.split.is_evidential(s) for s in row["statements"])
        row["relations"] = ",".join(sorted(row["relations"]))
        row["statements"] = len(row["statements"])
        row["weight"] = round(row["weight"], 4)
    return [merged[k] for k in sorted(merged)]


_NODE_ATTRS = (
    ("label", "string"),
    ("schema", "string"),
    ("country", "string"),
    ("protected", "boolean"),
    ("target", "boolean"),
    ("plan", "boolean"),
    ("betweenness", "double"),
)
_EDGE_ATTRS = (
    ("relations", "string"),
    ("weight", "double"),
    ("count", "int"),
    ("first", "string"),
    ("last", "string"),
    ("evidential", "boolean"),
    ("statements", "int"),
)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_graphml(people: EntityGraph, material: CaseMaterial, path: Path) -> Path:
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element("graphml", {"xmlns": ns})
    for i, (name, kind) in enumerate(_NODE_ATTRS):
        ET.SubElement(root, "key", {"id": f"n{i}", "for": "node", "attr.name": name, "attr.type": kind})
    for i, (name, kind) in enumerate(_EDGE_ATTRS):
        ET.SubElement(root, "key", {"id": f"e{i}", "for": "edge", "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, "graph", {"id": material.case.id, "edgedefault": "undirected"})
    for row in _node_rows(people, material):
        node = ET.SubElement(graph, "node", {"id": row["id"]})
        for i, (name, _) in enumerate(_NODE_ATTRS):
            ET.SubElement(node, "data", {"key": f"n{i}"}).text = _text(row[name])
    for j, row in enumerate(_edge_rows(people, material)):
        edge = ET.SubElement(graph, "edge", {"id": f"t{j}", "source": row["source"], "target": row["target"]})
        for i, (name, _) in enumerate(_EDGE_ATTRS):
            ET.SubElement(edge, "data", {"key": f"e{i}"}).text = _text(row[name])
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _write_gexf(people: EntityGraph, material: CaseMaterial, path: Path) -> Path:
    root = ET.Element("gexf", {"xmlns": "http://gexf.net/1.3", "version": "1.3"})
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": datetime.now(UTC).date().isoformat()})
    ET.SubElement(meta, "creator").text = "Counterflow"
    ET.SubElement(meta, "description").text = f"Case {material.case.id}: {material.case.title}"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
    types = {"string": "string", "boolean": "boolean", "double": "double", "int": "integer"}
    for cls, attrs in (("node", _NODE_ATTRS[1:]), ("edge", _EDGE_ATTRS[:1] + _EDGE_ATTRS[2:])):
        block = ET.SubElement(graph, "attributes", {"class": cls})
        for i, (name, kind) in enumerate(attrs):
            ET.SubElement(block, "attribute", {"id": f"{cls[0]}{i}", "title": name, "type": types[kind]})
    nodes = ET.SubElement(graph, "nodes")
    for row in _node_rows(people, material):
        node = ET.SubElement(nodes, "node", {"id": row["id"], "label": row["label"]})
        values = ET.SubElement(node, "attvalues")
        for i, (name, _) in enumerate(_NODE_ATTRS[1:]):
            ET.SubElement(values, "attvalue", {"for": f"n{i}", "value": _text(row[name])})
    edges = ET.SubElement(graph, "edges")
    for j, row in enumerate(_edge_rows(people, material)):
        edge = ET.SubElement(
            edges,
            "edge",
            {"id": f"t{j}", "source": row["source"], "target": row["target"], "weight": str(row["weight"])},
        )
        values = ET.SubElement(edge, "attvalues")
        for i, (name, _) in enumerate(_EDGE_ATTRS[:1] + _EDGE_ATTRS[2:]):
            ET.SubElement(values, "attvalue", {"for": f"e{i}", "value": _text(row[name])})
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


# --- i2 Analyst's Notebook -------------------------------------------------------------------------

I2_LINK_COLUMNS = (
    "Entity1 Identity",
    "Entity1 Type",
    "Entity1 Label",
    "Entity2 Identity",
    "Entity2 Type",
    "Entity2 Label",
    "Link Type",
    "Link Label",
    "First Date",
    "First Time",
    "Last Date",
    "Last Time",
    "Occurrences",
    "Evidential",
    "Statements",
)
I2_ENTITY_COLUMNS = ("Identity", "Type", "Label", "Country", "Case Target", "Plan Target", "Betweenness")

I2_SPEC = """i2 Analyst's Notebook import specification for Counterflow case exports
============================================================================

Files: {links} (one row per tie) and {entities} (one row per person).
Both: comma-separated, UTF-8 with a header row (row 1), fields quoted with double quotes.

Import design for {links} (the "Entity - Link - Entity" design):
  Entity 1   type: Person        identity: [Entity1 Identity]   label: [Entity1 Label]
  Entity 2   type: Person        identity: [Entity2 Identity]   label: [Entity2 Label]
  Link       type: [Link Type] (call, payment, travel, co-travel, co-location, family,
             associate, membership, ownership, shared-selector, link)
             label: [Link Label]    direction: none
             date: [First Date] (format yyyy-MM-dd)   time: [First Time] (format HH:mm)
             attributes: Last Date, Last Time, Occurrences (number), Evidential (yes/no),
             Statements (number)
  Merging    entities are the same when their Identity is the same; links of the same
             type between the same entities are merged.

Import design for {entities} (the "Entity" design):
  Entity     type: Person   identity: [Identity]   label: [Label]
             attributes: Country, Case Target (yes/no), Plan Target (yes/no), Betweenness (number)

Identities are Counterflow's resolved entity ids; protected persons (victims, witnesses,
minors) are not exported. Save the design in the wizard as
an import specification (.ximp) to reuse it for later exports of the same layout.

Marking of this export: {marking}
"""


def _write_i2(material: CaseMaterial, statements: list[Statement], out_dir: Path, stem: str) -> list[Path]:
    people = person_network(statements, material)
    nodes = {r["id"]: r for r in _node_rows(people, material)}
    links = out_dir / f"{stem}.i2-links.csv"
    entities = out_dir / f"{stem}.i2-entities.csv"
    with links.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(I2_LINK_COLUMNS)
        for tie in sorted(people.ties.values(), key=lambda t: (t.source, t.target, t.relation)):
            if tie.source == tie.target:
                continue
            first, last = tie.first or "", tie.last or ""
            w.writerow(
                [
                    tie.source,
                    "Person",
                    nodes[tie.source]["label"],
                    tie.target,
                    "Person",
                    nodes[tie.target]["label"],
                    tie.relation,
                    f"{tie.relation} ×{tie.count}",
                    first[:10],
                    first[11:16],
                    last[:10],
                    last[11:16],
                    tie.count,
                    "yes" if any(material.split.is_evidential(s) for s in tie.statements) else "no",
                    len(tie.statements),
                ]
            )
    with entities.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(I2_ENTITY_COLUMNS)
        for r in nodes.values():
            w.writerow(
                [
                    r["id"],
                    "Person",
                    r["label"],
                    r["country"],
                    "yes" if r["target"] else "no",
                    "yes" if r["plan"] else "no",
                    r["betweenness"],
                ]
            )
    spec = out_dir / f"{stem}.i2-import-specification.txt"
    marking = derived_marking(statements)
    spec.write_text(
        I2_SPEC.format(
            links=links.name,
            entities=entities.name,
            marking=" · ".join(
                [marking["classification"]] + [f"{h['scheme']} {h['code']}" for h in marking["handling"]]
            ),
        ),
        encoding="utf-8",
    )
    return [links, entities, spec]


# --- sanctions designation evidence pack ---------------------------------------------------------


def _write_designation(
    material: CaseMaterial, statements: list[Statement], out_dir: Path, stem: str
) -> list[Path]:
    """One entry per proposed designation (the case's targets): identifiers and graded evidence.

    Names come from the released statements only: a name from withheld material stays behind too."""
    _, protected = material.labels()
    names: dict[str, str] = {}
    for s in statements:
        if s.prop == "name":
            names.setdefault(material.canonical(s.entity_id), s.value)
    people = person_network(statements, material)
    by_target: dict[str, list[Statement]] = defaultdict(list)
    for s in statements:
        by_target[material.canonical(s.entity_id)].append(s)
    entries = []
    for t in material.targets:
        if t in protected:
            continue
        own = [s for s in by_target.get(t, []) if s.prop != ROLE_PROP]
        ties = [
            tie for tie in people.ties.values() if t in (tie.source, tie.target) and tie.source != tie.target
        ]
        tie_ids = {sid for tie in ties for sid in tie.statements}
        evidence = [s for s in statements if s.id in tie_ids]
        identifiers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in own:
            if s.prop == "name" or s.prop in ID_PROPS:
                identifiers[s.prop].append(
                    {
                        "value": s.value,
                        "as_written": s.original_value,
                        "agency": s.agency,
                        "grading": s.grading.to_dict(),
                    }
                )
        entries.append(
            {
                "entity_id": t,
                "name": names.get(t, t),
                "identifiers": {k: _dedupe(v) for k, v in sorted(identifiers.items())},
                "associates": sorted(
                    {
                        names.get(x, x)
                        for tie in ties
                        for x in (tie.source, tie.target)
                        if x != t and x not in protected
                    }
                ),
                "evidence": [
                    _evidence_row(s)
                    for s in sorted(own + evidence, key=lambda s: (s.observed_at or s.reported_at, s.id))
                ],
                "evidence_by_grade": dict(sorted(Counter(s.grading.common for s in own + evidence).items())),
            }
        )
    data = {
        "case": material.case.id,
        "title": material.case.title,
        "marking": derived_marking(statements),
        "note": "Graded evidence per proposed designation; each value with its native grading and handling.",
        "designations": entries,
    }
    path = out_dir / f"{stem}.designation-pack.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [path]


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str | None], dict[str, Any]] = {}
    for r in rows:
        key = (r["value"], r["as_written"])
        if key in seen:
            agencies = set(seen[key]["agencies"]) | {r["agency"]}
            seen[key]["agencies"] = sorted(agencies)
        else:
            seen[key] = {
                "value": r["value"],
                "as_written": r["as_written"],
                "agencies": [r["agency"]],
                "grading": r["grading"],
            }
    return list(seen.values())


def _evidence_row(s: Statement) -> dict[str, Any]:
    return {
        "statement": s.id,
        "what": f"{s.schema}.{s.prop}",
        "value": s.value,
        "when": s.observed_at or s.reported_at,
        "agency": s.agency,
        "report": s.report_id,
        "grading": s.grading.to_dict(),
        "handling": s.handling.to_dict(),
        "classification": s.classification.value,
    }


# --- exhibits -----------------------------------------------------------------------------------


def _releasable_documents(material: CaseMaterial, view: str) -> list[Document]:
    """Exhibits that may leave: not another agency's no-onward material; in the evidential view,
    not court-restricted (SIENA H1) either."""
    own = material.viewer.agency
    return [
        d
        for d in material.case.documents
        if not (d.handling.no_onward and d.agency != own and not material.viewer.open)
        and not (view == "evidential" and d.handling.court_restricted)
    ]


def _copy_documents(store: Any, docs: list[Document], out_dir: Path) -> list[Path]:
    folder = out_dir / "exhibits"
    folder.mkdir(exist_ok=True)
    written = []
    for doc in docs:
        path = folder / f"{doc.exhibit.replace('/', '_')}-{Path(doc.filename).name}"
        path.write_bytes(document_bytes(store, doc))
        written.append(path)
    return written


__all__ = ["FORMATS", "VIEWS", "export_case", "releasable"]
