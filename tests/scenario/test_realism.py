"""The world looks like DOMAIN.md: roles, segmentation, fees, weather, victims, duplicates across agencies."""

import filecmp
from collections import defaultdict
from itertools import pairwise

from counterflow.model.statement import make_entity_id
from counterflow.scenario import generate

ORGANISER_ROLES = {"organiser", "coordinator", "broker"}


def _smugglers(truth):
    return [p for p in truth["persons"] if p["is_victim"] == "0"]


def test_role_shares(truth):
    smugglers = _smugglers(truth)
    assert len(smugglers) > 150
    share = sum(1 for p in smugglers if set(p["roles"].split(";")) & ORGANISER_ROLES) / len(smugglers)
    assert 0.10 <= share <= 0.20, share
    roles = {r for p in smugglers for r in p["roles"].split(";")}
    assert {
        "recruiter",
        "driver",
        "scout_driver",
        "foot_guide",
        "safe_house_keeper",
        "forger",
        "logistics",
        "boat_supplier",
        "money_handler",
        "corrupt_official",
        "camp_governor",
        "broker",
    } <= roles


def test_stage_segmentation(truth):
    stage = {p["id"]: p["stage"] for p in _smugglers(truth)}
    sizes = defaultdict(int)
    for s in stage.values():
        sizes[s] += 1
    within_pairs = sum(n * (n - 1) / 2 for n in sizes.values())
    cross_pairs = (sum(sizes.values()) ** 2 - sum(n * n for n in sizes.values())) / 2
    within = sum(1 for t in truth["ties"] if stage[t["a"]] == stage[t["b"]])
    cross = len(truth["ties"]) - within
    ratio = (within / within_pairs) / (cross / cross_pairs)
    assert ratio >= 4, ratio
    organisers = {p["id"] for p in _smugglers(truth) if "organiser" in p["roles"].split(";")}
    org_ties = sum(1 for t in truth["ties"] if t["a"] in organisers and t["b"] in organisers)
    org_pairs = len(organisers) * (len(organisers) - 1) / 2
    density = len(truth["ties"]) / (within_pairs + cross_pairs)
    assert org_ties / org_pairs < density / 2


def test_calls_follow_ties(small, truth):
    out, _ = small
    import phonenumbers

    from .conftest import read_csv

    owner = {row["e164"]: row["person"] for row in truth["phones"] if row["shared"] == "0"}
    ties = {tuple(sorted((t["a"], t["b"]))) for t in truth["ties"]}
    on_tie = both_known = 0
    for path in sorted((out / "cdr").glob("*.csv")):
        region = path.name.split("_")[0].upper()
        for row in read_csv(path):
            a, b = (
                phonenumbers.format_number(
                    phonenumbers.parse(row[c], region), phonenumbers.PhoneNumberFormat.E164
                )
                for c in ("caller", "callee")
            )
            if a in owner and b in owner and owner[a] != owner[b]:
                both_known += 1
                on_tie += tuple(sorted((owner[a], owner[b]))) in ties
    assert both_known > 200 and on_tie / both_known > 0.95


def test_fees_per_leg_within_domain_ranges(truth):
    # DOMAIN.md §2 (observed fees per person).
    domain = {
        "TR-GR": (400, 3000, "USD"),
        "TR-BG": (400, 3000, "USD"),
        "BG-RS": (600, 900, "EUR"),
        "RS-TRANSIT": (0, 4000, "EUR"),
        "RS-HU": (1500, 3000, "EUR"),
        "BA-IT-CAR": (2000, 4000, "EUR"),
        "FR-UK": (1000, 3000, "EUR"),
        "GR-MK": (1200, 2000, "EUR"),
        "BA-IT-FOOT": (300, 700, "EUR"),
    }
    seen = set()
    for p in truth["payments"]:
        if p["leg"] in domain:
            lo, hi, cur = domain[p["leg"]]
            assert lo <= int(p["amount"]) <= hi and p["currency"] == cur, p
            seen.add(p["leg"])
    assert len(seen) >= 6


def test_launches_depend_on_weather(truth):
    good = {w["date"] for w in truth["weather"] if w["good"] == "1"}
    bad = {w["date"] for w in truth["weather"] if w["good"] == "0"}
    launch_days = {launch["date"] for launch in truth["launches"]}
    rate_good = len(launch_days & good) / len(good)
    rate_bad = len(launch_days & bad) / len(bad)
    assert rate_good >= 3 * max(rate_bad, 0.01), (rate_good, rate_bad)
    share_good = len(good) / (len(good) + len(bad))
    assert 0.25 <= share_good <= 0.65  # Home Office crossing-day shares, Mar-Aug


def test_minors_are_victims_and_never_targets(truth, reports):
    persons = {p["id"]: p for p in truth["persons"]}
    migrants = [p for p in persons.values() if p["is_victim"] == "1"]
    minors = [p for p in migrants if p["is_minor"] == "1"]
    assert 0.10 <= len(minors) / len(migrants) <= 0.22
    assert all(p["is_victim"] == "1" for p in persons.values() if p["is_minor"] == "1")
    true_of = {row["reported_entity_id"]: row["true_id"] for row in truth["entities"]}
    for r in reports:
        for e in r["entities"]:
            if e["schema"] != "Person":
                continue
            p = persons[true_of[make_entity_id(r["agency"], e["id"])]]
            roles = set(e.get("roles", []))
            if p["is_minor"] == "1":
                assert {"victim", "minor"} <= roles
            if p["is_victim"] == "1":
                assert "suspect" not in roles
            else:
                assert "victim" not in roles
    targets = {d["target"] for d in truth["disruptions"] if d["kind"] == "arrest"}
    assert not targets & {p["id"] for p in migrants}


def test_cross_agency_duplicates_and_hard_negatives(truth):
    persons = {p["id"]: p for p in truth["persons"]}
    records = defaultdict(set)
    agencies = defaultdict(set)
    for row in truth["entities"]:
        if row["schema"] == "Person":
            records[row["true_id"]].add(row["reported_entity_id"])
            agencies[row["true_id"]].add(row["agency"])
    for row in truth["mapped_entities"]:
        if row["mapping_entity"] == "person":
            records[row["true_id"]].add(row["file"] + row["keys"])
            agencies[row["true_id"]].add(row["agency"])
    mean = sum(len(v) for v in records.values()) / len(records)
    assert mean > 1.2, mean
    smugglers = [i for i in records if persons[i]["is_victim"] == "0"]
    multi = sum(1 for i in smugglers if len(agencies[i]) >= 2) / len(smugglers)
    assert multi >= 0.4, multi
    assert sum(1 for i in smugglers if 2 <= len(agencies[i]) <= 4) / len(smugglers) >= 0.3
    # Relatives: same family name and a shared family phone, different people and birth dates.
    shared = [row for row in truth["phones"] if row["shared"] == "1"]
    assert len(shared) >= 5
    for row in shared:
        a, b = row["person"].split(";")[:2]
        assert persons[a]["family_name"] == persons[b]["family_name"]
        assert persons[a]["birth_date"] != persons[b]["birth_date"]
    reported = set(records)
    assert any(set(row["person"].split(";")) <= reported for row in shared)
    by_name = defaultdict(set)
    for p in persons.values():
        by_name[p["name"]].add(p["birth_date"])
    assert sum(1 for dates in by_name.values() if len(dates) >= 2) >= 10


def test_disruptions_cause_replacement_and_rerouting(truth):
    kinds = {e["kind"] for e in truth["effects"]}
    assert {"replacement", "rerouting"} <= kinds
    arrested = {d["target"] for d in truth["disruptions"] if d["kind"] == "arrest"}
    replaced = {
        e["old"] for e in truth["effects"] if e["kind"] in ("replacement", "promotion", "market_takeover")
    }
    assert arrested <= replaced | {e["old"] for e in truth["effects"]}


def test_movements_follow_the_route(truth):
    by_migrant = defaultdict(list)
    for m in truth["movements"]:
        by_migrant[m["subject"]].append(m)
    arrived_uk = [k for k, v in by_migrant.items() if any(m["place"] == "dover" for m in v)]
    assert len(arrived_uk) > 50
    for moves in by_migrant.values():
        dates = [m["date"] for m in moves]
        assert all(a <= b for a, b in pairwise(dates))


def test_deterministic_by_seed(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ma = generate(a, seed=11, size=25_000)
    generate(b, seed=11, size=25_000)
    mc = generate(c, seed=12, size=25_000)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert filecmp.cmp(a / rel, b / rel, shallow=False), rel
    assert (a / "reports/rs_mup.jsonl").read_bytes() != (c / "reports/rs_mup.jsonl").read_bytes()
    assert 0.3 * 25_000 <= ma.statements <= 3 * 25_000
    assert mc.seed == 12
