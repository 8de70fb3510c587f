"""What every reader produces: native reports (as dicts) or rejections, streamed.

Every source format (native JSON, FollowTheMoney, spreadsheets through a mapping, call
records, ANPR) is turned into native ``counterflow.report/1`` dicts, so validation,
normalisation, provenance and atomic writing happen on one path (``parse_report``).
A reader that cannot even build a report (broken CSV, invalid JSON line, bad mapping)
yields a ``Rejected`` naming every problem it found.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from counterflow.errors import Problem


@dataclass(frozen=True, slots=True)
class RawReport:
    """A report as read, not yet validated.

    ``source`` says where it came from (``file.jsonl line 17``). ``locate`` rewrites a
    problem path inside the report (``entities[3].properties.phone[0]``) into the
    reader's own terms (``calls.csv row 5, column caller``) for error messages.
    """

    source: str
    data: dict[str, Any]
    locate: Callable[[str], str] | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A report (or part of a file) that could not be read at all."""

    source: str
    label: str
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class JsonLine:
    """One line of a JSON-lines file, decoded later (in a worker process, in bulk ingest).

    Decoding where the report is parsed saves sending the decoded objects between
    processes, which costs about as much as decoding them.
    """

    source: str
    label: str
    raw: bytes

    def decode(self) -> RawReport | Rejected:
        def reject(where: str, reason: str) -> Rejected:
            return Rejected(self.source, self.label, [Problem(where, None, reason)])

        try:
            data = json.loads(self.raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return reject(self.source, f"not UTF-8 ({exc.reason})")
        except json.JSONDecodeError as exc:
            return reject(f"{self.source} column {exc.colno}", f"invalid JSON: {exc.msg}")
        except RecursionError:
            return reject(self.source, "JSON nested too deeply")
        if not isinstance(data, dict):
            return reject(self.source, "a report must be a JSON object")
        return RawReport(self.source, data)


ReaderItem = RawReport | Rejected | JsonLine
Reader = Callable[..., Iterator[ReaderItem]]

# Rows per report part when a reader splits one large file into several reports.
PART_ROWS = 5000
