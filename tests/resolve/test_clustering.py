from resolve_data import person

from counterflow.resolve.clustering import ANALYST, IDENTIFIER, MODEL, Link, attributes, cluster
from counterflow.resolve.records import record_from_ftm


def test_constraints_stop_chains_through_a_record_without_a_date():
    recs = [
        record_from_ftm(person("a", "gb_nca", "Ali Hassan", birthDate="1980-01-01")),
        record_from_ftm(person("b", "gb_nca", "Ali Hassan")),
        record_from_ftm(person("c", "gb_nca", "Ali Hassan", birthDate="1991-06-30")),
    ]
    links = [Link(0, 1, MODEL, 9.0, "m"), Link(1, 2, MODEL, 8.0, "m")]
    result = cluster(3, links, attrs=[attributes(r) for r in recs])
    assert result.labels[0] == result.labels[1] != result.labels[2]
    assert "conflict" in result.refused[0][1]


def test_analyst_split_is_respected_and_analyst_merge_is_forced():
    links = [Link(0, 1, IDENTIFIER, 1.0, "phone"), Link(1, 2, MODEL, 5.0, "m")]
    result = cluster(3, links, cannot_link=[(0, 2)])
    assert result.labels[0] == result.labels[1] != result.labels[2]
    forced = cluster(3, [*links, Link(0, 2, ANALYST, 0.0, "analyst")], cannot_link=[(0, 2)])
    assert len(set(forced.labels)) == 1


def test_order_of_links_does_not_matter():
    links = [Link(i, i + 1, MODEL, float(i % 3), "m") for i in range(9)]
    a = cluster(10, links, cannot_link=[(0, 9)])
    b = cluster(10, list(reversed(links)), cannot_link=[(9, 0)])
    assert a.labels == b.labels
