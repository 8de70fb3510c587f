"""Shared helpers for benchmarks: run a command, time it, sample the peak RSS of its process tree."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(db: Path, workers: int, log: Path) -> Iterator[str]:
    """``counterflow serve`` on a SQLite store, on a free loopback port; yields the base URL once
    the health route answers, and stops the server (killing it if an open stream holds it)."""
    import httpx

    port = free_port()
    env = {**os.environ, "COUNTERFLOW_DATABASE_URL": f"sqlite:///{db}", "COUNTERFLOW_LOG_LEVEL": "WARNING"}
    cmd = [str(Path(sys.executable).parent / "counterflow"), "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning"]
    with log.open("w") as err:
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            else:
                raise SystemExit(f"the server did not start (see {log})")
            yield base
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
