"""Hit/no-hit: a partner learns whom to contact, never the content; the owner learns who asked."""

import pytest

from counterflow.audit.log import records, verify
from counterflow.errors import AccessDenied, ConfigurationError, InvalidValue, NotFound
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.policy.hits import ask, normalised_selector, notifications
from counterflow.policy.session import Session
from counterflow.store import SqlStore

from reports import report

IBAN = "RS35260005601001611379"


@pytest.fixture
def governed(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'h.sqlite'}", selector_key=b"k" * 32)
    for agency in ("rs_mup", "hr_mup", "gb_ukbsu"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    data = report()
    data["entities"].append({"id": "b1", "schema": "BankAccount", "properties": {"iban": IBAN}})
    data["entities"][0]["properties"]["passportNumber"] = ["SY 1234567"]
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(data)
    yield store
    store.close()


def viewer(store, user):
    return registry.viewer_for(store, user)


def test_partner_without_agreement_gets_the_hit_but_no_content(governed):
    uk = viewer(governed, "gb_ukbsu.a")
    hits = ask(governed, uk, "phone", "+381 64 123 4567")
    assert [h.to_dict() for h in hits] == [{"agency": "rs_mup", "handling": ["3x5x2 C"], "reports": 1}]
    # ... and still sees nothing of it
    session = Session.open(governed, "gb_ukbsu.a")
    assert session.stats()["statements"] == 0
    with pytest.raises(NotFound):
        session.profile("rs-mup.p17")
    assert session.search("alhasan") == []


def test_no_hit_is_an_empty_answer(governed):
    assert ask(governed, viewer(governed, "gb_ukbsu.a"), "phone", "+44 7911 123456") == []
    assert ask(governed, viewer(governed, "gb_ukbsu.a"), "plate", "NS 999-XX") == []


@pytest.mark.parametrize(
    ("user", "kind", "value", "extra"),
    [
        ("hr_mup.a", "phone", "00381641234567", {}),  # international prefix
        ("rs_mup.a", "phone", "064/123-4567", {}),  # national format, region from the agency
        ("gb_ukbsu.a", "phone", "064 123 4567", {"country": "RS"}),  # national, region given
        ("gb_ukbsu.a", "plate", "БГ 123-АБ", {}),  # Serbian plate typed in Cyrillic
        ("gb_ukbsu.a", "plate", "bg123ab", {}),
        ("gb_ukbsu.a", "iban", "rs35 2600 0560 1001 6113 79", {}),
        ("gb_ukbsu.a", "passport", "sy1234567", {}),
        ("gb_ukbsu.a", "name", "ALHASAN Muhamed", {"birth_date": "1989-04-12"}),
        ("gb_ukbsu.a", "name", "Алхасан Мухамед", {"birth_date": "12.04.1989"}),
    ],
)
def test_any_script_or_format_finds_the_same_hit(governed, user, kind, value, extra):
    hits = ask(governed, viewer(governed, user), kind, value, **extra)
    assert [h.agency for h in hits] == ["rs_mup"]


def test_the_owner_is_told_who_asked_and_the_asker_nothing_more(governed):
    ask(governed, viewer(governed, "gb_ukbsu.a"), "plate", "BG 123 AB")
    ask(governed, viewer(governed, "hr_mup.a"), "phone", "+381641234567")
    ask(governed, viewer(governed, "hr_mup.a"), "phone", "+385 91 123 4567")  # no hit: nobody told
    told = notifications(governed, viewer(governed, "rs_mup.a"))
    assert [(n["asker"], n["asker_agency"], n["kind"]) for n in told] == [
        ("hr_mup.a", "hr_mup", "phone"),
        ("gb_ukbsu.a", "gb_ukbsu", "plate"),
    ]
    assert told[0]["reports"] == ["rs_mup:RS-2026-0001"]
    assert notifications(governed, viewer(governed, "gb_ukbsu.a")) == []
    # asking about one's own material answers, but notifies nobody
    assert [h.agency for h in ask(governed, viewer(governed, "rs_mup.a"), "phone", "064 123 4567")] == [
        "rs_mup"
    ]
    assert len(notifications(governed, viewer(governed, "rs_mup.a"))) == 2


def test_the_log_records_the_consultation_but_never_the_selector(governed):
    ask(governed, viewer(governed, "gb_ukbsu.a"), "iban", IBAN)
    ask(governed, viewer(governed, "gb_ukbsu.a"), "name", "Muhamed Alhasan", birth_date="1989-04-12")
    logged = records(governed, action="consultation")
    assert [(r["actor"], r["object_type"]) for r in logged] == [("gb_ukbsu.a", "selector")] * 2
    text = repr(records(governed, limit=1000))
    for secret in (IBAN, "RS35", "Alhasan", "alhasan", "1989-04-12", "+381"):
        assert secret not in text
    assert '"kind": "iban"' in logged[0]["details"] and '"owners_told": ["rs_mup"]' in logged[0]["details"]
    assert verify(governed).ok


def test_clearance_limits_what_a_hit_reveals(governed):
    registry.add_user(governed, "gb_ukbsu.junior", "gb_ukbsu", roles=["analyst"], clearance="OFFICIAL")
    assert ask(governed, viewer(governed, "gb_ukbsu.junior"), "phone", "+381641234567") == []
    # the owner still learns of the question
    assert notifications(governed, viewer(governed, "rs_mup.a"))[0]["asker"] == "gb_ukbsu.junior"


def test_originator_only_material_is_never_hit(governed):
    data = report(report_id="RS-2", handling={"scheme": "5x5x5", "code": "4"})
    data["entities"] = [
        {"id": "p9", "schema": "Person", "properties": {"name": "X Y", "phone": "+381601112233"}}
    ]
    Ingestor(governed, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(data)
    assert ask(governed, viewer(governed, "gb_ukbsu.a"), "phone", "+381601112233") == []


def test_errors_are_clear(governed, tmp_path):
    uk = viewer(governed, "gb_ukbsu.a")
    with pytest.raises(InvalidValue, match="unknown kind"):
        ask(governed, uk, "shoe_size", "44")
    with pytest.raises(InvalidValue, match="birth date"):
        ask(governed, uk, "name", "Muhamed Alhasan")
    with pytest.raises(InvalidValue, match="full date"):
        ask(governed, uk, "name", "Muhamed Alhasan", birth_date="1989")
    with pytest.raises(InvalidValue):
        ask(governed, uk, "phone", "12")
    keyless = SqlStore(governed.url)
    with pytest.raises(ConfigurationError, match="selector key"):
        ask(keyless, uk, "phone", "+381641234567")
    registry.set_justification(governed, "gb_ukbsu", True)
    with pytest.raises(AccessDenied, match="justification"):
        ask(governed, uk, "phone", "+381641234567")
    assert ask(governed, uk, "phone", "+381641234567", justification="op TIDE") != []
    open_store = SqlStore(f"sqlite:///{tmp_path / 'open.sqlite'}", selector_key=b"k" * 32)
    with pytest.raises(AccessDenied, match="registered user"):
        ask(open_store, Session.open(open_store, None).viewer, "phone", "+381641234567")


def test_normalised_selector_matches_ingest_forms():
    assert normalised_selector("phone", "064 123 4567", region="RS") == "+381641234567"
    assert normalised_selector("plate", "бг 123 аб", region=None) == "BG123AB"
    assert normalised_selector("name", "muhamed ALHASAN", region=None, birth_date="12.04.1989.") == (
        "alhasan muhamed|1989-04-12"
    )
