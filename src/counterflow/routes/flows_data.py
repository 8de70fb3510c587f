"""The vendored Frontex monthly detections per route (see ``data/SOURCES.md``).

Frontex "Monthly detections of illegal border crossings", via the IOM GDI data package
(iom/gdidata, MIT), summed over nationality and border type; 2009-01 to 2025-04. Detections count
crossings, not persons. Reuse with attribution: "Source: Frontex, monthly detections of illegal
border crossings (via IOM GDI data)".
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from counterflow.errors import InvalidValue

__all__ = ["FRONTEX_ATTRIBUTION", "RouteMonths", "load_frontex_monthly"]

FRONTEX_ATTRIBUTION = "Source: Frontex, monthly detections of illegal border crossings (via IOM GDI data)"
FRONTEX_FILE = "frontex_routes_monthly.csv"


@dataclass(frozen=True)
class RouteMonths:
    """Detections per route per month; ``months`` are first days of consecutive months."""

    months: tuple[date, ...]
    detections: dict[str, tuple[int, ...]]

    def yearly(self, route: str) -> dict[int, int]:
        """Totals per calendar year for ``route``."""
        out: dict[int, int] = {}
        for m, v in zip(self.months, self.detections[route], strict=True):
            out[m.year] = out.get(m.year, 0) + v
        return out


def _read(path: Path | None) -> tuple[str, str]:
    if path is not None:
        return str(path), path.read_text(encoding="utf-8")
    text = (resources.files("counterflow.routes") / "data" / FRONTEX_FILE).read_text(encoding="utf-8")
    return FRONTEX_FILE, text


def load_frontex_monthly(path: Path | None = None) -> RouteMonths:
    """Read the wide monthly table (``month,<route>,<route>…``); the vendored copy by default.

    Every problem (bad month, non-integer or negative count, gap in months) is named in one
    ``InvalidValue``."""
    where, text = _read(path)
    rows = list(csv.reader(io.StringIO(text)))
    problems: list[str] = []
    if not rows or not rows[0] or rows[0][0] != "month" or len(rows[0]) < 2:
        raise InvalidValue("Frontex CSV", where, "the header must be 'month' then one column per route")
    routes = rows[0][1:]
    months: list[date] = []
    values: list[list[int]] = [[] for _ in routes]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(routes) + 1:
            problems.append(f"line {line}: {len(row)} fields, expected {len(routes) + 1}")
            continue
        try:
            y, m = row[0].split("-")
            months.append(date(int(y), int(m), 1))
        except ValueError:
            problems.append(f"line {line}: month {row[0]!r} is not YYYY-MM")
        for k, cell in enumerate(row[1:]):
            if not cell.strip().isdigit():
                problems.append(f"line {line}, {routes[k]}: {cell!r} is not a count")
                values[k].append(0)
            else:
                values[k].append(int(cell))
    for a, b in itertools.pairwise(months):
        expected = date(a.year + (a.month == 12), a.month % 12 + 1, 1)
        if b != expected:
            problems.append(f"months jump from {a:%Y-%m} to {b:%Y-%m}")
    if not months and not problems:
        problems.append("no data rows")
    if problems:
        raise InvalidValue("Frontex CSV", where, "; ".join(problems))
    return RouteMonths(tuple(months), {r: tuple(v) for r, v in zip(routes, values, strict=True)})
