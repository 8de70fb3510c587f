"""One exception root for Counterflow, with structured details.

The tree::

    CounterflowError                 root; ``details`` is a JSON-able dict
    ├── ConfigurationError           bad COUNTERFLOW_* settings or mapping files
    ├── InvalidValue                 a normaliser rejected a value (kind, value, reason)
    ├── ReportRejected               a report failed validation; ``problems`` lists every problem
    ├── ReportConflict               a report id was re-sent with different content
    ├── NotFound                     an entity, report or case does not exist (or is not visible)
    ├── AccessDenied                 the user may not do this (role, justification, handling code)
    │   └── Unauthenticated          no valid credentials (unknown, expired or revoked token)
    ├── LimitExceeded                a request is larger or slower than the service allows
    └── StoreError                   the store failed
        └── StoreUnavailable         the database cannot be reached

Faces map these to exit codes and HTTP statuses in one table (``STATUS``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class CounterflowError(Exception):
    """Root of all Counterflow errors."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message, **self.details}


class ConfigurationError(CounterflowError):
    """Settings, mappings or other configuration are invalid."""


class InvalidValue(CounterflowError):
    """A value could not be normalised; ``kind`` names the normaliser."""

    def __init__(self, kind: str, value: str, reason: str) -> None:
        super().__init__(f"invalid {kind} {value!r}: {reason}", kind=kind, value=value, reason=reason)
        self.kind = kind
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """One problem found in a report: where (a JSON path or row/column), what value, why."""

    where: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        shown = "" if self.value is None else f" {self.value!r}"
        return f"{self.where}:{shown} {self.reason}"


class ReportRejected(CounterflowError):
    """A report was rejected whole; nothing of it was stored."""

    def __init__(self, report: str, problems: list[Problem]) -> None:
        lines = "\n".join(f"  - {p}" for p in problems)
        plural = "" if len(problems) == 1 else "s"
        super().__init__(
            f"report {report} rejected ({len(problems)} problem{plural}):\n{lines}",
            report=report,
            problems=[asdict(p) for p in problems],
        )
        self.report = report
        self.problems = problems


class ReportConflict(CounterflowError):
    """The same report id arrived again with different content."""


class NotFound(CounterflowError):
    """The thing asked for does not exist, or the caller may not see it (never says which)."""


class AccessDenied(CounterflowError):
    """The user may not do this; the message says what is missing, never what is hidden."""


class Unauthenticated(AccessDenied):
    """No valid credentials; one message whatever the reason (unknown, wrong, expired, revoked)."""


class LimitExceeded(CounterflowError):
    """A request exceeds a limit of the service (body size, result size, time)."""


class StoreError(CounterflowError):
    """The store failed."""


class StoreUnavailable(StoreError):
    """The database cannot be reached."""


# Exit codes for the CLI and HTTP statuses for the API, in one table.
STATUS: dict[type[CounterflowError], tuple[int, int]] = {
    ConfigurationError: (78, 500),
    InvalidValue: (65, 422),
    ReportRejected: (65, 422),
    ReportConflict: (65, 409),
    NotFound: (66, 404),
    Unauthenticated: (77, 401),
    LimitExceeded: (65, 413),
    AccessDenied: (77, 403),
    StoreUnavailable: (69, 503),
    StoreError: (74, 500),
    CounterflowError: (1, 500),
}


def status_of(error: CounterflowError) -> tuple[int, int]:
    """(exit code, HTTP status) for an error, by its most specific class in ``STATUS``."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return STATUS[CounterflowError]
