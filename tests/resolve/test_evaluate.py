import pytest

from counterflow.resolve.evaluate import score


def test_pairwise_and_bcubed():
    truth = {"a": "1", "b": "1", "c": "1", "d": "2"}
    pred = {"a": "x", "b": "x", "c": "y", "d": "x"}
    s = score(
        pred,
        truth,
        scripts={"a": "Latin", "b": "Cyrillic", "c": "Arabic", "d": "Latin"},
        hard_negatives=[("a", "d")],
        reached={("a", "b"), ("a", "c")},
    )
    assert (s.pairs_true, s.pairs_predicted, s.pairs_correct) == (3, 3, 1)
    assert s.precision == pytest.approx(1 / 3) and s.recall == pytest.approx(1 / 3)
    assert s.bcubed_precision == pytest.approx((2 / 3 + 2 / 3 + 1 + 1 / 3) / 4)
    assert s.recall_by_script["Cyrillic–Latin"] == {"pairs": 1, "recall": 1.0}
    assert s.recall_by_script["Arabic–Latin"]["recall"] == 0.0
    assert s.hard_negative_false_merges == 1 and s.reach == pytest.approx(2 / 3)


def test_perfect():
    truth = {"a": "1", "b": "1"}
    s = score(dict(truth), truth)
    assert s.f1 == s.bcubed_f1 == 1.0
