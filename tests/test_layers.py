"""Dependencies point one way (DESIGN.md §2): no module reaches back up the data path."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "counterflow"

# package → the Counterflow packages it may import (besides itself and errors/settings)
ALLOWED = {
    "model": set(),
    "engine": set(),
    "store": {"model"},
    "ingest": {"model", "store"},
    "scenario": {"model"},
    "policy": {"model", "store", "audit"},
    "audit": {"model", "store"},
    "graph": {"model", "store", "engine"},
    "routes": {"model", "store", "graph", "resolve"},
    "alerts": {"model", "store", "graph", "resolve", "routes", "policy", "engine"},
    "cases": {"model", "store", "graph", "resolve", "routes", "policy"},
    "resolve": {"model", "store", "ingest", "engine"},
    "api": {
        "model",
        "store",
        "ingest",
        "policy",
        "audit",
        "graph",
        "resolve",
        "web",
        "routes",
        "alerts",
        "cases",
    },
    "web": {
        "model",
        "store",
        "ingest",
        "policy",
        "audit",
        "graph",
        "resolve",
        "api",
        "routes",
        "alerts",
        "cases",
    },
    "cli": {
        "model",
        "engine",
        "store",
        "ingest",
        "scenario",
        "demo",
        "policy",
        "audit",
        "graph",
        "resolve",
        "api",
        "routes",
        "alerts",
        "cases",
    },
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("counterflow"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("counterflow"))
    return found


def test_layers():
    bad = []
    for package, allowed in ALLOWED.items():
        for path in (SRC / package).rglob("*.py"):
            for module in imports_of(path):
                parts = module.split(".")
                top = parts[1] if len(parts) > 1 else ""
                if top in {package, "errors", "settings", ""} or top in allowed:
                    continue
                bad.append(f"{path.relative_to(SRC)} imports {module}")
    assert bad == []


def test_model_imports_nothing_of_ours_but_errors():
    for path in (SRC / "model").rglob("*.py"):
        for module in imports_of(path):
            assert module.startswith(("counterflow.model", "counterflow.errors")), (path, module)
