"""Records with a name and little else (no date, or only a year): which identity, if any, they join."""

from resolve_data import person

from counterflow.resolve.clustering import ScoredPair, name_only_links
from counterflow.resolve.records import record_from_ftm


def records(*entities):
    recs = [record_from_ftm(e) for e in entities]
    for i, rec in enumerate(recs):
        rec.uid = i
    return recs


def review(recs, *pairs):
    """Pairs scored in the review band (as the model scores a name with little else)."""
    return [ScoredPair(a, b, 1.0, 0.7) for a, b in pairs]


def linked(recs, scored, labels):
    return {(lk.left, lk.right) for lk in name_only_links(recs, scored, labels)}


def test_name_only_record_joins_a_cluster_holding_an_undated_record_of_its_agency():
    recs = records(
        person("ba-sipa.p1", "ba_sipa", "Edin Alić", birthDate="2000-09-19", phone="+38761111222"),
        person("gb-nca.p1", "gb_nca", "Edin Alić", phone="+38761111222"),
        person("gb-nca.p2", "gb_nca", "Edin Alić", nationality="ba"),  # name only
    )
    labels = [0, 0, 2]  # the first two are one identity already
    assert linked(recs, review(recs, (0, 2), (1, 2)), labels) == {(2, 0)}


def test_name_only_record_stays_out_of_a_cluster_with_a_dated_record_of_its_agency():
    recs = records(
        person("gb-nca.p1", "gb_nca", "Edin Alić", birthDate="2000-09-19", phone="+38761111222"),
        person("ba-sipa.p1", "ba_sipa", "Edin Alić", phone="+38761111222"),
        person("gb-nca.p2", "gb_nca", "Edin Alić", nationality="ba"),  # name only
    )
    labels = [0, 0, 2]
    assert linked(recs, review(recs, (0, 2), (1, 2)), labels) == set()


def test_year_only_record_joins_the_one_identity_its_name_and_year_point_to():
    recs = records(
        person("mk-mvr.p1", "mk_mvr", "Димитар Костовски", birthDate="1996-07-04", phone="+38970111222"),
        person(
            "eu-europol.p1", "eu_europol", "Dimitar Kostovski", birthDate="1996-07-04", phone="+38970111222"
        ),
        person("rs-mup.p1", "rs_mup", "КОСТОВСКИ Димитар", birthDate="1996"),  # a year, nothing else
        person("gb-nca.p1", "gb_nca", "Dimitar Kostovski", birthDate="1971-02-03", phone="+38970999888"),
    )
    labels = [0, 0, 2, 3]
    # the namesake born in 1971 is no candidate for a record of 1996 (its date conflicts)
    assert linked(recs, review(recs, (0, 2), (1, 2), (2, 3)), labels) == {(2, 0)}


def test_year_only_record_stays_alone_when_two_identities_fit_it():
    recs = records(
        person("mk-mvr.p1", "mk_mvr", "Luan Leka", birthDate="2003-05-01", phone="+38970111222"),
        person("rs-mup.p1", "rs_mup", "ЛЕКА Луан", birthDate="2003"),
        person("gb-nca.p1", "gb_nca", "Luan Leka", phone="+38970999888"),  # undated: may be either
    )
    labels = [0, 1, 2]
    assert linked(recs, review(recs, (0, 1), (1, 2)), labels) == set()


def test_year_only_record_needs_a_date_that_agrees_on_the_other_side():
    recs = records(
        person("gb-nca.p1", "gb_nca", "Luan Leka", phone="+38970999888"),  # undated
        person("rs-mup.p1", "rs_mup", "ЛЕКА Луан", birthDate="2003"),
    )
    assert linked(recs, review(recs, (0, 1)), [0, 1]) == set()
