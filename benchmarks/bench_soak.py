"""Soak: 50 analysts mixing searches, profiles, link charts and ingest for ten minutes.

Claim (issue 11): on the medium scenario, 50 concurrent analysts for 10 minutes: no error,
p99 latencies within the workspace's goals (search and profile < 100 ms, 2-hop
neighbourhood < 300 ms), memory flat (no growth trend).

Set-up as ``bench_api.py`` (the same medium store, kept in ``--workdir``; ``counterflow
serve`` with 4 workers, two per core), plus ingest: ``--ingest`` of the requests (5% by default)
post a new native report of the analyst's own agency. A warm-up (``--warmup`` seconds, 90 by
default; as many clients with almost no think time, not measured) lets each worker verify every
analyst's token and fill its caches first. Each worker sees only its share of the requests, so
with four workers its caches take four times as long to fill: one worker serving the same mix
grows no more after its first ~2,000 requests, and after a 10 s warm-up four workers were still
filling theirs ten minutes later (docs/operations.md, "Memory, settled"). Every ``--sample``
seconds the proportional memory (PSS) of the server's processes is read. Memory is judged after
the first minute (caches filling): a least-squares line through the samples gives the trend
in MiB per minute, and memory is called flat when the line rises less than 5% of the starting
level over the whole run. Latencies are reported per minute as well, to show whether they drift.

Baseline, in the same run: the first minute's p99 against the last minute's, per request
kind (the ratio shows degradation over time).

    .venv/bin/python benchmarks/bench_soak.py --workdir /tmp/bench-api-medium --seconds 600
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from _http import Pool
from _measure import serving
from bench_api import KINDS, build, meet_every_worker, path_of, pct, workload

GOALS = {"search": 100.0, "profile": 100.0, "neighbourhood": 300.0}  # issue 7's; ingest has none here


def a_report(user: str, n: int) -> dict[str, object]:
    agency = user.removesuffix(".analyst")
    return {
        "format": "counterflow.report/1",
        "agency": agency,
        "report_id": f"SOAK-{n:07d}",
        "reported_at": "2026-09-01",
        "language": "en",
        "grading": {"scheme": "4x4", "source": "B", "information": "2"},
        "handling": {"scheme": "SIENA", "code": "H0"},
        "classification": "OFFICIAL",
        "entities": [
            {"id": f"s{n}", "schema": "Person", "properties": {"name": [f"Soak Person {n}"]}},
            {
                "id": f"c{n}",
                "schema": "Call",
                "properties": {"callerNumber": f"+38164{n % 10_000_000:07d}", "date": "2026-09-01"},
            },
        ],
    }


def sample_memory(
    procs: list[psutil.Process], every: float, stop: threading.Event, out: list[tuple[float, float]]
) -> None:
    t0 = time.perf_counter()
    while not stop.wait(every):
        total = 0
        for p in procs:
            try:
                total += p.memory_full_info().pss
            except psutil.NoSuchProcess:
                continue
        out.append((time.perf_counter() - t0, total / 2**20))


async def soak(
    base: str,
    tokens: dict[str, str],
    plan: list[tuple[str, str, str]],
    clients: int,
    seconds: float,
    think: float,
    ingest: float,
    seed: int,
    first_report: int = 0,
) -> tuple[list[tuple[float, str, float]], dict[int, int]]:
    done: list[tuple[float, str, float]] = []  # (when, kind, seconds)
    statuses: dict[int, int] = {}
    start = time.perf_counter()
    deadline = start + seconds
    cursor = iter(range(10**9))
    numbers = iter(range(first_report, 10**8))
    pool = Pool(base, clients)

    async def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        await asyncio.sleep(rng.uniform(0, think))
        while time.perf_counter() < deadline:
            user, kind, arg = plan[next(cursor) % len(plan)]
            headers = {"Authorization": f"Bearer {tokens[user]}"}
            t0 = time.perf_counter()
            if rng.random() < ingest:
                kind = "ingest"
                status, _ = await pool.post_json("/api/v1/reports", a_report(user, next(numbers)), headers)
            else:
                path, params = path_of(kind, arg)
                status, _ = await pool.get(f"{path}?{urlencode(params)}", headers)
            done.append((t0 - start, kind, time.perf_counter() - t0))
            statuses[status] = statuses.get(status, 0) + 1
            await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)

    await asyncio.gather(*(client(i) for i in range(clients)))
    pool.close()
    return done, statuses


def trend(samples: list[tuple[float, float]], after: float) -> tuple[float, float, float]:
    """(MiB per minute, fitted start, fitted end) of a least-squares line through the samples."""
    pts = [(t, m) for t, m in samples if t >= after]
    if len(pts) < 3:
        return float("nan"), float("nan"), float("nan")
    n = len(pts)
    mt = sum(t for t, _ in pts) / n
    mm = sum(m for _, m in pts) / n
    slope = sum((t - mt) * (m - mm) for t, m in pts) / max(sum((t - mt) ** 2 for t, _ in pts), 1e-9)
    first, last = pts[0][0], pts[-1][0]
    return slope * 60, mm + slope * (first - mt), mm + slope * (last - mt)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="medium")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time between a client's requests"
    )
    parser.add_argument("--ingest", type=float, default=0.05, help="share of requests that post a report")
    parser.add_argument("--workers", type=int, default=4, help="server processes (two per core)")
    parser.add_argument(
        "--warmup", type=float, default=90.0, help="seconds of unmeasured load before the soak"
    )
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between memory samples")
    parser.add_argument("--workdir", type=Path, required=True, help="the built medium store (bench_api.py)")
    args = parser.parse_args()
    db = build(args.workdir, args.size, 7)
    tokens, plan = workload(db, 5000, args.seed)
    gc.collect()  # the generator's own full collections would stall every request in flight
    gc.freeze()
    memory: list[tuple[float, float]] = []
    stop = threading.Event()
    with serving(db, args.workers, args.workdir / "soak-server.log") as base:
        # Warm-up, not measured: each worker verifies each analyst's token once (argon2,
        # ~100 ms) and builds its caches: every analyst on fresh connections (which reach
        # every worker), then as many connections as clients.
        asyncio.run(meet_every_worker(base, tokens, plan))
        asyncio.run(
            soak(
                base,
                tokens,
                plan,
                args.clients,
                args.warmup,
                think=0.05,
                ingest=args.ingest,
                seed=args.seed + 1,
                first_report=10**7,
            )
        )
        server = psutil.Process().children(recursive=True)
        sampler = threading.Thread(
            target=sample_memory, args=(server, args.sample, stop, memory), daemon=True
        )
        sampler.start()
        done, statuses = asyncio.run(
            soak(base, tokens, plan, args.clients, args.seconds, args.think, args.ingest, args.seed)
        )
        stop.set()
        sampler.join()

    errors = sum(n for code, n in statuses.items() if code >= 400)
    print(
        f"\n{args.clients} clients for {args.seconds:.0f} s: {len(done):,} requests "
        f"({len(done) / args.seconds:,.0f}/s), statuses {dict(sorted(statuses.items()))}"
    )
    minute = 60.0
    last_start = max(0.0, args.seconds - minute)
    head = f"{'request':14} {'n':>7} {'p50 ms':>8} {'p99 ms':>8} {'1st min p99':>12} {'last min p99':>13}"
    print(f"\n{head} {'goal':>6}")
    met = errors == 0
    for kind in (*KINDS, "ingest"):
        xs = [d for _, k, d in done if k == kind]
        first = [d for t, k, d in done if k == kind and t < minute]
        last = [d for t, k, d in done if k == kind and t >= last_start]
        goal = GOALS.get(kind)
        ok = goal is None or pct(xs, 0.99) < goal
        met &= ok
        verdict = "" if goal is None else ("MET" if ok else "NOT MET")
        print(
            f"{kind:14} {len(xs):>7,} {pct(xs, 0.5):>8.1f} {pct(xs, 0.99):>8.1f} {pct(first, 0.99):>12.1f} "
            f"{pct(last, 0.99):>13.1f} {'<' + str(int(goal)) if goal else '-':>6} {verdict}"
        )
    per_min, start_mib, end_mib = trend(memory, minute)
    flat = end_mib - start_mib < 0.05 * start_mib
    print(
        f"\nserver memory (PSS): {memory[0][1]:.0f} MiB at {memory[0][0]:.0f} s, "
        f"{memory[-1][1]:.0f} MiB at the end, peak {max(m for _, m in memory):.0f} MiB; "
        f"trend after the first minute {per_min:+.2f} MiB/min "
        f"({start_mib:.0f} -> {end_mib:.0f} MiB fitted): {'flat' if flat else 'GROWING'}"
        if memory
        else "no memory samples"
    )
    if memory:  # the curve, so a rise that levels off shows apart from one that does not
        by_minute = {int(t // 60): m for t, m in memory}  # the last sample of each minute
        print("memory at each minute (MiB): " + " ".join(f"{m:.0f}" for m in by_minute.values()))
    print(f"errors: {errors}; goal {'MET' if met and flat else 'NOT MET'}")


if __name__ == "__main__":
    main()
