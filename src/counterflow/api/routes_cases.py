"""Cases: case files, their two views, chronology, briefing and exports (see docs/cases.md).

Every read of a case's material is a consultation; briefings and exports are disclosures to
the recipient named in the request. Exports come back as one zip of the files written and
their manifest.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path as FsPath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from counterflow.api.context import SessionDep
from counterflow.cases import files
from counterflow.cases.analysis import analyse
from counterflow.cases.chronology import chronology
from counterflow.cases.material import CaseMaterial, gather
from counterflow.errors import InvalidValue, LimitExceeded
from counterflow.model.handling import Classification, Handling
from counterflow.policy.session import Session

router = APIRouter(tags=["cases"])
CaseId = Annotated[str, Path(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]
Hops = Annotated[int, Query(ge=0, le=3, description="how far around the targets the material reaches")]
Recipient = Annotated[
    str, Query(min_length=1, max_length=200, description="whom it is for; logged as a disclosure")
]


class CaseRequest(BaseModel):
    id: str = Field(min_length=3, max_length=64, description="lower-case letters, digits, hyphens")
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(None, max_length=5000)


class TargetsRequest(BaseModel):
    entities: list[str] = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=1000)


class StatementsRequest(BaseModel):
    statements: list[str] = Field(min_length=1, max_length=1000)
    note: str | None = Field(None, max_length=1000)


class ParticipantRequest(BaseModel):
    user: str = Field(min_length=1, max_length=128)
    role: str = Field("member", description="lead or member")


def _material(session: Session, case_id: str, hops: int) -> CaseMaterial:
    material = gather(session.store, session.viewer, case_id, hops=hops)
    session.consulted("case", case_id, {"statements": len(material.statements), "targets": material.targets})
    return material


@router.get("/cases", summary="The cases you may read")
def get_cases(session: SessionDep) -> list[dict[str, Any]]:
    return files.list_cases(session.store, session.viewer)


@router.post("/cases", summary="Open a case owned by your agency")
def post_case(session: SessionDep, body: CaseRequest) -> dict[str, Any]:
    return files.create_case(
        session.store, session.viewer, body.id, body.title, description=body.description
    ).to_dict()


@router.get("/cases/{case_id}", summary="A case: participants, targets, linked material, documents")
def get_case(session: SessionDep, case_id: CaseId) -> dict[str, Any]:
    case = files.get_case(session.store, session.viewer, case_id)
    session.consulted("case", case_id, {"targets": sorted(case.targets)})
    return case.to_dict()


@router.post("/cases/{case_id}/targets", summary="Name targets (never a victim, witness or minor)")
def post_targets(session: SessionDep, case_id: CaseId, body: TargetsRequest) -> dict[str, Any]:
    added = files.add_targets(session.store, session.viewer, case_id, body.entities, note=body.note)
    return {"added": added}


@router.delete("/cases/{case_id}/targets/{entity_id}", summary="Remove a target")
def delete_target(
    session: SessionDep, case_id: CaseId, entity_id: Annotated[str, Path(max_length=200)]
) -> dict[str, Any]:
    files.remove_target(session.store, session.viewer, case_id, entity_id)
    return {"removed": entity_id}


@router.post("/cases/{case_id}/statements", summary="Link statements to the case as material")
def post_statements(session: SessionDep, case_id: CaseId, body: StatementsRequest) -> dict[str, Any]:
    added = files.link_statements(session.store, session.viewer, case_id, body.statements, note=body.note)
    return {"added": added}


@router.post("/cases/{case_id}/participants", summary="Add a participant")
def post_participant(session: SessionDep, case_id: CaseId, body: ParticipantRequest) -> dict[str, Any]:
    files.add_participant(session.store, session.viewer, case_id, body.user, body.role)
    return {"user": body.user, "role": body.role}


@router.post("/cases/{case_id}/documents", summary="Store a document as an exhibit (SHA-256, custody)")
async def post_document(
    session: SessionDep,
    case_id: CaseId,
    file: Annotated[UploadFile, File(description="the document")],
    exhibit: Annotated[str, Form(max_length=64)],
    handling_scheme: Annotated[str, Form(max_length=8)],
    handling_code: Annotated[str, Form(max_length=4)],
    classification: Annotated[str, Form(max_length=24)],
    handling_conditions: Annotated[str | None, Form(max_length=1000)] = None,
    description: Annotated[str | None, Form(max_length=2000)] = None,
) -> dict[str, Any]:
    content = await file.read(files.MAX_DOCUMENT_BYTES + 1)
    if len(content) > files.MAX_DOCUMENT_BYTES:
        raise LimitExceeded(f"documents are limited to {files.MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    doc = files.add_document(
        session.store,
        session.viewer,
        case_id,
        exhibit=exhibit,
        filename=FsPath(file.filename or "document").name,
        content=content,
        media_type=file.content_type or "application/octet-stream",
        handling=Handling.parse(handling_scheme, handling_code, handling_conditions),
        classification=Classification.parse(classification),
        description=description,
    )
    return doc.to_dict()


@router.get("/cases/{case_id}/document", summary="An exhibit's content (re-hashed before it is served)")
def get_document(
    session: SessionDep, case_id: CaseId, exhibit: Annotated[str, Query(max_length=64)]
) -> Response:
    doc, content = files.document_content(session.store, session.viewer, case_id, exhibit)
    name = FsPath(doc.filename).name
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(
        content,
        media_type=doc.media_type,
        headers={"Content-Disposition": disposition, "X-Content-SHA256": doc.sha256},
    )


@router.get("/cases/{case_id}/custody", summary="An exhibit's chain of custody")
def get_custody(
    session: SessionDep, case_id: CaseId, exhibit: Annotated[str, Query(max_length=64)]
) -> list[dict[str, Any]]:
    return files.custody_of(session.store, session.viewer, case_id, exhibit)


@router.get("/cases/{case_id}/analysis", summary="Both views: standing of each target, plans, gaps")
def get_analysis(
    session: SessionDep,
    case_id: CaseId,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    hops: Hops = 1,
) -> dict[str, Any]:
    return analyse(_material(session, case_id, hops), k=k)


@router.get("/cases/{case_id}/chronology", summary="Dated events with times of day")
def get_chronology(
    session: SessionDep,
    case_id: CaseId,
    evidential: Annotated[bool, Query(description="only what may go to court")] = False,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    hops: Hops = 1,
) -> list[dict[str, Any]]:
    events = chronology(_material(session, case_id, hops))
    return [e for e in events if e["evidential"] or not evidential][-limit:]


@router.get(
    "/cases/{case_id}/briefing",
    summary="The briefing as HTML or PDF (a disclosure to the recipient)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def get_briefing(
    session: SessionDep,
    case_id: CaseId,
    recipient: Recipient,
    format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html",
    hops: Hops = 1,
) -> Response:
    from counterflow.cases.briefing import write_briefing

    material = _material(session, case_id, hops)
    with tempfile.TemporaryDirectory() as tmp:
        written = write_briefing(session.store, material, FsPath(tmp), recipient=recipient)
        body = FsPath(written["paths"][format]).read_bytes()
    if format == "html":
        return HTMLResponse(body.decode("utf-8"))
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="briefing-{case_id}.pdf"'},
    )


@router.get(
    "/cases/{case_id}/export",
    summary="An export (ftm, graphml, gexf, i2, designation) as a zip (a disclosure to the recipient)",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def get_export(
    session: SessionDep,
    case_id: CaseId,
    recipient: Recipient,
    format: Annotated[str, Query(pattern="^(ftm|graphml|gexf|i2|designation)$")],
    view: Annotated[str, Query(pattern="^(evidential|intelligence)$")] = "evidential",
    documents: bool = False,
    hops: Hops = 1,
) -> Response:
    from counterflow.cases.exports import export_case

    material = _material(session, case_id, hops)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        folder = FsPath(tmp)
        export_case(
            material,
            folder,
            fmt=format,
            recipient=recipient,
            view=view,
            documents=documents,
            store=session.store,
        )
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(folder).as_posix())
    if not buffer.getbuffer().nbytes:
        raise InvalidValue("export", format, "nothing was written")
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{case_id}-{view}-{format}.zip"'},
    )
