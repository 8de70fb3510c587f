"""Tables of case files (migration 7).

A case is a named investigation owned by one agency. Its targets are entity ids, its linked
material statement ids; documents are stored whole (bytes and SHA-256) with an append-only
chain-of-custody list. The statements themselves stay where they are: a case only points
at them, so every read of a case still goes through the viewer's visibility.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, String, Table, Text

from counterflow.store.schema import metadata

cases = Table(
    "cases",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("agency", String(64), nullable=False, index=True),  # the owning agency
    Column("created_by", String(128), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("description", Text),
    Column("status", String(16), nullable=False),  # open | closed
)

case_participants = Table(
    "case_participants",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("user_id", String(128), primary_key=True),
    Column("role", String(16), nullable=False),  # lead | member
    Column("added_by", String(128), nullable=False),
    Column("added_at", String(40), nullable=False),
)

case_targets = Table(
    "case_targets",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("note", Text),
    Column("added_by", String(128), nullable=False),
    Column("added_at", String(40), nullable=False),
)

case_statements = Table(
    "case_statements",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("statement_id", String(32), primary_key=True),
    Column("note", Text),
    Column("added_by", String(128), nullable=False),
    Column("added_at", String(40), nullable=False),
)

case_documents = Table(
    "case_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("exhibit", String(64), nullable=False),  # the exhibit reference, e.g. "JB/1"
    Column("filename", Text, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("agency", String(64), nullable=False),  # who produced it
    Column("handling_scheme", String(8), nullable=False),
    Column("handling_code", String(4), nullable=False),
    Column("handling_conditions", Text),
    Column("classification", String(24), nullable=False),
    Column("description", Text),
    Index("ux_case_documents_exhibit", "case_id", "exhibit", unique=True),
)

custody = Table(
    "case_custody",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, nullable=False, index=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(24), nullable=False),  # received | verified | exported | note
    Column("sha256", String(64), nullable=False),  # the digest as checked at that moment
    Column("details", Text),
)

CASE_TABLES = [cases, case_participants, case_targets, case_statements, case_documents, custody]
