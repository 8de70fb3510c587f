"""Network snapshots: derived results of a batch job, kept so every process reads one (migration 10).

A snapshot is the communities of the person network of every statement, the pairs of
communities already joined by a tie (with those ties' statements) and the protected persons,
computed by a system process (in memory, on DuckDB or on Spark) and written in one row, in one
transaction: a reader sees a whole snapshot or the previous one. ``claims`` lets one process
compute while the others wait for its result instead of repeating the work.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from counterflow.store.schema import metadata

network_snapshots = Table(
    "network_snapshots",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("made_at", String(40), nullable=False, index=True),  # ISO 8601, UTC
    Column("engine", String(16), nullable=False),  # memory, local (DuckDB) or spark
    Column("reports_held", Integer, nullable=False),  # the store's content when computed
    Column("latest_ingest", String(40)),
    Column("persons", Integer, nullable=False),
    Column("communities", Integer, nullable=False),
    Column("data", Text, nullable=False),  # JSON: membership, joined pairs with statements, protected
)

# One row per kind of derived work: who is computing it, until when (a lease, not a lock: a
# process that dies lets another take over when the lease runs out).
network_claims = Table(
    "network_claims",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("until", String(40), nullable=False),
)

NETWORK_TABLES = [network_snapshots, network_claims]
