"""The demo: every capability that exists, run on the small scenario world, stage by stage.

Used by ``counterflow demo`` (and later the API). Each stage adds one entry to the
summary; ``echo`` (when given) receives a human-readable line per stage. Later
capabilities (resolution, graph, routes, cases) extend this with their own stages.

The world's agencies are registered with one analyst each and a realistic set of
sharing agreements (partners share with the UK unit and with Europol, within limits),
every agency submits its own files, and the results are shown through the eyes of
particular analysts: what one sees, another may not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterflow.errors import ConfigurationError
from counterflow.ingest.pipeline import Ingestor, IngestSummary, Submitter, expand_paths, read_path
from counterflow.model.normalise import normalise_name
from counterflow.policy import registry
from counterflow.policy.session import Session
from counterflow.settings import Settings
from counterflow.store import SqlStore
from counterflow.store.selectors import load_key

Echo = Callable[[str], None]

INPUT_FOLDERS = ("reports", "cdr", "anpr", "sheets")
UK_UNIT = "gb_ukbsu"
AGENCY_NAMES = {
    "rs_mup": "Serbia, Ministry of Interior (MUP)",
    "mk_mvr": "North Macedonia, Ministry of Interior (MVR)",
    "ba_sipa": "Bosnia and Herzegovina, SIPA",
    "hr_mup": "Croatia, Ministry of Interior (MUP)",
    "gr_police": "Hellenic Police",
    "hu_police": "Hungarian Police (ORFK)",
    "de_bpol": "Germany, Federal Police (Bundespolizei)",
    "fr_ocriest": "France, OCRIEST",
    "be_police": "Belgium, Federal Police",
    "gb_nca": "UK, National Crime Agency",
    "gb_ukbsu": "UK border-security unit, Western Balkans",
    "eu_europol": "Europol",
}


def analyst(agency: str) -> str:
    return f"{agency}.analyst"


def setup_policy(store: SqlStore, agencies: list[str]) -> dict[str, Any]:
    """Register the agencies, one analyst each, and the sharing agreements (idempotent)."""
    known = {str(a["id"]) for a in registry.list_agencies(store)}
    for agency in agencies:
        if agency not in known:
            registry.add_agency(store, agency, AGENCY_NAMES.get(agency, agency))
    users = {u.id for u in registry.list_users(store)}
    for agency in agencies:
        if analyst(agency) not in users:
            registry.add_user(
                store, analyst(agency), agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE"
            )
    if UK_UNIT in agencies and f"{UK_UNIT}.supervisor" not in users:
        registry.add_user(
            store, f"{UK_UNIT}.supervisor", UK_UNIT, roles=["supervisor"], clearance="OFFICIAL-SENSITIVE"
        )
    if "auditor" not in users:
        registry.add_user(store, "auditor", UK_UNIT, roles=["auditor"], clearance="OFFICIAL")
    if not registry.list_agreements(store):
        for agency in agencies:
            if agency not in (UK_UNIT, "eu_europol"):
                # Partners share with the UK unit up to OFFICIAL-SENSITIVE, without conditional material
                # and without victims; with Europol, conditional material too.
                registry.add_agreement(store, agency, UK_UNIT)
                registry.add_agreement(store, agency, "eu_europol", accepts_conditions=True)
            if agency != "eu_europol":
                registry.add_agreement(store, "eu_europol", agency, accepts_conditions=True)
        registry.add_agreement(store, "gb_nca", UK_UNIT, accepts_conditions=True, include_protected=True)
    return {"agencies": len(agencies), "agreements": len(registry.list_agreements(store))}


def _agency_of_file(path: Path, agencies: list[str]) -> str:
    for agency in agencies:
        if path.name.startswith(agency):
            return agency
    raise ConfigurationError(f"{path}: cannot tell which agency submits it")


def load_world(
    store: SqlStore, out: Path, agencies: list[str], settings: Settings
) -> tuple[list[Path], IngestSummary]:
    """Ingest every file of a scenario world, each submitted by its own agency's analyst."""
    total = IngestSummary()
    files = expand_paths([out / f for f in INPUT_FOLDERS if (out / f).exists()])
    ingestors: dict[str, Ingestor] = {}
    for path in files:
        agency = _agency_of_file(path, agencies)
        if agency not in ingestors:
            ingestors[agency] = Ingestor(
                store,
                batch_statements=settings.batch_size,
                workers=settings.workers,
                submitter=Submitter(analyst(agency), agency),
            )
        s = ingestors[agency].ingest(read_path(path))
        total.reports_added += s.reports_added
        total.reports_unchanged += s.reports_unchanged
        total.statements_added += s.statements_added
        total.rejected.extend(s.rejected)
    return files, total


def run_demo(
    out: Path,
    *,
    seed: int = 7,
    echo: Echo | None = None,
    size: str | int = "small",
    store: SqlStore | None = None,
) -> dict[str, Any]:
    say: Echo = echo or (lambda _line: None)
    from counterflow.scenario import generate

    summary: dict[str, Any] = {"seed": seed}
    t0 = time.perf_counter()
    manifest = generate(out, seed=seed, size=size).to_dict()
    agencies = sorted(manifest["agencies"])
    summary["scenario"] = {**manifest, "seconds": round(time.perf_counter() - t0, 2), "folder": str(out)}
    say(
        f"[bold]1. scenario[/]  the Balkan-route world (seed {seed}) written to {out}: "
        f"{manifest.get('statements', 0):,} statements from {len(agencies)} agencies "
        f"({summary['scenario']['seconds']} s)"
    )

    settings = Settings.from_env()
    if store is None:
        key = load_key(settings.selector_key_file) if settings.selector_key_file else None
        store = SqlStore(settings.database_url, selector_key=key)
    summary["policy"] = setup_policy(store, agencies)
    say(
        f"[bold]2. policy[/]    {len(agencies)} agencies, one analyst each; "
        f"{summary['policy']['agreements']} sharing agreements (partners → UK unit and Europol, with limits)"
    )

    watching = _set_watches(store, out, agencies)
    t0 = time.perf_counter()
    files, total = load_world(store, out, agencies, settings)
    seconds = time.perf_counter() - t0
    summary["ingest"] = {
        "files": len(files),
        "reports_added": total.reports_added,
        "reports_unchanged": total.reports_unchanged,
        "statements_added": total.statements_added,
        "rejected": len(total.rejected),
        "rejections": [r.to_dict() for r in total.rejected[:5]],
        "seconds": round(seconds, 2),
    }
    say(
        f"[bold]3. ingest[/]    {len(files)} files, each submitted by its agency: "
        f"{total.reports_added} reports added ({total.statements_added:,} statements), "
        f"{total.reports_unchanged} already stored, "
        f"{len(total.rejected)} rejected ({seconds:.1f} s)"
    )
    for r in total.rejected[:5]:
        say(f"             rejected {r.report}: {r.problems[0] if r.problems else ''}")

    summary["alerts"] = _alerts(store, watching, say)
    summary["visibility"] = _who_sees_what(store, agencies, say)
    summary["search"] = _cross_script_search(store, say)
    summary["resolution"] = _resolve(store, say)
    summary["network"] = _network(store, say)
    summary["routes"] = _routes(store, agencies, say)
    summary["case"] = _case(store, out, say)
    summary["sanctions"] = _sanctions(store, out, say)
    return summary


def _set_watches(store: SqlStore, out: Path, agencies: list[str]) -> str:
    """The UK unit watches what its own sources gave it before the partners' reports arrive: the
    phones of two organisers and the plates of three vans, at any border crossing."""
    import csv

    from counterflow.alerts.watchlist import add_watch, list_watches

    user = analyst(UK_UNIT if UK_UNIT in agencies else agencies[0])
    viewer = Session.open(store, user).viewer
    if list_watches(store, viewer):
        return user
    with (out / "truth" / "persons.csv").open(encoding="utf-8") as fh:
        organisers = [r for r in csv.DictReader(fh) if "organiser" in r["roles"] and r["phones"]][:2]
    with (out / "truth" / "vehicles.csv").open(encoding="utf-8") as fh:
        vans = list(csv.DictReader(fh))[:3]
    for r in organisers:
        phone = r["phones"].split(";")[0]
        add_watch(
            store, viewer, "selector", phone, selector_kind="phone", note="organiser's number (UK source)"
        )
    # Rules: groups moving towards the coast, boats and engines within a night's drive of the
    # beaches, and new ties between communities of the network.
    add_watch(store, viewer, "group", "8", note="groups of 8 or more moving towards the coast")
    add_watch(store, viewer, "logistics", "400", note="boats and engines within reach of the beaches")
    add_watch(store, viewer, "community", "any", note="new ties between communities")
    for v in vans:
        add_watch(
            store,
            viewer,
            "crossing",
            v["plate"],
            selector_kind="plate",
            note="van used by the network",
            country=v["country"],
        )
    return user


def _alerts(store: SqlStore, user: str, say: Echo) -> dict[str, Any]:
    """What the watches raised as the reports came in, as the watching analyst sees it."""
    from collections import Counter

    from counterflow.alerts.engine import run
    from counterflow.alerts.feed import alert_feed

    run(store)  # the demo ingests in process: follow the log once, as the service does continuously
    session = Session.open(store, user)
    feed = alert_feed(store, session.viewer, limit=100_000)
    session.consulted("alerts", None, {"alerts": len(feed)})
    rules = Counter(a["rule"] for a in feed)
    notices = sum(1 for a in feed if not a["evidence"])
    result = {
        "viewer": user,
        "alerts": len(feed),
        "by_rule": dict(sorted(rules.items())),
        "notices_without_content": notices,
        "examples": [{k: a[k] for k in ("id", "rule", "title", "place", "at")} for a in feed[:3]],
    }
    first = next((a for a in feed if a["evidence"]), None)
    say(
        f"[bold]4. alerts[/]    {user}'s watches raised {len(feed)} alerts as reports arrived "
        f"({', '.join(f'{n} {r}' for r, n in sorted(rules.items())) or 'none'}); {notices} only say whom to "
        f"contact (material they may not see)" + (f"; e.g. {first['title']}" if first else "")
    )
    return result


def _routes(store: SqlStore, agencies: list[str], say: Echo) -> dict[str, Any]:
    """Tracks along the route as Europol sees them, the windows still open to intercept, and the
    weekly flows per leg with their changes of level."""
    from counterflow.resolve import service
    from counterflow.routes.leg_flows import leg_flows
    from counterflow.routes.service import route_view

    session = Session.open(store, analyst("eu_europol" if "eu_europol" in agencies else UK_UNIT))
    t0 = time.perf_counter()
    view = route_view(store, session.viewer, canonical=service.canonical_for(store, session.viewer))
    windows = view.windows(agencies)
    session.consulted("routes", None, {"tracks": len(view.tracks), "windows": len(windows)})
    timed = [w for w in windows if w.until]
    flows = leg_flows(view.tracks.values(), leave_out=view.protected)
    busiest = sorted(flows.counts.counts, key=lambda leg: -sum(flows.counts.series(leg)))[:3]
    result = {
        "viewer": session.viewer.user,
        "tracks": len(view.tracks),
        "latest_sighting": view.latest,
        "unknown_places": sorted({u.text for u in view.unknown}),
        "windows": len(windows),
        "windows_with_deadline": len(timed),
        "soonest": [w.to_dict() for w in (timed or windows)[:3]],
        "flows": {
            "movements": flows.moves,
            "weeks": len(flows.counts.weeks),
            "per_leg": {leg: sum(flows.counts.series(leg)) for leg in busiest},
            "shifts": flows.to_dict()["shifts"],
        },
        "seconds": round(time.perf_counter() - t0, 2),
    }
    first = (timed or windows)[:1]
    where = (
        f"; soonest: {first[0].subject} last seen {first[0].last_seen} at {first[0].last_place.name}, "
        f"tell {', '.join(first[0].agencies) or 'no registered agency'} "
        f"(until {first[0].until or 'unknown'})"
        if first
        else ""
    )
    say(
        f"[bold]9. routes[/]    {len(view.tracks):,} tracks as {session.viewer.user} sees them; "
        f"{len(windows)} interception windows open ({len(timed)} with an estimated deadline){where}"
    )
    changes = "; ".join(
        f"{sh.series} {sh.direction} ×{sh.ratio:.2f} from the week of {sh.at}" for sh in flows.shifts
    )
    say(
        f"            {flows.moves:,} movements on the route's legs over {len(flows.counts.weeks)} weeks, "
        f"busiest {', '.join(busiest) or 'none'}; changes of level: {changes or 'none'}"
    )
    return result


def main_organisation(out: Path) -> dict[str, str]:
    """The demo's case: the largest organisation of the Western Balkan legs (stages 1-3)."""
    import csv

    with (out / "truth" / "organisations.csv").open(encoding="utf-8") as fh:
        orgs = [r for r in csv.DictReader(fh) if r["stage"] in ("1", "2", "3")]
    return max(orgs, key=lambda r: (len(r["members"].split(";")), r["id"]))


def _case_targets(store: SqlStore, out: Path, org: dict[str, str], viewer: Any) -> list[str]:
    """The organisation's organisers, coordinators and money handlers, as records the UK unit sees."""
    import csv

    with (out / "truth" / "persons.csv").open(encoding="utf-8") as fh:
        people = [
            r["id"]
            for r in csv.DictReader(fh)
            if r["organisation"] == org["id"]
            and any(role in r["roles"] for role in ("organiser", "coordinator", "money"))
        ]
    with (out / "truth" / "entities.csv").open(encoding="utf-8") as fh:
        records: dict[str, list[str]] = {}
        for r in csv.DictReader(fh):
            if r["schema"] == "Person" and r["true_id"] in people:
                records.setdefault(r["true_id"], []).append(r["reported_entity_id"])
    targets = []
    for person in people:
        seen = sorted(store.visible_entities(records.get(person, []), viewer=viewer))
        if seen:
            targets.append(seen[0])
    return targets


def _case(store: SqlStore, out: Path, say: Echo) -> dict[str, Any]:
    """A case against the main organisation's organisers: briefing (HTML, PDF) and a GraphML export."""
    from counterflow.cases.briefing import write_briefing
    from counterflow.cases.exports import export_case
    from counterflow.cases.files import add_targets, create_case, get_case
    from counterflow.cases.material import gather
    from counterflow.errors import NotFound

    session = Session.open(store, analyst(UK_UNIT))
    viewer = session.viewer
    org = main_organisation(out)
    case_id = f"op-{org['id'].lower()}"
    try:
        get_case(store, viewer, case_id)
    except NotFound:
        create_case(
            store,
            viewer,
            case_id,
            f"{org['name']} ({org['stage_name']})",
            description=f"The organisers of the {org['name']}, stage {org['stage']} of the route.",
        )
        add_targets(store, viewer, case_id, _case_targets(store, out, org, viewer))
    t0 = time.perf_counter()
    material = gather(store, viewer, case_id)
    session.consulted("case", case_id, {"statements": len(material.statements), "targets": material.targets})
    folder = out / "case"
    written = write_briefing(store, material, folder, recipient="CPS Organised Crime Division")
    graph = export_case(material, folder, fmt="graphml", recipient="NCA analysts", store=store)
    b = written["briefing"]
    result = {
        "case": case_id,
        "title": b["case"]["title"],
        "viewer": viewer.user,
        "targets": [{"id": t["id"], "name": t["name"], "standing": t["standing"]} for t in b["targets"]],
        "statements": b["statements"],
        "plan_stands_on_evidence": [t["name"] for t in b["plan_stands_on_evidence"]],
        "plan_intelligence_only": [t["name"] for t in b["plan_intelligence_only"]],
        "briefing": written["paths"],
        "graphml": str(folder / next(n for n in graph["files"] if n.endswith(".graphml"))),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    st = b["statements"]
    say(
        f"[bold]10. case[/]    {case_id} against {len(b['targets'])} organisers of the {org['name']}: "
        f"{st['evidential']:,} of {st['intelligence']:,} statements usable in court "
        f"({', '.join(f'{n:,} {r}' for r, n in st['by_reason'].items()) or 'nothing'} left out); "
        f"plan targets standing on evidence: {', '.join(result['plan_stands_on_evidence']) or 'none'}"
    )
    say(f"             briefing {written['paths']['pdf']} (and .html); GraphML {result['graphml']}")
    return result


def designations(out: Path) -> Path:
    """A small sanctions list for the demo, written beside the world: the main organisation's leader
    and money handlers as a foreign ministry would list them (in Cyrillic or Arabic script, with
    their birth dates), and a namesake of the leader born decades apart, who must not match."""
    import csv
    import json

    from counterflow.scenario.names import to_arabic, to_cyrillic

    org = main_organisation(out)
    with (out / "truth" / "persons.csv").open(encoding="utf-8") as fh:
        people = [r for r in csv.DictReader(fh) if r["organisation"] == org["id"]]
    ranks = ("organiser", "coordinator", "money")
    chosen = [p for p in people if p["id"] == org["leader"] or any(r in p["roles"] for r in ranks)][:4]
    rows = []
    for i, p in enumerate(chosen, start=1):
        written = to_cyrillic(p["name"]) if p["nationality"] in ("RS", "MK", "BA") else to_arabic(p["name"])
        props = {
            "name": [written or p["name"]],
            "birthDate": [p["birth_date"]],
            "nationality": [p["nationality"].lower()],
            "program": ["Global Irregular Migration and Trafficking in Persons"],
        }
        rows.append(
            {"id": f"demo-{i}", "schema": "Person", "properties": props, "datasets": ["demo_designations"]}
        )
    leader = next(p for p in people if p["id"] == org["leader"])
    namesake = {"name": [leader["name"]], "birthDate": [f"{int(leader['birth_date'][:4]) - 31}-01-15"]}
    rows.append(
        {"id": "demo-namesake", "schema": "Person", "properties": namesake, "datasets": ["demo_designations"]}
    )
    path = out / "sanctions" / "demo-designations.ftm.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _sanctions(store: SqlStore, out: Path, say: Echo) -> dict[str, Any]:
    """Screen the UK analyst's view against a designations list written in other scripts."""
    from counterflow.resolve import screening, service

    path = designations(out)
    supervisor = Session.open(store, f"{UK_UNIT}.supervisor").viewer
    with path.open(encoding="utf-8") as fh:
        imported = screening.import_list(store, supervisor, fh, "demo_designations")
    session = Session.open(store, analyst(UK_UNIT))
    t0 = time.perf_counter()
    found = screening.screen(
        store,
        session.viewer,
        canonical=service.canonical_for(store, session.viewer),
        lists=["demo_designations"],
    )
    session.consulted("screening", None, {"lists": "demo_designations", "matches": len(found)})
    listed = {m["listed_id"] for m in found}
    result = {
        "list": str(path),
        "entries": imported["entries"],
        "matches": len(found),
        "listed_matched": sorted(listed),
        # A record without a birth date cannot be told from the namesake: it stays a (weaker) lead.
        "namesake_matched_only_undated": all(
            m["explanation"]["birth_dates"] == "unknown" for m in found if m["listed_id"] == "demo-namesake"
        ),
        "examples": [
            {k: m[k] for k in ("entity_id", "listed_name", "score")} | {"name": m["explanation"]["name"]}
            for m in found[:3]
        ],
        "seconds": round(time.perf_counter() - t0, 2),
    }
    first = found[0] if found else None
    say(
        f"[bold]11. sanctions[/] {imported['entries']} designations (in other scripts) screened against "
        f"the UK analyst's view: {len(found)} matches to {len(listed)} listed persons"
        + (
            f"; e.g. {first['explanation']['name']} ~ {first['listed_name']} ({first['score']})"
            if first
            else ""
        )
        + (
            "; the namesake born 31 years apart matched no one with a known birth date"
            if result["namesake_matched_only_undated"]
            else ""
        )
    )
    return result


def _resolve(store: SqlStore, say: Echo) -> dict[str, Any]:
    """Resolve persons and organisations across agencies and scripts; explain one merge to the UK analyst."""
    import logging

    from counterflow.resolve import service

    logging.getLogger("splink").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    run = service.run_store(store, actor="demo")
    seconds = round(time.perf_counter() - t0, 1)
    counts = run.counts
    uk = Session.open(store, analyst(UK_UNIT)).viewer
    example: dict[str, Any] = {}
    for merge in run.merges:
        left, right = str(merge.get("left", "")), str(merge.get("right", ""))
        if left[:2] != right[:2] and store.visible_entities([left, right], viewer=uk) == {left, right}:
            explained = service.explain_pair(store, left, right, viewer=uk)
            example = {
                "left": left,
                "right": right,
                "left_names": explained["left"]["names"],
                "right_names": explained["right"]["names"],
            }
            break
    result = {"run_id": run.run_id, "counts": counts, "seconds": seconds, "explained": example}
    line = ", ".join(f"{k} {v:,}" for k, v in counts.items() if isinstance(v, int))
    say(f"[bold]7. resolve[/]   {line} ({seconds} s)")
    if example:
        say(
            f"             e.g. {example['left_names']} ({example['left']}) = {example['right_names']} "
            f"({example['right']}), explained to the UK analyst"
        )
    return result


def _network(store: SqlStore, say: Echo) -> dict[str, Any]:
    """The UK analyst's network of persons (what they may see), its brokers, and a disruption plan."""
    from counterflow.graph.views import network_summary, visible_network
    from counterflow.resolve import service

    viewer = Session.open(store, analyst(UK_UNIT)).viewer
    t0 = time.perf_counter()
    people = visible_network(store, viewer, canonical=service.canonical_for(store, viewer))
    # Adaptive betweenness on sampled pivots: seconds here; `counterflow dismantle` runs the full planner.
    result = {"viewer": viewer.user, **network_summary(people, k=5, strategy="hba", seed=7, pivots=32)}
    result["seconds"] = round(time.perf_counter() - t0, 2)
    m = result["plan"]
    g_n, g_e, n_protected = result["persons"], result["ties"], result["protected_persons"]
    names = ", ".join(t["name"] for t in result["plan"]["targets"])
    say(
        f"[bold]8. network[/]   the UK analyst's resolved view: {g_n:,} persons, {g_e:,} ties, "
        f"{result['communities']} communities; {n_protected} victims/witnesses/minors are never targets. "
        f"Removing 5 ({names}) cuts the largest component from {m['lcc_initial']:.0%} to "
        f"{m['lcc_after_k']:.0%} ({m['strategy']}, {result['seconds']} s)"
    )
    return result


def _who_sees_what(store: SqlStore, agencies: list[str], say: Echo) -> dict[str, Any]:
    seen = {}
    for agency in ("rs_mup", UK_UNIT, "eu_europol"):
        if agency in agencies:
            stats = Session.open(store, analyst(agency)).stats()
            seen[agency] = {
                "statements": stats["statements"],
                "entities": stats["entities"],
                "agencies": len(stats["by_agency"]),
            }
    line = "; ".join(
        f"{a} analyst {v['statements']:,} statements from {v['agencies']} agencies" for a, v in seen.items()
    )
    say(f"[bold]5. need-to-know[/] {line}")
    return seen


def _cross_script_search(store: SqlStore, say: Echo) -> dict[str, Any]:
    """A name a Serbian or Macedonian analyst wrote in Cyrillic, searched for by the UK unit."""
    from counterflow.cli.query_cmd import search_session

    writer = Session.open(store, analyst("rs_mup"))
    uk = Session.open(store, analyst(UK_UNIT))
    for stmt in store.iter_statements(viewer=writer.viewer, prop_types=["name"], batch=2000):
        if stmt.script != "Cyrillic" or stmt.schema != "Person" or not stmt.original_value:
            continue
        hits = search_session(uk, stmt.original_value, 50)
        others = sorted({h.agency for h in hits if h.agency != stmt.agency})
        if not others or not any(h.agency == stmt.agency for h in hits):
            continue
        found_in = sorted({h.agency for h in hits})
        result: dict[str, Any] = {
            "query": stmt.original_value,
            "as_latin": normalise_name(stmt.original_value).value,
            "written_by": stmt.agency,
            "searched_by": uk.viewer.user,
            "entities_found": len(hits),
            "agencies": found_in,
        }
        say(
            f"[bold]6. search[/]    the UK analyst searches '{stmt.original_value}' "
            f"(as {stmt.agency} wrote it) and finds {len(hits)} records from {', '.join(found_in)}: "
            "one name across scripts"
        )
        return result
    say("[bold]6. search[/]    no Cyrillic name shared with another agency in this world")
    return {"query": None}
