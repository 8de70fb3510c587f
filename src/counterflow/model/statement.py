"""The statement: one value of one property of one entity, as one agency reported it.

This is Counterflow's unit of storage and of access control. It follows
FollowTheMoney's statement model (entity id, schema, property, value, dataset,
original value, language, first/last seen) and adds the intelligence metadata an
agency attaches to every value: the report it came in, when it was observed, the
grading in its native scheme, the handling code and the classification marking.

Entities are assembled from statements (``assemble``); merging entities later only
re-points statements to a canonical id, it never rewrites them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from followthemoney import model as ftm_model
from followthemoney.dataset import Dataset
from followthemoney.statement import Statement as FtmStatement
from followthemoney.statement import StatementEntity
from rigour.langs import iso_639_alpha3

from counterflow.model.agencies import agency_slug
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling

# Properties Counterflow keeps beside FollowTheMoney's own (not part of its schemata).
ROLE_PROP = "role"
EXTENSION_PROPS = frozenset({ROLE_PROP})

ENTITY_ID_RE = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$")
_LOCAL_SAFE = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]{0,62}[0-9a-zA-Z])?$")

DATASET = Dataset.make({"name": "counterflow", "title": "Counterflow"})


def make_entity_id(agency: str, local_id: str) -> str:
    """A store-wide entity id from an agency's own record id.

    Record ids that are already FollowTheMoney-safe stay readable (``rs-mup.p17``);
    anything else (``SRB/2026/17``) is replaced by a stable hash so ids never collide
    after cleaning.
    """
    local = local_id.strip()
    if not _LOCAL_SAFE.match(local):
        local = "h" + hashlib.sha1(local.encode("utf-8")).hexdigest()[:20]
    return f"{agency_slug(agency)}.{local}"


def statement_key(
    report_id: str,
    entity_id: str,
    schema: str,
    prop: str,
    value: str,
    original_value: str | None,
    evidence: str | None,
) -> str:
    """The statement id: a hash of where the value was reported and what it is (32 hex digits)."""
    parts = (report_id, entity_id, schema, prop, value, original_value or "", evidence or "")
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def evidence_json(evidence: dict[str, Any]) -> str | None:
    """Evidence as canonical JSON (``None`` when empty); cached, as the same evidence repeats."""
    if not evidence:
        return None
    try:
        return _evidence_json(tuple(sorted(evidence.items())))
    except TypeError:  # unhashable values (offsets lists): not worth caching
        return json.dumps(evidence, sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=65_536)
def _evidence_json(items: tuple[tuple[str, Any], ...]) -> str:
    return json.dumps(dict(items), sort_keys=True, ensure_ascii=False)


class StatementLike(Protocol):
    """Anything read like a statement's facts: a ``Statement`` or a ``Fact``."""

    @property
    def id(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def schema(self) -> str: ...
    @property
    def prop(self) -> str: ...
    @property
    def prop_type(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def observed_at(self) -> str | None: ...
    @property
    def reported_at(self) -> str: ...
    @property
    def grading(self) -> Grading: ...
    @property
    def handling(self) -> Handling: ...
    @property
    def classification(self) -> Classification: ...


class Fact(NamedTuple):
    """What graphs and link charts read of a statement: its value, time and markings.

    A link chart reads thousands of statements per click; building each as a ``Statement``
    (with its evidence parsed, its original spelling and language) was a third of the time.
    A ``Statement`` has every attribute of a ``Fact``, so code reading facts takes either.
    """

    id: str
    entity_id: str
    schema: str
    prop: str
    prop_type: str
    value: str
    agency: str
    observed_at: str | None
    reported_at: str
    grading: Grading
    handling: Handling
    classification: Classification


@dataclass(frozen=True, slots=True)
class Statement:
    """One graded, handling-coded value with full provenance."""

    entity_id: str
    schema: str
    prop: str
    prop_type: str
    value: str
    agency: str
    report_id: str
    reported_at: str
    grading: Grading
    handling: Handling
    classification: Classification
    original_value: str | None = None
    lang: str | None = None
    script: str | None = None
    observed_at: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.key())

    def key(self) -> str:
        """Deterministic id: the same value in the same report always gets the same id."""
        return statement_key(
            self.report_id,
            self.entity_id,
            self.schema,
            self.prop,
            self.value,
            self.original_value,
            evidence_json(self.evidence),
        )

    @property
    def report_key(self) -> str:
        """``agency:report_id``: the report's key in the store (report ids are unique per agency)."""
        return f"{self.agency}:{self.report_id}"

    @property
    def is_extension(self) -> bool:
        """True for Counterflow-only properties (roles) that FtM entities do not carry."""
        return self.prop in EXTENSION_PROPS

    def to_ftm(self, canonical_id: str | None = None) -> FtmStatement:
        """The FollowTheMoney statement for this value (dataset = reporting agency)."""
        return FtmStatement(
            entity_id=self.entity_id,
            prop=self.prop,
            schema=self.schema,
            value=self.value,
            dataset=self.agency,
            # FollowTheMoney speaks ISO 639-3 (reports give two letters: "bs" is "bos").
            lang=iso_639_alpha3(self.lang) if self.lang else None,
            original_value=self.original_value,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            canonical_id=canonical_id,
            id=self.id,
        )


def common_schema(schemata: Iterable[str]) -> str:
    """The most specific schema compatible with all given ones (Person + LegalEntity → Person)."""
    result = None
    for name in schemata:
        schema = ftm_model.get(name)
        if schema is None:
            continue
        result = schema if result is None else ftm_model.common_schema(result, schema)
    if result is None:
        raise ValueError("no known schema among statements")
    return result.name


def assemble(statements: Iterable[Statement], canonical_id: str | None = None) -> StatementEntity:
    """A FollowTheMoney statement entity from Counterflow statements (extensions left out)."""
    ftm = [s.to_ftm(canonical_id) for s in statements if not s.is_extension]
    if not ftm:
        raise ValueError("no FollowTheMoney statements to assemble")
    schema = common_schema(s.schema for s in ftm)
    ftm = [
        FtmStatement(
            entity_id=s.entity_id,
            prop=s.prop,
            schema=schema,
            value=s.value,
            dataset=s.dataset,
            lang=s.lang,
            original_value=s.original_value,
            first_seen=s.first_seen,
            last_seen=s.last_seen,
            canonical_id=s.canonical_id,
            id=s.id,
        )
        for s in ftm
    ]
    return StatementEntity.from_statements(DATASET, ftm)
