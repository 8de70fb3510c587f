"""Resolution under need-to-know: analysts see and judge only what they may see; runs are logged."""

import pytest

from counterflow.audit.log import records, verify
from counterflow.errors import NotFound
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.resolve import service
from counterflow.store import SqlStore

from reports import report


@pytest.fixture
def governed(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    for agency in ("rs_mup", "hr_mup"):
        registry.add_agency(store, agency, agency)
        registry.add_user(store, f"{agency}.a", agency, clearance="OFFICIAL-SENSITIVE")
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    hr = report(agency="hr_mup", report_id="HR-1")
    hr["entities"][0]["properties"]["name"] = ["Muhamed Alhasan"]
    hr["entities"][0]["properties"]["phone"] = ["+381641234567"]
    Ingestor(store, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report(hr)
    yield store
    store.close()


def test_explanations_and_decisions_only_on_visible_entities(governed):
    hr = registry.viewer_for(governed, "hr_mup.a")
    with pytest.raises(NotFound, match=r"no entity 'rs-mup\.p17'"):
        service.explain_pair(governed, "hr-mup.p17", "rs-mup.p17", viewer=hr)
    with pytest.raises(NotFound):
        service.merge(governed, "hr-mup.p17", "rs-mup.p17", actor="hr_mup.a", reason="same phone", viewer=hr)
    registry.add_agreement(governed, "rs_mup", "hr_mup", accepts_conditions=True)
    hr = registry.viewer_for(governed, "hr_mup.a")
    explained = service.explain_pair(governed, "hr-mup.p17", "rs-mup.p17", viewer=hr)
    assert explained["left"]["names"] and explained["right"]["names"]


def test_runs_and_decisions_are_logged_as_combination(governed):
    service.run_store(governed, actor="rs_mup.a")
    service.split(governed, "hr-mup.p17", "rs-mup.p17", actor="rs_mup.a", reason="different fathers")
    combos = [r for r in records(governed, action="combination")]
    assert [r["object_type"] for r in combos] == ["resolution_run", "resolution_split"]
    assert combos[1]["actor"] == "rs_mup.a"
    assert verify(governed).ok
