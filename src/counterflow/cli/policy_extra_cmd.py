"""``counterflow tokens``, ``hit``, ``notifications``, ``disseminate``, ``verify-package``, ``retention``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.output import console, emit_json, err_console
from counterflow.errors import AccessDenied
from counterflow.model.visibility import UserRole
from counterflow.policy import auth, hits, retention
from counterflow.policy.disseminate import check_package, disseminate
from counterflow.policy.session import Session

HandleErrors = Callable[[Callable[..., Any]], Callable[..., Any]]
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (default: COUNTERFLOW_USER).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Reason = Annotated[
    str | None, typer.Option("--reason", help="Why (recorded in the processing log; required where set).")
]


def _session(as_user: str | None, reason: str | None = None) -> Session:
    from counterflow.cli.context import open_session

    return open_session(as_user, reason)


def _admin_or_self(session: Session, user_id: str | None) -> None:
    viewer = session.viewer
    if viewer.open or UserRole.ADMINISTRATOR.value in viewer.roles or user_id == viewer.user:
        return
    raise AccessDenied("managing another user's tokens needs the administrator role", user=viewer.user)


def _register_tokens(app: typer.Typer, handle_errors: HandleErrors) -> None:
    tokens = typer.Typer(
        help="API tokens for the service: issue (shown once), list, revoke.", no_args_is_help=True
    )
    app.add_typer(tokens, name="tokens")

    @tokens.command("issue")
    @handle_errors
    def issue(
        user: Annotated[str, typer.Argument(help="The user the token acts as.")],
        days: Annotated[
            int | None, typer.Option(min=1, help="Valid this many days (default: until revoked).")
        ] = None,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Issue an API token for USER. It is printed once and never stored: keep it safe.

        Examples:

          counterflow tokens issue rs_mup.api --days 90 --as rs_mup.admin
        """
        session = _session(as_user)
        _admin_or_self(session, user)
        token = auth.issue_token(session.store, user, days=days)
        if as_json:
            emit_json({"user": user, "token": token, "token_id": auth.parse_token(token)[0], "days": days})
        else:
            console.print(token, highlight=False)
            err_console.print("Shown once: Counterflow keeps only its hash.")

    @tokens.command("revoke")
    @handle_errors
    def revoke(
        token_id: Annotated[str, typer.Argument(help="The token's id (the part after cf_), or the token.")],
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Revoke a token at once.

        Examples:

          counterflow tokens revoke 3f9a1c0d2b4e6a8c --as rs_mup.admin
        """
        session = _session(as_user)
        wanted = auth.parse_token(token_id)[0] if token_id.startswith("cf_") else token_id
        owner = next((t.user_id for t in auth.list_tokens(session.store) if t.token_id == wanted), None)
        _admin_or_self(session, owner)
        auth.revoke_token(session.store, token_id)
        if as_json:
            emit_json({"revoked": token_id})
        else:
            console.print(f"Token {token_id} revoked.")

    @tokens.command("list")
    @handle_errors
    def list_(
        user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """List tokens (ids, users, dates; never secrets)."""
        session = _session(as_user)
        _admin_or_self(session, user)
        rows = auth.list_tokens(session.store, user)
        if as_json:
            emit_json([asdict(t) for t in rows])
            return
        table = Table("id", "user", "created", "expires", "revoked")
        for t in rows:
            table.add_row(t.token_id, t.user_id, t.created_at, t.expires_at or "", t.revoked_at or "")
        console.print(table)


def _register_exchange(app: typer.Typer, handle_errors: HandleErrors) -> None:
    @app.command("hit")
    @handle_errors
    def hit(
        kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(sorted(hits.ASK_KINDS))}.")],
        value: Annotated[str, typer.Argument(help="The selector as you have it, in any script or format.")],
        birth_date: Annotated[str | None, typer.Option("--birth-date", help="With KIND name.")] = None,
        country: Annotated[
            str | None, typer.Option(help="Country for national numbers (default: your agency's).")
        ] = None,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Hit/no-hit: does any agency hold this selector? You learn whom to contact and the handling
        code, never the content; the owner is told that you asked.

        Examples:

          counterflow hit phone "+381 64 123 4567" --as gb_ukbsu.a

          counterflow hit plate "БГ 123-АБ"

          counterflow hit name "Muhamed Alhasan" --birth-date 1989-04-12 --json
        """
        session = _session(as_user, reason)
        found = hits.ask(
            session.store,
            session.viewer,
            kind,
            value,
            birth_date=birth_date,
            country=country,
            justification=reason,
        )
        if as_json:
            emit_json({"hit": bool(found), "owners": [h.to_dict() for h in found]})
            return
        if not found:
            console.print("No hit.")
            return
        for h in found:
            console.print(
                f"[bold]Hit[/]: contact {h.agency}; handling {', '.join(h.handling)}", highlight=False
            )

    @app.command("notifications")
    @handle_errors
    def notifications_(
        limit: Annotated[int, typer.Option(min=1, max=10_000, help="Most to list.")] = 200,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Who asked hit/no-hit questions about your agency's selectors, newest first."""
        session = _session(as_user)
        rows = hits.notifications(session.store, session.viewer, limit=limit)
        if as_json:
            emit_json(rows)
            return
        table = Table("when", "asker", "agency", "kind", "your reports")
        for n in rows:
            table.add_row(n["at"], n["asker"], n["asker_agency"], n["kind"], ", ".join(n["reports"]))
        console.print(table)

    @app.command("disseminate")
    @handle_errors
    def disseminate_(
        entities: Annotated[list[str], typer.Argument(help="Entity ids to send.")],
        to: Annotated[str, typer.Option("--to", help="The recipient agency.")],
        out: Annotated[Path, typer.Option("--out", help="A new or empty directory for the package.")],
        include_protected: Annotated[
            bool, typer.Option("--include-protected", help="Include victims, witnesses and minors.")
        ] = False,
        signing_key: Annotated[
            Path | None, typer.Option(help="Signing key file (default: COUNTERFLOW_SIGNING_KEY_FILE).")
        ] = None,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Write a signed, sanitised package of your agency's own material for a partner agency.

        Only what your agency owns and whose handling code allows it goes in; source-identifying
        fields are removed; grading and handling travel with every value. Logged as a disclosure.

        Examples:

          counterflow disseminate rs-mup.p17 rs-mup.v3 --to gb_ukbsu --out pkg-2026-04 --as rs_mup.a
        """
        session = _session(as_user, reason)
        pkg = disseminate(
            session.store,
            session.viewer,
            entities,
            to,
            out,
            include_protected=include_protected,
            signing_key_file=signing_key,
            justification=reason,
        )
        if as_json:
            emit_json(pkg.to_dict())
            return
        console.print(
            f"Package {pkg.id} for {pkg.recipient}: {pkg.statements} statements about {pkg.entities} "
            f"entities in {pkg.path}",
            highlight=False,
        )
        if pkg.withheld:
            console.print("Withheld: " + ", ".join(f"{k} {v}" for k, v in pkg.withheld.items()))
        console.print(f"Signing public key (give it to the recipient to pin): {pkg.public_key}")

    @app.command("verify-package")
    @handle_errors
    def verify_package_(
        directory: Annotated[Path, typer.Argument(help="The package directory.")],
        public_key: Annotated[
            str | None, typer.Option(help="The sender's public key (base64) or a file holding it.")
        ] = None,
        as_json: Json = False,
    ) -> None:
        """Check a package's signature and payload hash. Exit code 65 if it does not verify.

        Examples:

          counterflow verify-package pkg-2026-04 --public-key rs_mup.pub
        """
        key = public_key
        if key is not None and Path(key).is_file():
            key = Path(key).read_text().strip()
        problems = check_package(directory, key)
        if as_json:
            emit_json({"ok": not problems, "problems": problems, "pinned_key": key is not None})
        elif problems:
            for p in problems:
                err_console.print(f"[bold red]fails:[/] {p}", highlight=False)
        else:
            note = "" if key else " (against the key in its manifest: pin the sender's key to prove origin)"
            console.print(f"Package verifies{note}.")
        if problems:
            raise typer.Exit(65)


def _register_retention(app: typer.Typer, handle_errors: HandleErrors) -> None:
    ret = typer.Typer(help="MoPI review and erasure.", no_args_is_help=True)
    app.add_typer(ret, name="retention")

    @ret.command("schedule")
    @handle_errors
    def schedule(as_user: AsUser = None, as_json: Json = False) -> None:
        """Give every report without one a review date (COUNTERFLOW_RETENTION_FILE, else defaults)."""
        session = _session(as_user)
        session.require(UserRole.SUPERVISOR, UserRole.ADMINISTRATOR)
        config = retention.load_config()
        n = retention.schedule_reviews(session.store, config=config)
        if as_json:
            emit_json({"scheduled": n, "groups_from": config.source})
        else:
            console.print(
                f"{n} reports scheduled for review; review groups: {config.source}", highlight=False
            )

    @ret.command("due")
    @handle_errors
    def due(
        as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")] = None,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Your agency's reports whose review is due."""
        session = _session(as_user)
        rows = retention.due(session.store, session.viewer, as_of)
        if as_json:
            emit_json(rows)
            return
        table = Table("report", "group", "due", "reported", "last decision")
        for r in rows:
            table.add_row(
                r["report_key"], r["review_group"], r["review_due"], r["reported_at"], r["decision"] or ""
            )
        console.print(table)

    @ret.command("decide")
    @handle_errors
    def decide(
        report_key: Annotated[str, typer.Argument(help="agency:report_id")],
        decision: Annotated[str, typer.Argument(help="retain or dispose (dispose erases the report).")],
        reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")],
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask before disposing.")] = False,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Record a review decision (supervisors of the owning agency).

        Examples:

          counterflow retention decide rs_mup:RS-2026-0001 retain --reason "linked to open case 17"
        """
        if decision == "dispose" and not yes:
            typer.confirm(f"Dispose of {report_key}? This erases it and cannot be undone", abort=True)
        session = _session(as_user)
        result = retention.decide(session.store, session.viewer, report_key, decision, reason)
        if as_json:
            emit_json(result.to_dict())
        elif result.erasure:
            _print_erasure(result.erasure)
        else:
            console.print(f"{report_key} retained; next review {result.next_review}.")

    @ret.command("erase")
    @handle_errors
    def erase(
        report_key: Annotated[str, typer.Argument(help="agency:report_id")],
        reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the tombstone).")],
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask first.")] = False,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Erase a report everywhere in Counterflow, leaving a tombstone in the processing log.

        Examples:

          counterflow retention erase rs_mup:RS-2026-0001 --reason "court order 2026/88" --yes
        """
        if not yes:
            typer.confirm(f"Erase {report_key}? This cannot be undone", abort=True)
        session = _session(as_user)
        result = retention.erase(session.store, session.viewer, report_key, reason)
        if as_json:
            emit_json(result.to_dict())
        else:
            _print_erasure(result)


def _print_erasure(e: retention.Erasure) -> None:
    console.print(
        f"Erased {e.report_key}: {e.statements} statements, {e.selectors} selector hashes, "
        f"{e.tasks} open tasks.",
        highlight=False,
    )
    if e.notify:
        console.print(
            f"[bold yellow]Tell[/] {', '.join(e.notify)}: they received it in {', '.join(e.packages)}."
        )


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    _register_tokens(app, handle_errors)
    _register_exchange(app, handle_errors)
    _register_retention(app, handle_errors)
