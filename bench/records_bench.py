"""Benchmark of the learning records: recording overhead per decision, and the class report
over 500 recorded sessions of 12 decisions each (aim: under 2 s). Prints figures; asserts
nothing.

    .venv/bin/python bench/records_bench.py [--sessions 500] [--decisions 12]

Runs in a temporary SIMGAME_HOME, so it never touches real records.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HEAD = """\
format: 1
id: bench
title: "Benchmark: twelve decisions"
summary: "Generated for the records benchmark."
setting: "Nowhere"
minutes: 30
version: "1.0.0"
authors: ["bench"]
jurisdiction: {name: "Nowhere (fictional)", rules: ["Bench only."]}
role: "You are the social worker."
objectives: ["Decide."]
fiction_contract: "Generated."
client: {id: kim, name: "Kim", about: "A client.", goals: ["Be safe"], trust: 50}
team:
  - {id: nurse, name: "Nurse Ode", profession: "Nurse", trust: 50}
  - {id: lawyer, name: "Ada Okafor", profession: "Attorney", trust: 50}
meters:
  - {id: safety, label: "Safety", start: 50, expected: 60, weight: 2}
  - {id: housing, label: "Housing", start: 50, expected: 50}
start: d1
scenes:
"""

TAGS = (
    "role_clarification",
    "client_centred_care",
    "team_functioning",
    "collaborative_leadership",
    "communication",
    "conflict_resolution",
    "referral",
)


def scenario_text(decisions: int) -> str:
    """A linear scenario of `decisions` decision points with three options each."""
    out = [HEAD]
    for i in range(1, decisions + 1):
        nxt = f"d{i + 1}" if i < decisions else "route"
        tag = TAGS[i % len(TAGS)]
        out.append(f"""\
  - id: d{i}
    title: "Decision {i}"
    choices:
      - id: best
        text: "The expert move {i}."
        tags: [{tag}]
        effects: {{meters: {{safety: 3}}, trust: {{kim: 2, nurse: 1}}}}
        feedback: {{outcome: "It helps.", teaching: "Teaching point {i}."}}
        next: {nxt}
      - id: fair
        text: "A fair move {i}."
        tags: [communication]
        effects: {{meters: {{housing: 2}}, trust: {{lawyer: 1}}}}
        feedback: {{outcome: "It is fine.", teaching: "Teaching point {i}b."}}
        next: {nxt}
      - id: breach
        text: "A shortcut {i}."
        tags: [{tag}]
        breach: "sharing without consent"
        effects: {{meters: {{safety: -2}}, trust: {{kim: -6}}}}
        feedback: {{outcome: "It backfires.", teaching: "Teaching point {i}c."}}
        next: {nxt}
    expert: {{choice: best, why: "Because {i}."}}
""")
    out.append("""\
  - id: route
    choices:
      - {id: good, text: "See.", when: {meters: {safety: {gte: 70}}}, next: good_end}
      - {id: poor, text: "See.", when: {meters: {safety: {lt: 70}}}, next: poor_end}
  - id: good_end
    ending: {band: better, title: "Safer"}
  - id: poor_end
    ending: {band: worse, title: "Not safe"}
""")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=500)
    ap.add_argument("--decisions", type=int, default=12)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as home:
        os.environ["SIMGAME_HOME"] = home
        return _run(args.sessions, args.decisions, Path(home))


def _run(n_sessions: int, n_decisions: int, home: Path) -> int:
    from simgame import compile_source
    from simgame.records import Recorder, RecordingSession, connect, list_sessions, read_records
    from simgame.report import Play, build_class_report
    from simgame.report_render import class_to_html
    from simgame.session import Session

    sc = compile_source(scenario_text(n_decisions), filename="bench.yaml")
    rng = random.Random(7)
    con = connect()

    # recording overhead: the same choices with and without a recorder
    def choices() -> list[str]:
        return [rng.choices(("best", "fair", "breach"), (6, 3, 1))[0] for _ in range(n_decisions)]

    plans = [choices() for _ in range(n_sessions)]
    t0 = time.perf_counter()
    for plan in plans:
        s = Session(sc)
        for c in plan:
            s.choose(c)
        s.choose(s.available()[0].id)
    bare = time.perf_counter() - t0

    # the same choices again, each decision committed by the recorder as it happens
    commit_times: list[float] = []
    t0 = time.perf_counter()
    for i, plan in enumerate(plans):
        rs = RecordingSession(sc, seed=i)
        rec = Recorder.start(rs, player=f"Learner {i}", con=con)
        for c in [*plan, ""]:
            rs.choose(c or rs.available()[0].id)
            t1 = time.perf_counter()
            rec.sync(rs)
            commit_times.append(time.perf_counter() - t1)
    recorded = time.perf_counter() - t0
    decisions = n_sessions * (n_decisions + 1)
    print(
        f"scenario: {n_decisions} decision points; {n_sessions} sessions recorded "
        f"({decisions} choices); database {home / 'records.sqlite'}"
    )
    print(f"play without recording: {1e6 * bare / decisions:8.1f} µs per choice")
    print(
        f"record one decision (INSERT + UPDATE, one WAL commit, synchronous=NORMAL): "
        f"median {1e6 * statistics.median(commit_times):.1f} µs, "
        f"mean {1e6 * statistics.mean(commit_times):.1f} µs, "
        f"p95 {1e6 * sorted(commit_times)[int(0.95 * len(commit_times))]:.1f} µs"
    )
    print(
        f"play with recording: {1e6 * recorded / decisions:8.1f} µs per choice (includes starting each session's row)"
    )

    con2 = connect()
    t0 = time.perf_counter()
    infos = list_sessions(con2, scenario="bench")
    t_list = time.perf_counter()
    records = list(read_records(con2, infos))
    t_read = time.perf_counter()
    report = build_class_report(sc, [Play(r.info.player, r.info.started, r.log) for r in records])
    t_build = time.perf_counter()
    html = class_to_html(report)
    t_html = time.perf_counter()
    total = t_html - t0
    print(
        f"class report over {len(infos)} sessions: total {total:.3f} s "
        f"(list {t_list - t0:.3f} s, read logs {t_read - t_list:.3f} s, score and aggregate "
        f"{t_build - t_read:.3f} s, HTML {t_html - t_build:.3f} s; {len(html) // 1024} KiB)"
    )
    print(f"aim: under 2 s -> {'met' if total < 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
