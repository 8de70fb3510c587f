"""Shared output helpers for the command line: JSON for scripts, rich for people."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def grade_label(scheme: str, source: str, info: str, common: str) -> str:
    return f"{scheme} {source}{info} (≈{common})"


def handling_label(scheme: str, code: str, conditions: str | None) -> str:
    return f"{scheme} {code}" + (f" [{conditions}]" if conditions else "")
