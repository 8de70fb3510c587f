"""Crash consistency: the ingesting process killed (SIGKILL) at random points, 100 times.

After every kill: each report the process had acknowledged is present and whole, no report is
present in part, no statement is without its report, every report is in the processing log
and the log verifies. Resuming the bulk files finishes the job without duplicates.

The ingesting process is forked from the test (so each of the 100 runs starts in milliseconds,
not the second an interpreter takes to import everything); it ingests the file in small
batches and acknowledges a batch's reports only after ``Ingestor.ingest`` returned, which is
what a caller of the bulk path can rely on. Each run is killed after a random number of its
batches and a random few milliseconds more, so the kills fall all through the work.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from counterflow.audit.log import verify
from counterflow.ingest.pipeline import Ingestor, read_path
from counterflow.ingest.report import parse_report
from counterflow.store import SqlStore
from counterflow.store.schema import reports, statements
from counterflow.store.schema_policy import audit_log

from reports import report

FILES = 10
PER_FILE = 60
KILLS = 100


def _report(f: int, i: int) -> dict:
    rng = random.Random(f * 1000 + i)
    people = [
        {
            "id": f"p{f}-{i}-{k}",
            "schema": "Person",
            "properties": {"name": [f"Person {f} {i} {k}"], "phone": [f"+38164{f:02d}{i:03d}{k:02d}"]},
        }
        for k in range(rng.randint(1, 5))  # reports of different sizes: a half-written one shows
    ]
    return report(report_id=f"C{f}-{i}", entities=people)


def _child(url: str, path: str, ack: str) -> None:
    """Ingest the file in batches of 7, acknowledging each batch once ingest returned."""
    store = SqlStore(url)
    items = list(read_path(Path(path)))
    keys = [f"rs_mup:{json.loads(line)['report_id']}" for line in Path(path).read_text().splitlines()]
    fd = os.open(ack, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    for start in range(0, len(items), 7):
        summary = Ingestor(store, batch_statements=40).ingest(items[start : start + 7])
        assert summary.ok
        os.write(fd, "".join(f"{k}\n" for k in keys[start : start + 7]).encode())
    os.close(fd)
    os._exit(0)


def _acks(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _check(url: str, acked: set[str]) -> tuple[int, int]:
    store = SqlStore(url)
    try:
        with store.engine.connect() as conn:
            held = {r.report_key: r.n_statements for r in conn.execute(select(reports))}
            counts = dict(
                conn.execute(
                    select(statements.c.report_key, func.count()).group_by(statements.c.report_key)
                ).all()
            )
            logged: set[str] = set()
            for (details,) in conn.execute(
                select(audit_log.c.details).where(audit_log.c.action == "collection")
            ):
                logged.update(json.loads(details)["reports"])
        missing = sorted(acked - set(held))
        assert not missing, f"acknowledged but absent: {missing[:5]}"
        partial = {k: (n, counts.get(k, 0)) for k, n in held.items() if counts.get(k, 0) != n}
        assert not partial, f"present in part (expected, found): {list(partial.items())[:5]}"
        orphans = set(counts) - set(held)
        assert not orphans, f"statements without their report: {sorted(orphans)[:5]}"
        assert set(held) == logged, "the processing log and the stored reports disagree"
        check = verify(store)
        assert check.ok, check.problems
        return len(held), sum(held.values())
    finally:
        store.close()


@pytest.mark.slow
def test_sigkill_during_bulk_ingest_loses_nothing_acknowledged(store_url, tmp_path):
    SqlStore(store_url).close()  # the schema exists before the first child starts
    files = []
    for f in range(FILES):
        path = tmp_path / f"bulk-{f}.jsonl"
        path.write_text("".join(json.dumps(_report(f, i)) + "\n" for i in range(PER_FILE)))
        files.append(path)
    ack = tmp_path / "acks.txt"
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(7)
    killed = 0
    for k in range(KILLS):
        path = files[k * FILES // KILLS]  # each file is resumed after several kills
        before = _acks(ack)
        child = ctx.Process(target=_child, args=(store_url, str(path), str(ack)))
        child.start()
        # A random point of the run: after 0 to 7 of its 9 batches, then 0 to 30 ms into the next
        # (inside its parsing, its transaction or its commit).
        wanted = before + 7 * rng.randint(0, 7)
        deadline = time.monotonic() + 30
        while child.is_alive() and _acks(ack) < wanted and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.03))
        if child.is_alive():
            child.kill()
            killed += 1
        child.join(30)
        assert child.exitcode in (0, -9), f"run {k}: the ingesting process failed ({child.exitcode})"
        text = ack.read_text() if ack.exists() else ""
        acked = {line for line in text.split("\n")[:-1] if line}  # a torn last line is no ack
        _check(store_url, acked)
    assert killed >= KILLS * 9 // 10, f"only {killed} of {KILLS} runs were killed before finishing"
    # Resuming every file finishes the job: every report once, every statement once.
    store = SqlStore(store_url)
    for path in files:
        Ingestor(store).ingest(read_path(path))
    store.close()
    expected = sum(
        len(parse_report(_report(f, i)).record.statements) for f in range(FILES) for i in range(PER_FILE)
    )
    held, n_statements = _check(
        store_url, {f"rs_mup:C{f}-{i}" for f in range(FILES) for i in range(PER_FILE)}
    )
    assert held == FILES * PER_FILE
    assert n_statements == expected  # every statement of every report, none twice
    with SqlStore(store_url).engine.connect() as conn:
        distinct = conn.execute(select(func.count(func.distinct(statements.c.id)))).scalar_one()
        total = conn.execute(select(func.count()).select_from(statements)).scalar_one()
    assert distinct == total == n_statements
