"""``counterflow search``, ``entity`` and ``stats``: reading the store."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.output import console, emit_json, grade_label, handling_label
from counterflow.errors import InvalidValue
from counterflow.model.normalise import normalise_name
from counterflow.model.roles import PROTECTED_ROLES
from counterflow.model.statement import Statement, assemble
from counterflow.settings import Settings
from counterflow.store import SearchHit, SqlStore, open_store


def search_store(store: SqlStore, query: str, limit: int) -> list[SearchHit]:
    """Search as written and in the normalised Latin form, so any script finds any script."""
    hits = {h.entity_id: h for h in store.search(query, limit=limit * 2) if h.schema != "Mention"}
    try:
        latin = normalise_name(query).value
    except InvalidValue:
        latin = query
    if latin != query:
        for h in store.search(latin, limit=limit * 2):
            if h.schema != "Mention":
                hits.setdefault(h.entity_id, h)
    return sorted(hits.values(), key=lambda h: -h.score)[:limit]


def statement_dict(s: Statement) -> dict[str, Any]:
    return {
        "id": s.id,
        "prop": s.prop,
        "value": s.value,
        "original_value": s.original_value,
        "lang": s.lang,
        "script": s.script,
        "agency": s.agency,
        "report_id": s.report_id,
        "observed_at": s.observed_at,
        "reported_at": s.reported_at,
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "grading": {
            "scheme": s.grading.scheme.value,
            "source": s.grading.source,
            "information": s.grading.information,
            "common": s.grading.common,
        },
        "handling": {
            "scheme": s.handling.scheme.value,
            "code": s.handling.code,
            "conditions": s.handling.conditions,
        },
        "classification": s.classification.value,
        "evidence": s.evidence,
    }


def entity_profile(store: SqlStore, entity_id: str) -> dict[str, Any]:
    stmts = store.statements_for_entity(entity_id)
    roles = sorted({s.value for s in stmts if s.is_extension})
    try:
        ent = assemble(stmts)
        caption, schema = ent.caption, ent.schema.name
    except ValueError:
        caption, schema = entity_id, stmts[0].schema
    return {
        "id": entity_id,
        "schema": schema,
        "caption": caption,
        "roles": roles,
        "protected": any(r in PROTECTED_ROLES for r in roles),
        "agencies": sorted({s.agency for s in stmts}),
        "statements": [statement_dict(s) for s in stmts],
    }


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command()
    @handle_errors
    def search(
        query: Annotated[str, typer.Argument(help="Words to find in names and report text, in any script.")],
        limit: Annotated[int, typer.Option(min=1, max=1000, help="Most entities to list.")] = 20,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Find entities by name or by words in report text. `Алхасан` finds `Alhasan` and back."""
        store = open_store(Settings.from_env().database_url)
        hits = search_store(store, query, limit)
        if as_json:
            emit_json(
                [
                    {
                        "entity_id": h.entity_id,
                        "schema": h.schema,
                        "value": h.value,
                        "original_value": h.original_value,
                        "agency": h.agency,
                    }
                    for h in hits
                ]
            )
            return
        if not hits:
            console.print(f"No entity matches {query!r}.")
            return
        table = Table("entity", "schema", "matched", "as written", "agency")
        for h in hits:
            table.add_row(h.entity_id, h.schema, h.value[:60], (h.original_value or "")[:60], h.agency)
        console.print(table)

    @app.command()
    @handle_errors
    def entity(
        entity_id: Annotated[str, typer.Argument(help="Entity id, as shown by `search` (e.g. rs-mup.p17).")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Show an entity: every statement with its agency, report, grading, handling and evidence."""
        store = open_store(Settings.from_env().database_url)
        profile = entity_profile(store, entity_id)
        if as_json:
            emit_json(profile)
            return
        title = f"[bold]{profile['caption']}[/] ({profile['schema']}, {entity_id})"
        if profile["roles"]:
            title += f"  roles: {', '.join(profile['roles'])}"
        if profile["protected"]:
            title += "  [bold yellow]PROTECTED (victim/witness/minor): not a target[/]"
        console.print(title)
        by_prop: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for s in profile["statements"]:
            by_prop[s["prop"]].append(s)
        table = Table(
            "property", "value", "as written", "agency / report", "observed", "grading", "handling", "class."
        )
        for prop, rows in sorted(by_prop.items()):
            for s in rows:
                g, h = s["grading"], s["handling"]
                table.add_row(
                    prop,
                    str(s["value"])[:50],
                    (s["original_value"] or "")[:40],
                    f"{s['agency']} / {s['report_id']}",
                    s["observed_at"] or "",
                    grade_label(g["scheme"], g["source"], g["information"], g["common"]),
                    handling_label(h["scheme"], h["code"], h["conditions"]),
                    s["classification"],
                )
        console.print(table)

    @app.command()
    @handle_errors
    def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
        """Counts of reports, statements and entities, by agency and schema."""
        store = open_store(Settings.from_env().database_url)
        data = store.stats()
        if as_json:
            emit_json(data)
            return
        console.print(
            f"[bold]{data['reports']:,}[/] reports, [bold]{data['statements']:,}[/] statements, "
            f"[bold]{data['entities']:,}[/] entities ({data['backend']}, schema v{data['schema_version']})"
        )
        table = Table("agency", "reports", "statements")
        for agency, row in data["by_agency"].items():
            table.add_row(agency, f"{row.get('reports', 0):,}", f"{row.get('statements', 0):,}")
        console.print(table)
        table = Table("schema", "entities")
        for schema, n in data["entities_by_schema"].items():
            table.add_row(schema, f"{n:,}")
        console.print(table)
