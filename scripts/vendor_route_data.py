"""Regenerate the small route datasets vendored in the package (a maintainer's tool).

CI runs on a clean checkout without ``../shared/data``, so flows and the Channel outlook ship
derived copies in src/counterflow/routes/data:

* ``frontex_routes_monthly.csv``: Frontex monthly detections of illegal border crossings per route,
  summed over nationality and border type (one row per month, one column per route; 2009-01 … 2025-04).
* ``uk_small_boats_daily.csv``: Channel small-boat arrivals per day (``full_date, migrants_arrived,
  boats_arrived``; blank = no detected crossing that day), 2018-01-01 onwards.

    python scripts/vendor_route_data.py                 # from ../shared/data next to the checkout
    python scripts/vendor_route_data.py /path/to/data   # or from another copy

The SOURCES.md beside the files (origin, licence, attribution) is kept by hand.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "counterflow" / "routes" / "data"
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def frontex(data: Path) -> Path:
    src = data / "frontex" / "frontex_ibc_monthly_2009_2025.csv"
    totals: dict[tuple[str, str], int] = defaultdict(int)
    with src.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            totals[(row["month"], row["route"])] += int(row["detections"])
    months = sorted({m for m, _ in totals})
    routes = sorted({r for _, r in totals})
    # every month from the first to the last, so a month with no detection on any route still has a row
    first, last = months[0], months[-1]
    y, m = int(first[:4]), int(first[5:])
    every = []
    while f"{y:04d}-{m:02d}" <= last:
        every.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out = OUT / "frontex_routes_monthly.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["month", *routes])
        for month in every:
            w.writerow([month, *(totals.get((month, r), 0) for r in routes)])
    return out


def small_boats(data: Path) -> Path:
    src = data / "small_boats" / "uk_small_boats_daily.csv"
    out = OUT / "uk_small_boats_daily.csv"
    with src.open(encoding="utf-8", newline="") as fh, out.open("w", encoding="utf-8", newline="") as oh:
        w = csv.writer(oh, lineterminator="\n")
        w.writerow(["full_date", "migrants_arrived", "boats_arrived"])
        for row in csv.DictReader(fh):
            w.writerow([row["full_date"], row["migrants_arrived"], row["boats_arrived"]])
    return out


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    if not data.is_dir():
        raise SystemExit(f"no data folder at {data}")
    OUT.mkdir(parents=True, exist_ok=True)
    for path in (frontex(data), small_boats(data)):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
