"""Every reader under coverage-guided fuzzing (atheris) for a fixed budget: no crash, no hang,
bounded memory. Longer runs: ``scripts/fuzz_readers.py TARGET -max_total_time=600``."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "fuzz_readers.py"
TARGETS = ["native", "text", "ftm", "statements", "cdr", "anpr", "xlsx"]


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_reader_survives_fuzzing(target, tmp_path):
    pytest.importorskip("atheris")
    # A fixed seed: the same inputs on every CI run (longer, random runs: scripts/fuzz_readers.py).
    budget = ["-seed=1", "-max_total_time=6", "-runs=20000", "-timeout=10", "-rss_limit_mb=1536"]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), target, *budget, f"-artifact_prefix={tmp_path}/"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    tail = done.stderr[-3000:]
    assert done.returncode == 0, f"{target}: the fuzzer found a failure\n{tail}"
    assert "Done" in tail and not list(tmp_path.glob("crash-*")), tail
