"""Entity resolution across agencies, spellings and scripts (docs/resolution.md).

Services (what the CLI and the API call) are in :mod:`counterflow.resolve.service`; each returns a
plain summary for the processing log. The pieces: records, names, identifiers, blocking,
splink_model, clustering, ledger, explain, incremental, evaluate.
"""

from counterflow.resolve.ledger import Judgement, ResolvedState, resolved_state
from counterflow.resolve.records import Record, record_from_ftm
from counterflow.resolve.resolver import Resolution, resolve
from counterflow.resolve.service import (
    DecisionSummary,
    RunSummary,
    detach,
    explain_cluster,
    explain_pair,
    mark_unsure,
    merge,
    resolve_file,
    resolve_new,
    review_queue,
    run_store,
    split,
    state,
    undo,
)

__all__ = [
    "DecisionSummary",
    "Judgement",
    "Record",
    "Resolution",
    "ResolvedState",
    "RunSummary",
    "detach",
    "explain_cluster",
    "explain_pair",
    "mark_unsure",
    "merge",
    "record_from_ftm",
    "resolve",
    "resolve_file",
    "resolve_new",
    "resolved_state",
    "review_queue",
    "run_store",
    "split",
    "state",
    "undo",
]
