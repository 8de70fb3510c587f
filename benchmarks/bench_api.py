"""The service under load on loopback: search, entity profiles and link-chart neighbourhoods.

Claim (issue 7): on the medium scenario (~1M statements), with 50 concurrent clients,
search and entity-profile p99 < 100 ms, and a 2-hop neighbourhood of <= 500 nodes p99 < 300 ms.

Set-up (not timed): the medium world is generated and ingested into SQLite with the
demo's agencies, analysts and agreements; ``counterflow serve`` runs as its own process
(``--workers`` uvicorn processes, 4 by default: two per core, as docs/deployment.md advises;
one per core leaves a core idle whenever two link charts land in the same worker, since a
client's keep-alive connection stays with the worker that accepted it and a worker computes
on one core at a time). Each of the 50 clients is
an analyst of a partner agency with an API token, sending a request, reading the answer,
then thinking for a random time (mean ``--think`` seconds, exponential) before the next:
60% searches, 30% profiles, 10% 2-hop neighbourhoods (``--mix``). Every request goes
through authentication, need-to-know and the processing log, as in production.

Baseline, measured in the same run: the same requests made directly in process through
``Session`` (no HTTP, no concurrency), one after another. The ratio of p99s shows what the
service and the load add.

    .venv/bin/python benchmarks/bench_api.py --workdir /tmp/bench-api --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).parent))
from _http import Pool
from _measure import serving

KINDS = ("search", "profile", "neighbourhood")
MIX = (0.6, 0.3, 0.1)


def build(work: Path, size: str, seed: int) -> Path:
    """The medium world ingested with the demo's policy; kept in ``work`` for later runs."""
    from counterflow.demo import load_world, setup_policy
    from counterflow.scenario import generate
    from counterflow.settings import Settings
    from counterflow.store import SqlStore

    db = work / "api.sqlite"
    if (work / "built").exists():
        return db
    world = work / "world"
    t0 = time.perf_counter()
    manifest = generate(world, seed=seed, size=size).to_dict()
    agencies = sorted(manifest["agencies"])
    store = SqlStore(f"sqlite:///{db}", selector_key=b"k" * 32)
    setup_policy(store, agencies)
    settings = Settings.from_env({"COUNTERFLOW_DATABASE_URL": f"sqlite:///{db}"})
    _, total = load_world(store, world, agencies, settings)
    store.close()
    (work / "built").write_text(json.dumps({"statements": total.statements_added}))
    print(f"built {total.statements_added:,} statements in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return db


def workload(
    db: Path, n: int, seed: int, mix: tuple[float, ...] = MIX
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Tokens for the analysts, and ``n`` requests (user, kind, argument) they may all make sense of."""
    from counterflow.policy import registry
    from counterflow.policy.auth import issue_token
    from counterflow.policy.session import Session
    from counterflow.store import SqlStore

    rng = random.Random(seed)
    store = SqlStore(f"sqlite:///{db}", selector_key=b"k" * 32)
    users = [u.id for u in registry.list_users(store) if u.id.endswith(".analyst")]
    tokens = {u: issue_token(store, u) for u in users}
    plan: list[tuple[str, str, str]] = []
    pools: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for user in users:
        viewer = Session.open(store, user).viewer
        words: list[str] = []
        people: list[str] = []
        linked: list[str] = []
        for i, st in enumerate(store.iter_statements(viewer=viewer, prop_types=["name"], batch=5000)):
            if st.schema == "Person":
                people.append(st.entity_id)
                words.append(st.value.split()[-1])
            if i > 20_000:
                break
        for st in store.iter_statements(viewer=viewer, prop_types=["phone"], batch=5000):
            if st.schema == "Person":
                linked.append(st.entity_id)
            if len(linked) > 2000:
                break
        if people and linked:
            pools[user] = (words, people, linked)
    store.close()
    active = sorted(pools)
    for _ in range(n):
        user = rng.choice(active)
        words, people, linked = pools[user]
        kind = rng.choices(KINDS, mix)[0]
        arg = rng.choice(words) if kind == "search" else rng.choice(people if kind == "profile" else linked)
        plan.append((user, kind, arg))
    return {u: tokens[u] for u in active}, plan


def path_of(kind: str, arg: str) -> tuple[str, dict[str, str | int]]:
    if kind == "search":
        return "/api/v1/search", {"q": arg, "limit": 20}
    if kind == "profile":
        return f"/api/v1/entities/{quote(arg, safe='')}", {}
    return "/api/v1/graph/neighbourhood", {"entity": arg, "hops": 2, "max_entities": 500}


def direct(db: Path, plan: list[tuple[str, str, str]]) -> dict[str, list[float]]:
    """Baseline: the same reads in process, one at a time."""
    from counterflow.errors import NotFound
    from counterflow.graph.neighbourhood import neighbourhood
    from counterflow.policy.session import Session
    from counterflow.resolve import service
    from counterflow.store import SqlStore

    store = SqlStore(f"sqlite:///{db}", selector_key=b"k" * 32)
    sessions: dict[str, Session] = {}
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    for user, kind, arg in plan:
        session = sessions.setdefault(user, Session.open(store, user))
        t0 = time.perf_counter()
        try:
            if kind == "search":
                session.search(arg, limit=20)
            elif kind == "profile":
                session.profile(arg)
            else:
                state = service.state(store)
                neighbourhood(
                    store,
                    [arg],
                    viewer=session.viewer,
                    hops=2,
                    max_entities=500,
                    members=state.members_of,
                    canonical=state.cluster_of,
                )
        except NotFound:
            pass
        times[kind].append(time.perf_counter() - t0)
    store.close()
    return times


async def load(
    base: str,
    tokens: dict[str, str],
    plan: list[tuple[str, str, str]],
    clients: int,
    seconds: float,
    think: float,
    seed: int,
    measured: bool = True,
) -> tuple[dict[str, list[float]], dict[int, int], list[int]]:
    """Requests over 250 ms are listed on stderr with when they started, for a measured phase
    only: the warm-up saturates the server on purpose."""
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    statuses: dict[int, int] = {}
    sizes: list[int] = []
    deadline = time.perf_counter() + seconds
    cursor = iter(range(10**9))
    slow: list[tuple[float, float, str]] = []
    pool = Pool(base, clients)

    async def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        await asyncio.sleep(rng.uniform(0, think))
        while time.perf_counter() < deadline:
            user, kind, arg = plan[next(cursor) % len(plan)]
            path, params = path_of(kind, arg)
            t0 = time.perf_counter()
            status, body = await pool.get(
                f"{path}?{urlencode(params)}", {"Authorization": f"Bearer {tokens[user]}"}
            )
            times[kind].append(time.perf_counter() - t0)
            if time.perf_counter() - t0 > 0.25:
                slow.append((time.time() - (time.perf_counter() - t0), time.perf_counter() - t0, kind))
            statuses[status] = statuses.get(status, 0) + 1
            if kind == "neighbourhood" and status == 200:
                sizes.append(len(json.loads(body)["nodes"]))
            await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)

    await asyncio.gather(*(client(i) for i in range(clients)))
    pool.close()
    for t, d, kind in sorted(slow) if measured else ():
        print(f"  slow: started {t:.2f} took {d * 1000:.0f} ms {kind}", file=sys.stderr)
    return times, statuses, sizes


async def meet_every_worker(
    base: str, tokens: dict[str, str], plan: list[tuple[str, str, str]], rounds: int = 12
) -> None:
    """Each analyst's requests on fresh connections, ``rounds`` times, so that every worker
    process meets every token and builds that analyst's caches before the measured phase.

    A worker takes the connections it accepts; with keep-alive connections alone, one worker
    could accept them all during warm-up and the other would meet each token for the first
    time in the measured phase (argon2, ~100 ms of CPU each): a second-long stall at its
    start, in one run out of two."""
    from _http import Connection

    async def analyst(user: str) -> None:
        own = [(k, a) for u, k, a in plan if u == user]
        picks = [next((x for x in own if x[0] == kind), None) for kind in KINDS]
        asks = [p for p in picks if p is not None]
        for r in range(rounds):
            kind, arg = asks[r % len(asks)]
            path, params = path_of(kind, arg)
            conn = Connection(base, {"Authorization": f"Bearer {tokens[user]}"})
            try:
                await conn.request("GET", f"{path}?{urlencode(params)}")
            finally:
                conn.close()

    await asyncio.gather(*(analyst(u) for u in tokens))


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", default="medium", help="scenario size (small, medium, or a statement count)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load phase")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time between a client's requests"
    )
    parser.add_argument("--mix", default="0.6,0.3,0.1", help="shares of search, profile, neighbourhood")
    parser.add_argument("--workers", type=int, default=4, help="server processes (two per core by default)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the built store here between runs")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cf-bench-api-"))
    work.mkdir(parents=True, exist_ok=True)
    db = build(work, args.size, args.seed)
    mix = tuple(float(x) for x in args.mix.split(","))
    tokens, plan = workload(db, 3000, args.seed, mix)
    base_times = direct(db, plan[:600])
    # The load generator's own full garbage collections (its plan, tokens and timings) would
    # stall every request in flight and be counted as the server's time.
    gc.collect()
    gc.freeze()

    with serving(db, args.workers, work / "server.log") as base:
        # Warm-up, then the measured phase. Each worker verifies each analyst's token once
        # (argon2, ~100 ms) and builds its caches: every analyst on fresh connections, then
        # as many connections as clients cycling through every analyst.
        asyncio.run(meet_every_worker(base, tokens, plan))
        asyncio.run(load(base, tokens, plan, args.clients, 5, 0.05, args.seed + 1, measured=False))
        times, statuses, sizes = asyncio.run(
            load(base, tokens, plan, args.clients, args.seconds, args.think, args.seed)
        )

    total = sum(len(v) for v in times.values())
    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s, think {args.think} s: {total:,} requests "
        f"({total / args.seconds:,.0f}/s), statuses {dict(sorted(statuses.items()))}"
    )
    if sizes:
        print(f"neighbourhood sizes: median {statistics.median(sizes):.0f} nodes, max {max(sizes)}")
    goals = {"search": 100.0, "profile": 100.0, "neighbourhood": 300.0}
    print(
        f"\n{'request':14} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'direct p99':>11} {'ratio':>6} {'goal':>6}"
    )
    met = True
    for kind in KINDS:
        p99, d99 = pct(times[kind], 0.99), pct(base_times[kind], 0.99)
        ok = p99 < goals[kind]
        met &= ok
        print(
            f"{kind:14} {len(times[kind]):>6,} {pct(times[kind], 0.5):>8.1f} {p99:>8.1f} {d99:>11.1f} "
            f"{p99 / d99 if d99 else float('nan'):>6.2f} {'<' + str(int(goals[kind])):>6} "
            f"{'MET' if ok else 'NOT MET'}"
        )
    print(
        "\nslowest (ms): "
        + "; ".join(
            f"{kind} {', '.join(f'{t * 1000:.0f}' for t in sorted(times[kind])[-5:])}" for kind in KINDS
        )
    )
    errors = sum(n for code, n in statuses.items() if code >= 500)
    print(f"\nserver errors: {errors}; goal {'MET' if met and errors == 0 else 'NOT MET'}")


if __name__ == "__main__":
    main()
