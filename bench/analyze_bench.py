"""Benchmark of `simgame analyze`: states explored per second, and the time for 1,000 scenes with the cap.

Printed, no assertions. Uses the synthetic scenarios of bench/gen_scenario.py (3 choices
per scene jumping 1 to 5 scenes ahead, each moving one trust and one meter, the third
guarded by trust > 40). Their exact state space grows with the number of paths, so the
exact search runs into its budget and the value-set search finishes the job; both rates
are shown, then the full `analyze` as the command runs it, and the shipped scenarios.

Usage: .venv/bin/python bench/analyze_bench.py [--sizes 10,100,1000] [--max-states N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from gen_scenario import generate  # noqa: E402

from simgame.analysis import DEFAULT_MAX_STATES, EXACT_BUDGET, AbstractExplorer, Explorer, analyze  # noqa: E402
from simgame.cli import scenario_files  # noqa: E402
from simgame.compiler import compile_source, load_scenario  # noqa: E402

T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,30,100,300,1000")
    parser.add_argument("--max-states", type=int, default=DEFAULT_MAX_STATES)
    args = parser.parse_args()
    print(f"exact budget {EXACT_BUDGET} states; cap --max-states {args.max_states}")
    print(
        f"{'scenes':>6} | {'exact states':>12} {'states/s':>9} {'done':>5} | "
        f"{'value-set states':>16} {'states/s':>9} {'done':>5} | {'analyze s':>9} {'warnings':>8}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        sc = compile_source(generate(n), filename=f"synthetic_{n}.yaml")
        exact, t_exact = _timed(lambda sc=sc: Explorer(sc).explore(args.max_states))
        approx, t_approx = _timed(lambda sc=sc: AbstractExplorer(Explorer(sc)).explore(args.max_states))
        result, t_all = _timed(lambda sc=sc: analyze(sc, max_states=args.max_states))
        print(
            f"{n:>6} | {exact.states:>12} {exact.states / t_exact:>9.0f} {'yes' if exact.complete else 'cap':>5} | "
            f"{approx.states:>16} {approx.states / t_approx:>9.0f} {'yes' if approx.complete else 'cap':>5} | "
            f"{t_all:>9.2f} {len(result.warnings):>8}"
        )
    print()
    print("shipped scenarios (analyze with the default cap):")
    for path in scenario_files([ROOT / "scenarios"]):
        sc = load_scenario(path)
        result, t_all = _timed(lambda sc=sc: analyze(sc))
        ex = result.exploration
        print(
            f"  {path.name:<20} {len(sc.scenes):>4} scenes  {ex.states:>7} states  "
            f"{'exact' if ex.exact else 'value-set':<9} {'complete' if ex.complete else 'CAPPED':<8} "
            f"{t_all:6.2f} s  {len(result.warnings)} warnings"
        )


if __name__ == "__main__":
    main()
