"""``counterflow search``, ``entity`` and ``stats``: reading the store."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.context import open_session
from counterflow.cli.output import console, emit_json, grade_label, handling_label
from counterflow.policy.session import Session
from counterflow.store import SearchHit


def search_session(session: Session, query: str, limit: int) -> list[SearchHit]:
    """One search (the store matches every word as written and latinised, so any script finds any
    script, and the processing log records one consultation), without text-mention records."""
    hits = [h for h in session.search(query, limit=limit * 2) if h.schema != "Mention"]
    return hits[:limit]


AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (default: COUNTERFLOW_USER).")]
Reason = Annotated[
    str | None, typer.Option("--reason", help="Why you consult this (required where your agency says so).")
]


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command()
    @handle_errors
    def search(
        query: Annotated[str, typer.Argument(help="Words to find in names and report text, in any script.")],
        limit: Annotated[int, typer.Option(min=1, max=1000, help="Most entities to list.")] = 20,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Find entities by name or by words in report text. `Алхасан` finds `Alhasan` and back.

        You see only what your agency, clearance and the sharing agreements allow; every search is
        recorded in the processing log."""
        hits = search_session(open_session(as_user, reason), query, limit)
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
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Show an entity: every statement you may see, with its agency, report, grading, handling and
        evidence, and the handling and classification the combined record carries (the strictest)."""
        profile = open_session(as_user, reason).profile(entity_id)
        if as_json:
            emit_json(profile)
            return
        title = f"[bold]{profile['caption']}[/] ({profile['schema']}, {entity_id})"
        if profile["roles"]:
            title += f"  roles: {', '.join(profile['roles'])}"
        if profile["protected"]:
            title += "  [bold yellow]PROTECTED (victim/witness/minor): not a target[/]"
        console.print(title)
        marks = ", ".join(
            handling_label(h["scheme"], h["code"], h["conditions"]) for h in profile["handling"]
        )
        console.print(f"combined record: {profile['classification']}; handling {marks}")
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
    def stats(
        as_user: AsUser = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Counts of the reports, statements and entities you may see, by agency and schema."""
        data = open_session(as_user).stats()
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
