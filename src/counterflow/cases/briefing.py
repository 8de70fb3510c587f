"""The case briefing: plan, the evidence behind each target, the gaps, chronology, pictures.

``build_briefing`` assembles everything one reader may see of a case into a plain dict (the
same dict is the API's answer, the HTML page's context and the PDF's content), so the three
faces cannot disagree. The briefing carries the marking of its contents: the most
restrictive handling and the highest classification of every statement it shows.

``write_briefing`` writes ``briefing-<case>.html`` and ``briefing-<case>.pdf`` and logs the
production as a disclosure to the named recipient (a prosecutor's office, a partner unit).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Connection

from counterflow.cases.analysis import analyse_with_networks, caption
from counterflow.cases.chronology import chronology
from counterflow.cases.files import Document
from counterflow.cases.material import CaseMaterial
from counterflow.cases.pictures import link_chart_svg, map_svg
from counterflow.errors import InvalidValue
from counterflow.graph.views import PROTECTED_CAPTION
from counterflow.model.grading import Grading
from counterflow.model.handling import highest, most_restrictive
from counterflow.model.statement import ROLE_PROP, Statement
from counterflow.policy.session import derived_marking
from counterflow.routes.gazetteer import route_gazetteer
from counterflow.routes.tracks import sightings
from counterflow.store import audit_chain
from counterflow.store.sql import SqlStore

EVIDENCE_PER_TARGET = 25
CHRONOLOGY_LINES = 400
SOURCES_NOTE = (
    "Map basemap: Natural Earth (public domain) via the world-atlas package. All case material is "
    "intelligence held in Counterflow, shown with its native grading and handling code."
)


def _stmt_line(
    s: Statement, material: CaseMaterial, labels: tuple[dict[str, str], set[str]]
) -> dict[str, Any]:
    names, protected = labels
    value = s.value
    if s.prop_type == "entity":  # a reference: say whom it names (never a protected person's name)
        ref = material.canonical(s.value)
        value = PROTECTED_CAPTION if ref in protected else names.get(ref, s.value)
    return {
        "id": s.id,
        "entity": s.entity_id,
        "schema": s.schema,
        "prop": s.prop,
        "value": value,
        "original_value": s.original_value if s.prop_type != "entity" else None,
        "when": s.observed_at or s.reported_at,
        "agency": s.agency,
        "report": s.report_id,
        "grading": s.grading.native + f" ({s.grading.scheme.value}; common {s.grading.common})",
        "handling": s.handling.label + (f" ({s.handling.conditions})" if s.handling.conditions else ""),
        "classification": s.classification.value,
        "excluded_because": [r.value for r in material.split.excluded.get(s.id, [])],
    }


def _evidence_of(target: str, material: CaseMaterial, people_ties: set[str]) -> tuple[list[Statement], int]:
    """The evidential statements about a target and its ties, strongest grade first."""
    own = [
        s for s in material.evidential if material.canonical(s.entity_id) == target and s.prop != ROLE_PROP
    ]
    _, protected = material.labels()
    # A tie through a shared phone carries its holders' statements: never a protected person's.
    ties = [
        s
        for s in material.evidential
        if s.id in people_ties and material.canonical(s.entity_id) not in protected
    ]
    found = list({s.id: s for s in [*own, *ties]}.values())
    found.sort(key=lambda s: (-_weight(s.grading), s.observed_at or s.reported_at, s.id))
    return found[:EVIDENCE_PER_TARGET], len(found)


def _weight(g: Grading) -> float:
    return g.weight


def _unused_schedule(material: CaseMaterial) -> list[dict[str, Any]]:
    """Unused material grouped by report, for the disclosure officer: what, whose, why unused.

    Sanitised or court-restricted material, and anything above OFFICIAL-SENSITIVE, is marked
    sensitive: its existence may itself need protecting (a sensitive schedule).
    """
    by_report: dict[str, list[Statement]] = defaultdict(list)
    for s in material.unused:
        by_report[s.report_key].append(s)
    rows = []
    for key, stmts in sorted(by_report.items()):
        reasons = sorted({r.value for s in stmts for r in material.split.excluded[s.id]})
        marking = derived_marking(stmts)
        sensitive = (
            "sanitised" in reasons
            or "court-restricted" in reasons
            or marking["classification"] in ("SECRET", "TOP SECRET")
        )
        kinds = Counter(s.schema for s in stmts)
        rows.append(
            {
                "report": key.split(":", 1)[1],
                "agency": stmts[0].agency,
                "reported_at": min(s.reported_at for s in stmts)[:10],
                "statements": len(stmts),
                "describes": ", ".join(f"{n} {k}" for k, n in kinds.most_common(4)),
                "reasons": reasons,
                "handling": [
                    h["code"] if not h["conditions"] else f"{h['code']} ({h['conditions']})"
                    for h in marking["handling"]
                ],
                "classification": marking["classification"],
                "schedule": "sensitive" if sensitive else "non-sensitive",
            }
        )
    return rows


def build_briefing(material: CaseMaterial, *, k: int = 5) -> dict[str, Any]:
    """Everything the briefing shows, as one JSON-ready dict (pictures as SVG strings)."""
    analysis, nets = analyse_with_networks(material, k=k)
    intel, evid = nets["intelligence"], nets["evidential"]
    plan_i = [t["id"] for t in (intel.summary["plan"] or {}).get("targets", [])]
    plan_e = [t["id"] for t in (evid.summary["plan"] or {}).get("targets", [])]
    evidential_keys = set(evid.people.ties)
    labels = material.labels()
    targets = []
    for t in analysis["targets"]:
        tie_ids = {
            sid
            for key, tie in evid.people.ties.items()
            if t["id"] in (tie.source, tie.target)
            for sid in tie.statements
        }
        evidence, total = _evidence_of(t["id"], material, tie_ids)
        targets.append(
            {**t, "evidence": [_stmt_line(s, material, labels) for s in evidence], "evidence_total": total}
        )
    places = Counter(
        x.place for x in sightings(material.statements, route_gazetteer(), canonical=material.canonical)[0]
    )
    chron = chronology(material)
    shown = material.statements
    case = material.case
    return {
        "case": {k: v for k, v in case.to_dict().items() if k not in ("statements",)},
        "produced_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "produced_by": material.viewer.user,
        "agency": material.viewer.agency,
        "marking": marking_of(shown, material.case.documents),
        "statements": analysis["statements"],
        "single_source_rule": analysis["single_source_rule"],
        "truncated": analysis["truncated"],
        "views": analysis["views"],
        "targets": targets,
        "plan_stands_on_evidence": analysis["plan_stands_on_evidence"],
        "plan_intelligence_only": analysis["plan_intelligence_only"],
        "chronology": chron[-CHRONOLOGY_LINES:],
        "chronology_total": len(chron),
        "unused": _unused_schedule(material),
        "pictures": {
            "chart": link_chart_svg(
                intel.people, targets=material.targets, plan=plan_i, evidential_ties=evidential_keys
            ),
            "chart_evidential": link_chart_svg(evid.people, targets=material.targets, plan=plan_e),
            "map": map_svg({p: n for p, n in places.items()}),
        },
        "captions": {t: caption(intel.people, t) for t in material.targets},
        "sources": SOURCES_NOTE,
    }


_env = Environment(
    loader=PackageLoader("counterflow.cases", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(briefing: dict[str, Any]) -> str:
    return _env.get_template("briefing.html").render(b=briefing)


def write_briefing(
    store: SqlStore, material: CaseMaterial, out_dir: Path, *, recipient: str, k: int = 5
) -> dict[str, Any]:
    """Write the HTML and PDF briefing into ``out_dir``; logged as a disclosure to ``recipient``."""
    from counterflow.cases.briefing_pdf import render_pdf

    if not recipient.strip():
        raise InvalidValue(
            "recipient", recipient, "say whom the briefing is for (it is logged as a disclosure)"
        )
    briefing = build_briefing(material, k=k)
    html = render_html(briefing)
    pdf = render_pdf(briefing)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"briefing-{material.case.id}"
    paths = {"html": out_dir / f"{stem}.html", "pdf": out_dir / f"{stem}.pdf"}
    log_disclosure(store, material, "briefing", recipient, [s.id for s in material.statements])
    paths["html"].write_text(html, encoding="utf-8")
    paths["pdf"].write_bytes(pdf)
    return {"paths": {k: str(v) for k, v in paths.items()}, "briefing": briefing}


def marking_of(statements: list[Statement], docs: list[Document]) -> dict[str, Any]:
    """What an output carries: its statements' and exhibits' strictest handling, highest classification."""
    handling = most_restrictive([*(s.handling for s in statements), *(d.handling for d in docs)])
    return {
        "handling": [h.to_dict() for h in handling],
        "classification": highest(
            [*(s.classification for s in statements), *(d.classification for d in docs)]
        ).value,
    }


def log_disclosure(
    store: SqlStore,
    material: CaseMaterial,
    what: str,
    recipient: str,
    statement_ids: list[str],
    *,
    also: Callable[[Connection], None] | None = None,
) -> None:
    """Record that the case's material left the system (DPA 2018 s62: what, to whom, by whom);
    ``also`` writes in the same transaction (the custody entries of exported exhibits)."""
    by_id = {s.id: s for s in material.statements}
    reports = sorted({by_id[i].report_key for i in statement_ids if i in by_id})
    with store.engine.begin() as conn:
        if also is not None:
            also(conn)
        audit_chain.append(
            conn,
            actor=material.viewer.user,
            agency=material.viewer.agency or None,
            action="disclosure",
            object_type=f"case-{what}",
            object_id=material.case.id,
            recipients=[recipient],
            details={
                "case": material.case.id,
                "statements": len(statement_ids),
                # Report keys, so that erasing a report later finds who received it (policy.retention).
                "reports": {f"R{i + 1}": key for i, key in enumerate(reports)},
            },
        )


def to_json(briefing: dict[str, Any]) -> str:
    return json.dumps(briefing, ensure_ascii=False, indent=2)
