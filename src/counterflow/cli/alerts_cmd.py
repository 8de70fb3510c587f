"""``counterflow alerts …``: watchlists and the alert feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.context import open_session
from counterflow.cli.output import console, emit_json
from counterflow.cli.query_cmd import AsUser, Reason

alerts_app = typer.Typer(
    help=(
        "Watchlists and alerts: watch a selector, an entity or a vehicle's crossings; every report "
        "ingested from then on is checked against them, and your agency is alerted."
    ),
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    app.add_typer(alerts_app, name="alerts")
    _register_webhooks(handle_errors)

    @alerts_app.command("watch")
    @handle_errors
    def watch(
        kind: Annotated[str, typer.Argument(help="selector, entity, crossing or sanctions")],
        value: Annotated[
            str, typer.Argument(help="The selector (any format), entity id, plate, or sanctions list.")
        ],
        selector_kind: Annotated[
            str | None, typer.Option("--type", help="Selector kind: phone, plate, iban, email, passport, …")
        ] = None,
        place: Annotated[
            str | None, typer.Option(help="Crossing watches: one crossing's gazetteer key.")
        ] = None,
        note: Annotated[str | None, typer.Option(help="Why, for your colleagues.")] = None,
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Watch something for your agency. Examples:

        counterflow alerts watch selector "064 123 4567" --type phone
        counterflow alerts watch entity rs-mup.p17
        counterflow alerts watch crossing "BG 123-AB" --type plate --place horgos
        counterflow alerts watch sanctions gb_ofsi   (listed persons appear; designated persons' new ties)"""
        from counterflow.alerts.watchlist import add_watch

        session = open_session(as_user)
        w = add_watch(
            session.store, session.viewer, kind, value, selector_kind=selector_kind, place=place, note=note
        )
        if as_json:
            emit_json(w.to_dict())
        else:
            console.print(
                f"watch {w.id}: {w.kind} {w.value}{' at ' + w.place if w.place else ''} for {w.agency}"
            )

    @alerts_app.command("watches")
    @handle_errors
    def watches(as_user: AsUser = None, as_json: Json = False) -> None:
        """Your agency's active watches."""
        from counterflow.alerts.watchlist import list_watches

        session = open_session(as_user)
        found = list_watches(session.store, session.viewer)
        if as_json:
            emit_json([w.to_dict() for w in found])
            return
        table = Table("id", "kind", "value", "place", "by", "since", "note")
        for w in found:
            table.add_row(
                str(w.id), w.kind, w.value, w.place or "", w.created_by, w.created_at[:16], w.note or ""
            )
        console.print(table if found else "No active watches.")

    @alerts_app.command("unwatch")
    @handle_errors
    def unwatch(watch_id: int, as_user: AsUser = None) -> None:
        """Stop a watch of your agency."""
        from counterflow.alerts.watchlist import remove_watch

        session = open_session(as_user)
        remove_watch(session.store, session.viewer, watch_id)
        console.print(f"watch {watch_id} stopped")

    @alerts_app.command("list")
    @handle_errors
    def list_alerts(
        after: Annotated[int, typer.Option(min=0, help="Only alerts with a larger id.")] = 0,
        limit: Annotated[int, typer.Option(min=1, help="Most alerts to list.")] = 50,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Your agency's alerts, with the evidence you may see (else whom to contact)."""
        from counterflow.alerts.feed import alert_feed

        session = open_session(as_user, reason)
        found = alert_feed(session.store, session.viewer, after=after, limit=limit)
        session.consulted("alerts", None, {"alerts": [a["id"] for a in found]})
        if as_json:
            emit_json(found)
            return
        table = Table("id", "rule", "what", "when", "evidence")
        for a in found:
            evidence = (
                f"{len(a['evidence'])} statements"
                if a["evidence"]
                else ", ".join(a.get("handling_codes", []))
            )
            table.add_row(str(a["id"]), a["rule"], a["title"], str(a["at"] or ""), evidence)
        console.print(table if found else "No alerts.")

    @alerts_app.command("run")
    @handle_errors
    def run_engine(as_json: Json = False) -> None:
        """Check every report collected since the last run against the watchlists (ingest does this
        itself; run it after loading a store by other means)."""
        from counterflow.alerts.engine import run
        from counterflow.cli.context import open_configured_store
        from counterflow.resolve import service as resolution

        store = open_configured_store()
        new = run(store, members=resolution.state(store).members_of)
        if as_json:
            emit_json({"new_alerts": new})
        else:
            console.print(f"{len(new)} new alerts")


def _register_webhooks(handle_errors: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    @alerts_app.command("webhook")
    @handle_errors
    def webhook(
        url: Annotated[str, typer.Argument(help="Your system's receiver, https://…")],
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Tell a partner system, signed, when an alert is raised for your agency. The secret is shown
        once: the receiver checks X-Counterflow-Signature (sha256=HMAC of the body) with it."""
        from counterflow.alerts.webhooks import add_webhook
        from counterflow.model.visibility import UserRole

        session = open_session(as_user)
        session.require(UserRole.SUPERVISOR, UserRole.ADMINISTRATOR)
        hook, secret = add_webhook(session.store, session.viewer, url)
        if as_json:
            emit_json({**hook.to_dict(), "secret": secret})
        else:
            console.print(f"webhook {hook.id} for {hook.agency}: {hook.url}\nsecret (shown once): {secret}")

    @alerts_app.command("webhooks")
    @handle_errors
    def webhooks(as_user: AsUser = None, as_json: Json = False) -> None:
        """Your agency's webhooks."""
        from counterflow.alerts.webhooks import list_webhooks

        found = list_webhooks(open_session(as_user).store, open_session(as_user).viewer)
        if as_json:
            emit_json([w.to_dict() for w in found])
            return
        for w in found:
            console.print(f"{w.id}  {w.url}  (by {w.created_by}, {w.created_at[:16]})")
        if not found:
            console.print("No webhooks.")

    @alerts_app.command("deliver")
    @handle_errors
    def deliver(as_json: Json = False) -> None:
        """Post alerts not yet delivered to their agencies' webhooks (failures are retried, up to 5 times)."""
        from counterflow.alerts.webhooks import deliver_pending
        from counterflow.cli.context import open_configured_store

        counts = deliver_pending(open_configured_store())
        if as_json:
            emit_json(counts)
        else:
            console.print(f"{counts['delivered']} delivered, {counts['failed']} failed")
