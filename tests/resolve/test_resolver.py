from resolve_data import ALHASAN, BROTHER, NAMESAKE, OTHER

from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.resolver import resolve


def test_five_spellings_one_cluster_brother_and_namesake_apart(entities):
    res = resolve([record_from_ftm(e) for e in entities])
    ids = res.cluster_ids()
    cluster = {ids[e["id"]] for e in ALHASAN}
    assert len(cluster) == 1
    assert ids[BROTHER["id"]] not in cluster
    assert ids[NAMESAKE["id"]] not in cluster
    assert ids[OTHER["id"]] == OTHER["id"]
    assert any(s.selector == "phone:+381641234567" for s in res.shared)


def test_deterministic_whatever_the_order(entities):
    a = resolve([record_from_ftm(e) for e in entities]).cluster_ids()
    b = resolve([record_from_ftm(e) for e in reversed(entities)]).cluster_ids()
    assert a == b


def test_analyst_judgements_bind_the_run(entities):
    recs = [record_from_ftm(e) for e in entities]
    split = resolve(recs, cannot_link=[("gr-police.p2", "eu-europol.p1")]).cluster_ids()
    assert split["gr-police.p2"] != split["eu-europol.p1"]
    merged = resolve(
        [record_from_ftm(e) for e in entities], analyst_links=[("hu-police.p4", "eu-europol.p1", "analyst")]
    ).cluster_ids()
    assert merged["hu-police.p4"] == merged["eu-europol.p1"]
