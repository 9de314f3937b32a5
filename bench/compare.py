"""simgame beside inkjs 2.4.0 on the same synthetic story: load/compile time and random play speed.

Usage: python bench/compare.py [--sizes 100,1000,10000] [--choices 200000]

Needs Node.js and `npm install` in bench/ink (inkjs is pinned there). Both sides play the
same generated story (bench/gen_scenario.py writes it as YAML and as ink); each side plays
random playthroughs until it has made the choice budget. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from core_bench import bench_size  # noqa: E402
from gen_scenario import generate_ink  # noqa: E402


def ink_figures(n: int, budget: int) -> dict[str, float] | None:
    if not shutil.which("node") or not (HERE / "ink" / "node_modules" / "inkjs").is_dir():
        return None
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    path = out / f"syn_{n}.ink"
    path.write_text(generate_ink(n), encoding="utf-8")
    proc = subprocess.run(
        ["node", str(HERE / "ink" / "bench.js"), str(path), str(budget)], capture_output=True, text=True, timeout=3600
    )
    if proc.returncode != 0:
        print(f"inkjs failed at {n}: {proc.stderr[-500:]}", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--choices", type=int, default=200_000)
    args = ap.parse_args()
    print(
        f"{'scenes':>7} | {'simgame load s':>14} {'inkjs compile s':>15} {'ratio':>7} | "
        f"{'simgame ch/s':>12} {'inkjs ch/s':>11} {'ratio':>7}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        ours = bench_size(n, args.choices)
        ink = ink_figures(n, args.choices)
        if ink is None:
            print(f"{n:>7} | {ours['load']:>14.3f} {'n/a':>15} {'':>7} | {ours['cps']:>12.0f} {'n/a':>11}")
            continue
        print(
            f"{n:>7} | {ours['load']:>14.3f} {ink['compile_s']:>15.3f} {ink['compile_s'] / ours['load']:>6.1f}x | "
            f"{ours['cps']:>12.0f} {ink['cps']:>11.0f} {ours['cps'] / ink['cps']:>6.2f}x"
        )
    print("ratio > 1 means simgame is faster (load: inkjs time / ours; play: our rate / inkjs rate)")


if __name__ == "__main__":
    main()
