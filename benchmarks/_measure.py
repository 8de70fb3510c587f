"""Shared helpers for benchmarks: run a command, time it, sample the peak RSS of its process tree."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from dataclasses import dataclass

import psutil


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float
    stdout: str
    returncode: int


def run_measured(cmd: list[str], env: dict[str, str] | None = None, interval: float = 0.5) -> Run:
    """Run ``cmd``; peak memory is the largest sum of proportional set sizes over the process tree.

    Sampled twice a second: reading every process's smaps costs CPU the measured run needs."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                # PSS: shared pages (forked workers) are counted once across the tree, not per process.
                total = root.memory_full_info().pss
                for child in root.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += child.memory_full_info().pss
                peak = max(peak, total)
            except psutil.NoSuchProcess:
                return
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    stop.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return Run(time.perf_counter() - start, peak / 2**20, out, proc.returncode)
