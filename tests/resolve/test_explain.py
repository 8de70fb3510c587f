import pytest
from resolve_data import ALHASAN, BROTHER

from counterflow.resolve.explain import explain_records
from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.splink_model import TrainedModel, settings_for


def test_pair_explanation_names_parts_scripts_and_weights():
    a, b = record_from_ftm(ALHASAN[2]), record_from_ftm(ALHASAN[3])
    a.uid, b.uid = 0, 1
    model = TrainedModel("person", "cf-person/test", settings_for("person"), False, 0)
    out = explain_records(a, b, model)
    assert {m["scripts"] for m in out["name_parts"]["matched"]} == {"Cyrillic–Arabic"}
    assert {m["how"] for m in out["name_parts"]["matched"]} == {"arabic"}
    levels = {c["comparison"]: c["level"] for c in out["comparisons"]}
    assert levels["name"] == "every part matches across Arabic and Latin script"
    assert levels["dob"].startswith("same year")
    assert out["selectors_in_common"] == [{"selector": "phone:+381641234567", "shared": False}]
    total = out["prior_weight"] + sum(c["weight"] for c in out["comparisons"])
    assert total == pytest.approx(out["match_weight"], abs=0.01)


def test_objection_for_the_brother():
    a, b = record_from_ftm(ALHASAN[0]), record_from_ftm(BROTHER)
    a.uid, b.uid = 0, 1
    out = explain_records(a, b, None, shared={"phone:+381641234567"})
    assert out["objection"] and out["selectors_in_common"][0]["shared"]
