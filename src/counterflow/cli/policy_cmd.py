"""``counterflow agencies|users|agreements|tasks|audit``: governing who sees what, and the log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from counterflow.audit import log as audit
from counterflow.cli.context import open_configured_store, open_session
from counterflow.cli.output import console, emit_json
from counterflow.model.visibility import UserRole
from counterflow.policy import registry

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (default: COUNTERFLOW_USER).")]

agencies_app = typer.Typer(
    help="Register agencies. The first one turns the store from open to governed.", no_args_is_help=True
)
users_app = typer.Typer(help="Users of registered agencies, with roles and clearance.", no_args_is_help=True)
agreements_app = typer.Typer(
    help="Sharing agreements: what an owning agency lets a recipient agency see.", no_args_is_help=True
)
audit_app = typer.Typer(
    help="The processing log (DPA 2018 s62): verify it, read it, report on it.", no_args_is_help=True
)


def _admin(as_user: str | None) -> None:
    """Governing commands need an administrator, once one exists (until then: setting up)."""
    if registry.has_administrator(open_configured_store()):
        open_session(as_user).require(UserRole.ADMINISTRATOR)


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    app.add_typer(agencies_app, name="agencies")
    app.add_typer(users_app, name="users")
    app.add_typer(agreements_app, name="agreements")
    app.add_typer(audit_app, name="audit")

    @agencies_app.command("add")
    @handle_errors
    def agencies_add(
        agency: Annotated[str, typer.Argument(help="Agency id, <country>_<name>, e.g. rs_mup.")],
        name: Annotated[str, typer.Argument(help="Full name.")],
        justification: Annotated[bool, typer.Option(help="Require a reason for every consultation.")] = False,
        as_user: AsUser = None,
    ) -> None:
        """Register an agency. Example: counterflow agencies add rs_mup "Serbia, Ministry of Interior"."""
        _admin(as_user)
        registry.add_agency(open_configured_store(), agency, name, justification_required=justification)
        console.print(f"registered {agency}")

    @agencies_app.command("list")
    @handle_errors
    def agencies_list(as_json: Json = False) -> None:
        """List registered agencies."""
        rows = registry.list_agencies(open_configured_store())
        if as_json:
            emit_json(rows)
            return
        table = Table("agency", "name", "country", "justification")
        for r in rows:
            table.add_row(
                str(r["id"]),
                str(r["name"]),
                str(r["country"] or ""),
                "required" if r["justification_required"] else "",
            )
        console.print(table)

    @agencies_app.command("justification")
    @handle_errors
    def agencies_justification(
        agency: str,
        required: Annotated[bool, typer.Option("--required/--not-required")],
        as_user: AsUser = None,
    ) -> None:
        """Set whether the agency's users must give a reason for each consultation (a per-agency choice
        since the Data (Use and Access) Act 2025)."""
        _admin(as_user)
        registry.set_justification(open_configured_store(), agency, required)
        console.print(f"{agency}: justification {'required' if required else 'not required'}")

    @agencies_app.command("evidential")
    @handle_errors
    def agencies_evidential(
        agency: str,
        single_source: Annotated[
            bool,
            typer.Option(
                "--exclude-single-source-untested/--include-single-source-untested",
                help="Leave uncorroborated material from untested sources out of evidential case views.",
            ),
        ],
        as_user: AsUser = None,
    ) -> None:
        """Set the agency's evidential rule for its cases: whether a value from an untested source that
        no second report corroborates may count as evidence (H1, sanitised and suspected-false material
        never does)."""
        _admin(as_user)
        registry.set_single_source_rule(open_configured_store(), agency, single_source)
        console.print(
            f"{agency}: single-source untested material {'excluded from' if single_source else 'kept in'} "
            "evidential views"
        )

    @users_app.command("add")
    @handle_errors
    def users_add(
        user_id: str,
        agency: str,
        role: Annotated[
            list[str], typer.Option(help="analyst, supervisor, liaison, auditor, administrator.")
        ] = ["analyst"],  # noqa: B006
        clearance: Annotated[
            str, typer.Option(help="OFFICIAL, OFFICIAL-SENSITIVE, SECRET, TOP SECRET.")
        ] = "OFFICIAL",
        as_user: AsUser = None,
    ) -> None:
        """Add a user. Example:
        counterflow users add rs.ana rs_mup --role analyst --clearance OFFICIAL-SENSITIVE"""
        _admin(as_user)
        user = registry.add_user(open_configured_store(), user_id, agency, roles=role, clearance=clearance)
        console.print(
            f"added {user.id} ({user.agency}, {', '.join(sorted(user.roles))}, {user.clearance.value})"
        )

    @users_app.command("list")
    @handle_errors
    def users_list(as_json: Json = False) -> None:
        """List users."""
        users = registry.list_users(open_configured_store())
        if as_json:
            emit_json(
                [
                    {
                        "id": u.id,
                        "agency": u.agency,
                        "roles": sorted(u.roles),
                        "clearance": u.clearance.value,
                        "active": u.active,
                    }
                    for u in users
                ]
            )
            return
        table = Table("user", "agency", "roles", "clearance", "active")
        for u in users:
            table.add_row(
                u.id, u.agency, ", ".join(sorted(u.roles)), u.clearance.value, "yes" if u.active else "no"
            )
        console.print(table)

    @users_app.command("disable")
    @handle_errors
    def users_disable(user_id: str, as_user: AsUser = None) -> None:
        """Disable a user (their tokens stop working; their past actions stay in the log)."""
        _admin(as_user)
        registry.set_user_active(open_configured_store(), user_id, False)
        console.print(f"disabled {user_id}")

    @users_app.command("enable")
    @handle_errors
    def users_enable(user_id: str, as_user: AsUser = None) -> None:
        """Enable a disabled user."""
        _admin(as_user)
        registry.set_user_active(open_configured_store(), user_id, True)
        console.print(f"enabled {user_id}")

    @agreements_app.command("add")
    @handle_errors
    def agreements_add(
        owner: Annotated[str, typer.Argument(help="The agency whose material is shared.")],
        recipient: Annotated[str, typer.Argument(help="The agency that may see it.")],
        max_classification: Annotated[
            str, typer.Option(help="Highest marking shared.")
        ] = "OFFICIAL-SENSITIVE",
        accepts_conditions: Annotated[
            bool, typer.Option(help="The recipient undertakes 3x5x2 C / 5x5x5 3 / SIENA H3 conditions.")
        ] = False,
        include_protected: Annotated[
            bool, typer.Option(help="Share victims, witnesses and minors too.")
        ] = False,
        as_user: AsUser = None,
    ) -> None:
        """Let RECIPIENT see OWNER's material within limits. Example:
        counterflow agreements add rs_mup gb_ukbsu --max-classification OFFICIAL-SENSITIVE"""
        _admin(as_user)
        n = registry.add_agreement(
            open_configured_store(),
            owner,
            recipient,
            max_classification=max_classification,
            accepts_conditions=accepts_conditions,
            include_protected=include_protected,
            created_by=as_user or "operator",
        )
        console.print(f"agreement {n}: {owner} → {recipient}")

    @agreements_app.command("list")
    @handle_errors
    def agreements_list(as_json: Json = False) -> None:
        """List agreements (revoked ones too, with the date)."""
        rows = registry.list_agreements(open_configured_store())
        if as_json:
            emit_json(rows)
            return
        table = Table("id", "owner → recipient", "up to", "conditions", "protected", "revoked")
        for r in rows:
            table.add_row(
                str(r["id"]),
                f"{r['owner']} → {r['recipient']}",
                str(r["max_classification"]),
                "accepted" if r["accepts_conditions"] else "",
                "shared" if r["include_protected"] else "",
                str(r["revoked_at"] or ""),
            )
        console.print(table)

    @agreements_app.command("revoke")
    @handle_errors
    def agreements_revoke(agreement_id: int, as_user: AsUser = None) -> None:
        """Revoke an agreement: from now on the recipient sees none of it."""
        _admin(as_user)
        registry.revoke_agreement(open_configured_store(), agreement_id)
        console.print(f"revoked agreement {agreement_id}")

    @app.command()
    @handle_errors
    def tasks(as_user: AsUser = None, as_json: Json = False) -> None:
        """Safeguarding tasks of your agency: the duty to notify (Modern Slavery Act s52, NRM)
        for the victims and minors it reported."""
        rows = open_session(as_user).tasks()
        if as_json:
            emit_json(rows)
            return
        if not rows:
            console.print("No open safeguarding tasks.")
            return
        table = Table("task", "agency", "person", "why", "status", "opened")
        for r in rows:
            table.add_row(
                str(r["id"]), r["agency"], r["entity_id"], r["reason"], r["status"], r["created_at"]
            )
        console.print(table)

    @audit_app.command("verify")
    @handle_errors
    def audit_verify(as_user: AsUser = None, as_json: Json = False) -> None:
        """Check the hash chain of the processing log; exit code 1 and the first broken record if tampered."""
        session = open_session(as_user)
        session.require(UserRole.AUDITOR, UserRole.ADMINISTRATOR)
        result = audit.verify(session.store)
        if as_json:
            emit_json(result.to_dict())
        elif result.ok:
            console.print(
                f"[green]the processing log verifies[/]: {result.records:,} records, head {result.head}"
            )
        else:
            console.print(
                f"[bold red]the processing log does not verify[/] (first broken record: "
                f"{result.first_bad_seq})"
            )
            for p in result.problems[:20]:
                console.print(f"  - {p}", markup=False)
        if not result.ok:
            raise typer.Exit(1)

    @audit_app.command("who-consulted")
    @handle_errors
    def audit_who(entity_id: str, as_user: AsUser = None, as_json: Json = False) -> None:
        """Who consulted this person's record (directly, or as a search result), when, and why."""
        session = open_session(as_user)
        session.require(UserRole.AUDITOR, UserRole.ADMINISTRATOR, UserRole.SUPERVISOR)
        rows = audit.who_consulted(session.store, entity_id)
        if as_json:
            emit_json(rows)
            return
        table = Table("when", "user", "agency", "how", "justification")
        for r in rows:
            table.add_row(r["at"], r["user"], str(r["agency"] or ""), r["how"], str(r["justification"] or ""))
        console.print(table if rows else f"Nobody has consulted {entity_id}.")

    @audit_app.command("log")
    @handle_errors
    def audit_log_cmd(
        action: Annotated[
            str | None, typer.Option(help="Only this action (collection, consultation, …).")
        ] = None,
        limit: Annotated[int, typer.Option(min=1)] = 50,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """The latest records of the processing log."""
        session = open_session(as_user)
        session.require(UserRole.AUDITOR, UserRole.ADMINISTRATOR)
        rows = audit.records(session.store, action=action, limit=limit)
        if as_json:
            emit_json(rows)
            return
        table = Table("seq", "when", "who", "agency", "action", "object")
        for r in rows:
            table.add_row(
                str(r["seq"]),
                r["at"],
                r["actor"],
                str(r["agency"] or ""),
                r["action"],
                f"{r['object_type']} {r['object_id'] or ''}",
            )
        console.print(table)

    @audit_app.command("head")
    @handle_errors
    def audit_head(as_user: AsUser = None) -> None:
        """Print the log's head (last sequence number and hash) to record outside the system."""
        session = open_session(as_user)
        session.require(UserRole.AUDITOR, UserRole.ADMINISTRATOR)
        console.print(audit.head(session.store) or "(empty log)")
