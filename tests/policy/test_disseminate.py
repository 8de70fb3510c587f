"""Dissemination packages: own material only, handling respected, sanitised, signed, logged."""

import base64
import json

import pytest

from counterflow.audit.log import records, verify
from counterflow.errors import AccessDenied, ConfigurationError, NotFound
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.policy.disseminate import (
    check_package,
    default_signing_key_file,
    disseminate,
    load_signing_key,
    public_key_text,
    verify_package,
)
from counterflow.store import SqlStore

from reports import report


def person(local, **props):
    return {"id": local, "schema": "Person", "properties": props}


@pytest.fixture
def governed(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'd.sqlite'}", selector_key=b"k" * 32)
    for agency in ("rs_mup", "hr_mup", "gb_ukbsu"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="SECRET")
    registry.add_agreement(store, "hr_mup", "rs_mup", accepts_conditions=True)
    rs = Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup"))
    rs.ingest_report(
        report(title="Source KESTREL debrief", text="Informant KESTREL saw Мухамед Алхасан at Preševo."),
        source="/secret/informants/kestrel.json",
    )
    siena = {"scheme": "SIENA", "code": "H2"}
    rs.ingest_report(
        report(report_id="RS-H2", handling=siena, entities=[person("p17", phone="+381659998877")])
    )
    orig = {"scheme": "5x5x5", "code": "4"}
    rs.ingest_report(report(report_id="RS-ORIG", handling=orig, entities=[person("p17", alias="Abu Karim")]))
    victim = {**person("n1", name="Ahmad Karimi", birthDate="2010-02-03"), "roles": ["victim", "minor"]}
    rs.ingest_report(report(report_id="RS-VIC", entities=[victim]))
    Ingestor(store, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report(
        report(
            agency="hr_mup",
            report_id="HR-1",
            entities=[person("p5", name="Ivo Horvat", phone="+385911234567")],
        )
    )
    yield store
    store.close()


def rs_viewer(store):
    return registry.viewer_for(store, "rs_mup.a")


def send(store, tmp_path, ids, to="gb_ukbsu", **kw):
    out = tmp_path / "pkg"
    pkg = disseminate(store, rs_viewer(store), ids, to, out, signing_key_file=tmp_path / "sign.key", **kw)
    lines = [json.loads(x) for x in (out / "statements.jsonl").read_text(encoding="utf-8").splitlines()]
    return pkg, out, lines


def test_package_holds_only_own_shareable_sanitised_material(governed, tmp_path):
    texts = {
        s.entity_id
        for s in governed.statements_for_report("rs_mup", "RS-2026-0001", viewer=rs_viewer(governed))
        if s.schema in {"PlainText", "Mention"}
    }
    assert len(texts) >= 2  # the report's text and a mention in it
    ids = ["rs-mup.p17", "rs-mup.t1", "rs-mup.v3", "hr-mup.p5", *texts]
    pkg, out, lines = send(governed, tmp_path, ids)
    raw = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    # another agency's material, H2 and originator-only material never appear
    for absent in ("Horvat", "+385911234567", "+381659998877", "Abu Karim", "hr_mup", "hr-mup"):
        assert absent not in raw
    # nothing that identifies sources or store records
    for absent in ("KESTREL", "Informant", "kestrel.json", "RS-2026-0001", "rs-mup.", "offsets", "Preševo"):
        assert absent not in raw
    assert {x["schema"] for x in lines} == {"Person", "Trip", "Vehicle"}
    assert {x["entity"] for x in lines} == {"E1", "E2", "E3"} and {x["report"] for x in lines} == {"R1"}
    name = next(x for x in lines if x["prop"] == "name")
    assert (name["value"], name["original_value"]) == ("Muhamed Alhasan", "Мухамед Алхасан")
    trip = {x["prop"]: x["value"] for x in lines if x["schema"] == "Trip"}
    assert trip["involved"] == name["entity"] and trip["vehicle"] in {"E1", "E2", "E3"}
    for x in lines:  # grading, handling with its conditions, and marking on every value
        assert x["handling"] == {"scheme": "3x5x2", "code": "C", "conditions": "EU law enforcement only"}
        assert x["grading"]["scheme"] == "3x5x2" and x["classification"] == "OFFICIAL-SENSITIVE"
    assert pkg.withheld["other_agency"] > 0 and pkg.withheld["handling"] == 2
    assert pkg.withheld["source_identifying"] > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sender"] == "rs_mup" and manifest["recipient"] == "gb_ukbsu"
    assert manifest["counts"] == {"statements": len(lines), "entities": 3, "reports": 1}
    assert manifest["handling"] == [{"scheme": "3x5x2", "code": "C", "conditions": "EU law enforcement only"}]
    assert verify_package(out) and verify_package(out, public_key=pkg.public_key)


def test_references_outside_the_package_are_dropped(governed, tmp_path):
    pkg, _, lines = send(governed, tmp_path, ["rs-mup.t1", "rs-mup.p17"])
    assert {x["prop"] for x in lines if x["schema"] == "Trip"} == {"involved", "startDate"}
    assert pkg.withheld["reference_outside_package"] == 1


def test_victims_only_when_asked(governed, tmp_path):
    with pytest.raises(AccessDenied, match="nothing of these entities"):
        send(governed, tmp_path, ["rs-mup.n1"])
    pkg, _, lines = send(governed, tmp_path, ["rs-mup.n1"], include_protected=True)
    assert {x["value"] for x in lines if x["prop"] == "role"} == {"victim", "minor"}
    assert pkg.entities == 1


def test_tampering_is_detected(governed, tmp_path):
    pkg, out, _ = send(governed, tmp_path, ["rs-mup.p17"])
    body = (out / "statements.jsonl").read_bytes()
    (out / "statements.jsonl").write_bytes(body.replace(b"Muhamed", b"Mohamed"))
    assert not verify_package(out)
    assert any("statements.jsonl" in p for p in check_package(out))
    (out / "statements.jsonl").write_bytes(body)
    assert verify_package(out)
    manifest = (out / "manifest.json").read_bytes()
    (out / "manifest.json").write_bytes(manifest.replace(b'"gb_ukbsu"', b'"hr_mup"'))
    assert not verify_package(out)
    (out / "manifest.json").write_bytes(manifest)
    other = load_signing_key(tmp_path / "other.key")
    assert not verify_package(out, public_key=public_key_text(other))  # pinned key: not this signer
    forged = json.loads(manifest)
    forged["signature"]["public_key"] = public_key_text(other)
    forged_bytes = json.dumps(forged, indent=2, sort_keys=True).encode() + b"\n"
    (out / "manifest.json").write_bytes(forged_bytes)
    (out / "manifest.sig").write_text(base64.b64encode(other.sign(forged_bytes)).decode())
    assert verify_package(out)  # intact, but made by another key ...
    assert not verify_package(out, public_key=pkg.public_key)  # ... which pinning catches
    (out / "manifest.sig").unlink()
    assert check_package(out)[0].startswith("not a readable package")


def test_disclosure_is_logged_with_recipient_and_mapping(governed, tmp_path):
    pkg, _, _ = send(governed, tmp_path, ["rs-mup.p17", "rs-mup.v3"], justification="JIT Balkan 2026/4")
    (rec,) = records(governed, action="disclosure")
    assert (rec["actor"], rec["agency"], rec["recipients"], rec["object_id"]) == (
        "rs_mup.a",
        "rs_mup",
        "gb_ukbsu",
        pkg.id,
    )
    details = json.loads(rec["details"])
    assert details["entities"] == {"E1": "rs-mup.p17", "E2": "rs-mup.v3"}
    assert details["reports"] == {"R1": "rs_mup:RS-2026-0001"}
    assert rec["justification"] == "JIT Balkan 2026/4" and verify(governed).ok


def test_refusals(governed, tmp_path):
    with pytest.raises(NotFound):
        send(governed, tmp_path, ["rs-mup.nobody"])
    with pytest.raises(ConfigurationError, match="another agency"):
        send(governed, tmp_path, ["rs-mup.p17"], to="rs_mup")
    with pytest.raises(ConfigurationError, match="not registered"):
        send(governed, tmp_path, ["rs-mup.p17"], to="de_bka")
    with pytest.raises(AccessDenied, match="nothing of these entities"):
        send(governed, tmp_path, ["hr-mup.p5"])  # visible to rs_mup, but not its own
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "x").write_text("x")
    with pytest.raises(ConfigurationError, match="not empty"):
        send(governed, tmp_path, ["rs-mup.p17"])
    assert records(governed, action="disclosure") == []


def test_signing_key_location(tmp_path):
    env = {"COUNTERFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'cf.sqlite'}"}
    assert default_signing_key_file(env) == tmp_path / "cf.sqlite.signing.key"
    assert (
        default_signing_key_file({**env, "COUNTERFLOW_SIGNING_KEY_FILE": "/k/s.key"}).as_posix() == "/k/s.key"
    )
    key = load_signing_key(tmp_path / "k" / "s.key")
    assert (tmp_path / "k" / "s.key").stat().st_mode & 0o077 == 0
    assert public_key_text(load_signing_key(tmp_path / "k" / "s.key")) == public_key_text(key)
