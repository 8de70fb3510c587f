"""For case tests: a small world where a Serbian organiser is tied to others by every kind of material.

rs_mup reports (shared with the UK unit, victims included) tie the organiser ``rs-mup.p1``:
- to p3 by an Associate graded A1, SIENA H0: evidence;
- to p2 by a call under SIENA H1: court-restricted;
- to p4 in a sanitised report;
- p3 to p5 graded suspected false (3x5x2 E);
- to p6 once from an untested source (4x4 X4): single-source untested;
- to p7 from an untested source, and again from a tested one: corroborated;
- to p8 under SIENA H2: readable by the UK unit but not to be passed on;
- to p9, a victim.
An hr_mup report (not shared with the UK unit) ties the organiser's namesake to hr-mup.p1.
"""

from __future__ import annotations

from typing import Any

from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.policy.session import Session
from counterflow.store import SqlStore

NAMES = {
    "p1": "Dragan Petrović",
    "p2": "Milan Jovanović",
    "p3": "Ahmad Karimi",
    "p4": "Omar Haddad",
    "p5": "Zoran Ilić",
    "p6": "Petar Marković",
    "p7": "Nikola Stanković",
    "p8": "Stefan Nikolić",
    "p9": "Sara Hosseini",
}
A1 = {"scheme": "4x4", "source": "A", "information": "1"}
X4 = {"scheme": "4x4", "source": "X", "information": "4"}
FALSE = {"scheme": "3x5x2", "source": "1", "information": "E"}


def rs_report(
    rid: str,
    left: str,
    right: str,
    *,
    handling: str = "H0",
    grading: dict[str, str] = A1,
    sanitised: bool = False,
    link: str = "Associate",
    link_id: str | None = None,
    roles: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    people = []
    for p in (left, right):
        ent: dict[str, Any] = {"id": p, "schema": "Person", "properties": {"name": NAMES[p]}}
        if p == "p2":
            ent["properties"]["phone"] = "+381641112222"
        if p == "p1":
            ent["properties"]["phone"] = "+381643334444"
        if roles and p in roles:
            ent["roles"] = roles[p]
        people.append(ent)
    if link == "Call":
        tie = {
            "id": link_id or f"c{rid}",
            "schema": "Call",
            "properties": {"caller": left, "receiver": right, "startDate": "2026-04-02T23:15"},
        }
    else:
        tie = {
            "id": link_id or f"a{rid}",
            "schema": "Associate",
            "properties": {"person": left, "associate": right, "startDate": "2026-04-0" + rid[-1]},
        }
    data: dict[str, Any] = {
        "format": "counterflow.report/1",
        "agency": "rs_mup",
        "report_id": f"RS-{rid}",
        "reported_at": "2026-04-10",
        "observed_at": "2026-04-05",
        "language": "sr",
        "grading": grading,
        "handling": {"scheme": "SIENA", "code": handling},
        "classification": "OFFICIAL",
        "entities": [*people, tie],
    }
    if sanitised:
        data["sanitised"] = True
    return data


def build_world(path) -> SqlStore:
    store = SqlStore(f"sqlite:///{path}")
    for agency in ("gb_ukbsu", "rs_mup", "hr_mup"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    registry.add_user(store, "gb_ukbsu.b", "gb_ukbsu", roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    registry.add_user(store, "gb_ukbsu.sup", "gb_ukbsu", roles=["supervisor"], clearance="OFFICIAL-SENSITIVE")
    registry.add_agreement(store, "rs_mup", "gb_ukbsu", accepts_conditions=True, include_protected=True)
    reports = [
        rs_report("1", "p1", "p2", handling="H1", link="Call"),
        rs_report("2", "p1", "p3"),
        rs_report("3", "p1", "p4", sanitised=True),
        rs_report("4", "p3", "p5", grading=FALSE),
        rs_report("5", "p1", "p6", grading=X4),
        rs_report("6", "p1", "p7", grading=X4, link_id="a77"),
        rs_report("7", "p1", "p7", link_id="a77"),  # the same tie again, from a tested source
        rs_report("8", "p1", "p8", handling="H2"),
        rs_report("9", "p1", "p9", roles={"p9": ["victim"], "p1": ["organiser"]}),
    ]
    rs = Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup"))
    for r in reports:
        rs.ingest_report(r)
    hr = {
        **rs_report("1", "p1", "p2"),
        "agency": "hr_mup",
        "report_id": "HR-1",
        "language": "hr",
    }
    Ingestor(store, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report(hr)
    return store


def viewer(store: SqlStore, user: str):
    return Session.open(store, user).viewer
