"""Briefing (HTML and PDF) and exports, each read back by its own format's reader."""

import csv
import json

import igraph
import networkx as nx
import pytest
from followthemoney import model
from pypdf import PdfReader

from counterflow.audit.log import records, verify
from counterflow.cases import files
from counterflow.cases.briefing import build_briefing, render_html, write_briefing
from counterflow.cases.exports import export_case
from counterflow.cases.material import gather
from counterflow.errors import InvalidValue
from counterflow.model.normalise import normalise_name

from casetools import NAMES, viewer

LATIN = {k: normalise_name(v).value for k, v in NAMES.items()}
VICTIM = (NAMES["p9"], LATIN["p9"], "rs-mup.p9")


@pytest.fixture
def material(world):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Operation Drina")
    files.add_targets(world, uk, "op-drina", ["rs-mup.p1", "rs-mup.p3"])
    return gather(world, uk, "op-drina")


def _disclosures(store):
    return [(r["object_type"], r["recipients"].split(",")) for r in records(store, action="disclosure")]


def test_briefing_html_and_pdf_say_the_same_and_carry_the_marking(world, material, tmp_path):
    result = write_briefing(world, material, tmp_path, recipient="CPS Organised Crime")
    html = (tmp_path / "briefing-op-drina.html").read_text(encoding="utf-8")
    pdf = tmp_path / "briefing-op-drina.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    flat = " ".join(text.split())
    for needed in (
        "Operation Drina",
        LATIN["p1"],
        LATIN["p3"],
        "Schedule of unused material",
        "Chronology",
        "court-restricted",
        "sanitised",
        "SIENA H1",
        "OFFICIAL",
    ):
        assert needed in flat, needed
        assert needed in html, needed
    assert "23:15" in flat and "23:15" in html  # the call's time of day
    for hidden in VICTIM:
        assert hidden not in html and hidden not in text
    assert "<svg" in html and "Natural Earth" in html
    b = result["briefing"]
    # The marking is the strictest of what it shows: H1 and H2 material is in the intelligence view.
    codes = {h["code"] for h in b["marking"]["handling"]}
    assert {"H1", "H2"} <= codes
    unused = {u["report"]: u for u in b["unused"]}
    assert unused["RS-1"]["reasons"] == ["court-restricted"] and unused["RS-1"]["schedule"] == "sensitive"
    assert unused["RS-3"]["reasons"] == ["sanitised"] and unused["RS-4"]["schedule"] == "non-sensitive"
    assert "RS-2" not in unused  # evidence is not unused material
    assert _disclosures(world) == [("case-briefing", ["CPS Organised Crime"])]
    assert verify(world).ok


def test_evidence_lines_name_references_but_never_victims(material):
    b = build_briefing(material)
    boss = next(t for t in b["targets"] if t["id"] == "rs-mup.p1")
    values = [line["value"] for line in boss["evidence"]]
    assert LATIN["p3"] in values  # the Associate's reference, shown as a name
    assert all(line["excluded_because"] == [] for line in boss["evidence"])
    assert "protected person" in values and not any(v in str(b) for v in VICTIM[:2])
    assert "protected person" in render_html(b)


def test_ftm_export_loads_with_followthemoney_and_withholds_what_may_not_leave(world, material, tmp_path):
    manifest = export_case(material, tmp_path, fmt="ftm", recipient="Aleph", view="evidential", store=world)
    lines = (tmp_path / "op-drina-evidential.ftm.jsonl").read_text(encoding="utf-8").splitlines()
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    ids = {p.id for p in proxies}
    assert "rs-mup.p1" in ids and "rs-mup.p3" in ids
    assert "rs-mup.p2" not in ids  # only in the H1 call: not evidence
    assert "rs-mup.p8" not in ids  # SIENA H2 from rs_mup: the UK unit may read it, not pass it on
    assert not ids & {"rs-mup.p9"} and not any(v in "\n".join(lines) for v in VICTIM)
    boss = next(p for p in proxies if p.id == "rs-mup.p1")
    assert LATIN["p1"] in boss.get("name")
    assert manifest["withheld"]["protected person"] > 0
    assert any("SIENA H2" in k and "rs_mup" in k for k in manifest["withheld"])
    intel = export_case(material, tmp_path, fmt="ftm", recipient="Aleph", view="intelligence", store=world)
    assert intel["statements"] > manifest["statements"]
    assert _disclosures(world) == [("case-export-ftm", ["Aleph"]), ("case-export-ftm", ["Aleph"])]


def test_graphml_and_gexf_load_in_networkx_and_igraph(world, material, tmp_path):
    export_case(material, tmp_path, fmt="graphml", recipient="Gephi users", view="intelligence", store=world)
    export_case(material, tmp_path, fmt="gexf", recipient="Gephi users", view="intelligence", store=world)
    gml = nx.read_graphml(tmp_path / "op-drina-intelligence.graphml")
    gexf = nx.read_gexf(tmp_path / "op-drina-intelligence.gexf")
    ig_graph = igraph.Graph.Read_GraphML(str(tmp_path / "op-drina-intelligence.graphml"))
    assert set(gml.nodes) == set(gexf.nodes) and ig_graph.vcount() == gml.number_of_nodes()
    assert gml.number_of_edges() == gexf.number_of_edges() == ig_graph.ecount()
    assert gml.nodes["rs-mup.p1"]["target"] is True and gml.nodes["rs-mup.p1"]["label"] == LATIN["p1"]
    assert gexf.nodes["rs-mup.p1"]["label"] == LATIN["p1"]
    assert gml.edges["rs-mup.p1", "rs-mup.p2"]["evidential"] is False  # the H1 call
    assert gml.edges["rs-mup.p1", "rs-mup.p3"]["evidential"] is True
    assert "rs-mup.p9" not in gml and "rs-mup.p8" not in gml  # victim; H2 of another agency


def test_i2_export_has_links_entities_and_its_import_specification(world, material, tmp_path):
    export_case(material, tmp_path, fmt="i2", recipient="i2 analysts", view="intelligence", store=world)
    with (tmp_path / "op-drina-intelligence.i2-links.csv").open(encoding="utf-8") as fh:
        links = list(csv.DictReader(fh))
    call = next(r for r in links if r["Link Type"] == "call")
    assert {call["Entity1 Identity"], call["Entity2 Identity"]} == {"rs-mup.p1", "rs-mup.p2"}
    assert call["First Time"] == "23:15" and call["Evidential"] == "no"
    with (tmp_path / "op-drina-intelligence.i2-entities.csv").open(encoding="utf-8") as fh:
        entities = {r["Identity"]: r for r in csv.DictReader(fh)}
    assert entities["rs-mup.p1"]["Case Target"] == "yes"
    spec = (tmp_path / "op-drina-intelligence.i2-import-specification.txt").read_text(encoding="utf-8")
    assert all(c in spec for c in ("[Entity1 Identity]", "[Link Type]", "yyyy-MM-dd", "HH:mm"))


def test_designation_pack_lists_graded_evidence_per_target(world, material, tmp_path):
    export_case(material, tmp_path, fmt="designation", recipient="OFSI", store=world)
    pack = json.loads((tmp_path / "op-drina-evidential.designation-pack.json").read_text(encoding="utf-8"))
    entries = {d["entity_id"]: d for d in pack["designations"]}
    assert set(entries) == {"rs-mup.p1", "rs-mup.p3"}
    boss = entries["rs-mup.p1"]
    assert boss["identifiers"]["name"][0]["as_written"] == NAMES["p1"]
    assert boss["identifiers"]["phone"][0]["value"] == "+381643334444"
    assert LATIN["p3"] in boss["associates"] and LATIN["p9"] not in boss["associates"]
    assert boss["evidence"] and all(e["handling"]["code"] not in ("H1",) for e in boss["evidence"])
    assert all(e["grading"]["common"] for e in boss["evidence"])


def test_bad_export_requests_are_refused(material, tmp_path):
    with pytest.raises(InvalidValue, match="one of"):
        export_case(material, tmp_path, fmt="xlsx", recipient="x")
    with pytest.raises(InvalidValue, match="one of"):
        export_case(material, tmp_path, fmt="ftm", recipient="x", view="everything")
    with pytest.raises(InvalidValue, match="whom"):
        export_case(material, tmp_path, fmt="ftm", recipient=" ")


def test_exhibits_travel_with_custody_unless_their_handling_forbids(world, material, tmp_path):
    from counterflow.model.handling import Classification, Handling

    uk = material.viewer
    files.add_document(
        world,
        uk,
        "op-drina",
        exhibit="JB/1",
        filename="statement.txt",
        content=b"words",
        handling=Handling.parse("SIENA", "H0"),
        classification=Classification.OFFICIAL,
    )
    again = gather(world, uk, "op-drina")
    export_case(again, tmp_path, fmt="ftm", recipient="CPS", documents=True, store=world)
    assert (tmp_path / "exhibits" / "JB_1-statement.txt").read_bytes() == b"words"
    chain = files.custody_of(world, uk, "op-drina", "JB/1")
    assert [c["action"] for c in chain] == ["received", "exported"]
    assert chain[-1]["details"]["recipient"] == "CPS"


def test_nothing_leaves_without_its_disclosure_record(world, material, tmp_path, monkeypatch):
    import counterflow.cases.exports as exports

    def broken(*args, **kwargs):
        raise RuntimeError("the log is unavailable")

    monkeypatch.setattr(exports, "log_disclosure", broken)
    with pytest.raises(RuntimeError):
        export_case(material, tmp_path / "out", fmt="gexf", recipient="Gephi users", store=world)
    assert list((tmp_path / "out").iterdir()) == []
    with pytest.raises(InvalidValue, match="whom"):
        write_briefing(world, material, tmp_path / "b", recipient="  ")
