"""An alert before it is stored: which watch, which rule, what it says, its evidence, its dedupe key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from counterflow.alerts.watchlist import Watch


@dataclass(frozen=True, slots=True)
class Draft:
    watch: Watch
    rule: str
    title: str
    subject: str
    place: str | None
    at: str | None
    statements: tuple[str, ...]
    report_key: str
    extra: str = ""  # a second subject the dedupe key needs (the designated person of an associate)

    @property
    def dedupe_key(self) -> str:
        """One alert per watch and report (a phone on a person and on their call is one event);
        a vehicle at crossings: one per crossing."""
        if self.rule == "designated-associate":  # once per designated person and associate, ever
            pair = hashlib.sha1(f"{self.extra}\x1f{self.subject}".encode()).hexdigest()[:24]
            return f"{self.watch.id}:{self.rule}:{pair}"
        where = f":{self.subject}:{self.place}" if self.rule == "crossing" else ""
        return f"{self.watch.id}:{self.rule}:{self.report_key}{where}"
