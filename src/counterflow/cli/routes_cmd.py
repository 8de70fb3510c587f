"""``counterflow routes …``: the gazetteer, tracks and interception windows."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from counterflow.cli.context import open_session
from counterflow.cli.output import console, emit_json
from counterflow.cli.query_cmd import AsUser, Reason

routes_app = typer.Typer(
    help=(
        "Movements along the route: the gazetteer of places, an entity's track, and the interception "
        "windows (where, which agency, until when) of everything still short of the Channel coast."
    ),
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    app.add_typer(routes_app, name="routes")

    @routes_app.command("places")
    @handle_errors
    def places(as_json: Json = False) -> None:
        """The route's places: hubs, crossings, camps, storage, launch beaches, with local names."""
        from counterflow.model.places import PLACES, STAGES

        rows = [
            {
                "key": p.key,
                "name": p.name,
                "local": p.local or None,
                "country": p.country,
                "kind": p.kind,
                "stage": STAGES[p.stage] if 0 <= p.stage < len(STAGES) else None,
                "lat": p.lat,
                "lon": p.lon,
            }
            for p in PLACES
        ]
        if as_json:
            emit_json(rows)
            return
        table = Table("place", "name", "local", "country", "kind", "stage")
        for r in rows:
            table.add_row(*(str(r[k] or "") for k in ("key", "name", "local", "country", "kind", "stage")))
        console.print(table)

    @routes_app.command("track")
    @handle_errors
    def track(
        entity: Annotated[str, typer.Argument(help="An entity id (vehicle, person) or phone:+E164.")],
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Where an entity was seen, in time order, from trips, events, ANPR reads and cell sites.

        Example: counterflow routes track phone:+381641234567"""
        from counterflow.resolve import service as resolution
        from counterflow.routes.service import track_of

        session = open_session(as_user, reason)
        state = resolution.state(session.store)
        found = track_of(
            session.store, session.viewer, entity, members=state.members_of, canonical=state.cluster_of
        )
        session.consulted("track", entity, {"sightings": len(found.sightings)})
        data = found.to_dict()
        if as_json:
            emit_json(data)
            return
        if not found.sightings:
            console.print(f"No sightings of {entity} that you may see.")
            return
        console.print(f"[bold]{entity}[/]: {len(found.sightings)} sightings; furthest stage {data['stage']}")
        table = Table("when", "place", "country", "how", "agency")
        for s in found.sightings:
            table.add_row(s.at, s.place.name, s.place.country, s.source, s.agency)
        console.print(table)

    @routes_app.command("windows")
    @handle_errors
    def windows(
        fresh_days: Annotated[
            float, typer.Option(min=0.5, help="Only tracks seen this many days before the latest sighting.")
        ] = 14.0,
        limit: Annotated[int, typer.Option(min=1, help="Most windows to list.")] = 20,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Interception windows: for each recent track short of the coast, the next places on its
        corridor, the agencies there, and when it is expected on the Channel coast."""
        from counterflow.policy import registry
        from counterflow.resolve import service as resolution
        from counterflow.routes.service import route_view

        session = open_session(as_user, reason)
        view = route_view(session.store, session.viewer, canonical=resolution.state(session.store).cluster_of)
        agencies = [str(a["id"]) for a in registry.list_agencies(session.store)]
        found = view.windows(agencies, fresh_days=fresh_days)
        session.consulted("routes", None, {"tracks": len(view.tracks), "windows": len(found)})
        shown = found[:limit]
        if as_json:
            emit_json(
                {
                    "tracks": len(view.tracks),
                    "latest_sighting": view.latest,
                    "windows": len(found),
                    "unknown_places": sorted({u.text for u in view.unknown}),
                    "shown": [w.to_dict() for w in shown],
                }
            )
            return
        console.print(
            f"{len(view.tracks):,} tracks you may see; latest sighting {view.latest}; "
            f"{len(found):,} open windows (seen within {fresh_days:g} days)"
        )
        table = Table("subject", "last seen", "where next", "tell", "until", "basis")
        for w in shown:
            table.add_row(
                w.subject,
                f"{w.last_seen} {w.last_place.name}",
                ", ".join(p.name for p in w.next_places[:3]),
                ", ".join(w.agencies),
                w.until or "unknown",
                w.basis,
            )
        console.print(table)
        if view.unknown:
            names = sorted({u.text for u in view.unknown})
            console.print(
                f"[yellow]{len(names)} place names not in the gazetteer[/]: {', '.join(names[:10])}"
            )
