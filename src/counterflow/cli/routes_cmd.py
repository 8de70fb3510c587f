"""``counterflow routes …``: the gazetteer, tracks, interception windows, flows per leg, public series."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.context import open_session
from counterflow.cli.output import console, emit_json
from counterflow.cli.query_cmd import AsUser, Reason

routes_app = typer.Typer(
    help=(
        "Movements along the route: the gazetteer of places, an entity's track, and the interception "
        "windows (where, which agency, until when) of everything still short of the Channel coast; "
        "weekly flows per leg and their changes; the public series (Frontex, small boats)."
    ),
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    app.add_typer(routes_app, name="routes")
    _register_public_series(handle_errors)
    _register_flows(handle_errors)

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
            session.store,
            session.viewer,
            entity,
            members=state.members_of,
            canonical=resolution.canonical_for(session.store, session.viewer),
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
        view = route_view(
            session.store, session.viewer, canonical=resolution.canonical_for(session.store, session.viewer)
        )
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


def _register_flows(handle_errors: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    @routes_app.command("flows")
    @handle_errors
    def flows_cmd(
        since: Annotated[
            str | None, typer.Option(help="First week, YYYY-MM-DD (default: the first movement).")
        ] = None,
        until: Annotated[
            str | None, typer.Option(help="Last week, YYYY-MM-DD (default: the last movement).")
        ] = None,
        as_user: AsUser = None,
        reason: Reason = None,
        as_json: Json = False,
    ) -> None:
        """Movements per leg of the route per week, on what you may see, and when each leg's level
        changed (a corridor falling after an operation, another rising instead).

        A trip carrying a van, its driver and passengers is one movement. Example:
        counterflow routes flows --since 2026-03-01 --json
        """
        from counterflow.resolve import service as resolution
        from counterflow.routes.leg_flows import LEG_ORDER, leg_flows
        from counterflow.routes.service import route_view

        start, end = _date_option("since", since), _date_option("until", until)
        session = open_session(as_user, reason)
        view = route_view(
            session.store, session.viewer, canonical=resolution.canonical_for(session.store, session.viewer)
        )
        flows = leg_flows(view.tracks.values(), leave_out=view.protected, start=start, end=end)
        session.consulted("routes", None, {"tracks": len(view.tracks), "flows": flows.moves})
        if as_json:
            emit_json(flows.to_dict())
            return
        weeks = flows.counts.weeks
        if not weeks:
            console.print("No movements on the route that you may see.")
            return
        console.print(
            f"{flows.moves:,} movements on the route's legs, weeks of {weeks[0]} to {weeks[-1]} "
            "(one character a week)"
        )
        table = Table("leg", "total", "per week", "last 4 weeks")
        for leg in LEG_ORDER:
            series = flows.counts.series(leg)
            if sum(series):
                table.add_row(leg, str(sum(series)), _spark(series), str(sum(series[-4:])))
        console.print(table)
        if flows.shifts:
            changes = Table(
                "leg", "from week", "", "weekly before", "after", "ratio", title="Changes of level"
            )
            for sh in flows.shifts:
                changes.add_row(
                    sh.series,
                    sh.at.isoformat(),
                    sh.direction,
                    f"{sh.before:.1f}",
                    f"{sh.after:.1f}",
                    f"×{sh.ratio:.2f}",
                )
            console.print(changes)


def _date_option(name: str, value: str | None) -> date | None:
    from counterflow.errors import InvalidValue

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(name, value, "give a date as YYYY-MM-DD") from None


def _spark(series: tuple[int, ...]) -> str:
    """Weekly counts as block characters, scaled to the series' own highest week."""
    top = max(series) or 1
    return "".join(" ▁▂▃▄▅▆▇█"[min(8, -(-8 * n // top))] for n in series)


def _register_public_series(handle_errors: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Commands on the real public series vendored with Counterflow (no store needed)."""

    @routes_app.command("outlook")
    @handle_errors
    def outlook_cmd(
        days: Annotated[int, typer.Option(min=1, max=7, help="How many coming days.")] = 7,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Forecast as if on this day (YYYY-MM-DD): a backtest.")
        ] = None,
        as_json: Json = False,
    ) -> None:
        """Channel crossing outlook for the coming days: probability of crossings and expected arrivals,
        from season and recent activity in the Home Office daily series (weather and staged logistics
        are used when supplied through the Python API)."""
        from datetime import date

        from counterflow.errors import InvalidValue
        from counterflow.routes.outlook import outlook
        from counterflow.routes.outlook_data import SMALL_BOATS_ATTRIBUTION, load_small_boats_daily

        history = load_small_boats_daily()
        if as_of is not None:
            try:
                history = history.until(date.fromisoformat(as_of))
            except ValueError:
                raise InvalidValue("date", as_of, "expected YYYY-MM-DD within the series") from None
        found = outlook(history, horizon=days)
        rows = [
            {
                "day": o.day.isoformat(),
                "horizon": o.horizon,
                "p_crossing": round(o.p_crossing, 3),
                "expected_migrants": round(o.expected_migrants, 1),
                "median_migrants": round(o.median_migrants, 1),
                "migrants_if_crossing": round(o.migrants_if_crossing, 1),
            }
            for o in found
        ]
        if as_json:
            emit_json(
                {"data_until": history.end.isoformat(), "days": rows, "source": SMALL_BOATS_ATTRIBUTION}
            )
            return
        table = Table("day", "P(crossing)", "expected arrivals", "median", "if crossing")
        for r in rows:
            table.add_row(
                str(r["day"]),
                f"{r['p_crossing']:.0%}",
                str(r["expected_migrants"]),
                str(r["median_migrants"]),
                str(r["migrants_if_crossing"]),
            )
        console.print(f"Outlook from data until {history.end.isoformat()}")
        console.print(table)
        console.print(SMALL_BOATS_ATTRIBUTION, style="dim")

    @routes_app.command("shifts")
    @handle_errors
    def shifts_cmd(
        route: Annotated[
            str | None, typer.Option(help="One route, e.g. 'Western Balkan Route' (default: all).")
        ] = None,
        as_json: Json = False,
    ) -> None:
        """Change points in Frontex's monthly detections per route: when each route's level changed,
        and by how much (e.g. the 2023 collapse of the Western Balkan route)."""
        from counterflow.errors import InvalidValue
        from counterflow.routes.flows import shifts
        from counterflow.routes.flows_data import FRONTEX_ATTRIBUTION, load_frontex_monthly

        data = load_frontex_monthly()
        names = [route] if route else sorted(data.detections)
        unknown = [n for n in names if n not in data.detections]
        if unknown:
            raise InvalidValue("route", unknown[0], f"known: {', '.join(sorted(data.detections))}")
        found = [
            {
                "route": name,
                "at": s.at.isoformat()[:7],
                "direction": s.direction,
                "before": round(s.before, 1),
                "after": round(s.after, 1),
                "ratio": round(s.ratio, 2),
            }
            for name in names
            for s in shifts(data.months, data.detections[name], name=name, period=12)
        ]
        if as_json:
            emit_json({"shifts": found, "source": FRONTEX_ATTRIBUTION})
            return
        table = Table("route", "from", "", "monthly before", "after", "ratio")
        for r in found:
            table.add_row(
                str(r["route"]),
                str(r["at"]),
                str(r["direction"]),
                str(r["before"]),
                str(r["after"]),
                f"×{r['ratio']}",
            )
        console.print(table)
        console.print(FRONTEX_ATTRIBUTION, style="dim")
