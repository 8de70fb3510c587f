import pytest

from counterflow.errors import ConfigurationError
from counterflow.ingest.readers.header import ReportHeader, parse_grading, parse_handling
from counterflow.ingest.report import parse_report


def test_from_options_compact_codes():
    header = ReportHeader.from_options(
        agency="rs_mup",
        report_id="RS-1",
        reported_at="2026-03-14",
        grading="4x4:B2",
        handling="SIENA:H3:Not for court use",
        classification="official-sensitive",
        language="sr",
    )
    assert header.grading == {"scheme": "4x4", "source": "B", "information": "2"}
    assert header.handling == {"scheme": "SIENA", "code": "H3", "conditions": "Not for court use"}
    assert header.classification == "OFFICIAL-SENSITIVE"
    data = header.native("RS-1")
    assert data["format"] == "counterflow.report/1"
    parsed = parse_report({**data, "entities": []})
    assert parsed.report_id == "RS-1"


def test_from_options_lists_every_problem():
    with pytest.raises(ConfigurationError) as info:
        ReportHeader.from_options(
            agency="zz_nobody",
            report_id=None,
            reported_at="not a date",
            grading="4x4:Q9",
            handling="SIENA:H3",
            classification="SECRETISH",
            language="srp",
        )
    problems = "\n".join(info.value.details["problems"])
    for fragment in (
        "agency",
        "options.id: missing",
        "reported_at",
        "grading",
        "handling",
        "classification",
        "language",
    ):
        assert fragment in problems, fragment
    assert len(info.value.details["problems"]) == 7


def test_grading_and_handling_forms():
    assert parse_grading("3x5x2:1B") == {"scheme": "3x5x2", "source": "1", "information": "B"}
    assert parse_grading({"scheme": "5x5x5", "source": "B", "information": 2})["information"] == "2"
    assert parse_handling("5x5x5:4") == {"scheme": "5x5x5", "code": "4"}
    conditional = parse_handling({"scheme": "3x5x2", "code": "C", "conditions": "EU only"})
    assert conditional["conditions"] == "EU only"


def test_from_yaml_accepts_unquoted_dates_and_numbers(tmp_path):
    path = tmp_path / "header.yml"
    path.write_text(
        "report:\n  agency: mk_mvr\n  id: MK-77\n  reported_at: 2026-03-20\n"
        "  grading: {scheme: 5x5x5, source: B, information: 2}\n  handling: {scheme: 5x5x5, code: 1}\n"
        "  classification: OFFICIAL\n",
        encoding="utf-8",
    )
    header = ReportHeader.from_yaml(path)
    assert header.reported_at == "2026-03-20"
    assert header.handling == {"scheme": "5x5x5", "code": "1"}


def test_from_yaml_problems(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("report: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="invalid YAML"):
        ReportHeader.from_yaml(bad)
    none = tmp_path / "none.yml"
    none.write_text("source: {}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="no report"):
        ReportHeader.from_yaml(none)
    typo = tmp_path / "typo.yml"
    typo.write_text("report:\n  agency: rs_mup\n  gradng: 4x4:B2\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        ReportHeader.from_yaml(typo)
    problems = info.value.details["problems"]
    assert any("gradng: unknown key" in p for p in problems)
    assert any("grading: missing" in p for p in problems)


def test_require():
    header = ReportHeader.from_dict(
        {"agency": "rs_mup", "grading": "4x4:B2", "handling": "SIENA:H0", "classification": "OFFICIAL"},
        partial=True,
    )
    with pytest.raises(ConfigurationError, match="report id and reported_at"):
        header.require("reading")


def test_from_options_nothing_given():
    with pytest.raises(ConfigurationError) as info:
        ReportHeader.from_options()
    assert len(info.value.details["problems"]) == 6  # agency, classification, grading, handling, id, date


def test_a_header_may_say_the_reports_come_sanitised(tmp_path):
    base = (
        "report:\n  agency: mk_mvr\n  id: MK-78\n  reported_at: 2026-03-20\n"
        "  grading: {scheme: 5x5x5, source: B, information: 2}\n  handling: {scheme: 5x5x5, code: 1}\n"
        "  classification: OFFICIAL\n"
    )
    path = tmp_path / "header.yml"
    path.write_text(base + "  sanitised: true\n", encoding="utf-8")
    header = ReportHeader.from_yaml(path)
    assert header.sanitised and header.native("MK-78")["sanitised"] is True
    assert parse_report({**header.native("MK-78"), "entities": []}).record.report["sanitised"] is True
    path.write_text(base + "  sanitised: maybe\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        ReportHeader.from_yaml(path)
    assert any("sanitised: expected true or false" in p for p in err.value.details["problems"])
    path.write_text(base, encoding="utf-8")
    assert "sanitised" not in ReportHeader.from_yaml(path).native("MK-78")
