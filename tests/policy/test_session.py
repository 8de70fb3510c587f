"""Registry, sessions and their guarantees: identity, justification, logging, derived markings."""

import pytest

from counterflow.errors import AccessDenied, ConfigurationError, NotFound, ReportRejected
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.model.visibility import Viewer
from counterflow.policy import registry
from counterflow.policy.session import Session
from counterflow.store import SqlStore
from counterflow.store.schema_policy import selector_index, tasks

from reports import report


@pytest.fixture
def governed(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'g.sqlite'}", selector_key=b"k" * 32)
    for agency in ("rs_mup", "hr_mup", "gb_ukbsu"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    yield store
    store.close()


def test_open_store_reads_as_operator_until_an_agency_registers(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'o.sqlite'}")
    Ingestor(store).ingest_report(report())
    assert Session.open(store, None).stats()["statements"] > 0
    registry.add_agency(store, "rs_mup", "Serbia")
    with pytest.raises(ConfigurationError, match="say who you are"):
        Session.open(store, None)
    with pytest.raises(ConfigurationError, match="submitted by a user"):
        Ingestor(store)


def test_agencies_submit_their_own_reports_only(governed):
    ing = Ingestor(governed, submitter=Submitter("hr_mup.a", "hr_mup"))
    with pytest.raises(ReportRejected, match="submits for hr_mup only"):
        ing.ingest_report(report())  # an rs_mup report
    assert Ingestor(governed, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report()) == "added"


def test_sharing_needs_an_agreement_and_respects_conditions(governed):
    Ingestor(governed, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())  # 3x5x2 C
    uk = Session.open(governed, "gb_ukbsu.a")
    with pytest.raises(NotFound):
        uk.profile("rs-mup.p17")
    registry.add_agreement(governed, "rs_mup", "gb_ukbsu")
    with pytest.raises(NotFound):  # conditional material needs accepted conditions
        Session.open(governed, "gb_ukbsu.a").profile("rs-mup.p17")
    registry.add_agreement(governed, "rs_mup", "gb_ukbsu", accepts_conditions=True)
    profile = Session.open(governed, "gb_ukbsu.a").profile("rs-mup.p17")
    assert profile["caption"] == "Muhamed Alhasan"
    assert profile["handling"] == [{"scheme": "3x5x2", "code": "C", "conditions": "EU law enforcement only"}]
    assert profile["classification"] == "OFFICIAL-SENSITIVE"


def test_clearance_limits_even_own_agency(governed):
    registry.add_user(governed, "rs_mup.junior", "rs_mup", roles=["analyst"], clearance="OFFICIAL")
    Ingestor(governed, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(
        report()
    )  # OFFICIAL-SENSITIVE
    assert Session.open(governed, "rs_mup.junior").stats()["statements"] == 0
    assert Session.open(governed, "rs_mup.a").stats()["statements"] > 0


def test_consultations_are_logged_and_justification_enforced(governed):
    from counterflow.audit.log import verify, who_consulted

    Ingestor(governed, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    session = Session.open(governed, "rs_mup.a")
    session.profile("rs-mup.p17")
    session.search("alhasan")
    seen = who_consulted(governed, "rs-mup.p17")
    assert [(c["user"], c["how"]) for c in seen] == [("rs_mup.a", "entity"), ("rs_mup.a", "search")]
    registry.set_justification(governed, "rs_mup", True)
    with pytest.raises(AccessDenied, match="requires a justification"):
        Session.open(governed, "rs_mup.a").profile("rs-mup.p17")
    Session.open(governed, "rs_mup.a", "case 2026/17 briefing").profile("rs-mup.p17")
    assert who_consulted(governed, "rs-mup.p17")[-1]["justification"] == "case 2026/17 briefing"
    assert verify(governed).ok


def test_disabled_user_and_unknown_role(governed):
    registry.set_user_active(governed, "hr_mup.a", False)
    with pytest.raises(ConfigurationError, match="disabled"):
        Session.open(governed, "hr_mup.a")
    with pytest.raises(ConfigurationError, match="unknown role"):
        registry.add_user(governed, "x", "hr_mup", roles=["superuser"])
    with pytest.raises(ConfigurationError, match="register agency"):
        registry.add_user(governed, "y", "de_bpol")


def test_victims_open_a_duty_to_notify_task_and_selectors_are_hashed(governed):
    data = report(
        entities=[
            {
                "id": "n1",
                "schema": "Person",
                "roles": ["victim", "minor"],
                "properties": {"name": "Ahmad Karimi", "birthDate": "2010-02-03", "phone": "064 111 2233"},
            },
        ]
    )
    Ingestor(governed, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(data)
    with governed.engine.connect() as conn:
        rows = conn.execute(tasks.select()).all()
        hashed = conn.execute(selector_index.select()).all()
    assert [(t.agency, t.kind, t.entity_id, t.status) for t in rows] == [
        ("rs_mup", "nrm_duty_to_notify", "rs-mup.n1", "open")
    ]
    assert "victim" in rows[0].reason and "minor" in rows[0].reason
    kinds = sorted(h.kind for h in hashed)
    assert kinds == ["name_birth", "phone"]
    assert all("+381" not in h.hmac and "Karimi" not in h.hmac for h in hashed)


def test_mentions_link_only_to_what_the_author_may_see(governed):
    Ingestor(governed, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(
        report(handling={"scheme": "SIENA", "code": "H0"})
    )
    text = report(
        agency="hr_mup",
        report_id="HR-1",
        entities=[],
        text="Driver Muhamed Alhasan near Bajakovo.",
        handling={"scheme": "SIENA", "code": "H0"},
    )
    Ingestor(governed, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report(text)
    op = Viewer.operator()
    resolved = [
        s for s in governed.statements_for_report("hr_mup", "HR-1", viewer=op) if s.prop == "resolved"
    ]
    assert resolved == []  # no agreement: hr_mup may not learn that rs_mup holds this name
    registry.add_agreement(governed, "rs_mup", "hr_mup")
    Ingestor(governed, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report({**text, "report_id": "HR-2"})
    resolved = [
        s.value for s in governed.statements_for_report("hr_mup", "HR-2", viewer=op) if s.prop == "resolved"
    ]
    assert resolved == ["rs-mup.p17"]


def test_derived_marking_carries_every_restriction_and_the_highest_classification():
    from counterflow.model.grading import Grading
    from counterflow.model.handling import Classification, Handling
    from counterflow.model.statement import Fact
    from counterflow.policy.session import derived_marking

    def fact(i: int, handling: Handling, classification: str) -> Fact:
        grading = Grading.parse("3x5x2", "2", "B")
        return Fact(f"s{i}", "e", "Person", "name", "name", "x", "rs_mup", None, "2026-03-01",
                    grading, handling, Classification(classification))  # fmt: skip

    h0, h1 = Handling.parse("SIENA", "H0"), Handling.parse("SIENA", "H1")
    p, four = Handling.parse("3x5x2", "P"), Handling.parse("5x5x5", "4")
    mixed = [fact(0, h0, "OFFICIAL"), fact(1, p, "OFFICIAL"), fact(2, h1, "OFFICIAL-SENSITIVE"),
             fact(3, four, "OFFICIAL"), fact(4, h0, "OFFICIAL")]  # fmt: skip
    marking = derived_marking(mixed)
    codes = {(h["scheme"], h["code"]) for h in marking["handling"]}
    assert codes == {("SIENA", "H1"), ("5x5x5", "4")}
    assert marking["classification"] == "OFFICIAL-SENSITIVE"
    # The same answer in any order, and a fresh copy each time (callers may change theirs).
    again = derived_marking(list(reversed(mixed)))
    assert again == marking and again["handling"] is not marking["handling"]
    again["handling"][0]["code"] = "changed"
    assert derived_marking(mixed) == marking
    assert derived_marking([fact(0, p, "OFFICIAL")])["handling"] == [
        {"scheme": "3x5x2", "code": "P", "conditions": None}
    ]
    assert derived_marking([]) == {"handling": [], "classification": "OFFICIAL"}
