from resolve_data import ALHASAN, BROTHER, NAMESAKE, OTHER, person

from counterflow.resolve.incremental import build_index, resolve_incremental
from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.resolver import resolve


def test_new_records_join_existing_clusters_without_a_rerun(tmp_path):
    path = tmp_path / "index.duckdb"
    first = resolve([record_from_ftm(e) for e in [*ALHASAN[:3], BROTHER, OTHER]])
    build_index(path, first)
    new = [record_from_ftm(e) for e in [ALHASAN[3], ALHASAN[4], NAMESAKE]]
    result = resolve_incremental(path, new)
    ids = result.cluster_ids
    assert ids["gb-nca.p9"] == ids["gr-police.p2"] == ids["eu-europol.p1"]
    assert ids["fr-ocriest.p8"] != ids["eu-europol.p1"]
    assert result.stats["new_records"] == 3 and result.merges
    # the same records again change nothing
    again = resolve_incremental(path, [record_from_ftm(e) for e in [ALHASAN[3]]])
    assert again.stats == {**again.stats, "new_records": 0, "already_indexed": 1}


def test_incremental_agrees_with_a_full_run(tmp_path):
    people = [
        *ALHASAN,
        BROTHER,
        NAMESAKE,
        OTHER,
        person("mk-mvr.p1", "mk_mvr", "Горан Петровиќ", birthDate="02.02.1980"),
    ]
    full = resolve([record_from_ftm(e) for e in people]).cluster_ids()
    path = tmp_path / "index.duckdb"
    build_index(path, resolve([record_from_ftm(e) for e in people[:4]]))
    inc = resolve_incremental(path, [record_from_ftm(e) for e in people[4:]]).cluster_ids
    for e in people[4:]:
        together_full = {x["id"] for x in people if full[x["id"]] == full[e["id"]]}
        together_inc = {x for x, c in inc.items() if c == inc[e["id"]]}
        assert together_inc <= together_full | {x["id"] for x in people[:4]}
        assert together_full <= together_inc | {x["id"] for x in people[4:] if x["id"] not in inc}
