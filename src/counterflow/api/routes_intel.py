"""Reports in, intelligence out: ingest (one report, bulk upload), search, entity profiles, counts."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, File, Form, Query, UploadFile

from counterflow.alerts.engine import evaluate_records
from counterflow.alerts.engine import run as run_alerts
from counterflow.api.context import Services, ServicesDep, SessionDep
from counterflow.api.events import alert_rows, broker_of
from counterflow.api.routes_alerts import ring
from counterflow.errors import InvalidValue, LimitExceeded
from counterflow.ingest.mentions import NameIndex
from counterflow.ingest.pipeline import Ingestor, IngestSummary, Submitter, read_path
from counterflow.ingest.report_queue import ReportQueue
from counterflow.model.visibility import UserRole
from counterflow.policy.session import Session
from counterflow.store.sql import ReportRecord

router = APIRouter(tags=["intelligence"])

_WRITE_ROLES = (UserRole.ANALYST, UserRole.SUPERVISOR, UserRole.ADMINISTRATOR)
_UPLOAD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv", ".xlsx"}


def _ingestor(session: Session, services: Services) -> Ingestor:
    """An ingestor for this user, sharing the service's index of known names (read once)."""
    viewer = session.viewer
    submitter = Submitter(viewer.user, None if viewer.open else viewer.agency)
    ing = Ingestor(session.store, submitter=submitter, names=services.names)
    services.names = ing.names
    return ing


def _queue(services: Services) -> ReportQueue:
    assert services.reports is not None
    return services.reports


@router.post("/reports", status_code=200, summary="Ingest one native intelligence report")
async def post_report(
    session: SessionDep,
    services: ServicesDep,
    report: Annotated[dict[str, Any], Body(description="a native report (docs/formats/native.md)")],
) -> dict[str, Any]:
    """Validates, normalises and stores one report whole, or rejects it whole (422, every problem
    listed). The same report twice is ``unchanged``; a changed report under the same id is 409."""
    session.require(*_WRITE_ROLES)
    written = await asyncio.wrap_future(_queue(services).submit(session.viewer, report))
    return {"report": written.report, "outcome": written.outcome}  # alerts raised by then


def report_queue(app: FastAPI) -> ReportQueue:
    """The service's ingest thread, sharing the index of known names with bulk uploads. Once
    reports are stored, the watchlists see them now, not at the next poll, and the alerts go
    straight to the open streams and webhooks."""
    services: Services = app.state.services

    def after(records: list[ReportRecord]) -> None:
        store = services.store
        raised = evaluate_records(store, records)
        if raised:
            broker_of(app).announce(alert_rows(store, raised))
            ring(store)

    def keep(index: NameIndex) -> None:
        services.names = index

    return ReportQueue(services.store, after=after, names=lambda: services.names, keep_names=keep)


@router.post("/reports/bulk", summary="Ingest a file of reports (JSON lines, FtM, CSV/Excel with a mapping)")
def post_bulk(
    session: SessionDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="the file, as an agency sends it")],
    mapping: Annotated[str | None, Form(description="mapping name (cdr, anpr) for CSV/Excel")] = None,
) -> dict[str, Any]:
    """Each report in the file is stored whole or rejected whole; the summary lists every rejection."""
    session.require(*_WRITE_ROLES)
    suffix = Path(file.filename or "upload.jsonl").suffix.lower()
    if suffix not in _UPLOAD_SUFFIXES:
        raise InvalidValue("upload", file.filename or "", "send a .json, .jsonl, .ndjson, .csv or .xlsx file")
    with tempfile.TemporaryDirectory(prefix="cf-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        size = 0
        with path.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > services.limits.max_body_bytes:
                    raise LimitExceeded("upload too large", limit_bytes=services.limits.max_body_bytes)
                out.write(chunk)
        with _queue(services).lock:
            summary: IngestSummary = _ingestor(session, services).ingest(read_path(path, mapping=mapping))
    raised = run_alerts(session.store) if summary.reports_added else []
    if raised:
        ring(session.store)
    return {**summary.to_dict(), "alerts_raised": len(raised)}


@router.get("/search", summary="Find entities by name (any script) or words of report text")
def get_search(
    session: SessionDep,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="words; Алхасан finds Alhasan")],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    hits = session.search(q, limit=min(limit, services.limits.max_results))
    return {
        "query": q,
        "hits": [
            {
                "entity_id": h.entity_id,
                "schema": h.schema,
                "value": h.value,
                "original_value": h.original_value,
                "agency": h.agency,
                "score": h.score,
            }
            for h in hits
        ],
    }


@router.get("/entities/{entity_id}", summary="An entity: every statement you may see, with provenance")
def get_entity(session: SessionDep, entity_id: str) -> dict[str, Any]:
    """Statements with agency, report, grading and handling; the combined record carries the strictest
    handling and highest marking of what you see. 404 alike for absent and hidden."""
    return session.profile(entity_id)


@router.get("/stats", summary="Counts of what you may see")
def get_stats(session: SessionDep) -> dict[str, Any]:
    return session.stats()
