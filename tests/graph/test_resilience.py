"""Recovery, stability, the CAVIAR temporal hold-out and honest verdicts."""

import networkx as nx
import pytest
from graphgen import random_nx, to_ig

from counterflow.errors import InvalidValue
from counterflow.graph.resilience import (
    bootstrap_stability,
    read_phases,
    simulate_recovery,
    temporal_holdout,
    verdict,
)


def star_of_stars():
    g = nx.Graph()
    for hub in range(3):
        g.add_edge("boss", f"h{hub}")
        for leaf in range(4):
            g.add_edge(f"h{hub}", f"h{hub}l{leaf}")
    return g


def named(g):
    from counterflow.graph._ig import new_graph

    nodes = sorted(g.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    return new_graph(nodes, [(index[a], index[b]) for a, b in g.edges])


def test_triadic_closure_with_p1_undoes_the_removal_of_the_boss():
    ig_g = named(star_of_stars())
    r = simulate_recovery(ig_g, ["boss"], mechanism="triadic", p=1.0, seed=1)
    assert r.lcc_removed < r.lcc_intact
    assert r.lcc_recovered == pytest.approx(15 / 16)
    assert r.discount == 1.0 and len(r.added) == 3
    none = simulate_recovery(ig_g, ["boss"], mechanism="triadic", p=0.0, seed=1)
    assert none.discount == 0.0 and none.added == ()


def test_replacement_needs_a_same_role_actor():
    ig_g = named(star_of_stars())
    assert simulate_recovery(ig_g, ["h0"], mechanism="replacement").discount == 0.0  # no roles known
    ig_g.vs["role"] = ["driver" if "l" in n else "coordinator" for n in ig_g.vs["name"]]
    r = simulate_recovery(ig_g, ["h0"], mechanism="replacement")
    assert r.discount == 1.0 and all("h0" not in e for e in r.added)
    seq = simulate_recovery(ig_g, ["h0", "h1"], mechanism="takeover", mode="sequential", p=1.0, seed=2)
    assert 0.0 <= seq.discount <= 1.0
    with pytest.raises(InvalidValue):
        simulate_recovery(ig_g, ["nobody"])


def test_bootstrap_stability_is_deterministic_and_bounded():
    ig_g = to_ig(random_nx(4, n=40, kind="ba"))
    a = bootstrap_stability(ig_g, k=3, strategy="hba", dropout=0.15, samples=8, seed=3)
    b = bootstrap_stability(ig_g, k=3, strategy="hba", dropout=0.15, samples=8, seed=3)
    assert a == b and 0.0 <= a.mean_jaccard <= 1.0 and len(a.jaccard) == 8
    n = bootstrap_stability(ig_g, k=3, strategy="hda", kind="node", dropout=0.1, samples=4, seed=3)
    assert 0.0 <= n.mean_jaccard <= 1.0


def test_caviar_temporal_holdout(networks):
    phases = read_phases(networks / "caviar_phases.csv")
    assert list(phases) == [str(i) for i in range(1, 12)]
    rows = temporal_holdout(phases, k=3, strategy="hba", seed=0)
    assert len(rows) == 10
    for r in rows:
        assert r.lcc_next_hindsight <= r.lcc_next_planned <= r.lcc_next + 1e-12
        assert 0 <= r.present_next <= 3
    # yesterday's brokers still matter: on average the plan beats removing random people
    planned = sum(r.lcc_next_planned for r in rows) / len(rows)
    rand = sum(r.lcc_next_random for r in rows) / len(rows)
    assert planned < rand


def test_verdict_is_honest():
    star = named(nx.star_graph(9))
    v = verdict(star, K=3, target=0.5)
    assert v.possible and v.k == 1 and v.targets == ("0",)
    clique = to_ig(nx.complete_graph(12), weighted=False)
    v = verdict(clique, K=3, target=0.5)
    assert not v.possible and v.proven and "no plan with k ≤ 3" in v.message
    v = verdict(clique, K=5, target=0.5)
    assert not v.possible and not v.proven and "not a proof" in v.message
