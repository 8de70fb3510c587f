"""Daily Channel small-boat arrivals, and the optional inputs of the outlook (weather, staged logistics).

The vendored series (``data/uk_small_boats_daily.csv``) is the Home Office's count of people and
boats detected arriving by small boat, one row per day since 2018-01-01; a blank means no detected
crossing that day. Attribution wherever shown: ``SMALL_BOATS_ATTRIBUTION``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

from counterflow.errors import InvalidValue

__all__ = ["SMALL_BOATS_ATTRIBUTION", "DailyArrivals", "Rating", "Weather", "load_small_boats_daily"]

SMALL_BOATS_ATTRIBUTION = "Source: Home Office and Border Force, UK Government – processed by The National"
SMALL_BOATS_FILE = "uk_small_boats_daily.csv"

Rating = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class Weather:
    """Conditions on one day in the Channel, any part of which may be unknown.

    ``rating`` is the Met Office's crossing-likelihood rating (red: crossings likely)."""

    wind_mph: float | None = None
    wave_m: float | None = None
    rating: Rating | None = None


@dataclass(frozen=True)
class DailyArrivals:
    """People and boats arriving per day from ``start``, one value per consecutive day (0: none)."""

    start: date
    migrants: tuple[int, ...]
    boats: tuple[int, ...]

    def __post_init__(self) -> None:
        problems = []
        if len(self.migrants) != len(self.boats):
            problems.append(f"{len(self.migrants)} days of people but {len(self.boats)} of boats")
        if any(v < 0 for v in self.migrants) or any(v < 0 for v in self.boats):
            problems.append("counts must not be negative")
        if problems:
            raise InvalidValue("daily arrivals", f"from {self.start}", "; ".join(problems))

    def __len__(self) -> int:
        return len(self.migrants)

    @property
    def end(self) -> date:
        """The last day with data."""
        return self.start + timedelta(days=len(self.migrants) - 1)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def index(self, day: date) -> int:
        """The position of ``day`` (may fall outside the data: negative or ≥ len)."""
        return (day - self.start).days

    def until(self, day: date) -> DailyArrivals:
        """The data up to and including ``day`` (what was known on that evening)."""
        k = self.index(day) + 1
        return DailyArrivals(self.start, self.migrants[:k], self.boats[:k])


def _count(cell: str) -> int | None:
    text = cell.strip().replace(",", "")
    if not text:
        return 0
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value >= 0 and value == int(value) else None


def load_small_boats_daily(path: Path | None = None) -> DailyArrivals:
    """Read ``full_date, migrants_arrived, boats_arrived`` (other columns ignored); the vendored copy by
    default. Blank counts are days without a detected crossing. Every problem (missing column, bad
    date or count, missing or repeated day) is named in one ``InvalidValue``."""
    if path is None:
        where = SMALL_BOATS_FILE
        text = (resources.files("counterflow.routes") / "data" / SMALL_BOATS_FILE).read_text(encoding="utf-8")
    else:
        where, text = str(path), path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    need = ("full_date", "migrants_arrived", "boats_arrived")
    missing = [c for c in need if c not in (reader.fieldnames or ())]
    if missing:
        raise InvalidValue("small-boats CSV", where, f"missing column(s): {', '.join(missing)}")
    problems: list[str] = []
    days: list[date] = []
    migrants: list[int] = []
    boats: list[int] = []
    for line, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat(row["full_date"] or "")
        except ValueError:
            problems.append(f"line {line}: full_date {row['full_date']!r} is not YYYY-MM-DD")
            continue
        m, b = _count(row["migrants_arrived"] or ""), _count(row["boats_arrived"] or "")
        if m is None:
            problems.append(f"line {line}: migrants_arrived {row['migrants_arrived']!r} is not a count")
        if b is None:
            problems.append(f"line {line}: boats_arrived {row['boats_arrived']!r} is not a count")
        if days and day != days[-1] + timedelta(days=1):
            problems.append(f"line {line}: {day} does not follow {days[-1]} (days must be consecutive)")
        days.append(day)
        migrants.append(m or 0)
        boats.append(b or 0)
    if not days and not problems:
        problems.append("no data rows")
    if problems:
        raise InvalidValue("small-boats CSV", where, "; ".join(problems))
    return DailyArrivals(days[0], tuple(migrants), tuple(boats))
