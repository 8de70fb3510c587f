import pytest

from counterflow.errors import InvalidValue
from counterflow.resolve.ledger import RunRow, active, make_judgement, resolved_state


def j(a, b, kind, source="analyst", **kw):
    return make_judgement(a, b, kind, source=source, actor="ann", **kw)


def test_state_is_a_pure_function_of_the_rows_in_any_order():
    rows = [
        j("a", "b", "positive"),
        j("b", "c", "positive"),
        j("d", "e", "positive", source="machine", score=9.0),
    ]
    one = resolved_state(rows)
    two = resolved_state(list(reversed(rows)))
    assert one.clusters == two.clusters
    assert one.members_of("c") == ["a", "b", "c"] and one.cluster_of("z") == "z"


def test_split_breaks_a_machine_chain_and_undo_restores_it():
    m1 = j("a", "b", "positive", source="machine", score=9.0, run_id="r1")
    m2 = j("b", "c", "positive", source="machine", score=5.0, run_id="r1")
    neg = j("a", "c", "negative", created_at="2030-01-01T00:00:00+00:00")
    state = resolved_state([m1, m2, neg])
    assert state.cluster_of("a") != state.cluster_of("c")
    undo = j("a", "c", "undo", target=neg.id, created_at="2030-01-02T00:00:00+00:00")
    assert resolved_state([m1, m2, neg, undo]).cluster_of("c") == "a"
    redo = j("a", "c", "undo", target=undo.id, created_at="2030-01-03T00:00:00+00:00")
    assert resolved_state([m1, m2, neg, undo, redo]).cluster_of("c") != "a"


def test_conflicting_analyst_judgements_are_flagged():
    pos = j("a", "b", "positive", created_at="2030-01-01T00:00:00+00:00")
    neg = j("a", "b", "negative", created_at="2030-01-02T00:00:00+00:00")
    state = resolved_state([pos, neg])
    assert state.cluster_of("a") != state.cluster_of("b")  # the later decision holds
    assert [c.kind for c in state.conflicts] == ["contradiction"]
    chain = [j("a", "b", "positive"), j("b", "c", "positive"), j("a", "c", "negative")]
    assert any(c.kind == "split-overruled" for c in resolved_state(chain).conflicts)


def test_machine_judgements_of_superseded_runs_are_ignored():
    runs = [
        RunRow("r1", "full", "m", "2030-01-01", None, {}, {}, {}),
        RunRow("r2", "full", "m", "2030-02-01", None, {}, {}, {}),
        RunRow("r3", "incremental", "m", "2030-02-02", None, {}, {}, {}),
    ]
    old = j("a", "b", "positive", source="machine", score=9.0, run_id="r1")
    new = j("c", "d", "positive", source="machine", score=9.0, run_id="r3")
    live = active([old, new], runs)
    assert live == [new]


def test_bad_judgements_are_refused():
    with pytest.raises(InvalidValue):
        j("a", "a", "positive")
    with pytest.raises(InvalidValue):
        j("a", "b", "maybe")
