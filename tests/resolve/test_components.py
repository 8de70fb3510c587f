"""Clustering one component at a time on an engine gives the in-process clustering exactly."""

import random

import pytest

from counterflow.resolve.clustering import ANALYST, IDENTIFIER, MODEL, Link, ScoredPair, constrained_clusters
from counterflow.resolve.components import cluster_on
from counterflow.resolve.records import pack_record, record_from_json, unpack_record

pytestmark = pytest.mark.xdist_group("spark")

NAMES = ["Mohammed Al-Hassan", "Muhamed Alhasan", "Мухамед Алхасан", "Ahmad Karimi", "Ахмад Карими",
         "Hamid Karimi", "Petar Petrović", "Петар Петровић", "Ali Rezai", "Ali Rezaei"]  # fmt: skip
DOBS = [None, "1989-03-14", "1989-14-03", "1990-01-02", "1989", "1989-03", "1975-06-30"]


def _world(seed: int, n: int = 160):
    rnd = random.Random(seed)
    records = []
    for uid in range(n):
        data = {
            "entity_id": f"e{uid:04d}",
            "schema": "Person",
            "kind": "person",
            "agency": rnd.choice(["rs-mup", "hr-mup", "gr-police"]),
            "names": [rnd.choice(NAMES)],
            "dob": rnd.choice(DOBS),
            "gender": rnd.choice([None, None, "male", "female"]),
            "selectors": [f"phone:+38164{rnd.randrange(5)}"] if rnd.random() < 0.3 else [],
            "docs": [f"jmbg:{rnd.randrange(4)}"] if rnd.random() < 0.15 else [],
        }
        if data["dob"]:
            data["dobs"] = [data["dob"]]
        records.append(record_from_json(data, uid))
    pairs = {
        (min(a, b), max(a, b))
        for a, b in ((rnd.randrange(n), rnd.randrange(n)) for _ in range(3 * n))
        if a != b
    }
    pairs_list = sorted(pairs)
    rnd.shuffle(pairs_list)
    links, scored = [], []
    for a, b in pairs_list:
        r = rnd.random()
        if r < 0.1:
            links.append(Link(a, b, IDENTIFIER, 1.0, f"identifier phone:{a % 3}"))
        elif r < 0.13:
            links.append(Link(a, b, ANALYST, 0.0, "analyst"))
        elif r < 0.75:
            w = rnd.choice([3.5, 7.25, 12.0, rnd.uniform(-2, 20)])  # repeated weights make ties
            p = rnd.uniform(0.3, 1.0)
            scored.append(ScoredPair(a, b, w, p))
            if p >= 0.9:
                links.append(Link(a, b, MODEL, w, "model"))
    # the same pair twice, once more weakly and with another reason: ties must break the same way
    links += [Link(lk.left, lk.right, lk.priority, lk.score, lk.reason + " again") for lk in links[:5]]
    splits = [(rnd.randrange(n), rnd.randrange(n)) for _ in range(n // 8)]
    return records, links, scored, [(a, b) for a, b in splits if a != b]


def test_a_record_packs_and_unpacks_whole():
    rec = _world(1, 3)[0][0]
    again = unpack_record(pack_record(rec))
    assert again == rec
    assert again.parts and again.parts == rec.parts


@pytest.mark.parametrize("seed", [1, 2])
def test_component_clustering_equals_the_whole(engine, seed):
    records, links, scored, splits = _world(seed)
    whole, extra = constrained_clusters(records, links, scored, splits)
    assert whole.refused and whole.accepted and len(set(whole.labels)) < len(records)  # a real test
    got, got_extra = cluster_on(engine, records, links, scored, splits)
    assert got.labels == whole.labels
    assert got.accepted == whole.accepted
    assert got.refused == whole.refused
    assert got_extra == extra


def test_no_links_every_record_alone(engine):
    records = _world(4, 5)[0]
    got, extra = cluster_on(engine, records, [], [], [(0, 1)])
    assert got.labels == [0, 1, 2, 3, 4] and not got.accepted and not extra
