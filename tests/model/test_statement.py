from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling
from counterflow.model.statement import ENTITY_ID_RE, Statement, assemble, make_entity_id

G = Grading.parse("4x4", "B", "2")
H = Handling.parse("SIENA", "H0")


def stmt(**kw):
    base = dict(
        entity_id="rs-mup.p1",
        schema="Person",
        prop="name",
        prop_type="name",
        value="Muhamed Alhasan",
        agency="rs_mup",
        report_id="R1",
        reported_at="2026-03-01",
        grading=G,
        handling=H,
        classification=Classification.OFFICIAL,
    )
    base.update(kw)
    return Statement(**base)


def test_ids_are_deterministic_and_content_sensitive():
    assert stmt().id == stmt().id
    assert stmt().id != stmt(value="Muhamed Alhassan").id
    assert stmt().id != stmt(report_id="R2").id
    assert stmt().id != stmt(evidence={"offsets": [1, 4]}).id


def test_entity_ids_follow_ftm_rules():
    assert make_entity_id("rs_mup", "p17") == "rs-mup.p17"
    odd = make_entity_id("rs_mup", "SRB/2026/17")
    assert ENTITY_ID_RE.match(odd) and odd != make_entity_id("rs_mup", "SRB-2026-17")
    assert make_entity_id("rs_mup", "SRB/2026/17") == odd


def test_assemble_skips_roles_and_uses_ftm():
    s1 = stmt()
    s2 = stmt(prop="phone", prop_type="phone", value="+381641234567")
    s3 = stmt(prop="role", prop_type="role", value="driver")
    ent = assemble([s1, s2, s3])
    assert ent.schema.name == "Person"
    assert ent.get("phone") == ["+381641234567"]
    assert "role" not in ent.to_dict()["properties"]
    assert ent.datasets == {"rs_mup"}


def test_assemble_common_schema():
    ent = assemble(
        [stmt(schema="LegalEntity"), stmt(schema="Person", prop="birthDate", prop_type="date", value="1989")]
    )
    assert ent.schema.name == "Person"
