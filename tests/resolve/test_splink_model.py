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


def test_scoring_in_chunks_gives_every_pair_the_same_score(scenario, monkeypatch):
    import counterflow.resolve.splink_model as sm

    records = read_ftm_file(scenario[1]).records
    whole = resolve(records)
    chunks: list[str] = []
    predict = sm._predict

    def counting(engine, settings, records_table, blocked, threshold, detail):  # type: ignore[no-untyped-def]
        chunks.append(blocked)
        return predict(engine, settings, records_table, blocked, threshold, detail)

    monkeypatch.setattr(sm, "_predict", counting)
    monkeypatch.setattr(sm, "SCORE_CHUNK_PAIRS", 2_000)
    chunked = resolve(records, models=whole.models)
    assert chunks.count("cf_blocked_chunk") >= 3  # the scenario's pairs were scored in chunks
    key = [(p.left, p.right, p.match_weight) for p in whole.scored]
    assert key and [(p.left, p.right, p.match_weight) for p in chunked.scored] == key
    assert chunked.cluster_ids() == whole.cluster_ids()
