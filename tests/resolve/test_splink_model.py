"""The scorer on a generated world: training without labels, quality floors, determinism."""

from counterflow.resolve.evaluate import scenario_hard_negatives, scenario_truth, score
from counterflow.resolve.ftm_io import read_ftm_file
from counterflow.resolve.resolver import resolve
from counterflow.resolve.splink_model import scorer_id, settings_for


def test_settings_are_named_versioned_and_json():
    import json

    assert scorer_id("person").startswith("cf-person/")
    assert json.loads(json.dumps(settings_for("org")))["link_type"] == "dedupe_only"


def test_unsupervised_run_on_a_generated_world(scenario):
    out, path = scenario
    data = read_ftm_file(path)
    res = resolve(data.records, keep_candidates=True)
    assert res.models["person"].trained  # EM ran without labels
    truth = scenario_truth(out)
    persons = {r.entity_id for r in res.records if r.kind == "person" and r.entity_id in truth}
    t = {e: truth[e] for e in persons}
    reached = {
        (
            min(res.records[a].entity_id, res.records[b].entity_id),
            max(res.records[a].entity_id, res.records[b].entity_id),
        )
        for a, b in res.candidates
    }
    s = score(res.cluster_ids(), t, hard_negatives=scenario_hard_negatives(out, t), reached=reached)
    assert s.precision >= 0.99 and s.bcubed_f1 >= 0.9 and s.reach >= 0.97
    assert s.hard_negative_false_merges <= 10
    again = resolve(read_ftm_file(path).records)
    assert again.cluster_ids() == res.cluster_ids()
