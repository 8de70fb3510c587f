"""The store port: one contract, SQLite (embedded default) and PostgreSQL adapters."""

from counterflow.store.rows import report_key, row_to_statement, statement_to_row
from counterflow.store.sql import ReportRecord, SearchHit, SqlStore, open_store

__all__ = [
    "ReportRecord",
    "SearchHit",
    "SqlStore",
    "open_store",
    "report_key",
    "row_to_statement",
    "statement_to_row",
]
