"""Tables of the policy layer: who (agencies, users, tokens, agreements), the processing log,
the hit/no-hit selector index, retention reviews, safeguarding tasks and disseminations.

Kept apart from ``schema.py`` (the intelligence itself); same metadata, created by migration 3.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, false

from counterflow.store.schema import metadata

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(2)),
    Column("justification_required", Boolean, nullable=False, default=False),
    # Its evidential views leave out single-source material from untested sources (cases).
    Column("exclude_single_source_untested", Boolean, nullable=False, server_default=false()),
    Column("created_at", String(40), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("display_name", Text),
    Column("roles", Text, nullable=False),  # comma-separated UserRole values
    Column("clearance", String(24), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),  # the public part of a token
    Column("user_id", String(64), nullable=False, index=True),
    Column("hash", Text, nullable=False),  # argon2id of the secret part; the secret is never stored
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40)),
    Column("revoked_at", String(40)),
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(64), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("max_classification", String(24), nullable=False),
    Column("accepts_conditions", Boolean, nullable=False, default=False),
    Column("include_protected", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("revoked_at", String(40)),
    Index("ix_agreements_recipient", "recipient"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("agency", String(64)),
    Column(
        "action", String(16), nullable=False
    ),  # collection alteration consultation disclosure combination erasure
    Column("object_type", String(32), nullable=False),
    Column("object_id", Text),
    Column("recipients", Text),
    Column("justification", Text),
    Column("details", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_object", "object_type", "object_id"),
)

selector_index = Table(
    "selector_index",
    metadata,
    Column("hmac", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("handling_scheme", String(8), nullable=False),
    Column("handling_code", String(4), nullable=False),
    Column("class_level", Integer, nullable=False),
    Column("report_key", String(200), nullable=False),
    Index("ix_selector_hmac", "hmac"),
    Index("ix_selector_report", "report_key"),
)

hit_queries = Table(
    "hit_queries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("asker", String(64), nullable=False),
    Column("asker_agency", String(64), nullable=False),
    Column("owner_agency", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("hmac", String(64), nullable=False),
)

reviews = Table(
    "reviews",
    metadata,
    Column("report_key", String(200), primary_key=True),
    Column("review_group", String(16), nullable=False),
    Column("review_due", String(40), nullable=False, index=True),
    Column("decision", String(16)),  # retain | dispose
    Column("reason", Text),
    Column("decided_by", String(64)),
    Column("decided_at", String(40)),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),  # nrm_duty_to_notify
    Column("entity_id", String(200), nullable=False),
    Column("report_key", String(200)),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # open | done
    Column("created_at", String(40), nullable=False),
    Index("ux_tasks_kind_entity", "kind", "entity_id", unique=True),
)

# Derived from role statements (victim, witness, minor), kept in step by writes and erasure:
# the visibility rule asks "is this entity protected?" for every candidate row.
protected_entities = Table(
    "protected_entities",
    metadata,
    Column("entity_id", String(200), primary_key=True),
)

POLICY_TABLES = [
    agencies,
    users,
    api_tokens,
    agreements,
    audit_log,
    selector_index,
    hit_queries,
    reviews,
    tasks,
]
