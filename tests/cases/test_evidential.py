"""The evidential rules, one by one, on statements built by hand."""

from counterflow.cases.evidential import Exclusion, corroborated, split
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling
from counterflow.model.statement import Statement


def stmt(
    value="x",
    *,
    report="R1",
    agency="rs_mup",
    handling=("SIENA", "H0"),
    grading=("4x4", "A", "1"),
    entity="rs-mup.p1",
    prop="name",
):
    return Statement(
        entity_id=entity,
        schema="Person",
        prop=prop,
        prop_type="name",
        value=value,
        agency=agency,
        report_id=report,
        reported_at="2026-04-01",
        grading=Grading.parse(*grading),
        handling=Handling.parse(*handling),
        classification=Classification.OFFICIAL,
    )


def test_each_rule_excludes_what_it_must_and_nothing_else():
    keep = stmt("kept")
    h1 = stmt("h1", handling=("SIENA", "H1"))
    h2 = stmt("h2", handling=("SIENA", "H2"))  # may not be passed on, but may go to court
    sanitised = stmt("sanitised", report="R9")
    false_uk = stmt("false-uk", grading=("3x5x2", "1", "E"))
    false_legacy = stmt("false-legacy", grading=("5x5x5", "A", "5"))
    unsure = stmt("doubtful", grading=("3x5x2", "1", "D"))  # not known: weak, not false
    result = split(
        [keep, h1, h2, sanitised, false_uk, false_legacy, unsure],
        sanitised_reports={"rs_mup:R9"},
        single_source_rule=False,
    )
    assert result.excluded == {
        h1.id: [Exclusion.COURT_RESTRICTED],
        sanitised.id: [Exclusion.SANITISED],
        false_uk.id: [Exclusion.SUSPECTED_FALSE],
        false_legacy.id: [Exclusion.SUSPECTED_FALSE],
    }
    assert [s.value for s in result.evidential] == ["kept", "h2", "doubtful"]


def test_every_reason_is_kept_when_several_apply():
    both = stmt("both", report="R9", handling=("SIENA", "H1"), grading=("3x5x2", "2", "E"))
    result = split([both], sanitised_reports={"rs_mup:R9"}, single_source_rule=True)
    assert result.excluded[both.id] == [
        Exclusion.COURT_RESTRICTED,
        Exclusion.SANITISED,
        Exclusion.SUSPECTED_FALSE,
        Exclusion.SINGLE_SOURCE_UNTESTED,
    ]


def test_single_source_untested_only_where_configured_and_only_when_uncorroborated():
    untested = stmt("alone", grading=("4x4", "X", "4"))
    legacy_untested = stmt("alone-legacy", grading=("5x5x5", "E", "2"), report="R2")
    uk_untested = stmt("alone-uk", grading=("3x5x2", "2", "A"), report="R3")
    twice_a = stmt("twice", grading=("4x4", "X", "4"), report="R4")
    twice_b = stmt("twice", grading=("4x4", "X", "4"), report="R5", agency="hr_mup")  # a second agency
    echo_a = stmt("echo", grading=("4x4", "X", "4"), report="R7")
    echo_b = stmt("echo", grading=("4x4", "X", "4"), report="R8")  # the same agency's untested source again
    false_b = stmt("echo", grading=("3x5x2", "1", "E"), report="R9", agency="hr_mup")  # suspected false
    h1_b = stmt("echo", handling=("SIENA", "H1"), report="R10", agency="hr_mup")  # not for court
    tested = stmt("tested-alone", grading=("4x4", "B", "2"), report="R6")
    every = [untested, legacy_untested, uk_untested, twice_a, twice_b, tested, echo_a, echo_b, false_b, h1_b]
    loose = split(every, sanitised_reports=set(), single_source_rule=False).excluded
    assert set(loose) == {false_b.id, h1_b.id}
    excluded = split(every, sanitised_reports=set(), single_source_rule=True).excluded
    assert set(excluded) == {
        untested.id,
        legacy_untested.id,
        uk_untested.id,
        echo_a.id,
        echo_b.id,
        false_b.id,
        h1_b.id,
    }
    assert excluded[echo_a.id] == [Exclusion.SINGLE_SOURCE_UNTESTED]
    assert all(excluded[s.id] == [Exclusion.SINGLE_SOURCE_UNTESTED] for s in (untested, uk_untested))


def test_corroboration_counts_reports_not_statements_and_follows_resolution():
    a = stmt("same", report="R1", entity="rs-mup.p1")
    a_again = stmt("same", report="R1", entity="rs-mup.p1", prop="alias")  # same report, other prop
    b = stmt("same", report="R2", entity="hr-mup.p7", agency="hr_mup")
    assert corroborated([a, a_again, b], lambda e: e) == set()
    merged = {"hr-mup.p7": "rs-mup.p1"}
    assert corroborated([a, b], lambda e: merged.get(e, e)) == {a.id, b.id}
