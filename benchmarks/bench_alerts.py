"""Ingest-to-alert latency while reports stream in.

Claim (issue 8): ingest-to-alert latency p99 < 50 ms while ingesting 200 reports/s on the
embedded default (SQLite), measured with a load generator on loopback.

Set-up: a governed SQLite store with three agencies; the watching agency's analyst watches
50 phone numbers. ``counterflow serve`` runs as its own process(es) (``--workers``, default
1: SQLite has one writer). A load generator posts native reports at a fixed rate (open
loop: a report every 1/rate seconds whether or not the last one was answered); one in ten
carries a watched number. The watching analyst holds the live event stream open. The
latency of an alert is the moment its event reaches the analyst's stream minus the moment
the report was sent.

The service is warmed up first by the same load for --warmup seconds (3 by default), not
measured: a service that has been running has compiled its queries and filled its caches.
Each user's token is used once before the stream starts: the first use of a token pays
argon2 (~100 ms, on purpose), which a running service has long paid.

Baseline, measured in the same run: the ingest round trip itself (sending the report to
receiving the service's acknowledgement), p50 and p99; the ratio says what alerting adds.

    .venv/bin/python benchmarks/bench_alerts.py --rate 200 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from _http import Pool
from _measure import serving

WARMUP_FIRST = 900_000  # report numbers of the warm-up, apart from the measured ones
WATCHED = [f"+3816412{i:05d}" for i in range(50)]


def setup(db: Path) -> dict[str, str]:
    from counterflow.alerts.watchlist import add_watch
    from counterflow.policy import registry
    from counterflow.policy.auth import issue_token
    from counterflow.policy.session import Session
    from counterflow.store import SqlStore

    store = SqlStore(f"sqlite:///{db}")
    for agency in ("rs_mup", "hr_mup", "gb_ukbsu"):
        registry.add_agency(store, agency, agency)
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    registry.add_agreement(store, "hr_mup", "gb_ukbsu")
    registry.add_agreement(store, "rs_mup", "gb_ukbsu")
    uk = Session.open(store, "gb_ukbsu.a").viewer
    for phone in WATCHED:
        add_watch(store, uk, "selector", phone, selector_kind="phone")
    tokens = {u: issue_token(store, u) for u in ("rs_mup.a", "hr_mup.a", "gb_ukbsu.a")}
    store.close()
    return tokens


def make_report(i: int) -> tuple[str, dict[str, object], bool]:
    agency = "rs_mup" if i % 2 else "hr_mup"
    hit = i % 10 == 0
    phone = WATCHED[i % len(WATCHED)] if hit else f"+38164{3000000 + i:07d}"
    rid = f"LOAD-{i:06d}"
    return (
        f"{agency}:{rid}",
        {
            "format": "counterflow.report/1",
            "agency": agency,
            "report_id": rid,
            "reported_at": "2026-03-14",
            "observed_at": "2026-03-12",
            "language": "en",
            "grading": {"scheme": "3x5x2", "source": "2", "information": "B"},
            "handling": {"scheme": "3x5x2", "code": "P"},
            "classification": "OFFICIAL",
            "entities": [
                {
                    "id": f"p{i}",
                    "schema": "Person",
                    "properties": {"name": f"Person Number{i}", "phone": phone},
                },
                {
                    "id": f"c{i}",
                    "schema": "Call",
                    "properties": {
                        "callerNumber": phone,
                        "receiverNumber": "+381641111111",
                        "date": "2026-03-12",
                    },
                },
            ],
        },
        hit,
    )


def listen(
    base: str, token: str, received: dict[int, float], ready: threading.Event, stop: threading.Event
) -> None:
    try:
        with (
            httpx.Client(base_url=base, timeout=None) as c,
            c.stream("GET", "/api/v1/events", headers={"Authorization": f"Bearer {token}"}) as r,
        ):
            for line in r.iter_lines():
                if line.startswith(": counterflow"):
                    ready.set()
                if line.startswith("data: "):
                    data = json.loads(line[6:])
                    if data.get("kind") == "alert":
                        received[int(data["alert_id"])] = time.perf_counter()
                if stop.is_set():
                    return
    except httpx.TransportError:
        if not stop.is_set():  # the stream broke while measuring: the run is not valid
            raise
        # else the service was stopped while the quiet stream waited for its next line


async def generate(
    base: str, tokens: dict[str, str], rate: float, seconds: float, first: int = 0
) -> tuple[dict[str, float], list[float], int]:
    sent: dict[str, float] = {}
    acks: list[float] = []
    errors = 0
    n = int(rate * seconds)
    bodies = [make_report(i) for i in range(first, first + n)]  # built before the clock starts
    # The generator's own full collections (its bodies, tasks and timings) would stall the
    # stream listener too, and be counted as the server's time.
    gc.collect()
    gc.freeze()
    pool = Pool(base, 64)

    async def one(key: str, body: dict[str, object]) -> None:
        nonlocal errors
        token = tokens[f"{key.split(':')[0]}.a"]
        t0 = time.perf_counter()
        sent[key] = t0
        try:
            status, _ = await pool.post_json("/api/v1/reports", body, {"Authorization": f"Bearer {token}"})
        except (OSError, asyncio.IncompleteReadError):
            errors += 1
            return
        acks.append(time.perf_counter() - t0)
        if status != 200:
            errors += 1

    start = time.perf_counter()
    tasks = []
    for i, (key, body, _) in enumerate(bodies):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(key, body)))
    await asyncio.gather(*tasks)
    pool.close()
    return sent, acks, errors


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1000 if xs else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0, help="reports per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load first")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cf-bench-alerts-"))
    db = work / "alerts.sqlite"
    tokens = setup(db)
    received: dict[int, float] = {}
    stop = threading.Event()
    with serving(db, args.workers, work / "server.log") as base:
        ready = threading.Event()
        listener = threading.Thread(
            target=listen, args=(base, tokens["gb_ukbsu.a"], received, ready, stop), daemon=True
        )
        listener.start()
        if not ready.wait(20):
            raise SystemExit("the event stream did not open")
        for token in tokens.values():  # a running service has checked its users' tokens already
            httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        # Warm-up, not measured: a running service has compiled its queries and filled its caches.
        asyncio.run(generate(base, tokens, args.rate, args.warmup, first=WARMUP_FIRST))
        server = psutil.Process().children(recursive=True)
        cpu0, own0 = _cpu(server), time.process_time()
        sent, acks, errors = asyncio.run(generate(base, tokens, args.rate, args.seconds))
        server_cpu, own_cpu = _cpu(server) - cpu0, time.process_time() - own0
        time.sleep(2.0)  # let the last alerts arrive
        stop.set()

    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        every = dict(conn.execute(text("SELECT id, report_key FROM alerts")).all())
    raised = {i: key for i, key in every.items() if key in sent}  # the warm-up's alerts left aside
    latencies = [received[i] - sent[key] for i, key in raised.items() if i in received and key in sent]
    first = min(sent.values()) if sent else 0.0
    expected = sum(1 for i in range(int(args.rate * args.seconds)) if make_report(i)[2])
    print(
        f"\n{len(sent):,} reports sent at {args.rate:g}/s for {args.seconds:g} s; {errors} errors; "
        f"{len(raised)} alerts raised (expected {expected}), {len(latencies)} seen on the stream"
    )
    print(
        f"CPU per report: server {server_cpu / max(1, len(sent)) * 1000:.2f} ms, "
        f"load generator and stream listener {own_cpu / max(1, len(sent)) * 1000:.2f} ms"
    )
    print(f"\n{'measure':34} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'baseline: ingest round trip':34} {pct(acks, 0.5):>8.1f} {pct(acks, 0.99):>8.1f}")
    print(f"{'ingest to alert on the stream':34} {pct(latencies, 0.5):>8.1f} {pct(latencies, 0.99):>8.1f}")
    ratio = pct(latencies, 0.99) / pct(acks, 0.99) if acks and latencies else float("nan")
    print(f"\nratio (alert p99 / ingest p99): {ratio:.2f}")
    slow = sorted((sent[key] - first, received[i] - sent[key]) for i, key in raised.items() if i in received)
    slow = [(at, d) for at, d in slow if d >= 0.05]
    if slow:  # when in the run: all at once (a pause) or spread (too little CPU)
        print(
            "alerts later than 50 ms, by when their report was sent: "
            + ", ".join(f"{at:.2f} s ({d * 1000:.0f} ms)" for at, d in slow[:40])
            + (" …" if len(slow) > 40 else "")
        )
    ok = latencies and pct(latencies, 0.99) < 50 and errors == 0 and len(latencies) == expected
    print(
        f"goal: p99 < 50 ms at {args.rate:g} reports/s, every alert delivered: {'MET' if ok else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
