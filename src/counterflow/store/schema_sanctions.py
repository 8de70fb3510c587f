"""Sanctions lists imported for screening (migration 8).

One row per listed entity of one list, as the list published it (FollowTheMoney JSON), so a
screening can always say which entry of which list, imported when and by whom, it matched.
A list is replaced whole when imported again.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from counterflow.store.schema import metadata

sanctioned = Table(
    "sanctioned",
    metadata,
    Column("list_name", String(64), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("schema", String(40), nullable=False),
    Column("caption", Text, nullable=False),
    Column("data", Text, nullable=False),  # the entity as listed: {"id", "schema", "properties", "datasets"}
    Column("imported_at", String(40), nullable=False),
    Column("imported_by", String(128), nullable=False),
)

SANCTIONS_TABLES = [sanctioned]
