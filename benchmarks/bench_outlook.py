"""Channel crossing outlook: rolling-origin backtest on the real daily arrivals, against a seasonal naive.

Claim (issue 8): the outlook (``counterflow.routes.outlook``: logistic P(crossing) and log-linear
people per crossing day, from season and recent activity; no weather, none is published daily)
beats the seasonal-naive baseline at every horizon from 1 to 7 days, by the Brier score.

Data: Home Office daily small-boat arrivals 2018-01-01 … 2026-08-20 (vendored; blank = no crossing).
Origins: every day from ``--start`` (default 2022-01-01) to the last day with 7 days ahead; the
model is refitted every ``--refit`` days (default 28) on the days up to the origin only.
Baseline ("seasonal naive"): for target day d, the 7 days centred on the same date in each of the
three previous years: P = their share of crossing days, expected arrivals = their mean, median
arrivals = their median. Second baseline ("recent 14 days"): the same from the 14 days to the origin.
Scores: Brier for P (lower is better), MAE of the median arrivals, RMSE of the expected arrivals;
skill = 1 − model / seasonal naive (> 0: the model is better).

    .venv/bin/python benchmarks/bench_outlook.py [--start 2022-01-01] [--refit 28]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from counterflow.routes.outlook_backtest import backtest
from counterflow.routes.outlook_data import SMALL_BOATS_ATTRIBUTION, load_small_boats_daily


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=date.fromisoformat, default=date(2022, 1, 1))
    parser.add_argument("--refit", type=int, default=28)
    args = parser.parse_args()
    history = load_small_boats_daily()
    t0 = time.perf_counter()
    scores = backtest(history, start=args.start, horizons=range(1, 8), refit_every=args.refit)
    secs = time.perf_counter() - t0
    n = scores[0].n
    print(
        f"small-boat days {history.start} to {history.end}; origins {args.start} + {n} days; "
        f"refit every {args.refit} days; {secs:.1f} s"
    )
    print(f"crossing-day rate over the scored days: {scores[0].crossing_rate:.3f}\n")
    head = (
        f"{'h':>2} {'Brier':>7} {'seasonal':>8} {'recent':>7} {'skill':>6} | "
        f"{'MAE':>6} {'seasonal':>8} {'recent':>7} {'skill':>6} | "
        f"{'RMSE':>6} {'seasonal':>8} {'recent':>7} {'skill':>6} | beats seasonal (Brier/MAE/RMSE)"
    )
    print(head)
    print("-" * len(head))
    for s in scores:
        beats = "/".join(
            "yes" if m < b else "no"
            for m, b in ((s.brier, s.brier_seasonal), (s.mae, s.mae_seasonal), (s.rmse, s.rmse_seasonal))
        )
        print(
            f"{s.horizon:2} {s.brier:7.4f} {s.brier_seasonal:8.4f} {s.brier_recent:7.4f} "
            f"{s.brier_skill:6.3f} | "
            f"{s.mae:6.1f} {s.mae_seasonal:8.1f} {s.mae_recent:7.1f} {s.mae_skill:6.3f} | "
            f"{s.rmse:6.1f} {s.rmse_seasonal:8.1f} {s.rmse_recent:7.1f} {s.rmse_skill:6.3f} | {beats}"
        )
    first = scores[0]
    print(
        f"\nhorizon 1: Brier ratio model/seasonal naive {first.brier / first.brier_seasonal:.3f} "
        f"(skill {first.brier_skill:.1%}); MAE ratio {first.mae / first.mae_seasonal:.3f}; "
        f"RMSE ratio {first.rmse / first.rmse_seasonal:.3f}"
    )
    print(SMALL_BOATS_ATTRIBUTION)


if __name__ == "__main__":
    main()
