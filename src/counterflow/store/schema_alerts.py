"""Tables of watchlists and alerts (migration 5).

``watches`` are what an agency asked to be told about: a selector, an entity, or a vehicle
reaching a crossing. ``alerts`` are what the engine found in ingested statements: one row
per (watch, occurrence), deduplicated by ``dedupe_key``, with the ids of the statements that
are its evidence. Reading alerts goes through the viewer like every other read.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from counterflow.store.schema import metadata

watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("created_by", String(128), nullable=False),
    Column("kind", String(24), nullable=False),  # selector | entity | crossing
    Column("selector_kind", String(24)),  # phone, plate, iban, … for selector and crossing watches
    Column("value", String(300), nullable=False),  # normalised selector, or entity id
    Column("place", String(64)),  # crossing watches: a gazetteer key, or NULL for any crossing
    Column("note", Text),
    Column("created_at", String(40), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("watch_id", Integer, nullable=False, index=True),
    Column("agency", String(64), nullable=False),  # the watch's agency: whom the alert is for
    Column("rule", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("subject", String(300)),
    Column("place", String(64)),
    Column("at", String(40)),  # when it happened, as reported
    Column("created_at", String(40), nullable=False),
    Column("statements", Text, nullable=False),  # JSON list of statement ids (the evidence)
    Column("report_key", String(200), nullable=False),
    Index("ix_alerts_agency_id", "agency", "id"),
)

ALERT_TABLES = [watches, alerts]

# -- webhooks (migration 6) -------------------------------------------------------------------
# A webhook is a doorbell: it tells a partner system that an alert was raised for its agency,
# signed with a shared secret; the system then reads the alert through the API with its own
# user's token, so need-to-know applies as to any reader. Deliveries are recorded per alert.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),  # a signing key the receiver holds too
    Column("created_by", String(128), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("alert_id", Integer, primary_key=True),
    Column("webhook_id", Integer, primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # delivered | failed
    Column("last_error", Text),
    Column("at", String(40), nullable=False),
)

WEBHOOK_TABLES = [webhooks, webhook_deliveries]
