"""Tables of the store (SQLAlchemy Core), shared by the SQLite and PostgreSQL adapters.

``statements`` is the only home of intelligence content; ``reports`` records what was
ingested (and its content hash, which makes ingest idempotent). Search indexes are
dialect-specific and created by the migrations (FTS5 on SQLite, GIN on PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text, false, text

metadata = MetaData()

meta = Table(
    "cf_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

migrations = Table(
    "cf_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("description", Text, nullable=False),
    Column("applied_at", String(40), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("report_key", String(200), primary_key=True),  # "<agency>:<report_id>"
    Column("agency", String(64), nullable=False, index=True),
    Column("report_id", String(128), nullable=False),
    Column("format", String(40), nullable=False),
    Column("reported_at", String(40), nullable=False),
    Column("observed_at", String(40)),
    Column("language", String(8)),
    Column("grading_scheme", String(8), nullable=False),
    Column("grading_source", String(2), nullable=False),
    Column("grading_info", String(2), nullable=False),
    Column("handling_scheme", String(8), nullable=False),
    Column("handling_code", String(4), nullable=False),
    Column("handling_conditions", Text),
    Column("classification", String(24), nullable=False),
    Column("title", Text),
    # Sanitised to protect a source or technique: usable as intelligence, never as evidence.
    Column("sanitised", Boolean, nullable=False, server_default=false()),
    Column("source", Text),
    Column("sha256", String(64), nullable=False),
    Column("n_statements", Integer, nullable=False),
    # Indexed: every view cached per store content asks for the latest (migration 9).
    Column("ingested_at", String(40), nullable=False, index=True),
)

STATEMENT_COLUMNS = (
    "id",
    "entity_id",
    "schema",
    "prop",
    "prop_type",
    "value",
    "original_value",
    "lang",
    "script",
    "agency",
    "report_key",
    "observed_at",
    "reported_at",
    "first_seen",
    "last_seen",
    "grading_scheme",
    "grading_source",
    "grading_info",
    "grading_common",
    "handling_scheme",
    "handling_code",
    "handling_conditions",
    "handling_rank",
    "classification",
    "class_level",
    "evidence",
)

# The key of ``ix_statements_holders``: the value looked up, then what is read beside it.
HOLDER_COLUMNS = (
    "prop_type", "value", "entity_id", "schema", "agency", "class_level", "handling_scheme", "handling_code",
)  # fmt: skip

statements = Table(
    "statements",
    metadata,
    # No primary key: ids are unique by construction (a hash that includes the report,
    # written with the report in one transaction), and on SQLite a unique index on random
    # hashes costs a fifth of the write time. PostgreSQL gets a unique index (migration 1).
    Column("id", String(32), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("schema", String(40), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("prop_type", String(24), nullable=False),
    Column("value", Text, nullable=False),
    Column("original_value", Text),
    Column("lang", String(8)),
    Column("script", String(12)),
    Column("agency", String(64), nullable=False),
    Column("report_key", String(200), nullable=False),
    Column("observed_at", String(40)),
    Column("reported_at", String(40), nullable=False),
    Column("first_seen", String(40)),
    Column("last_seen", String(40)),
    Column("grading_scheme", String(8), nullable=False),
    Column("grading_source", String(2), nullable=False),
    Column("grading_info", String(2), nullable=False),
    Column("grading_common", String(2), nullable=False),
    Column("handling_scheme", String(8), nullable=False),
    Column("handling_code", String(4), nullable=False),
    Column("handling_conditions", Text),
    Column("handling_rank", Integer, nullable=False),
    Column("classification", String(24), nullable=False),
    Column("class_level", Integer, nullable=False),
    Column("evidence", Text),
    Index("ix_statements_entity", "entity_id", "id"),
    # Selector lookups (phones, plates, ids, names, references); report texts are not selectors,
    # and indexing their bodies would cost more than all the rest. It also holds what "who holds
    # these values" needs (the entity, its schema and the columns the need-to-know rule reads),
    # so each hop of a link chart is answered from the index alone (migration 11).
    Index(
        "ix_statements_holders",
        *HOLDER_COLUMNS,
        sqlite_where=text("prop_type != 'text'"),
        postgresql_where=text("prop_type != 'text'"),
    ),
    Index("ix_statements_report", "report_key"),
)

# -- entity resolution (migration 2) ---------------------------------------------------------------
# The judgements ledger: append-only decisions that two entity ids are (positive), are not
# (negative) or may be (unsure) one entity, by an analyst or by a scorer above its threshold;
# ``undo`` rows reverse an earlier judgement. Resolved clusters are a pure function of the
# statements and these rows (counterflow.resolve.ledger).
resolve_runs = Table(
    "resolve_runs",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),  # full | incremental | analyst
    Column("actor", String(128), nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("scorers", Text),  # JSON: kind -> scorer id
    Column("models", Text),  # JSON: kind -> trained Splink model
    Column("summary", Text),  # JSON: counts and inputs
)

resolve_judgements = Table(
    "resolve_judgements",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("left_id", String(200), nullable=False),
    Column("right_id", String(200), nullable=False),
    Column("judgement", String(10), nullable=False),  # positive | negative | unsure | undo
    Column("source", String(10), nullable=False),  # analyst | machine
    Column("actor", String(128), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("score", Float),
    Column("scorer", String(120)),
    Column("reason", Text),
    Column("run_id", String(40)),
    Column("target", String(40)),  # the judgement an undo reverses
    Index("ix_resolve_judgements_left", "left_id"),
    Index("ix_resolve_judgements_right", "right_id"),
    Index("ix_resolve_judgements_run", "run_id"),
)
