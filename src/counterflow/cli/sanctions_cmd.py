"""``counterflow sanctions …``: import sanctions lists and screen the network against them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from counterflow.cli.context import open_session
from counterflow.cli.output import console, emit_json
from counterflow.cli.query_cmd import AsUser, Reason

sanctions_app = typer.Typer(
    help=(
        "Sanctions screening: import a list (FollowTheMoney entity JSON lines, as OpenSanctions and "
        "national lists publish them), screen the persons and organisations you may see against it with "
        "cross-script name matching, and be alerted as reports arrive:\n\n"
        "  counterflow sanctions import uk-sanctions.ftm.json --list gb_ofsi\n\n"
        "  counterflow sanctions screen --list gb_ofsi\n\n"
        "  counterflow alerts watch sanctions gb_ofsi     # matches and new associates of designated persons"
    ),
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    app.add_typer(sanctions_app, name="sanctions")

    @sanctions_app.command("import")
    @handle_errors
    def import_cmd(
        path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="FtM entity JSON lines.")],
        list_name: Annotated[
            str, typer.Option("--list", help="The list's name, e.g. gb_ofsi, eu_fsf, un_sc.")
        ],
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Import (or replace) a sanctions list: every problem in the file is listed, none half-done."""
        from counterflow.resolve.screening import import_list

        session = open_session(as_user)
        with path.open(encoding="utf-8") as fh:
            result = import_list(session.store, session.viewer, fh, list_name)
        if as_json:
            emit_json(result)
        else:
            console.print(
                f"{result['list']}: {result['entries']:,} persons and organisations imported "
                f"({result['replaced']:,} replaced, {result['skipped']:,} other entities skipped)"
            )

    @sanctions_app.command("lists")
    @handle_errors
    def lists_cmd(as_json: Json = False) -> None:
        """The imported lists."""
        from counterflow.cli.context import open_configured_store
        from counterflow.resolve.screening import list_summaries

        found = list_summaries(open_configured_store())
        if as_json:
            emit_json(found)
            return
        table = Table("list", "entries", "imported", "by")
        for x in found:
            table.add_row(x["list"], f"{x['entries']:,}", x["imported_at"], x["imported_by"])
        console.print(table if found else "No lists imported.")

    @sanctions_app.command("screen")
    @handle_errors
    def screen_cmd(
        list_name: Annotated[str | None, typer.Option("--list", help="One list (default: all).")] = None,
        case: Annotated[str | None, typer.Option(help="Only the material of this case.")] = None,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Screen the persons and organisations you may see (or a case's) against the lists, with why
        each matched: name parts across scripts, birth dates, nationality. A match is a lead, not a merge."""
        from counterflow.resolve import service
        from counterflow.resolve.screening import screen

        session = open_session(as_user, reason)
        entity_ids = None
        if case is not None:
            from counterflow.cases.material import gather

            entity_ids = sorted({s.entity_id for s in gather(session.store, session.viewer, case).statements})
        with console.status("screening…"):
            found = screen(
                session.store,
                session.viewer,
                canonical=service.canonical_for(session.store, session.viewer),
                entity_ids=entity_ids,
                lists=[list_name] if list_name else None,
            )
        session.consulted("screening", case, {"lists": list_name or "all", "matches": len(found)})
        if as_json:
            emit_json(found)
            return
        table = Table("entity", "name", "listed as", "list", "score", "how", "birth date")
        for m in found:
            x = m["explanation"]
            how = ", ".join(f"{p['ours']}~{p['listed']} ({p['how']})" for p in x["parts"])
            table.add_row(
                m["entity_id"],
                x["name"],
                m["listed_name"],
                m["list"],
                f"{m['score']:.2f}",
                how,
                x["birth_dates"],
            )
        console.print(table if found else "No matches.")
