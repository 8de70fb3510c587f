"""Watchlists and rules evaluated on every ingest, and the alerts they raise (issue 8)."""
