"""Every benchmark in one command, ending in one table of figures beside their aims.

Usage: python bench/run.py [--quick]

Runs, one after another (each prints its own detail first):
  compare.py        load+validate and random play at 100 / 1,000 / 10,000 scenes, beside inkjs 2.4.0
  analyze_bench.py  states explored per second; analyze of 1,000 scenes with the state cap
  records_bench.py  class report over 500 sessions; recording overhead per decision
  ui_bench.py       window cold start, frame times, memory (SDL dummy driver)
  soak.py           100,000 seeded random playthroughs per shipped scenario, invariants checked
  fuzz_long.py      10 minutes of structure-aware loader fuzzing
--quick shortens the last two (1,000 playthroughs; 1 minute) and plays 50,000 choices per size.
Figures are printed, never asserted; bench/README.md keeps the latest ones.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> str:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    proc = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True, env=env)
    print(proc.stdout + proc.stderr, end="", flush=True)
    return proc.stdout


def find(pattern: str, text: str, group: int = 1) -> str:
    m = re.search(pattern, text, re.M)
    return m.group(group) if m else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    choices = "50000" if args.quick else "200000"
    cmp = run("compare.py", "--choices", choices)
    ana = run("analyze_bench.py")
    rec = run("records_bench.py")
    ui = run("ui_bench.py")
    soak = run("soak.py", "--runs", "1000" if args.quick else "100000")
    fuzz = run("fuzz_long.py", "--minutes", "1" if args.quick else "10")

    rows: list[tuple[str, str, str]] = []
    for n in ("100", "1000", "10000"):
        m = re.search(rf"^\s*{n} \|\s+(\S+)\s+(\S+)\s+(\S+) \|\s+(\S+)\s+(\S+)\s+(\S+)", cmp, re.M)
        if m:
            load, ink_load, load_ratio, cps, ink_cps, cps_ratio = m.groups()
            rows.append(
                (
                    f"load+validate, {n} scenes",
                    f"{load} s (inkjs compile {ink_load} s, {load_ratio} faster)",
                    "10,000 under 1 s; linear; beat inkjs",
                )
            )
            rows.append(
                (
                    f"random play, {n} scenes",
                    f"{cps} choices/s (inkjs {ink_cps}, ratio {cps_ratio})",
                    "over 30,000/s; beat inkjs",
                )
            )
    exact_rate = find(r"^\s*1000 \|\s+\d+\s+(\d+)", ana)
    set_rate = find(r"^\s*1000 \|.*?\|\s+\d+\s+(\d+)", ana)
    analyze_s = find(r"^\s*1000 \|.*\|\s+(\S+)\s+\d+\s*$", ana)
    report_s = find(r"class report over 500 sessions: total (\S+ s)", rec)
    rows.append(("analyze states/s (exact, value-set)", f"{exact_rate} / {set_rate} at 1,000 scenes", "-"))
    rows.append(("analyze 1,000 scenes with the cap", f"{analyze_s} s", "under 10 s"))
    rows.append(("class report, 500 sessions", report_s, "under 2 s"))
    rows.append(("recording one decision", find(r"record one decision.*?: (median .*)$", rec), "-"))
    rows.append(("window cold start", find(r"cold start to first interactive frame: (median \S+ ms)", ui), "under 1 s"))
    rows.append(("frame time idle", find(r"idle: (median .*)$", ui), "p99 under 8 ms"))
    rows.append(("frame time animating", find(r"animating: (median .*)$", ui), "p99 under 8 ms"))
    rows.append(("resident memory playing", find(r"resident memory .*?: (\S+ MB)", ui), "under 150 MB"))
    rows.append(("soak", find(r"^(soak: .*)$", soak), "no problems"))
    rows.append(("loader fuzz", find(r"^fuzz: (.*)$", fuzz), "0 crashes"))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"\n{'figure':<{w0}}  {'measured':<{w1}}  aim")
    for r in rows:
        print(f"{r[0]:<{w0}}  {r[1]:<{w1}}  {r[2]}")


if __name__ == "__main__":
    main()
