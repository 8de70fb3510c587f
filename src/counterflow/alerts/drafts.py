"""An alert before it is stored: which watch, which rule, what it says, its evidence, its dedupe key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from counterflow.alerts.watchlist import Watch

PER_PLACE = frozenset({"crossing", "group-moving", "boat-logistics"})  # one alert per subject and place


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
        """One alert per watch and report (a phone on a person and on their call is one event); a
        vehicle at crossings, a group, boat logistics: one per place; pairs of persons: one ever."""
        if self.rule in ("designated-associate", "community-bridge"):  # once per pair, ever
            pair = hashlib.sha1(f"{self.extra}\x1f{self.subject}".encode()).hexdigest()[:24]
            return f"{self.watch.id}:{self.rule}:{pair}"
        where = f":{self.subject}:{self.place}" if self.rule in PER_PLACE else ""
        return f"{self.watch.id}:{self.rule}:{self.report_key}{where}"
