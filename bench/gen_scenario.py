"""Write a synthetic scenario of N scenes, the shape used by the benchmarks.

Each scene has 3 choices that jump 1 to 5 scenes ahead (past the last scene: an ending);
each choice changes one member's trust and one client meter by -5..+5; the third choice
requires that member's trust > 40. The same N and seed always give the same file.

Usage: python bench/gen_scenario.py N [--seed S] [-o FILE]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

MEMBERS = ("client", "atty", "nurse", "advocate")
METERS = ("safety", "housing", "health")


def generate(n: int, seed: int = 1) -> str:
    """The YAML text of a synthetic scenario with `n` scenes."""
    rng = random.Random(seed)
    out = [
        "format: 1",
        f"id: synthetic_{n}",
        f'title: "Synthetic scenario, {n} scenes"',
        'summary: "Generated for benchmarks."',
        'setting: "Nowhere"',
        "minutes: 10",
        'version: "1.0.0"',
        'authors: ["bench/gen_scenario.py"]',
        'jurisdiction: {name: "State of Columbia (fictional)"}',
        'role: "You are the social worker."',
        'objectives: ["Measure speed."]',
        'fiction_contract: "Nothing here is real."',
        'client: {id: client, name: "Client", about: "Synthetic.", goals: ["None"], trust: 50}',
        "team:",
    ]
    out += [f'  - {{id: {m}, name: "{m.title()}", profession: "Role", trust: 50}}' for m in MEMBERS[1:]]
    out.append("meters:")
    out += [f'  - {{id: {m}, label: "{m.title()}", start: 50}}' for m in METERS]
    out += ["start: s0", "scenes:"]
    for i in range(n):
        out.append(f"  - id: s{i}")
        out.append(f'    text: "Scene {i}."')
        out.append("    choices:")
        for k in range(3):
            jump = i + rng.randint(1, 5)
            target = f"s{jump}" if jump < n else ("end_good" if rng.random() < 0.5 else "end_poor")
            member = rng.choice(MEMBERS)
            meter = rng.choice(METERS)
            line = (
                f'      - {{id: c{k}, text: "Option {k}", tags: [communication], '
                f"effects: {{trust: {{{member}: {rng.randint(-5, 5)}}}, "
                f"meters: {{{meter}: {rng.randint(-5, 5)}}}}}, next: {target}"
            )
            if k == 2:
                line += f", when: {{trust: {{{member}: {{gt: 40}}}}}}"
            out.append(line + "}")
        out.append('    expert: {choice: c0, why: "First is best."}')
    out.append('  - {id: end_good, text: "The end.", ending: {band: better, title: "Good"}}')
    out.append('  - {id: end_poor, text: "The end.", ending: {band: worse, title: "Poor"}}')
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output")
    args = parser.parse_args()
    text = generate(args.n, args.seed)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
