"""Keyed hashes of selectors, for hit/no-hit matching without sharing content.

When a report is written, each selector value in it (phone, IBAN, email, vehicle plate,
passport, national id, IMEI, crypto wallet, and a person's name with birth date) is
stored a second time only as HMAC-SHA256(key, kind:value) with the owning agency and the
handling code: no value, no entity, no report content. A partner asks with the HMAC of
its own normalised selector and learns who to contact (``counterflow.policy.hits``).

The key lives outside the database (a file, by default beside the SQLite store), so a
copy of the database alone does not allow testing guesses. Material that may not leave
its originator (5x5x5 handling 4 and 5) is not indexed at all.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from collections import defaultdict
from pathlib import Path
from typing import Any

from counterflow.store.rows import StatementRow
from counterflow.store.schema import STATEMENT_COLUMNS

_C = {name: i for i, name in enumerate(STATEMENT_COLUMNS)}
NOT_INDEXED = {("5x5x5", "4"), ("5x5x5", "5")}
# (schema or "*", property) → selector kind
KINDS: dict[tuple[str, str], str] = {
    ("*", "phone"): "phone",
    ("*", "callerNumber"): "phone",
    ("*", "receiverNumber"): "phone",
    ("*", "iban"): "iban",
    ("*", "email"): "email",
    ("Vehicle", "registrationNumber"): "plate",
    ("*", "passportNumber"): "passport",
    ("Passport", "number"): "passport",
    ("*", "idNumber"): "national_id",
    ("Identification", "number"): "national_id",
    ("CryptoWallet", "publicKey"): "wallet",
}
KIND_NAMES = sorted(set(KINDS.values()) | {"name_birth"})


def load_key(path: Path) -> bytes:
    """The deployment's selector key, created (random, owner-only) on first use."""
    if path.exists():
        data = path.read_bytes()
        if len(data) < 32:
            raise ValueError(f"selector key {path} is shorter than 32 bytes")
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as fh:
        fh.write(os.urandom(32))
    return path.read_bytes()


def selector_hmac(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def name_birth_value(name: str, birth_date: str) -> str:
    """Name tokens (lower case, sorted) with the birth date: word order and case do not matter."""
    tokens = sorted("".join(c if c.isalnum() else " " for c in name.lower()).split())
    return f"{' '.join(tokens)}|{birth_date}"


def kind_of(schema: str, prop: str) -> str | None:
    return KINDS.get((schema, prop)) or KINDS.get(("*", prop))


_SCHEMA, _PROP, _VALUE, _ENTITY = _C["schema"], _C["prop"], _C["value"], _C["entity_id"]
_HSCHEME, _HCODE = _C["handling_scheme"], _C["handling_code"]
_PROPS = frozenset(p for _, p in KINDS) | {"name", "birthDate"}


def selector_rows(rows: list[StatementRow], key: bytes) -> list[dict[str, Any]]:
    """The selector-index rows for the statement rows of written reports."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    names: dict[str, list[StatementRow]] = defaultdict(list)
    births: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        prop = row[_PROP]
        if prop not in _PROPS:  # most rows: one set lookup
            continue
        if (row[_HSCHEME], row[_HCODE]) in NOT_INDEXED:
            continue
        schema, value = row[_SCHEMA], row[_VALUE]
        if schema == "Person" and prop == "name":
            names[row[_ENTITY]].append(row)
        elif schema == "Person" and prop == "birthDate" and len(value) >= 10:
            births[row[_ENTITY]].append(value[:10])
        kind = kind_of(schema, prop)
        if kind is not None:
            _add(out, key, kind, value, row)
    for entity_id, name_rows in names.items():
        for birth in births.get(entity_id, []):
            for row in name_rows:
                _add(out, key, "name_birth", name_birth_value(row[_VALUE], birth), row)
    return list(out.values())


def _add(
    out: dict[tuple[str, str], dict[str, Any]], key: bytes, kind: str, value: str, row: StatementRow
) -> None:
    digest = selector_hmac(key, kind, value)
    report = row[_C["report_key"]]
    out.setdefault(
        (digest, report),
        {
            "hmac": digest,
            "kind": kind,
            "agency": row[_C["agency"]],
            "handling_scheme": row[_C["handling_scheme"]],
            "handling_code": row[_C["handling_code"]],
            "class_level": row[_C["class_level"]],
            "report_key": report,
        },
    )
