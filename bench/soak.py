"""Soak: many seeded random playthroughs of each shipped scenario, checking invariants (printed).

Usage: python bench/soak.py [--runs 100000] [SCENARIO ...]

Checks after every choice: meters within their range, trust within 0..100, a choice is
always available before the ending; and that every run ends. Any violation is printed with
the seed that reproduces it, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from simgame import load_scenario
from simgame.cli import scenario_files
from simgame.runner import random_policy
from simgame.scenario import TRUST_MAX, TRUST_MIN
from simgame.session import Session

ROOT = Path(__file__).resolve().parent.parent


def soak(path: Path, runs: int) -> int:
    sc = load_scenario(path)
    limits = [(m.id, m.min, m.max) for m in sc.meters]
    endings: Counter[str] = Counter()
    problems = 0
    t = time.perf_counter()
    choices = 0
    for seed in range(runs):
        s = Session(sc, seed=seed)
        for _ in range(10_000):
            if s.is_over:
                break
            if not s.available():
                print(f"{sc.id} seed {seed}: stuck in {s.state!r}")
                problems += 1
                break
            s.choose(random_policy(s).id)
            choices += 1
            bad = [k for k, lo, hi in limits if not lo <= s.vars.meters[k] <= hi]
            bad += [k for k, val in s.vars.trust.items() if not TRUST_MIN <= val <= TRUST_MAX]
            if bad:
                print(f"{sc.id} seed {seed}: out of range {bad}")
                problems += 1
        if not s.is_over:
            problems += 1
            print(f"{sc.id} seed {seed}: did not end")
        endings[s.state] += 1
    dt = time.perf_counter() - t
    print(
        f"{sc.id:<12} {runs:>8} runs {choices:>9} choices {dt:>7.1f} s {choices / dt:>8.0f} ch/s "
        f"problems {problems}  endings {dict(sorted(endings.items()))}"
    )
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("scenarios", nargs="*")
    args = ap.parse_args()
    paths = [Path(p) for p in args.scenarios] or list(scenario_files([ROOT / "scenarios"]))
    total = sum(soak(p, args.runs) for p in paths)
    print("soak: no problems found" if total == 0 else f"soak: {total} problems")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
