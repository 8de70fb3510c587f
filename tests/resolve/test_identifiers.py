from resolve_data import ALHASAN, BROTHER, person

from counterflow.resolve.identifiers import MAX_HOLDERS, compatible, dates_conflict, link_by_identifiers
from counterflow.resolve.records import record_from_ftm


def recs(entities):
    out = [record_from_ftm(e) for e in entities]
    for i, r in enumerate(out):
        r.uid = i
    return out


def test_personal_phone_links_one_person_across_scripts():
    result = link_by_identifiers(recs(ALHASAN[:4]))
    assert not result.shared
    assert {(lk.left, lk.right) for lk in result.links} == {(0, 1), (0, 2), (0, 3)}


def test_family_phone_is_shared_and_links_nobody():
    result = link_by_identifiers(recs([*ALHASAN[:3], BROTHER]))
    assert result.links == []
    (shared,) = result.shared
    assert shared.selector == "phone:+381641234567" and len(shared.holders) == 4
    assert "names do not agree" in shared.reason or "conflict" in shared.reason


def test_hawala_number_with_many_holders_is_shared():
    many = [
        person(f"x.p{i}", "gb_nca", f"Client Number{i} Smith", phone="+447911123456")
        for i in range(MAX_HOLDERS + 1)
    ]
    result = link_by_identifiers(recs(many))
    assert result.links == [] and "more than" in result.shared[0].reason


def test_passports_with_different_issuing_countries_do_not_link():
    a = {
        "id": "x.d1",
        "schema": "Passport",
        "datasets": ["rs_mup"],
        "properties": {"number": ["P1234567"], "country": ["sy"]},
    }
    b = {
        "id": "x.d2",
        "schema": "Passport",
        "datasets": ["rs_mup"],
        "properties": {"number": ["P1234567"], "country": ["iq"]},
    }
    assert link_by_identifiers(recs([a, b])).links == []
    b["properties"]["country"] = ["sy"]
    assert len(link_by_identifiers(recs([a, b])).links) == 1


def test_dates_conflict_at_common_precision():
    assert not dates_conflict("1988-04-12", "1988")
    assert not dates_conflict("1988-04-12", "1988-12-04")  # day/month swapped
    assert not dates_conflict("1988-04-12", "1988-04-13")  # one character
    assert not dates_conflict("1988-04-12", "1983-04-18")  # two characters
    assert dates_conflict("1988-04-12", "1988-11-30")
    assert dates_conflict("1988-04-12", "1993-07-01")
    assert dates_conflict("1988", "1971")


def test_compatible_reasons():
    a, b = recs([ALHASAN[0], BROTHER])
    assert compatible(a, b) is not None
    a, b = recs([ALHASAN[0], ALHASAN[2]])
    assert compatible(a, b) is None
