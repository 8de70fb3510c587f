"""MoPI review and erasure: schedules from configuration, recorded decisions, erasure everywhere."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from counterflow.audit.log import records, verify
from counterflow.errors import AccessDenied, ConfigurationError, InvalidValue, NotFound
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.model.visibility import Viewer
from counterflow.policy import registry
from counterflow.policy.disseminate import disseminate
from counterflow.policy.hits import ask
from counterflow.policy.retention import (
    DEFAULTS,
    add_years,
    decide,
    due,
    erase,
    load_config,
    schedule_reviews,
)
from counterflow.store import SqlStore
from counterflow.store.schema import reports, statements
from counterflow.store.schema_policy import reviews, selector_index, tasks

from reports import report

KEY = "rs_mup:RS-ERASE"
NAME = "Zlatomir Vukašinović"


@pytest.fixture
def governed(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'r.sqlite'}", selector_key=b"k" * 32)
    for agency in ("rs_mup", "hr_mup", "gb_ukbsu"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="SECRET")
        registry.add_user(store, f"{agency}.sup", agency, roles=["supervisor"], clearance="SECRET")
    rs = Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup"))
    rs.ingest_report(report())  # RS-2026-0001, reported 14.03.2026
    victim = {"id": "n1", "schema": "Person", "roles": ["victim"], "properties": {"name": "Ahmad Karimi"}}
    suspect = {
        "id": "z1",
        "schema": "Person",
        "properties": {"name": NAME, "birthDate": "1980-01-02", "phone": "+381601234567"},
    }
    rs.ingest_report(
        report(
            report_id="RS-ERASE",
            reported_at="2024-02-29",
            handling={"scheme": "SIENA", "code": "H0"},
            entities=[suspect, victim],
            text=f"{NAME} runs the Horgos crossing.",
        )
    )
    yield store
    store.close()


def v(store, user):
    return registry.viewer_for(store, user)


def count(store, table, **where):
    with store.engine.connect() as conn:
        q = select(func.count()).select_from(table)
        for col, value in where.items():
            q = q.where(table.c[col] == value)
        return conn.execute(q).scalar_one()


def test_schedule_and_due_follow_the_review_groups(governed):
    assert schedule_reviews(governed) == 2
    assert schedule_reviews(governed) == 0  # once per report
    with governed.engine.connect() as conn:
        rows = {r.report_key: (r.review_group, r.review_due) for r in conn.execute(select(reviews))}
    assert rows == {"rs_mup:RS-2026-0001": ("3", "2032-03-14"), KEY: ("3", "2030-02-28")}
    sup = v(governed, "rs_mup.sup")
    assert due(governed, sup, "2030-02-27") == []
    assert [r["report_key"] for r in due(governed, sup, "2032-12-31")] == [KEY, "rs_mup:RS-2026-0001"]
    assert due(governed, v(governed, "hr_mup.sup"), "2099-01-01") == []  # other agencies' reports
    assert "defaults" in DEFAULTS.source and "MoPI" in DEFAULTS.source


def test_groups_from_a_file_and_a_classifier(governed, tmp_path):
    path = tmp_path / "retention.yaml"
    path.write_text(
        'default_group: "2"\ngroups:\n  "1": {name: public protection, review_years: 10}\n'
        '  "2": {name: serious, review_years: 12}\n'
    )
    config = load_config(env={"COUNTERFLOW_RETENTION_FILE": str(path)})
    assert config.years("2") == 12 and config.source == str(path)
    group_of = {KEY: "1"}.get
    assert schedule_reviews(governed, config=config, group_of=lambda r: group_of(r["report_key"], "2")) == 2
    with governed.engine.connect() as conn:
        rows = {r.report_key: (r.review_group, r.review_due) for r in conn.execute(select(reviews))}
    assert rows == {"rs_mup:RS-2026-0001": ("2", "2038-03-14"), KEY: ("1", "2034-02-28")}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("groups: {}\n", "'groups'"),
        ('default_group: "9"\ngroups:\n  "1": {review_years: 5}\n', "default_group"),
        ('default_group: "1"\ngroups:\n  "1": {review_years: 0}\n', "review_years"),
        ("groups: [\n", "cannot read"),
    ],
)
def test_bad_retention_files_are_refused(tmp_path, text, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=problem):
        load_config(path)


def test_add_years_handles_leap_days():
    from datetime import date

    assert add_years(date(2024, 2, 29), 6) == date(2030, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_retain_sets_the_next_review_and_is_logged(governed):
    schedule_reviews(governed)
    decision = decide(
        governed, v(governed, "rs_mup.sup"), KEY, "retain", "active network", as_of="2030-03-01"
    )
    assert decision.next_review == "2036-03-01"
    assert [r["report_key"] for r in due(governed, v(governed, "rs_mup.sup"), "2031-01-01")] == []
    rec = records(governed, action="alteration")[-1]
    assert (rec["object_type"], rec["object_id"], rec["justification"]) == ("review", KEY, "active network")
    with pytest.raises(InvalidValue, match="reason"):
        decide(governed, v(governed, "rs_mup.sup"), KEY, "retain", "  ")
    with pytest.raises(InvalidValue, match="retain or dispose"):
        decide(governed, v(governed, "rs_mup.sup"), KEY, "archive", "x")


def test_erasure_removes_every_copy_and_leaves_a_tombstone(governed, tmp_path):
    schedule_reviews(governed)
    sup, op = v(governed, "rs_mup.sup"), Viewer.operator()
    pkg = disseminate(
        governed,
        v(governed, "rs_mup.a"),
        ["rs-mup.z1"],
        "gb_ukbsu",
        tmp_path / "pkg",
        signing_key_file=tmp_path / "s.key",
    )
    assert ask(governed, v(governed, "hr_mup.a"), "phone", "+381601234567") != []
    assert count(governed, tasks, report_key=KEY, status="open") == 1
    assert governed.search("Vukasinovic", viewer=op) != []

    erasure = erase(governed, sup, KEY, "no longer necessary for a policing purpose")

    assert (erasure.statements > 0, erasure.selectors, erasure.tasks) == (True, 2, 1)
    assert erasure.notify == ("gb_ukbsu",) and erasure.packages == (pkg.id,)
    assert {"rs-mup.z1", "rs-mup.n1"} <= set(erasure.entities_gone)
    assert not any(e.startswith("rs-mup.p17") for e in erasure.entities_gone)  # other report: still there
    assert count(governed, statements, report_key=KEY) == 0
    assert count(governed, reports, report_key=KEY) == 0
    assert count(governed, selector_index, report_key=KEY) == 0
    assert count(governed, tasks, report_key=KEY) == 0
    assert governed.search("Vukasinovic", viewer=op) == [] and governed.search("Horgos", viewer=op) == []
    assert ask(governed, v(governed, "hr_mup.a"), "phone", "+381601234567") == []
    assert governed.stats(viewer=op)["reports"] == 1  # the other report is untouched
    with governed.engine.connect() as conn:
        review = conn.execute(select(reviews).where(reviews.c.report_key == KEY)).one()
    assert (review.decision, review.decided_by) == ("dispose", "rs_mup.sup")

    check = verify(governed)
    assert check.ok, check.problems
    tomb = records(governed, action="erasure")[-1]
    details = json.loads(tomb["details"])
    assert (tomb["object_id"], tomb["recipients"], tomb["actor"]) == (KEY, "gb_ukbsu", "rs_mup.sup")
    assert details["sha256"] == erasure.sha256 and details["statements"] == erasure.statements
    log_text = json.dumps(records(governed, limit=10_000), ensure_ascii=False)
    assert "Vukasinovic" not in log_text and "Vukašinović" not in log_text

    db = Path(governed.url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    for trace in (b"Vukasinovic", "Vukašinović".encode(), b"Horgos", b"+381601234567"):
        assert trace not in raw


def test_only_the_owners_supervisor_may_erase(governed):
    for user in ("hr_mup.sup", "rs_mup.a", "gb_ukbsu.sup"):
        with pytest.raises(AccessDenied, match="supervisor of the agency that owns"):
            erase(governed, v(governed, user), KEY, "reason")
        with pytest.raises(AccessDenied):
            decide(governed, v(governed, user), KEY, "dispose", "reason")
    assert count(governed, statements, report_key=KEY) > 0
    with pytest.raises(NotFound):
        erase(governed, v(governed, "rs_mup.sup"), "rs_mup:NOPE", "reason")
    registry.add_user(governed, "rs_mup.low", "rs_mup", roles=["supervisor"], clearance="OFFICIAL")
    with pytest.raises(AccessDenied, match="clearance"):  # OFFICIAL-SENSITIVE report
        erase(governed, v(governed, "rs_mup.low"), KEY, "reason")


def test_dispose_decision_erases(governed):
    schedule_reviews(governed)
    decision = decide(governed, v(governed, "rs_mup.sup"), KEY, "dispose", "review: no policing purpose")
    assert decision.erasure is not None and decision.erasure.notify == ()
    assert count(governed, statements, report_key=KEY) == 0
    assert due(governed, v(governed, "rs_mup.sup"), "2099-01-01")[0]["report_key"] == "rs_mup:RS-2026-0001"
    assert verify(governed).ok
