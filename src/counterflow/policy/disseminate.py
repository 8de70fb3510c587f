"""Dissemination: a sanitised, signed package of an agency's own intelligence for a named recipient.

What goes in. Only what the sending agency itself owns (never a partner's material,
whatever the sender may read) and whose handling code lets it go to the recipient
(``model.visibility.handling_allows``, with conditions accepted because they travel with
every value), and never material marked "no onward dissemination" (SIENA H2, 5x5x5 4 and
5): codes are kept as received, so an H2 on the sender's record may be another
provider's restriction, and only that provider can lift it. Victims, witnesses and
minors (flagged by any statement in the store) stay out unless ``include_protected``.

Sanitised. No report ids (package-local references ``R1``…), no source file names, no
free-text bodies or title, no mentions (text spans can identify a source), no evidence
(offsets, normalisation notes), no statement or entity ids: entities become ``E1``…,
stable within the package, and the mapping back to the store lives only in the sender's
processing-log record of the disclosure. Grading, handling code with its conditions,
and classification stay on every value.

Signed. ``statements.jsonl`` (one statement a line), ``manifest.json`` (package id,
sender, recipient, time, counts, the SHA-256 of ``statements.jsonl``, the handling codes
present, the signer's public key) and ``manifest.sig`` (Ed25519 over the manifest bytes,
base64) with the deployment's signing key, a file created on first use. The embedded key
proves integrity; a recipient proves origin by pinning the sender's public key
(``verify_package(dir, public_key=...)``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from counterflow.errors import AccessDenied, ConfigurationError, NotFound
from counterflow.model.agencies import validate_agency
from counterflow.model.handling import Classification, highest
from counterflow.model.statement import Statement
from counterflow.model.visibility import Agreement, Viewer, handling_allows
from counterflow.policy import registry
from counterflow.settings import Settings
from counterflow.store import audit_chain
from counterflow.store.schema_policy import protected_entities
from counterflow.store.sql import SqlStore

FORMAT = "counterflow.package/1"
SIGNING_KEY_ENV = "COUNTERFLOW_SIGNING_KEY_FILE"
# Schemata that are documents or text spans in them; properties that point at a source.
SOURCE_SCHEMATA = frozenset({"Mention", "Document", "PlainText", "HyperText", "Pages", "Page", "Article"})
SOURCE_PROPS = frozenset(
    {"sourceUrl", "publisher", "publisherUrl", "proof", "indexText", "notes", "summary", "description"}
)


def default_signing_key_file(env: Mapping[str, str] | None = None) -> Path:
    """COUNTERFLOW_SIGNING_KEY_FILE, else beside the selector key (``….signing.key``)."""
    env = os.environ if env is None else env
    if env.get(SIGNING_KEY_ENV):
        return Path(env[SIGNING_KEY_ENV])
    selector = Settings.from_env(env).selector_key_file or Path.cwd() / "counterflow.key"
    stem = selector.name.removesuffix(".key")
    return selector.with_name(f"{stem}.signing.key")


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The deployment's Ed25519 signing key (a 32-byte seed), created owner-only on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32))
    seed = path.read_bytes()
    if len(seed) != 32:
        raise ConfigurationError(f"signing key {path} is not a 32-byte Ed25519 seed", path=str(path))
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw public key, base64: what a recipient pins."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, slots=True)
class Package:
    id: str
    sender: str
    recipient: str
    created: str
    path: Path
    statements: int
    entities: int
    reports: int
    handling: tuple[str, ...]
    public_key: str
    withheld: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sender": self.sender,
            "recipient": self.recipient,
            "created": self.created,
            "path": str(self.path),
            "statements": self.statements,
            "entities": self.entities,
            "reports": self.reports,
            "handling": list(self.handling),
            "public_key": self.public_key,
            "withheld": self.withheld,
        }


def _why_withheld(s: Statement, sender: str, protected: bool, agreement: Agreement) -> str | None:
    if s.agency != sender:
        return "other_agency"
    if protected and not agreement.include_protected:
        return "protected"
    if s.handling.no_onward or not handling_allows(agreement, s.handling.scheme.value, s.handling.code):
        return "handling"
    if s.schema in SOURCE_SCHEMATA or s.prop_type == "text" or s.prop in SOURCE_PROPS:
        return "source_identifying"
    if s.prop.endswith("Mentioned"):
        return "source_identifying"
    return None


def _protected(store: SqlStore, ids: list[str]) -> set[str]:
    """Entities any statement in the store flags as victim, witness or minor (visible or not)."""
    out: set[str] = set()
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            q = select(protected_entities.c.entity_id).where(protected_entities.c.entity_id.in_(chunk))
            out.update(str(e) for e in conn.execute(q).scalars())
    return out


def _record(s: Statement, entity: dict[str, str], report: dict[str, str], sid: str) -> dict[str, Any]:
    value = entity[s.value] if s.prop_type == "entity" else s.value
    return {
        "id": sid,
        "entity": entity[s.entity_id],
        "schema": s.schema,
        "prop": s.prop,
        "type": s.prop_type,
        "value": value,
        "original_value": None if s.prop_type == "entity" else s.original_value,
        "lang": s.lang,
        "script": s.script,
        "report": report[s.report_key],
        "observed_at": s.observed_at,
        "reported_at": s.reported_at,
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "grading": s.grading.to_dict(),
        "handling": s.handling.to_dict(),
        "classification": s.classification.value,
    }


def select_statements(
    store: SqlStore, viewer: Viewer, entity_ids: Iterable[str], recipient: str, *, include_protected: bool
) -> tuple[list[Statement], dict[str, int]]:
    """What of these entities may go to ``recipient``, and how many statements were withheld why."""
    ids = sorted(set(entity_ids))
    found = store.statements_for_entities(ids, viewer=viewer)
    missing = sorted(set(ids) - {s.entity_id for s in found})
    if missing:
        raise NotFound(f"no entity {missing[0]!r}", entity_id=missing[0])
    agreement = Agreement(viewer.agency, recipient, Classification.TOP_SECRET, True, include_protected)
    protected = _protected(store, ids)
    withheld: dict[str, int] = {}
    kept: list[Statement] = []
    for s in found:
        why = _why_withheld(s, viewer.agency, s.entity_id in protected, agreement)
        if why is None:
            kept.append(s)
        else:
            withheld[why] = withheld.get(why, 0) + 1
    in_package = {s.entity_id for s in kept if s.prop_type != "entity"}
    final = [
        s for s in kept if s.entity_id in in_package and (s.prop_type != "entity" or s.value in in_package)
    ]
    if len(final) < len(kept):
        withheld["reference_outside_package"] = len(kept) - len(final)
    return final, dict(sorted(withheld.items()))


def disseminate(
    store: SqlStore,
    viewer: Viewer,
    entity_ids: Iterable[str],
    recipient: str,
    out_dir: Path | str,
    *,
    include_protected: bool = False,
    signing_key_file: Path | None = None,
    justification: str | None = None,
) -> Package:
    """Write a signed, sanitised package of these entities for ``recipient`` into ``out_dir``."""
    if viewer.open or not viewer.agency:
        raise AccessDenied("dissemination needs a registered user: a package is sent by an agency")
    validate_agency(recipient)
    if recipient == viewer.agency:
        raise ConfigurationError("a package goes to another agency", recipient=recipient)
    if recipient not in {str(a["id"]) for a in registry.list_agencies(store)}:
        raise ConfigurationError(f"agency {recipient} is not registered", recipient=recipient)
    statements, withheld = select_statements(
        store, viewer, entity_ids, recipient, include_protected=include_protected
    )
    if not statements:
        raise AccessDenied(
            f"nothing of these entities may go to {recipient}: only your agency's own material whose "
            "handling allows it (and no victims, witnesses or minors unless asked)",
            withheld=withheld,
        )
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ConfigurationError(f"{out} is not empty: a package gets a directory of its own", path=str(out))
    key = load_signing_key(signing_key_file or default_signing_key_file())
    entity = {e: f"E{i}" for i, e in enumerate(sorted({s.entity_id for s in statements}), 1)}
    report = {r: f"R{i}" for i, r in enumerate(sorted({s.report_key for s in statements}), 1)}
    ordered = sorted(statements, key=lambda s: (int(entity[s.entity_id][1:]), s.prop, s.value, s.id))
    body = "".join(
        json.dumps(_record(s, entity, report, f"S{i}"), sort_keys=True, ensure_ascii=False) + "\n"
        for i, s in enumerate(ordered, 1)
    ).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    labels = sorted({s.handling.label for s in statements})
    handling = sorted(
        {(s.handling.scheme.value, s.handling.code, s.handling.conditions or "") for s in statements}
    )
    package_id = uuid.uuid4().hex
    created = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {
        "format": FORMAT,
        "package_id": package_id,
        "sender": viewer.agency,
        "recipient": recipient,
        "created": created,
        "counts": {"statements": len(ordered), "entities": len(entity), "reports": len(report)},
        "statements_sha256": digest,
        "handling": [{"scheme": h[0], "code": h[1], "conditions": h[2] or None} for h in handling],
        "classification": highest([s.classification for s in statements]).value,
        "signature": {"algorithm": "Ed25519", "public_key": public_key_text(key)},
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )
    created_dir = not out.exists()
    try:
        with store.engine.begin() as conn:
            audit_chain.append(
                conn,
                actor=viewer.user,
                agency=viewer.agency,
                action="disclosure",
                object_type="package",
                object_id=package_id,
                recipients=[recipient],
                justification=justification,
                details={
                    "statements": len(ordered),
                    "statements_sha256": digest,
                    "entities": {local: real for real, local in entity.items()},
                    "reports": {local: real for real, local in report.items()},
                    "withheld": withheld,
                    "include_protected": include_protected,
                },
            )
            out.mkdir(parents=True, exist_ok=True)
            (out / "statements.jsonl").write_bytes(body)
            (out / "manifest.json").write_bytes(manifest_bytes)
            (out / "manifest.sig").write_text(base64.b64encode(key.sign(manifest_bytes)).decode() + "\n")
    except BaseException:
        if created_dir:
            shutil.rmtree(out, ignore_errors=True)
        else:
            for name in ("statements.jsonl", "manifest.json", "manifest.sig"):
                (out / name).unlink(missing_ok=True)
        raise
    return Package(
        package_id,
        viewer.agency,
        recipient,
        created,
        out,
        len(ordered),
        len(entity),
        len(report),
        tuple(labels),
        public_key_text(key),
        withheld,
    )


def _public_key(value: str | bytes) -> Ed25519PublicKey:
    raw = value if isinstance(value, bytes) else base64.b64decode(value.strip(), validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


def check_package(directory: Path | str, public_key: str | bytes | None = None) -> list[str]:
    """Every problem with a package ([] when the signature and the payload hash hold).

    ``public_key`` (raw bytes or base64) is the sender's pinned key; without it the key
    in the manifest is used, which proves the package is intact but not who made it.
    """
    d = Path(directory)
    try:
        manifest_bytes = (d / "manifest.json").read_bytes()
        signature = base64.b64decode((d / "manifest.sig").read_text().strip(), validate=True)
        manifest = json.loads(manifest_bytes)
        embedded = str(manifest["signature"]["public_key"])
        key = _public_key(public_key if public_key is not None else embedded)
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        return [f"not a readable package: {exc}"]
    problems = []
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature:
        problems.append("the manifest signature does not verify (manifest altered, or another signer)")
    if public_key is not None and public_key_text(_public_key(embedded)) != public_key_text(key):
        problems.append("the manifest names a different signing key than the one expected")
    try:
        body = (d / "statements.jsonl").read_bytes()
    except OSError as exc:
        return [*problems, f"statements.jsonl unreadable: {exc}"]
    if hashlib.sha256(body).hexdigest() != manifest.get("statements_sha256"):
        problems.append("statements.jsonl does not match the hash in the manifest (altered)")
    counts = manifest.get("counts") or {}
    if body.count(b"\n") != counts.get("statements"):
        problems.append("statements.jsonl does not hold the number of statements the manifest gives")
    return problems


def verify_package(directory: Path | str, public_key: str | bytes | None = None) -> bool:
    """True when the package's signature and payload hash verify (see ``check_package``)."""
    return not check_package(directory, public_key)


__all__ = [
    "Package",
    "check_package",
    "default_signing_key_file",
    "disseminate",
    "load_signing_key",
    "public_key_text",
    "select_statements",
    "verify_package",
]
