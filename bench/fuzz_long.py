"""Long structure-aware fuzz of the loader (a bench target, not a test): default 10 minutes.

Usage: python bench/fuzz_long.py [--minutes 10]

Mutates the shipped scenarios and the test fixture (delete keys, swap types, break
references, insert junk, truncate) and compiles each mutant. The only exception allowed
out is ScenarioError, and every issue it carries must have a location. Prints how many
mutants it tried and exits 1 on the first failure, with the mutant saved to bench/out/.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

from simgame import ScenarioError, compile_source
from simgame.cli import scenario_files

ROOT = Path(__file__).resolve().parent.parent
JUNK = [
    "",
    "~",
    "[]",
    "{}",
    "-1",
    "99999999999999999999",
    "yes",
    "'x'",
    "[1, [2, [3]]]",
    "{a: {b: c}}",
    "&a x",
    "*a",
    "!!python/name:os.system",
    "!!binary aGk=",
    "\t",
    '"unterminated',
    "null",
    "1.5e999",
    "zzz_missing_id",
    "Ünïcødé",
    "{when: {trust: {x: {gte: 1}}}}",
    "{not: {}}",
    "<script>",
]


def mutate(lines: list[str], rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randint(1, 4)):
        if not lines:
            return ["x: 1"]
        i = rng.randrange(len(lines))
        op = rng.randrange(6)
        if op == 0:
            del lines[i]
        elif op == 1:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 2:
            head, sep, _ = lines[i].partition(": ")
            lines[i] = f"{head}{sep or ': '}{rng.choice(JUNK)}"
        elif op == 3:
            lines.insert(i, lines[i])  # duplicate keys and ids
        elif op == 4:
            words = lines[i].split()
            if words:
                k = rng.randrange(len(words))
                words[k] = words[k][:-1] or "x"  # misspell
                lines[i] = " ".join(words)
        else:
            lines = lines[: i + 1]  # truncate
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sources = [p.read_text(encoding="utf-8").splitlines() for p in scenario_files([ROOT / "scenarios"])]
    sources.append((ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8").splitlines())
    rng = random.Random(args.seed)
    deadline = time.monotonic() + 60 * args.minutes
    tried = errors = 0
    while time.monotonic() < deadline:
        mutant = "\n".join(mutate(rng.choice(sources), rng)) + "\n"
        tried += 1
        try:
            compile_source(mutant, filename="mutant.yaml")
        except ScenarioError as exc:
            errors += 1
            if not exc.issues or any(i.span is None for i in exc.issues):
                save(mutant, "an issue without a location")
                sys.exit(1)
        except Exception:
            traceback.print_exc()
            save(mutant, "an exception other than ScenarioError")
            sys.exit(1)
    print(
        f"fuzz: {tried} mutants in {args.minutes:g} min ({tried / (60 * args.minutes):.0f}/s), "
        f"{errors} rejected with located errors, {tried - errors} still valid, 0 crashes"
    )


def save(mutant: str, what: str) -> None:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz_failure.yaml").write_text(mutant, encoding="utf-8")
    print(f"fuzz: {what}; mutant saved to {out / 'fuzz_failure.yaml'}")


if __name__ == "__main__":
    main()
