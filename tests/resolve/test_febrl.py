"""FEBRL3 and FEBRL4, the record-linkage regression sets, resolve to the issue's goals."""

import pytest

from counterflow.resolve.evaluate import febrl_entities, score
from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.resolver import resolve


@pytest.mark.parametrize(("name", "goal"), [("febrl3", 0.993), ("febrl4", 0.999)])
def test_febrl_f1_at_full_precision(name, goal):
    entities, truth = febrl_entities(name)
    res = resolve([r for r in (record_from_ftm(e) for e in entities) if r is not None])
    s = score(res.cluster_ids(), truth)
    assert s.f1 >= goal, s
    assert s.precision >= 0.999, s


def test_an_unknown_febrl_set_is_refused():
    with pytest.raises(ValueError, match="febrl3 or febrl4"):
        febrl_entities("febrl5")
