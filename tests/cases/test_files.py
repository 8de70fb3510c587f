"""Case files: who may read and change them, targets, linked material, documents and custody."""

import hashlib
import json

import pytest
from sqlalchemy import update

from counterflow.audit.log import records, verify
from counterflow.cases import files
from counterflow.errors import AccessDenied, InvalidValue, NotFound
from counterflow.model.handling import Classification, Handling
from counterflow.store.schema_cases import case_documents

from casetools import viewer

H0 = Handling.parse("SIENA", "H0")


def test_a_case_is_seen_by_its_participants_and_owning_agency_only(world):
    uk = viewer(world, "gb_ukbsu.a")
    case = files.create_case(world, uk, "op-drina", "Operation Drina", description="organisers")
    assert case.participants == {"gb_ukbsu.a": "lead"} and case.agency == "gb_ukbsu"
    assert files.get_case(world, viewer(world, "gb_ukbsu.b"), "op-drina").title == "Operation Drina"
    rs = viewer(world, "rs_mup.a")
    with pytest.raises(NotFound, match="no case"):  # its existence is not revealed
        files.get_case(world, rs, "op-drina")
    assert files.list_cases(world, rs) == []
    files.add_participant(world, uk, "op-drina", "rs_mup.a")
    assert [c["id"] for c in files.list_cases(world, viewer(world, "rs_mup.a"))] == ["op-drina"]
    # A colleague of the owning agency reads but does not change it; a participant does.
    with pytest.raises(AccessDenied):
        files.add_targets(world, viewer(world, "gb_ukbsu.b"), "op-drina", ["rs-mup.p1"])
    assert files.add_targets(world, viewer(world, "rs_mup.a"), "op-drina", ["rs-mup.p1"]) == ["rs-mup.p1"]
    # A participant of an agency that may not see the target is not told its id.
    files.add_participant(world, uk, "op-drina", "hr_mup.a")
    assert files.get_case(world, viewer(world, "hr_mup.a"), "op-drina").targets == {}
    assert files.get_case(world, uk, "op-drina").targets == {"rs-mup.p1": None}
    logged = [r for r in records(world, action="alteration") if r["object_type"] == "case"]
    events = [json.loads(r["details"])["event"] for r in logged]
    assert events == ["opened", "participant", "targets added", "participant"]
    assert verify(world).ok


def test_bad_case_ids_and_titles_are_named(world):
    uk = viewer(world, "gb_ukbsu.a")
    with pytest.raises(InvalidValue) as err:
        files.create_case(world, uk, "Op Drina!", " ")
    assert "lower-case" in str(err.value) and "title is empty" in str(err.value)
    files.create_case(world, uk, "op-drina", "Drina")
    with pytest.raises(InvalidValue, match="exists"):
        files.create_case(world, uk, "op-drina", "Again")


def test_targets_must_be_visible_and_never_protected(world):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    with pytest.raises(InvalidValue) as err:
        files.add_targets(world, uk, "op-drina", ["rs-mup.p1", "hr-mup.p1", "rs-mup.p9"])
    message = str(err.value)
    assert "unknown entities: hr-mup.p1" in message  # not shared with the UK unit: unknown to it
    assert "never targets: rs-mup.p9" in message  # the victim
    assert files.get_case(world, uk, "op-drina").targets == {}  # nothing half-done
    assert files.add_targets(world, uk, "op-drina", ["rs-mup.p1", "rs-mup.p1"]) == ["rs-mup.p1"]
    assert files.add_targets(world, uk, "op-drina", ["rs-mup.p1"]) == []  # idempotent
    files.remove_target(world, uk, "op-drina", "rs-mup.p1")
    with pytest.raises(NotFound):
        files.remove_target(world, uk, "op-drina", "rs-mup.p1")


def test_linked_statements_must_be_visible(world):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    hr_only = world.statements_for_entity("hr-mup.p1", viewer=viewer(world, "hr_mup.a"))[0].id
    rs = world.statements_for_entity("rs-mup.p1", viewer=uk)[0].id
    with pytest.raises(InvalidValue, match="unknown statements"):
        files.link_statements(world, uk, "op-drina", [rs, hr_only])
    assert files.link_statements(world, uk, "op-drina", [rs], note="the boss's phone") == [rs]
    assert files.get_case(world, uk, "op-drina").statements == {rs: "the boss's phone"}


def test_documents_keep_their_digest_and_custody_and_tampering_is_detected(world):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    content = b"Witness statement of the driver, 3 pages.\n"
    doc = files.add_document(
        world,
        uk,
        "op-drina",
        exhibit="JB/1",
        filename="statement.txt",
        content=content,
        media_type="text/plain",
        handling=H0,
        classification=Classification.OFFICIAL,
    )
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    with pytest.raises(InvalidValue, match="already used"):
        files.add_document(
            world,
            uk,
            "op-drina",
            exhibit="JB/1",
            filename="x.txt",
            content=b"x",
            handling=H0,
            classification=Classification.OFFICIAL,
        )
    with pytest.raises(InvalidValue) as err:
        files.add_document(
            world,
            uk,
            "op-drina",
            exhibit="bad exhibit",
            filename="x.txt",
            content=b"",
            handling=H0,
            classification=Classification.SECRET,
        )
    assert all(p in str(err.value) for p in ("exhibit reference", "empty", "clearance"))
    got, data = files.document_content(world, uk, "op-drina", "JB/1")
    assert data == content and got.exhibit == "JB/1"
    assert files.verify_documents(world, uk, "op-drina") == [
        {"exhibit": "JB/1", "sha256": doc.sha256, "intact": True}
    ]
    with world.engine.begin() as conn:  # someone alters the stored bytes behind the system's back
        conn.execute(update(case_documents).values(content=b"Witness statement, altered.\n"))
    assert files.verify_documents(world, uk, "op-drina")[0]["intact"] is False
    with pytest.raises(InvalidValue, match="does not match"):
        files.document_content(world, uk, "op-drina", "JB/1")
    chain = files.custody_of(world, uk, "op-drina", "JB/1")
    assert [(c["action"], c["intact"]) for c in chain] == [
        ("received", True),
        ("viewed", True),
        ("verified", True),
        ("verified", False),
        ("viewed", False),
    ]


def test_originator_only_documents_are_hidden_from_other_agencies(world):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    files.add_participant(world, uk, "op-drina", "rs_mup.a")
    files.add_document(
        world,
        uk,
        "op-drina",
        exhibit="UK/1",
        filename="source.txt",
        content=b"s",
        handling=Handling.parse("5x5x5", "4"),
        classification=Classification.OFFICIAL,
    )
    assert [d.exhibit for d in files.get_case(world, uk, "op-drina").documents] == ["UK/1"]
    rs_case = files.get_case(world, viewer(world, "rs_mup.a"), "op-drina")
    assert rs_case.documents == []
    with pytest.raises(NotFound):
        files.document_content(world, viewer(world, "rs_mup.a"), "op-drina", "UK/1")


def test_a_closed_case_is_read_only(world):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    files.set_status(world, uk, "op-drina", "closed")
    with pytest.raises(AccessDenied, match="closed"):
        files.add_targets(world, uk, "op-drina", ["rs-mup.p1"])
    assert files.get_case(world, uk, "op-drina").status == "closed"
