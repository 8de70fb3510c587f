"""Versioned schema migrations, applied in order when a store is opened.

Each migration is a function of (connection, dialect name) and runs in its own
transaction; ``cf_migrations`` records what was applied. Add new migrations at the end,
never edit an applied one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, inspect, select, text

from counterflow.store import schema

log = logging.getLogger(__name__)

Migration = Callable[[Connection, str], None]


def _v1_base(conn: Connection, dialect: str) -> None:
    schema.metadata.create_all(conn, tables=[schema.meta, schema.reports, schema.statements], checkfirst=True)
    if dialect == "sqlite":
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS statement_fts USING fts5("
                "value, original_value, content='statements', content_rowid='rowid', "
                "tokenize='unicode61 remove_diacritics 2')"
            )
        )
        # Rows enter the index in bulk after each write (SqlStore._insert_statements): a
        # per-row trigger costs more than half the write time.
        conn.execute(
            text(
                "CREATE TRIGGER IF NOT EXISTS statements_fts_ad AFTER DELETE ON statements "
                "WHEN old.prop_type IN ('name', 'text') BEGIN "
                "INSERT INTO statement_fts(statement_fts, rowid, value, original_value) "
                "VALUES ('delete', old.rowid, old.value, coalesce(old.original_value, '')); END"
            )
        )
    else:
        conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS ux_statements_id ON statements (id)"))
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_statements_fts ON statements USING GIN "
                "(to_tsvector('simple', value || ' ' || coalesce(original_value, ''))) "
                "WHERE prop_type IN ('name', 'text')"
            )
        )


def _v3_policy(conn: Connection, dialect: str) -> None:
    from counterflow.store.schema_policy import POLICY_TABLES

    schema.metadata.create_all(conn, tables=[schema.meta, *POLICY_TABLES], checkfirst=True)


def _v2_resolution(conn: Connection, dialect: str) -> None:
    schema.metadata.create_all(conn, tables=[schema.resolve_runs, schema.resolve_judgements], checkfirst=True)


def _v4_protected(conn: Connection, dialect: str) -> None:
    from counterflow.store.schema_policy import protected_entities

    protected_entities.create(conn, checkfirst=True)
    conn.execute(
        text(
            "INSERT INTO protected_entities (entity_id) SELECT DISTINCT entity_id FROM statements "
            "WHERE prop_type = 'role' AND value IN ('victim', 'witness', 'minor')"
        )
    )


def _v5_alerts(conn: Connection, dialect: str) -> None:
    from counterflow.store.schema_alerts import ALERT_TABLES

    schema.metadata.create_all(conn, tables=ALERT_TABLES, checkfirst=True)


def _v6_webhooks(conn: Connection, dialect: str) -> None:
    from counterflow.store.schema_alerts import WEBHOOK_TABLES

    schema.metadata.create_all(conn, tables=WEBHOOK_TABLES, checkfirst=True)


def _v7_cases(conn: Connection, dialect: str) -> None:
    from counterflow.store.schema_cases import CASE_TABLES

    # Stores made before these columns existed gain them; new stores already have them.
    for table, column in (("reports", "sanitised"), ("agencies", "exclude_single_source_untested")):
        if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT FALSE"))
    schema.metadata.create_all(conn, tables=CASE_TABLES, checkfirst=True)


def _v8_sanctions(conn: Connection, dialect: str) -> None:
    from counterflow.store.schema_sanctions import SANCTIONS_TABLES

    schema.metadata.create_all(conn, tables=SANCTIONS_TABLES, checkfirst=True)


def _v9_reports_by_time(conn: Connection, dialect: str) -> None:
    # The store's content version (count and latest ingest of reports) is read on every
    # graph, map and case request; without this index the latest ingest is a full scan.
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_reports_ingested_at ON reports (ingested_at)"))


def _v10_network_snapshots(conn: Connection, dialect: str) -> None:
    from counterflow.store.schema_network import NETWORK_TABLES

    schema.metadata.create_all(conn, tables=NETWORK_TABLES, checkfirst=True)


def _v11_holders_index(conn: Connection, dialect: str) -> None:
    # The value index grows the columns a link chart's "who holds these values" reads (the
    # entity, its schema, the need-to-know columns), so that read no longer visits the table.
    conn.execute(text("DROP INDEX IF EXISTS ix_statements_value"))
    conn.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS ix_statements_holders ON statements "
            f"({', '.join(schema.HOLDER_COLUMNS)}) WHERE prop_type != 'text'"
        )
    )


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "reports, statements, full-text search", _v1_base),
    (2, "entity resolution: judgements ledger and runs", _v2_resolution),
    (
        3,
        "policy: agencies, users, tokens, agreements, processing log, selector index, reviews, tasks",
        _v3_policy,
    ),
    (4, "protected entities (victims, witnesses, minors) as a keyed index", _v4_protected),
    (5, "watchlists and alerts", _v5_alerts),
    (6, "alert webhooks and their deliveries", _v6_webhooks),
    (7, "cases, documents and custody; sanitised reports; evidential settings", _v7_cases),
    (8, "sanctions lists for screening", _v8_sanctions),
    (9, "reports indexed by time of ingest", _v9_reports_by_time),
    (10, "network snapshots shared by every process, and claims on computing them", _v10_network_snapshots),
    (11, "the value index holds what a link chart reads of each holder", _v11_holders_index),
]


def applied_versions(engine: Engine) -> set[int]:
    """Versions applied (a set: a migration added later with a lower number is still applied)."""
    if not inspect(engine).has_table("cf_migrations"):
        return set()
    with engine.connect() as conn:
        return {int(v) for v in conn.execute(select(schema.migrations.c.version)).scalars()}


def current_version(engine: Engine) -> int:
    return max(applied_versions(engine), default=0)


def migrate(engine: Engine) -> int:
    """Apply pending migrations; returns the schema version now in force."""
    schema.migrations.create(engine, checkfirst=True)
    applied = applied_versions(engine)
    for version, description, apply in sorted(MIGRATIONS):
        if version in applied:
            continue
        with engine.begin() as conn:
            log.info("applying migration %d: %s", version, description)
            apply(conn, engine.dialect.name)
            conn.execute(
                insert(schema.migrations).values(
                    version=version, description=description, applied_at=datetime.now(UTC).isoformat()
                )
            )
        applied.add(version)
    return max(applied, default=0)
