"""Opening the store and the user's session for a command, from settings and options."""

from __future__ import annotations

from counterflow.ingest.pipeline import Submitter
from counterflow.policy import registry
from counterflow.policy.session import Session
from counterflow.settings import Settings
from counterflow.store import SqlStore
from counterflow.store.selectors import load_key


def open_configured_store(settings: Settings | None = None) -> SqlStore:
    settings = settings or Settings.from_env()
    key = load_key(settings.selector_key_file) if settings.selector_key_file else None
    return SqlStore(settings.database_url, selector_key=key)


def open_session(as_user: str | None = None, reason: str | None = None) -> Session:
    settings = Settings.from_env()
    return Session.open(open_configured_store(settings), as_user or settings.user, reason)


def submitter_for(store: SqlStore, as_user: str | None) -> Submitter:
    """Who ingests: in a governed store a registered user, submitting their agency's reports."""
    user = as_user or Settings.from_env().user
    if not registry.is_governed(store):
        return Submitter(user or "operator", None)
    viewer = registry.viewer_for(store, user)
    return Submitter(viewer.user, viewer.agency)
