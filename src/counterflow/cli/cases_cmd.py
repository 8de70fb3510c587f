"""``counterflow cases …``: case files against organisers, their evidence and their exports."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.context import open_session
from counterflow.cli.output import console, emit_json
from counterflow.cli.query_cmd import AsUser, Reason

cases_app = typer.Typer(
    help=(
        "Case files: name an investigation and its targets, attach documents with their chain of "
        "custody, see which conclusions stand on evidence alone (an evidential view leaves out SIENA H1, "
        "sanitised, suspected-false and, where your agency says so, uncorroborated untested material), "
        "write a briefing (HTML and PDF) and export to Aleph, Gephi, i2 or a designation pack.\n\n"
        "A typical session:\n\n"
        "  counterflow cases open op-drina --title 'Operation Drina'\n\n"
        "  counterflow cases target op-drina rs-mup.p17 hr-mup.p4\n\n"
        "  counterflow cases analyse op-drina\n\n"
        "  counterflow cases briefing op-drina --out briefings --recipient 'CPS Organised Crime'\n\n"
        "  counterflow cases export op-drina --format graphml --out exports --recipient 'NCA analysts'"
    ),
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CaseId = Annotated[str, typer.Argument(help="The case id, e.g. op-drina.")]
Recipient = Annotated[
    str, typer.Option(help="Whom it is for (a prosecutor's office, a partner unit): logged as a disclosure.")
]
Hops = Annotated[
    int, typer.Option(min=0, max=3, help="How far around the targets the case's material reaches.")
]


def _material(case_id: str, as_user: str | None, reason: str | None, hops: int = 1) -> Any:
    from counterflow.cases.material import gather

    session = open_session(as_user, reason)
    material = gather(session.store, session.viewer, case_id, hops=hops)
    session.consulted("case", case_id, {"statements": len(material.statements), "targets": material.targets})
    return session, material


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    app.add_typer(cases_app, name="cases")

    @cases_app.command("open")
    @handle_errors
    def open_case(
        case_id: CaseId,
        title: Annotated[str, typer.Option(help="The operation's name.")],
        description: Annotated[str | None, typer.Option(help="What the case is about.")] = None,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Open a case owned by your agency, with you as its lead."""
        from counterflow.cases.files import create_case

        session = open_session(as_user)
        case = create_case(session.store, session.viewer, case_id, title, description=description)
        if as_json:
            emit_json(case.to_dict())
        else:
            console.print(f"case {case.id} opened for {case.agency}, lead {session.viewer.user}")

    @cases_app.command("list")
    @handle_errors
    def list_cmd(as_user: AsUser = None, as_json: Json = False) -> None:
        """The cases you may read (yours, and your agency's)."""
        from counterflow.cases.files import list_cases

        session = open_session(as_user)
        found = list_cases(session.store, session.viewer)
        if as_json:
            emit_json(found)
            return
        table = Table("id", "title", "agency", "status", "targets", "opened")
        for c in found:
            table.add_row(
                c["id"], c["title"], c["agency"], c["status"], str(c["targets"]), c["created_at"][:10]
            )
        console.print(table if found else "No cases.")

    @cases_app.command("show")
    @handle_errors
    def show(case_id: CaseId, as_user: AsUser = None, reason: Reason = None, as_json: Json = False) -> None:
        """A case's participants, targets, linked material and documents."""
        from counterflow.cases.files import get_case

        session = open_session(as_user, reason)
        case = get_case(session.store, session.viewer, case_id)
        session.consulted("case", case_id, {"targets": sorted(case.targets)})
        if as_json:
            emit_json(case.to_dict())
            return
        console.print(f"[bold]{case.title}[/] ({case.id}), {case.agency}, {case.status}")
        console.print(
            "participants: " + ", ".join(f"{u} ({r})" for u, r in sorted(case.participants.items()))
        )
        console.print("targets: " + (", ".join(sorted(case.targets)) or "none"))
        console.print(f"linked statements: {len(case.statements)}")
        for d in case.documents:
            console.print(f"exhibit {d.exhibit}: {d.filename} ({d.size:,} bytes, sha256 {d.sha256[:16]}…)")

    @cases_app.command("target")
    @handle_errors
    def target(
        case_id: CaseId,
        entities: Annotated[list[str], typer.Argument(help="Entity ids (as search and profiles show them).")],
        note: Annotated[str | None, typer.Option(help="Why they are targets.")] = None,
        remove: Annotated[bool, typer.Option("--remove", help="Remove these targets instead.")] = False,
        as_user: AsUser = None,
    ) -> None:
        """Name targets of the case (never a victim, witness or minor), or remove them."""
        from counterflow.cases.files import add_targets, remove_target

        session = open_session(as_user)
        if remove:
            for e in entities:
                remove_target(session.store, session.viewer, case_id, e)
            console.print(f"{len(entities)} target(s) removed from {case_id}")
            return
        added = add_targets(session.store, session.viewer, case_id, entities, note=note)
        console.print(f"{len(added)} target(s) added to {case_id}")

    @cases_app.command("link")
    @handle_errors
    def link(
        case_id: CaseId,
        statements: Annotated[list[str], typer.Argument(help="Statement ids (from a profile's --json).")],
        note: Annotated[str | None, typer.Option(help="Why this material matters.")] = None,
        as_user: AsUser = None,
    ) -> None:
        """Link statements to the case as material, beyond what surrounds its targets."""
        from counterflow.cases.files import link_statements

        session = open_session(as_user)
        added = link_statements(session.store, session.viewer, case_id, statements, note=note)
        console.print(f"{len(added)} statement(s) linked to {case_id}")

    @cases_app.command("participant")
    @handle_errors
    def participant(
        case_id: CaseId,
        user: Annotated[str, typer.Argument(help="A registered user.")],
        role: Annotated[str, typer.Option(help="lead or member")] = "member",
        as_user: AsUser = None,
    ) -> None:
        """Add a participant (a partner agency's liaison officer, a colleague) to the case."""
        from counterflow.cases.files import add_participant

        session = open_session(as_user)
        add_participant(session.store, session.viewer, case_id, user, role)
        console.print(f"{user} is a {role} of {case_id}")

    @cases_app.command("close")
    @handle_errors
    def close(case_id: CaseId, as_user: AsUser = None) -> None:
        """Close the case: it can be read and exported, no longer changed."""
        from counterflow.cases.files import set_status

        session = open_session(as_user)
        set_status(session.store, session.viewer, case_id, "closed")
        console.print(f"case {case_id} closed")

    _register_documents(handle_errors)
    _register_outputs(handle_errors)


def _register_documents(handle_errors: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    @cases_app.command("document")
    @handle_errors
    def document(
        case_id: CaseId,
        path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The file to store.")],
        exhibit: Annotated[str, typer.Option(help="Exhibit reference, e.g. JB/1.")],
        handling: Annotated[str, typer.Option(help='Handling code as "SCHEME CODE", e.g. "SIENA H0".')],
        classification: Annotated[str, typer.Option(help="OFFICIAL, OFFICIAL-SENSITIVE, SECRET…")],
        conditions: Annotated[str | None, typer.Option(help="Conditions text (3x5x2 C, SIENA H3).")] = None,
        description: Annotated[str | None, typer.Option(help="What the document is.")] = None,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Store a document as an exhibit: its SHA-256 is taken on receipt and custody starts."""
        from counterflow.cases.files import add_document
        from counterflow.errors import InvalidValue
        from counterflow.model.handling import Classification, Handling

        parts = handling.split()
        if len(parts) != 2:
            raise InvalidValue(
                "handling", handling, 'write it as "SCHEME CODE", e.g. "SIENA H0" or "3x5x2 P"'
            )
        session = open_session(as_user)
        doc = add_document(
            session.store,
            session.viewer,
            case_id,
            exhibit=exhibit,
            filename=path.name,
            content=path.read_bytes(),
            media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            handling=Handling.parse(parts[0], parts[1], conditions),
            classification=Classification.parse(classification),
            description=description,
        )
        if as_json:
            emit_json(doc.to_dict())
        else:
            console.print(f"exhibit {doc.exhibit} stored: {doc.filename}, sha256 {doc.sha256}")

    @cases_app.command("custody")
    @handle_errors
    def custody(
        case_id: CaseId,
        exhibit: Annotated[
            str | None, typer.Argument(help="One exhibit; without it, verify them all.")
        ] = None,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """An exhibit's chain of custody; or, without an exhibit, re-hash every document of the case."""
        from counterflow.cases.files import custody_of, verify_documents

        session = open_session(as_user)
        if exhibit is None:
            results = verify_documents(session.store, session.viewer, case_id)
            if as_json:
                emit_json(results)
            else:
                for r in results:
                    console.print(f"{r['exhibit']}: {'intact' if r['intact'] else '[red]ALTERED[/]'}")
                if not results:
                    console.print("No documents.")
            if not all(r["intact"] for r in results):
                raise typer.Exit(1)
            return
        chain = custody_of(session.store, session.viewer, case_id, exhibit)
        if as_json:
            emit_json(chain)
            return
        table = Table("when", "who", "what", "sha256 matches receipt")
        for c in chain:
            table.add_row(c["at"], c["actor"], c["action"], "yes" if c["intact"] else "NO")
        console.print(table)


def _register_outputs(handle_errors: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    @cases_app.command("analyse")
    @handle_errors
    def analyse_cmd(
        case_id: CaseId,
        k: Annotated[int, typer.Option(min=1, max=50, help="Removals in each disruption plan.")] = 5,
        hops: Hops = 1,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Which conclusions stand on evidence alone: each target's ties and centrality in the
        intelligence and evidential views, both disruption plans, and the gaps to close."""
        from counterflow.cases.analysis import analyse

        _, material = _material(case_id, as_user, reason, hops)
        result = analyse(material, k=k)
        if as_json:
            emit_json(result)
            return
        st = result["statements"]
        console.print(
            f"{st['intelligence']:,} statements visible, {st['evidential']:,} usable in court; left out: "
            + (", ".join(f"{n:,} {r}" for r, n in st["by_reason"].items()) or "nothing")
        )
        table = Table("target", "standing", "ties (intel/evid)", "betweenness", "in plan", "gaps")
        for t in result["targets"]:
            table.add_row(
                t["name"],
                t["standing"],
                f"{t['ties']['intelligence']}/{t['ties']['evidential']}",
                f"{t['betweenness']['intelligence']}/{t['betweenness']['evidential']}",
                "/".join("yes" if t["in_plan"][v] else "no" for v in ("intelligence", "evidential")),
                "; ".join(f"{g['statements']} {g['reason']} ({g['agency']})" for g in t["gaps"][:3]),
            )
        console.print(table)
        stands = ", ".join(t["name"] for t in result["plan_stands_on_evidence"]) or "none"
        only = ", ".join(t["name"] for t in result["plan_intelligence_only"]) or "none"
        console.print(f"plan targets standing on evidence: {stands}; on intelligence only: {only}")

    @cases_app.command("chronology")
    @handle_errors
    def chronology_cmd(
        case_id: CaseId,
        evidential: Annotated[bool, typer.Option("--evidential", help="Only what may go to court.")] = False,
        limit: Annotated[int, typer.Option(min=1, help="The latest N events.")] = 100,
        hops: Hops = 1,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """The case's dated calls, payments, trips and events with times of day, oldest first."""
        from counterflow.cases.chronology import chronology

        _, material = _material(case_id, as_user, reason, hops)
        events = [e for e in chronology(material) if e["evidential"] or not evidential][-limit:]
        if as_json:
            emit_json(events)
            return
        table = Table("date", "time", "what", "agency", "grading", "court")
        for e in events:
            grade = e["grading"]
            table.add_row(
                e["date"],
                e["time"] or "",
                e["summary"],
                ", ".join(e["agencies"]),
                f"{grade['scheme']} {grade['source']}{grade['information']}" if grade else "",
                "evidence" if e["evidential"] else ", ".join(e["excluded_because"]),
            )
        console.print(table if events else "No dated events.")

    @cases_app.command("briefing")
    @handle_errors
    def briefing_cmd(
        case_id: CaseId,
        recipient: Recipient,
        out: Annotated[Path, typer.Option(help="Folder for briefing-<case>.html and .pdf.")] = Path("."),
        hops: Hops = 1,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Write the case briefing (HTML and PDF): the plan on both views, the evidence behind each
        target, the gaps, chronology, link charts, map and the schedule of unused material."""
        from counterflow.cases.briefing import write_briefing

        session, material = _material(case_id, as_user, reason, hops)
        with console.status("writing the briefing…"):
            result = write_briefing(session.store, material, out, recipient=recipient)
        if as_json:
            emit_json({"paths": result["paths"], "marking": result["briefing"]["marking"]})
        else:
            console.print(f"briefing written: {result['paths']['html']} and {result['paths']['pdf']}")

    @cases_app.command("export")
    @handle_errors
    def export_cmd(
        case_id: CaseId,
        fmt: Annotated[str, typer.Option("--format", help="ftm, graphml, gexf, i2 or designation")],
        recipient: Recipient,
        view: Annotated[str, typer.Option(help="evidential or intelligence")] = "evidential",
        out: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("."),
        documents: Annotated[
            bool, typer.Option("--documents", help="Copy the exhibits you may pass on (custody recorded).")
        ] = False,
        hops: Hops = 1,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Export the case for Aleph (ftm), Gephi (graphml, gexf), i2 Analyst's Notebook (i2: CSVs and
        the import specification) or a sanctions designation evidence pack. Handling codes are honoured
        (no-onward material of other agencies and protected persons stay behind, counted in the
        manifest) and the export is logged as a disclosure."""
        from counterflow.cases.exports import export_case

        session, material = _material(case_id, as_user, reason, hops)
        manifest = export_case(
            material, out, fmt=fmt, recipient=recipient, view=view, documents=documents, store=session.store
        )
        if as_json:
            emit_json(manifest)
            return
        withheld = sum(manifest["withheld"].values())
        console.print(
            f"{manifest['statements']:,} statements exported ({view} view) to {', '.join(manifest['files'])} "
            f"in {out}; {withheld:,} withheld by handling or protection"
        )
