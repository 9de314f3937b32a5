"""Core benchmark: load+validate and headless random play on synthetic scenarios (printed, never asserted).

Usage: python bench/core_bench.py [--sizes 100,1000,10000] [--choices 200000]

For each size N it generates the synthetic shape of bench/gen_scenario.py, then reports
- read (YAML to data with positions), validate (pydantic), compile (references, conditions),
  and their sum, load+validate, best of 3 runs;
- the transitions Machine build, done once per loaded scenario on the first session;
- headless random play in choices per second (the runner's random policy, many playthroughs
  until the choice budget is spent; session creation is included).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_scenario import generate

from simgame.compiler import compile_source
from simgame.runner import random_policy
from simgame.schema import ScenarioSpec
from simgame.session import Session, _Machine
from simgame.source import read_yaml


def best_of(n: int, fn: object) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def bench_size(n: int, choice_budget: int) -> dict[str, float]:
    text = generate(n).encode()
    read = best_of(3, lambda: read_yaml(text, "syn.yaml"))
    data, _ = read_yaml(text, "syn.yaml")
    validate = best_of(3, lambda: ScenarioSpec.model_validate(data))
    total = best_of(3, lambda: compile_source(text, filename="syn.yaml"))
    sc = compile_source(text, filename="syn.yaml")
    machine = best_of(1, lambda: _Machine(sc))
    Session(sc)  # build and cache the machine before timing play
    choices = 0
    seed = 0
    t = time.perf_counter()
    while choices < choice_budget:
        s = Session(sc, seed=seed)
        while not s.is_over:
            s.choose(random_policy(s).id)
            choices += 1
        seed += 1
    play = time.perf_counter() - t
    return {
        "n": n,
        "bytes": len(text),
        "read": read,
        "validate": validate,
        "load": total,
        "machine": machine,
        "cps": choices / play,
        "runs": seed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--choices", type=int, default=200_000)
    args = ap.parse_args()
    print(
        f"{'scenes':>7} {'KiB':>7} {'read s':>8} {'pydantic s':>10} {'load+validate s':>16} "
        f"{'per 1k scenes':>13} {'machine s':>10} {'choices/s':>10}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        r = bench_size(n, args.choices)
        print(
            f"{n:>7} {r['bytes'] / 1024:>7.0f} {r['read']:>8.3f} {r['validate']:>10.3f} {r['load']:>16.3f} "
            f"{1000 * r['load'] / n:>13.3f} {r['machine']:>10.3f} {r['cps']:>10.0f}"
        )
    print("aims: load+validate of 10,000 scenes under 1 s, growing linearly; random play over 30,000 choices/s")


if __name__ == "__main__":
    main()
