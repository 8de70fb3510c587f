"""Ground truth tables about the world itself (persons, organisations, ties, phones, vehicles).

Event truth (movements, payments, launches, weather, shipments, disruptions, effects) is written by
the activity simulation; reported-entity truth by the report writers.
"""

from __future__ import annotations

from counterflow.scenario import geo
from counterflow.scenario.world import Person, World
from counterflow.scenario.writer import Output


class Truth:
    def __init__(self, out: Output, world: World) -> None:
        self.out = out
        self.world = world
        self.seen_phones: set[str] = set()

    def write(self, table: str, row: list[object]) -> None:
        self.out.truth[table].write(row)

    def person(self, p: Person) -> None:
        org = self.world.orgs[p.org].oid if p.org >= 0 else ""
        birth = p.born.isoformat()
        self.write(
            "persons",
            [
                p.pid,
                p.name,
                p.given,
                p.family,
                "female" if p.female else "male",
                birth,
                p.nationality,
                ";".join(p.roles),
                org,
                p.stage,
                p.country,
                int(p.victim),
                int(p.minor),
                ";".join(ph.e164 for ph in p.phones),
                p.national_id,
                p.passport,
                p.iban,
                ";".join(self.world.persons[i].pid for i in p.relatives),
            ],
        )
        for ph in p.phones:
            shared = ph is p.family_phone
            if shared and ph.e164 in self.seen_phones:
                continue
            if shared:
                self.seen_phones.add(ph.e164)
            owner = (
                p.pid if not shared else ";".join([p.pid] + [self.world.persons[i].pid for i in p.relatives])
            )
            self.write("phones", [ph.e164, owner, int(shared)])

    def world_tables(self) -> None:
        w = self.world
        for p in w.persons:
            self.person(p)
        for o in w.orgs:
            rival = w.orgs[o.rival_of].oid if o.rival_of >= 0 else ""
            self.write(
                "organisations",
                [
                    o.oid,
                    o.name,
                    o.stage,
                    geo.STAGES[o.stage],
                    o.country,
                    rival,
                    w.persons[o.members[0]].pid,
                    ";".join(w.persons[i].pid for i in o.members),
                ],
            )
        for (a, b), wgt in sorted(w.ties.items()):
            pa, pb = w.persons[a], w.persons[b]
            self.write("ties", [pa.pid, pb.pid, wgt, int(pa.stage == pb.stage), pa.stage, pb.stage])
        for v in w.vehicles:
            self.write("vehicles", [v.vid, v.plate, v.country, v.model, w.persons[v.owner].pid])
