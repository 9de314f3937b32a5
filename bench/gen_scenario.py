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


Plan = list[list[tuple[str, str, int, str, int]]]
"""Per scene, its 3 choices as (target, member, trust delta, meter, meter delta)."""


def plan(n: int, seed: int = 1) -> Plan:
    """The random shape, shared by the YAML and the ink forms so both hold the same story."""
    rng = random.Random(seed)
    scenes = []
    for i in range(n):
        choices = []
        for _ in range(3):
            jump = i + rng.randint(1, 5)
            target = f"s{jump}" if jump < n else ("end_good" if rng.random() < 0.5 else "end_poor")
            choices.append((target, rng.choice(MEMBERS), rng.randint(-5, 5), rng.choice(METERS), rng.randint(-5, 5)))
        scenes.append(choices)
    return scenes


def generate(n: int, seed: int = 1) -> str:
    """The YAML text of a synthetic scenario with `n` scenes."""
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
    for i, choices in enumerate(plan(n, seed)):
        out.append(f"  - id: s{i}")
        out.append(f'    text: "Scene {i}."')
        out.append("    choices:")
        for k, (target, member, dt, meter, dm) in enumerate(choices):
            line = (
                f'      - {{id: c{k}, text: "Option {k}", tags: [communication], '
                f"effects: {{trust: {{{member}: {dt}}}, meters: {{{meter}: {dm}}}}}, next: {target}"
            )
            if k == 2:
                line += f", when: {{trust: {{{member}: {{gt: 40}}}}}}"
            out.append(line + "}")
        out.append('    expert: {choice: c0, why: "First is best."}')
    out.append('  - {id: end_good, text: "The end.", ending: {band: better, title: "Good"}}')
    out.append('  - {id: end_poor, text: "The end.", ending: {band: worse, title: "Poor"}}')
    return "\n".join(out) + "\n"


def generate_ink(n: int, seed: int = 1) -> str:
    """The same story as ink: knots, 3 choices each, `~ x = x + d`, the third guarded by `{trust > 40}`.

    ink clamps nothing, so the comparison is a little generous to ink.
    """
    out = [f"VAR trust_{m} = 50" for m in MEMBERS] + [f"VAR {m} = 50" for m in METERS] + ["-> s0", ""]
    for i, choices in enumerate(plan(n, seed)):
        out += [f"=== s{i} ===", f"Scene {i}."]
        for k, (target, member, dt, meter, dm) in enumerate(choices):
            guard = f"{{trust_{member} > 40}} " if k == 2 else ""
            out += [
                f"* {guard}[Option {k}]",
                f"  ~ trust_{member} = trust_{member} + {dt}",
                f"  ~ {meter} = {meter} + {dm}",
                f"  -> {target}",
            ]
        out.append("")
    out += ["=== end_good ===", "The end.", "-> END", "", "=== end_poor ===", "The end.", "-> END", ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output")
    parser.add_argument("--ink", action="store_true", help="write the same story as ink instead")
    args = parser.parse_args()
    text = generate_ink(args.n, args.seed) if args.ink else generate(args.n, args.seed)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
