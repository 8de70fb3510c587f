"""The synthetic Balkan-route world with ground truth (see docs/scenario.md).

``generate(out_dir, seed=7, size="small")`` writes agency reports in their native formats
(report JSON lines, call records, ANPR reads and spreadsheets with YAML mappings) and the truth
behind them, week by week, with bounded memory. Same seed and size give byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from counterflow.scenario.activity import MIGRANT_ID_BASE, Sim
from counterflow.scenario.mapped import Mapped
from counterflow.scenario.render import Renderer
from counterflow.scenario.reports import Reporter
from counterflow.scenario.truth import Truth
from counterflow.scenario.world import Person, build_world
from counterflow.scenario.writer import Output

__all__ = ["SIZES", "Manifest", "generate", "scale_for"]

SIZES: dict[str, int] = {"small": 140_000, "medium": 1_000_000, "large": 10_000_000}
STATEMENTS_PER_SCALE = 140_000  # statements produced at scale 1.0 (measured; see docs/scenario.md)
START = date(2026, 3, 2)
WEEKS = 26


@dataclass
class Manifest:
    seed: int
    size: str
    scale: float
    start: str
    end: str
    weeks: int
    statements: int
    reports: int
    files: dict[str, int] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)
    agencies: dict[str, dict[str, int]] = field(default_factory=dict)
    truth: dict[str, int] = field(default_factory=dict)
    attribution: str = (
        "Launch seasonality calibrated on: Home Office and Border Force, UK Government - "
        "processed by The National (CC BY 4.0; OGL v3.0)"
    )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def scale_for(size: str | int) -> float:
    """World scale for a size name or a target number of statements."""
    if isinstance(size, int):
        if size <= 0:
            raise ValueError("size must be a positive number of statements")
        return size / STATEMENTS_PER_SCALE
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (known: {', '.join(SIZES)} or a number of statements)")
    return SIZES[size] / STATEMENTS_PER_SCALE


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    size: str | int = "small",
    progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Generate the scenario into ``out_dir`` and return (and write) its manifest."""
    scale = scale_for(size)
    total = round(scale * STATEMENTS_PER_SCALE)
    out_dir = Path(out_dir)
    out = Output(out_dir)
    world = build_world(seed, scale)
    truth = Truth(out, world)
    truth.world_tables()
    renderer = Renderer(seed, out)

    def on_person(p: Person) -> None:
        truth.person(p)

    sim = Sim(seed, scale, world, truth.write, START, WEEKS, on_person)
    mapped = Mapped(seed, world, sim, out, renderer, scale)
    reporter = Reporter(seed, world, renderer)
    live: set[int] = set()
    for w in range(WEEKS):
        mapped.close_before(sim.day_date(w * 7) - timedelta(days=14))
        incidents = sim.week(w)
        for inc in incidents:
            reporter.incident(inc, mapped.sheet)
        reporter.weekly(w, sim, scale)
        mapped.week(w)
        # Forget register entries of migrants who left the world (bounded memory).
        now = {m.idx for p in sim.parties for m in p.members}
        for idx in sorted(live - now):
            renderer.forget(idx)
        live = {i for i in now if i >= MIGRANT_ID_BASE}
        if progress is not None:
            progress(out.pending_statements(), max(total, out.pending_statements()))
    out.close()
    end = START + timedelta(days=WEEKS * 7 - 1)
    manifest = Manifest(
        seed=seed,
        size=str(size),
        scale=round(scale, 4),
        start=START.isoformat(),
        end=end.isoformat(),
        weeks=WEEKS,
        statements=out.statements,
        reports=sum(out.agency_reports.values()),
        files=dict(sorted(out.files.items())),
        formats=dict(sorted(out.formats.items())),
        agencies={
            a: {"reports": out.agency_reports[a], "statements": out.agency_statements[a]}
            for a in sorted(out.agency_reports)
        },
        truth={name: t.rows for name, t in sorted(out.truth.items())},
    )
    (out_dir / "MANIFEST.json").write_text(
        json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if progress is not None:
        progress(out.statements, out.statements)
    return manifest
