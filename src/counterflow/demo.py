"""The demo: every capability that exists, run on the small scenario world, stage by stage.

Used by ``counterflow demo`` (and later the API). Each stage adds one entry to the
summary; ``echo`` (when given) receives a human-readable line per stage. Later
capabilities (resolution, graph, routes, cases) extend this with their own stages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterflow.ingest.pipeline import Ingestor, IngestSummary, expand_paths, read_path
from counterflow.settings import Settings
from counterflow.store import SqlStore, open_store

Echo = Callable[[str], None]

INPUT_FOLDERS = ("reports", "cdr", "anpr", "sheets")


def run_demo(
    out: Path,
    *,
    seed: int = 7,
    echo: Echo | None = None,
    size: str | int = "small",
    store: SqlStore | None = None,
) -> dict[str, Any]:
    say: Echo = echo or (lambda _line: None)
    from counterflow.scenario import generate

    summary: dict[str, Any] = {"seed": seed}
    t0 = time.perf_counter()
    manifest = generate(out, seed=seed, size=size).to_dict()
    summary["scenario"] = {**manifest, "seconds": round(time.perf_counter() - t0, 2), "folder": str(out)}
    say(
        f"[bold]1. scenario[/]  the Balkan-route world (seed {seed}) written to {out}: "
        f"{manifest.get('statements', 0):,} statements "
        f"({summary['scenario']['seconds']} s)"
    )

    settings = Settings.from_env()
    store = store or open_store(settings.database_url)
    t0 = time.perf_counter()
    ingestor = Ingestor(store, batch_statements=settings.batch_size, workers=settings.workers)
    total = IngestSummary()
    files = expand_paths([out / f for f in INPUT_FOLDERS if (out / f).exists()])
    for path in files:
        s = ingestor.ingest(read_path(path))
        total.reports_added += s.reports_added
        total.reports_unchanged += s.reports_unchanged
        total.statements_added += s.statements_added
        total.rejected.extend(s.rejected)
    seconds = time.perf_counter() - t0
    summary["ingest"] = {
        "files": len(files),
        "reports_added": total.reports_added,
        "reports_unchanged": total.reports_unchanged,
        "statements_added": total.statements_added,
        "rejected": len(total.rejected),
        "rejections": [r.to_dict() for r in total.rejected[:5]],
        "seconds": round(seconds, 2),
    }
    say(
        f"[bold]2. ingest[/]    {len(files)} files: {total.reports_added} reports added "
        f"({total.statements_added:,} statements), {total.reports_unchanged} already stored, "
        f"{len(total.rejected)} rejected ({seconds:.1f} s)"
    )
    for r in total.rejected[:5]:
        say(f"             rejected {r.report}: {r.problems[0] if r.problems else ''}")

    stats = store.stats()
    summary["store"] = stats
    agencies = ", ".join(f"{a} {v.get('statements', 0):,}" for a, v in stats["by_agency"].items())
    say(
        f"[bold]3. store[/]     {stats['reports']:,} reports, {stats['statements']:,} statements, "
        f"{stats['entities']:,} entities ({stats['backend']}); by agency: {agencies}"
    )

    summary["search"] = _cross_script_search(store, say)
    return summary


def _cross_script_search(store: SqlStore, say: Echo) -> dict[str, Any]:
    """Find a name an agency wrote in Cyrillic and show the same spelling found from other agencies."""
    from counterflow.cli.query_cmd import search_store

    for stmt in store.iter_statements(prop_types=["name"], batch=2000):
        if stmt.script != "Cyrillic" or stmt.schema != "Person" or not stmt.original_value:
            continue
        hits = search_store(store, stmt.original_value, 50)
        others = sorted({h.agency for h in hits if h.agency != stmt.agency})
        if not others:
            continue
        result = {
            "query": stmt.original_value,
            "as_latin": stmt.value,
            "written_by": stmt.agency,
            "entities_found": len(hits),
            "agencies": sorted({h.agency for h in hits}),
        }
        say(
            f"[bold]4. search[/]    '{stmt.original_value}' (as {stmt.agency} wrote it) finds {len(hits)} "
            f"records, also from {', '.join(others)}: the same name across scripts"
        )
        return result
    say("[bold]4. search[/]    no Cyrillic name shared with another agency in this world")
    return {"query": None}
