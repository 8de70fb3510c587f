"""A case's material, its two networks, each target's standing and gaps, and its chronology."""

from counterflow.cases import files
from counterflow.cases.analysis import analyse
from counterflow.cases.chronology import chronology
from counterflow.cases.material import gather
from counterflow.model.normalise import normalise_name
from counterflow.policy import registry

from casetools import NAMES, viewer

LATIN = {k: normalise_name(v).value for k, v in NAMES.items()}  # names as stored (Latin, folded)


def _case(world, targets=("rs-mup.p1",)):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    files.add_targets(world, uk, "op-drina", list(targets))
    return uk


def _partners(target):
    ties = {}
    for t in target["ties_without_evidence"]:
        ties[t["with"]] = t["relation"]
    return ties


def test_material_is_what_the_reader_may_see_around_the_targets(world):
    uk = _case(world)
    material = gather(world, uk, "op-drina")
    assert material.targets == ["rs-mup.p1"]
    agencies = {s.agency for s in material.statements}
    assert agencies == {"rs_mup"}  # hr_mup shares nothing with the UK unit
    entities = {s.entity_id for s in material.statements}
    assert {f"rs-mup.{p}" for p in ("p1", "p2", "p3", "p4", "p6", "p7", "p8", "p9")} <= entities
    # A participant from an agency that sees none of it gets an empty case, not an error or a leak.
    files.add_participant(world, uk, "op-drina", "hr_mup.a")
    theirs = gather(world, viewer(world, "hr_mup.a"), "op-drina")
    assert theirs.targets == [] and theirs.statements == []


def test_targets_standing_and_gaps_follow_the_evidential_rules(world):
    uk = _case(world)
    result = analyse(gather(world, uk, "op-drina"))
    (boss,) = result["targets"]
    assert boss["name"] == LATIN["p1"] and boss["standing"] == "evidence"
    assert _partners(boss) == {LATIN["p2"]: "call", LATIN["p4"]: "associate"}
    gaps = {(g["reason"], g["agency"]) for g in boss["gaps"]}
    assert gaps == {("court-restricted", "rs_mup"), ("sanitised", "rs_mup")}
    assert all("rs_mup" in g["remedy"] for g in boss["gaps"] if g["reason"] != "suspected-false")
    by_reason = result["statements"]["by_reason"]
    assert set(by_reason) == {"court-restricted", "sanitised", "suspected-false"}
    assert result["views"]["intelligence"]["ties"] > result["views"]["evidential"]["ties"]

    registry.set_single_source_rule(world, "gb_ukbsu", True)  # the owning agency tightens its rule
    strict = analyse(gather(world, uk, "op-drina"))
    (boss,) = strict["targets"]
    # p6 came once from an untested source: out; p7 also from a tested one: corroborated, evidence.
    assert _partners(boss) == {LATIN["p2"]: "call", LATIN["p4"]: "associate", LATIN["p6"]: "associate"}
    assert "single-source-untested" in strict["statements"]["by_reason"]


def test_victims_are_never_ranked_targeted_or_named(world):
    uk = _case(world)
    result = analyse(gather(world, uk, "op-drina"), k=8)
    text = str(result)
    assert NAMES["p9"] not in text and LATIN["p9"] not in text
    for view in result["views"].values():
        assert view["protected_persons"] == 1
        assert "rs-mup.p9" not in {t["id"] for t in view["plan"]["targets"]}
        assert "rs-mup.p9" not in {b["id"] for b in view["brokers"]}


def test_a_target_seen_only_in_excluded_material_stands_on_intelligence_only(world):
    uk = _case(world, targets=("rs-mup.p2",))  # the driver: known only from the H1 call
    (driver,) = analyse(gather(world, uk, "op-drina"))["targets"]
    assert driver["standing"] == "intelligence only"
    assert driver["ties"] == {"intelligence": 1, "evidential": 0}
    assert [g["reason"] for g in driver["gaps"]] == ["court-restricted"]


def test_chronology_has_times_of_day_evidential_status_and_no_victim_names(world):
    uk = _case(world)
    events = chronology(gather(world, uk, "op-drina"))
    call = next(e for e in events if e["kind"] == "Call")
    assert (call["date"], call["time"]) == ("2026-04-02", "23:15")
    assert call["evidential"] is False and call["excluded_because"] == ["court-restricted"]
    assert call["summary"].startswith(f"call {LATIN['p1']} → {LATIN['p2']}")
    assert call["handling"] == [{"scheme": "SIENA", "code": "H1", "conditions": None}]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    victim_line = next(e for e in events if "protected person" in e["summary"])
    assert LATIN["p9"] not in str(events) and victim_line["evidential"] is True
    assert any(e["evidential"] and e["targets"] == ["rs-mup.p1"] for e in events)
