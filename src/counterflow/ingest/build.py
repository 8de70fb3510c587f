"""Building statements for the entities of one report, shared by every reader.

Readers hand over entities as ``{"id", "schema", "properties", "roles"?, …}`` with raw
values; the builder resolves references, normalises each value with the right context,
attaches provenance and records problems (never raising mid-report), so the caller can
reject the whole report with every problem listed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.schema import Schema
from followthemoney.types import registry

from counterflow.errors import InvalidValue, Problem
from counterflow.ingest.mentions import Found, NameIndex, find_selectors
from counterflow.ingest.values import Context, clean_value
from counterflow.model.agencies import agency_slug
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling
from counterflow.model.normalise import detect_script
from counterflow.model.roles import PROTECTED_ROLES, ROLE_SCHEMATA, parse_role
from counterflow.model.statement import (
    ENTITY_ID_RE,
    ROLE_PROP,
    Statement,
    evidence_json,
    make_entity_id,
    statement_key,
)
from counterflow.model.visibility import Meta, NameEntry
from counterflow.store.rows import StatementRow, make_row, report_key, row_to_statement

PROTECTED_VALUES = frozenset(r.value for r in PROTECTED_ROLES)
NAMED_SCHEMATA = frozenset({"Person", "Organization", "Company", "LegalEntity"})
MENTION_PROPS = {"phone": "phoneMentioned", "email": "emailMentioned", "iban": "ibanMentioned"}
MENTION_SCHEMA = {"plate": "Vehicle", "passport": "Passport", "wallet": "CryptoWallet"}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Defaults every value of a report inherits (entities and values may override some)."""

    agency: str
    report_id: str
    reported_at: str
    observed_at: str | None
    grading: Grading
    handling: Handling
    classification: Classification
    lang: str | None
    agency_country: str | None
    first_seen: str | None = None
    last_seen: str | None = None


@dataclass(frozen=True, slots=True)
class TextTask:
    """A report's text whose name mentions are still to be found (against the shared index)."""

    prov: Provenance
    doc_id: str
    text: str


Allow = Callable[[Meta], bool]


def name_mention_rows(
    task: TextTask, index: NameIndex, own_names: list[NameEntry], allow: Allow | None = None
) -> list[StatementRow]:
    """The statements a report's text adds by naming entities its agency may see (its own included)."""
    builder = EntityBuilder(task.prov, [])
    builder.names = list(own_names)
    builder.add_name_mentions(task, index, allow)
    return builder.rows


@lru_cache(maxsize=4096)
def _country(value: str) -> str | None:
    cleaned = registry.country.clean(value, proxy=None)
    return str(cleaned).upper() if cleaned else None


def _at(path: str, index: int) -> str:
    return f"{path}[{index}]"


def _dated(
    prov: Provenance, obj: dict[str, Any], where: str, date: Callable[[str, Any], str | None]
) -> Provenance:
    """Provenance with the entity's or value's own observed/first/last-seen dates, where given."""
    if "observed_at" in obj:
        prov = replace(prov, observed_at=date(f"{where}.observed_at", obj["observed_at"]))
    if "first_seen" in obj:
        prov = replace(prov, first_seen=date(f"{where}.first_seen", obj["first_seen"]))
    if "last_seen" in obj:
        prov = replace(prov, last_seen=date(f"{where}.last_seen", obj["last_seen"]))
    return prov


@dataclass
class EntityBuilder:
    prov: Provenance
    problems: list[Problem]
    rows: list[StatementRow] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)
    _mentions: set[str] = field(default_factory=set)
    names: list[NameEntry] = field(default_factory=list)
    _protected: set[str] = field(default_factory=set)
    text_task: TextTask | None = None

    def __post_init__(self) -> None:
        self._report_key = report_key(self.prov.agency, self.prov.report_id)

    def entity_id(self, local: str) -> str:
        return make_entity_id(self.prov.agency, local)

    def _emit(
        self,
        prov: Provenance,
        entity_id: str,
        schema: str,
        prop: str,
        prop_type: str,
        value: str,
        original: str | None,
        *,
        lang: str | None = None,
        script: str | None = None,
        evidence: dict[str, Any] | None = None,
        evidence_text: str | None = None,
    ) -> None:
        original = original if original != value else None
        ev = evidence_json(evidence) if evidence else evidence_text
        stmt_id = statement_key(prov.report_id, entity_id, schema, prop, value, original, ev)
        if stmt_id in self._ids:
            return
        self._ids.add(stmt_id)
        first = prov.first_seen or prov.observed_at
        self.rows.append(
            make_row(
                stmt_id,
                entity_id,
                schema,
                prop,
                prop_type,
                value,
                original,
                lang or prov.lang,
                script,
                prov.agency,
                self._report_key,
                prov.observed_at,
                prov.reported_at,
                first,
                prov.last_seen or first,
                prov.grading,
                prov.handling,
                prov.classification,
                ev,
            )
        )
        if prop_type == "name" and schema in NAMED_SCHEMATA:
            meta = Meta(
                prov.agency,
                prov.classification.level,
                prov.handling.scheme.value,
                prov.handling.code,
                entity_id in self._protected,
            )
            self.names.append(NameEntry(entity_id, value, meta))
        elif prop_type == "role" and value in PROTECTED_VALUES:
            self._protected.add(entity_id)

    @property
    def statements(self) -> list[Statement]:
        """The statements built so far (made from the rows; for callers that want objects)."""
        return [row_to_statement(r) for r in self.rows]

    def add_entity(
        self,
        where: str,
        ent: dict[str, Any],
        local_ids: set[str],
        grading: Callable[[str, Any], Grading | None],
        handling: Callable[[str, Any], Handling | None],
        date: Callable[[str, Any], str | None],
    ) -> None:
        schema = ftm_model.get(ent["schema"])
        assert schema is not None
        entity_id = self.entity_id(str(ent["id"]))
        prov = self.prov
        if "grading" in ent:
            prov = replace(prov, grading=grading(f"{where}.grading", ent["grading"]) or prov.grading)
        if "handling" in ent:
            prov = replace(prov, handling=handling(f"{where}.handling", ent["handling"]) or prov.handling)
        prov = _dated(prov, ent, where, date)
        props: dict[str, Any] = ent.get("properties") or {}
        ctx = self._context(schema, props)
        for role_i, role in enumerate(ent.get("roles") or []):
            rwhere = f"{where}.roles[{role_i}]"
            if not any(schema.is_a(s) for s in ROLE_SCHEMATA):
                self.problems.append(Problem(rwhere, str(role), f"roles apply to persons, not {schema.name}"))
                continue
            try:
                self._emit(prov, entity_id, schema.name, ROLE_PROP, "role", parse_role(str(role)).value, None)
            except InvalidValue as exc:
                self.problems.append(Problem(rwhere, str(role), exc.reason))
        for prop_name, raw_values in props.items():
            pwhere = f"{where}.properties.{prop_name}"
            prop = schema.get(prop_name)
            if prop is None:
                self.problems.append(Problem(pwhere, None, f"{schema.name} has no property {prop_name!r}"))
                continue
            if prop.stub:
                self.problems.append(
                    Problem(pwhere, None, f"{prop_name!r} is a reverse property; set it on the other entity")
                )
                continue
            values = raw_values if isinstance(raw_values, list) else [raw_values]
            for vi, raw in enumerate(values):
                self._add_value(
                    partial(_at, pwhere, vi),
                    prov,
                    entity_id,
                    schema,
                    prop_name,
                    raw,
                    ctx,
                    local_ids,
                    grading,
                    date,
                )

    def _context(self, schema: Schema, props: dict[str, Any]) -> Context:
        def first(name: str) -> str | None:
            raw = props.get(name)
            raw = raw[0] if isinstance(raw, list) and raw else raw
            raw = raw.get("value") if isinstance(raw, dict) else raw
            return raw if isinstance(raw, str) else None

        country = None
        for key in ("country", "nationality", "jurisdiction"):
            value = first(key)
            if value and schema.get(key) is not None:
                cleaned = _country(value)
                if cleaned:
                    country = cleaned
                    break
        id_type = first("type") if schema.is_a("Identification") else None
        return Context(
            agency_country=self.prov.agency_country, entity_country=country, identification_type=id_type
        )

    def _add_value(
        self,
        where: Callable[[], str],
        prov: Provenance,
        entity_id: str,
        schema: Schema,
        prop_name: str,
        raw: Any,
        ctx: Context,
        local_ids: set[str],
        grading: Callable[[str, Any], Grading | None],
        date: Callable[[str, Any], str | None],
    ) -> None:
        prop = schema.properties[prop_name]
        lang = None
        if isinstance(raw, dict):
            if "grading" in raw:
                prov = replace(prov, grading=grading(f"{where()}.grading", raw["grading"]) or prov.grading)
            prov = _dated(prov, raw, where(), date)
            lang = raw.get("lang")
            raw = raw.get("value")
        if not isinstance(raw, str):
            self.problems.append(Problem(where(), None, "value must be a string"))
            return
        if prop.type == registry.entity:
            target = raw.strip()
            if target in local_ids:
                value = self.entity_id(target)
            elif "." in target and ENTITY_ID_RE.match(target):
                value = target
            else:
                self.problems.append(
                    Problem(
                        where(),
                        raw,
                        "reference to an entity not in this report "
                        "(use a local id or a full entity id like rs-mup.p17)",
                    )
                )
                return
            self._emit(prov, entity_id, schema.name, prop_name, "entity", value, None)
            return
        try:
            clean = clean_value(prop, raw, ctx)
        except InvalidValue as exc:
            self.problems.append(Problem(where(), raw[:200], exc.reason))
            return
        self._emit(
            prov,
            entity_id,
            schema.name,
            prop_name,
            clean.prop_type,
            clean.value,
            clean.original,
            lang=lang,
            script=clean.script,
            evidence_text=clean.evidence,
        )

    def add_text(self, title: Any, text: Any, names: NameIndex | None, allow: Allow | None = None) -> None:
        """The report's free text as a PlainText entity, with the selectors and names it mentions."""
        prov = self.prov
        digest = hashlib.sha1(f"{prov.agency}\x1f{prov.report_id}".encode()).hexdigest()[:16]
        doc_id = f"{agency_slug(prov.agency)}.report-{digest}"
        if isinstance(title, str) and title.strip():
            self._emit(
                prov,
                doc_id,
                "PlainText",
                "title",
                "string",
                title.strip(),
                None,
                script=detect_script(title) or None,
            )
        if not isinstance(text, str) or not text.strip():
            return
        self._emit(
            prov, doc_id, "PlainText", "bodyText", "text", text, None, script=detect_script(text) or None
        )
        self.text_task = TextTask(prov, doc_id, text)
        found_items = find_selectors(text, prov.agency_country)
        if names is not None:
            found_items += self._names_in(text, names, allow)
            self.text_task = None
        self._emit_found(prov, doc_id, text, found_items)

    def add_name_mentions(self, task: TextTask, index: NameIndex, allow: Allow | None = None) -> None:
        """Names of known entities (and of this report's own) found in the report's text."""
        self._emit_found(task.prov, task.doc_id, task.text, self._names_in(task.text, index, allow))

    def _names_in(self, text: str, index: NameIndex, allow: Allow | None) -> list[Found]:
        index.add_many(self.names)
        return index.find(text, allow)

    def _emit_found(self, prov: Provenance, doc_id: str, text: str, found_items: list[Found]) -> None:
        for found in found_items:
            evidence: dict[str, Any] = {"offsets": [found.start, found.end], **found.normalised.evidence}
            original = text[found.start : found.end]
            if found.kind in MENTION_PROPS:
                self._emit(
                    prov,
                    doc_id,
                    "PlainText",
                    MENTION_PROPS[found.kind],
                    found.kind,
                    found.normalised.value,
                    original,
                    evidence=evidence,
                )
            elif found.kind == "name":
                self._emit(
                    prov,
                    doc_id,
                    "PlainText",
                    "peopleMentioned",
                    "name",
                    found.normalised.value,
                    original,
                    evidence={**evidence, "entity_id": found.entity_id},
                )
                self._mention(prov, doc_id, found, original, evidence, resolved=found.entity_id)
            else:
                self._mention(prov, doc_id, found, original, evidence)

    def _mention(
        self,
        prov: Provenance,
        doc_id: str,
        found: Any,
        original: str,
        evidence: dict[str, Any],
        resolved: str | None = None,
    ) -> None:
        key = f"{doc_id}\x1f{found.kind}\x1f{found.start}\x1f{found.normalised.value}"
        mid = f"{doc_id}.m{hashlib.sha1(key.encode()).hexdigest()[:12]}"
        if mid in self._mentions:  # the same words naming several known entities: one Mention
            if resolved:
                self._emit(prov, mid, "Mention", "resolved", "entity", resolved, None)
            return
        self._mentions.add(mid)
        self._emit(prov, mid, "Mention", "document", "entity", doc_id, None)
        self._emit(
            prov,
            mid,
            "Mention",
            "name",
            "name" if found.kind == "name" else "identifier",
            found.normalised.value,
            original,
            evidence=evidence,
        )
        schema = "Person" if found.kind == "name" else MENTION_SCHEMA[found.kind]
        self._emit(prov, mid, "Mention", "detectedSchema", "string", schema, None)
        if resolved:
            self._emit(prov, mid, "Mention", "resolved", "entity", resolved, None)
