"""Hit/no-hit matching: "does anyone hold this selector?" answered without handing over content.

A partner asks with a selector (phone, IBAN, e-mail, plate, passport, national id, IMEI,
crypto wallet, or a name with a birth date). It is normalised exactly as ingest
normalises values (phones read with the asking agency's country as the region hint,
Cyrillic plates mapped to Latin, names romanised), hashed with the deployment's selector
key, and looked up in the selector index written at ingest (``store.selectors``). The
answer names, per owning agency, only whom to contact and under which handling codes,
with a count of reports at most: never content, never entity or report ids.

The asking is itself information, so the owner is told who asked (a row in
``hit_queries`` per owning agency, read with ``notifications``), and the asking is a
"consultation" in the processing log whose details hold the kind and the HMAC, never the
selector itself.

Two limits: an asker learns of material only up to their clearance (the owner is still
told of the question), and material its owner may not pass on at all (5x5x5 4 and 5) is
never in the index. Like Europol's hit/no-hit, this answers one question at a time;
the owner's notifications are what makes bulk guessing visible.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from counterflow.errors import AccessDenied, ConfigurationError, InvalidValue
from counterflow.model.agencies import agency_country
from counterflow.model.handling import Handling, HandlingScheme
from counterflow.model.normalise import (
    normalise_crypto_wallet,
    normalise_date,
    normalise_email,
    normalise_iban,
    normalise_imei,
    normalise_name,
    normalise_national_id,
    normalise_passport,
    normalise_phone,
    normalise_plate,
)
from counterflow.model.visibility import Viewer
from counterflow.policy import registry
from counterflow.store import audit_chain
from counterflow.store.schema_policy import hit_queries, selector_index
from counterflow.store.selectors import name_birth_value, selector_hmac
from counterflow.store.sql import SqlStore

# What a partner may ask about → the kinds it is indexed under at ingest.
# IMEIs arrive as Identification numbers of type "imei", indexed as national ids.
ASK_KINDS: dict[str, tuple[str, ...]] = {
    "phone": ("phone",),
    "iban": ("iban",),
    "email": ("email",),
    "plate": ("plate",),
    "passport": ("passport",),
    "national_id": ("national_id",),
    "imei": ("national_id", "imei"),
    "wallet": ("wallet",),
    "name": ("name_birth",),
}
ALIASES = {"name_birth": "name", "crypto_wallet": "wallet", "id": "national_id", "idnumber": "national_id"}


@dataclass(frozen=True, slots=True)
class Hit:
    """A hit: whom to contact, and the handling codes their material carries."""

    agency: str
    handling: tuple[str, ...]  # "3x5x2 C", "SIENA H2": most restrictive first
    reports: int

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "handling": list(self.handling), "reports": self.reports}


def _kind(kind: str) -> str:
    key = kind.strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in ASK_KINDS:
        known = ", ".join(sorted(ASK_KINDS))
        raise InvalidValue("selector kind", kind, f"unknown kind (known: {known})")
    return key


def normalised_selector(
    kind: str, value: str, *, region: str | None, birth_date: str | None = None, country: str | None = None
) -> str:
    """The selector in the form ingest stores it (raises InvalidValue with the reason)."""
    kind = _kind(kind)
    if kind == "name":
        if not birth_date:
            raise InvalidValue("name", value, "a name is asked about with a birth date (--birth-date)")
        birth = normalise_date(birth_date).value
        if len(birth) < 10:
            raise InvalidValue("birth date", birth_date, "give the full date of birth (day, month and year)")
        return name_birth_value(normalise_name(value).value, birth[:10])
    if kind == "phone":
        return normalise_phone(value, country or region).value
    if kind == "iban":
        return normalise_iban(value).value
    if kind == "email":
        return normalise_email(value).value
    if kind == "plate":
        return normalise_plate(value, country).value
    if kind == "passport":
        return normalise_passport(value, country).value
    if kind == "national_id":
        return normalise_national_id(value, country or region).value
    if kind == "imei":
        return normalise_imei(value).value
    return normalise_crypto_wallet(value).value


def _digests(key: bytes, kind: str, value: str) -> dict[str, str]:
    """HMAC → index kind, for every kind this selector is indexed under."""
    return {selector_hmac(key, index_kind, value): index_kind for index_kind in ASK_KINDS[kind]}


def _handling_rank(label: str) -> tuple[int, str]:
    scheme, _, code = label.partition(" ")
    try:
        return (-Handling(HandlingScheme(scheme), code).rank, label)
    except (KeyError, ValueError):
        return (0, label)


def ask(
    store: SqlStore,
    viewer: Viewer,
    kind: str,
    value: str,
    *,
    birth_date: str | None = None,
    country: str | None = None,
    justification: str | None = None,
) -> list[Hit]:
    """Who holds this selector? One ``Hit`` per owning agency (possibly the asker's own); [] for no hit.

    ``country`` overrides the region hint for national phone numbers and ids (default: the
    asking agency's country). Records the question for each owner and in the processing log.
    """
    if viewer.open or not viewer.agency:
        raise AccessDenied("hit/no-hit needs a registered user: the owner is told who asked")
    if store.selector_key is None:
        raise ConfigurationError(
            "this store was opened without its selector key (COUNTERFLOW_SELECTOR_KEY_FILE): "
            "hit/no-hit cannot hash the selector"
        )
    if registry.justification_required(store, viewer.agency) and not (justification or "").strip():
        raise AccessDenied(f"{viewer.agency} requires a justification for every consultation (--reason TEXT)")
    key = _kind(kind)
    normalised = normalised_selector(
        key, value, region=agency_country(viewer.agency), birth_date=birth_date, country=country
    )
    digests = _digests(store.selector_key, key, normalised)
    si = selector_index
    with store.engine.begin() as conn:
        rows = conn.execute(
            select(si.c.agency, si.c.handling_scheme, si.c.handling_code, si.c.class_level, si.c.report_key)
            .where(si.c.hmac.in_(sorted(digests)))
            .distinct()
        ).all()
        owners = sorted({r.agency for r in rows})
        now = datetime.now(UTC).isoformat(timespec="seconds")
        primary = next(iter(digests))
        notify = [o for o in owners if o != viewer.agency]
        if notify:
            conn.execute(
                insert(hit_queries),
                [
                    {
                        "at": now,
                        "asker": viewer.user,
                        "asker_agency": viewer.agency,
                        "owner_agency": owner,
                        "kind": key,
                        "hmac": primary,
                    }
                    for owner in notify
                ],
            )
        audit_chain.append(
            conn,
            actor=viewer.user,
            agency=viewer.agency,
            action="consultation",
            object_type="selector",
            object_id=primary,
            justification=justification,
            details={"kind": key, "hmac": sorted(digests), "owners_told": notify},
        )
    codes: dict[str, set[str]] = defaultdict(set)
    reports: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.class_level > viewer.clearance.level:
            continue
        codes[r.agency].add(f"{r.handling_scheme} {r.handling_code}")
        reports[r.agency].add(r.report_key)
    return [
        Hit(agency, tuple(sorted(codes[agency], key=_handling_rank)), len(reports[agency]))
        for agency in sorted(codes)
    ]


def notifications(store: SqlStore, viewer: Viewer, *, limit: int = 200) -> list[dict[str, Any]]:
    """Who asked about the viewer's agency's selectors, newest first, with the reports matched."""
    if viewer.open or not viewer.agency:
        return []
    hq, si = hit_queries, selector_index
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(hq).where(hq.c.owner_agency == viewer.agency).order_by(hq.c.id.desc()).limit(limit)
        ).all()
        digests = sorted({r.hmac for r in rows})
        matched: dict[str, set[str]] = defaultdict(set)
        for start in range(0, len(digests), 500):
            for m in conn.execute(
                select(si.c.hmac, si.c.report_key, si.c.class_level).where(
                    si.c.hmac.in_(digests[start : start + 500]), si.c.agency == viewer.agency
                )
            ):
                if m.class_level <= viewer.clearance.level:
                    matched[m.hmac].add(m.report_key)
    return [
        {
            "at": r.at,
            "asker": r.asker,
            "asker_agency": r.asker_agency,
            "kind": r.kind,
            "reports": sorted(matched.get(r.hmac, set())),
        }
        for r in rows
    ]


__all__ = ["ASK_KINDS", "Hit", "ask", "normalised_selector", "notifications"]
