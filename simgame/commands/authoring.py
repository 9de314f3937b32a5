"""The authoring commands: graph, analyze, test, new, import-twine (printing lives here, logic in the core).

Each command turns the core's results into text or JSON and an exit code: 0 for success,
1 when the scenario or its tests have problems, 2 for a usage problem (bad option, missing
tool). Rendering SVG and PNG calls Graphviz as a subprocess here, at the edge, so that the
core stays free of external programs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from simgame.errors import ScenarioError
from simgame.scenario import Scenario

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

GRAPHVIZ_HELP = (
    "simgame graph: the svg and png formats need Graphviz's 'dot' program, which is not on PATH.\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  Windows:       winget install graphviz\n"
    "Or use --format mermaid (paste into GitHub, GitLab or mermaid.live) or --format dot."
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the authoring subcommands to the `simgame` parser."""
    g = sub.add_parser("graph", help="draw the scenario map (mermaid, dot, svg, png)")
    g.add_argument("scenario", help="a scenario file")
    g.add_argument("--format", choices=("mermaid", "dot", "svg", "png"), default="mermaid")
    g.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    g.set_defaults(func=cmd_graph)

    a = sub.add_parser(
        "analyze", help="explore every reachable state; report unreachable, stuck and dominated parts, outcome ranges"
    )
    a.add_argument("scenario", help="a scenario file")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.add_argument("--strict", action="store_true", help="exit 1 when there are warnings (for CI)")
    a.add_argument(
        "--without-tag",
        action="append",
        default=[],
        metavar="TAG",
        help="also check which endings stay reachable when no choice with TAG is taken (repeatable)",
    )
    a.add_argument(
        "--max-states", type=_positive, default=None, metavar="N", help="stop after N distinct states (default 200000)"
    )
    a.set_defaults(func=cmd_analyze)

    t = sub.add_parser("test", help="run scenario tests (NAME.tests.yaml) and show coverage")
    t.add_argument("paths", nargs="+", metavar="PATH", help="tests files, scenarios (their NAME.tests.yaml) or folders")
    t.add_argument(
        "--random",
        type=int,
        default=0,
        metavar="N",
        help="also run N seeded random playthroughs; stop at the first that fails",
    )
    t.add_argument("--seed", type=int, default=0, help="first seed of the random playthroughs")
    t.set_defaults(func=cmd_test)

    n = sub.add_parser("new", help="write a commented starter scenario and its tests file")
    n.add_argument("name", help='the scenario\'s name, e.g. home_visit or "Home visit"')
    n.add_argument(
        "-o", "--output", type=Path, default=Path(), metavar="DIR", help="folder to write into (default: here)"
    )
    n.set_defaults(func=cmd_new)

    tw = sub.add_parser("import-twine", help="turn a Twine story (.twee or Twine 2 .html) into a scenario draft")
    tw.add_argument("file", type=Path, help="a Twee 3 file, a published Twine 2 story or a Twine 2 archive")
    tw.add_argument("-o", "--output", type=Path, help="the scenario file to write (default: stdout)")
    tw.add_argument("--story", metavar="NAME", help="which story of an archive (default: the first)")
    tw.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    tw.set_defaults(func=cmd_import_twine)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _load(path: str) -> Scenario | None:
    from simgame.cli import load_named

    return load_named(path, then=f"fix the errors above first (simgame validate {path})")


def _write(text: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
    elif isinstance(text, bytes):
        output.write_bytes(text)
    else:
        output.write_text(text, encoding="utf-8")


# --- graph ----------------------------------------------------------------------------------


def cmd_graph(args: argparse.Namespace) -> int:
    from simgame.graph import to_dot, to_mermaid

    if args.format in ("svg", "png") and shutil.which("dot") is None:
        print(GRAPHVIZ_HELP, file=sys.stderr)
        return EXIT_USAGE
    sc = _load(args.scenario)
    if sc is None:
        return EXIT_FAILED
    if args.format == "mermaid":
        _write(to_mermaid(sc), args.output)
        return EXIT_OK
    dot = to_dot(sc)
    if args.format == "dot":
        _write(dot, args.output)
        return EXIT_OK
    done = subprocess.run(["dot", f"-T{args.format}"], input=dot.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        print(f"simgame graph: Graphviz failed: {done.stderr.decode(errors='replace').strip()}", file=sys.stderr)
        return EXIT_FAILED
    _write(done.stdout, args.output)
    return EXIT_OK


# --- analyze --------------------------------------------------------------------------------


def cmd_analyze(args: argparse.Namespace) -> int:
    from simgame.analysis import DEFAULT_MAX_STATES, analyze

    sc = _load(args.scenario)
    if sc is None:
        return EXIT_FAILED
    result = analyze(sc, max_states=args.max_states or DEFAULT_MAX_STATES, without_tags=args.without_tag)
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_analysis(sc, result.to_json(), [str(f) for f in result.findings])
    return EXIT_FAILED if args.strict and result.warnings else EXIT_OK


def _range(table: dict[str, dict[str, int]], name: Any) -> str:
    return ", ".join(
        f"{name(k)} {v['min']}" + (f"..{v['max']}" if v["max"] != v["min"] else "") for k, v in table.items()
    )


def _print_analysis(sc: Scenario, r: dict[str, Any], findings: list[str]) -> None:
    for line in findings:
        print(line)
    cover = "complete" if r["complete"] else f"STOPPED at the cap of {r['max_states']}"
    print(f"{sc.title} ({sc.id} {sc.version}): {r['states']} states, {r['transitions']} transitions explored ({cover})")
    print(
        f"scenes reached: {r['scenes']['reached']} of {r['scenes']['total']}; "
        f"choices ever available: {r['choices']['enabled']} of {r['choices']['total']}"
    )
    print("endings:")
    for sid, e in r["endings"].items():
        if not e["reached"]:
            print(f"  {sid} ({e['band']}): never reached")
            continue
        count = f"{e['states']} end states" if r["exact"] else "reachable (ranges are bounds)"
        print(f"  {sid} ({e['band']}): {count}")
        if e["meters"]:
            print(f"    meters: {_range(e['meters'], lambda k: sc.meter(k).label)}")
        print(f"    trust:  {_range(e['trust'], lambda k: sc.person(k).name)}")
    for which in ("best", "worst"):
        o = r[which]
        if o and o["exact"]:
            print(
                f"{which} outcome: {o['ending']} ({o['band']}, weighted meters {o['score']:g}): "
                + (" > ".join(o["path"]) or "(the start)")
            )
        elif o:
            limit = "at most" if which == "best" else "at least"
            print(f"{which} outcome: bounded by {o['ending']} ({o['band']}, weighted meters {limit} {o['score']:g})")
            f = r[f"{which}_found"]
            if f:
                print(
                    f"  {which} playthrough found: {f['ending']} ({f['band']}, weighted meters {f['score']:g}): "
                    + " > ".join(f["path"])
                )
    for tag, endings in r["without_tags"].items():
        lost = [k for k, ok in endings.items() if not ok and r["endings"][k]["reached"]]
        kept = [k for k, ok in endings.items() if ok]
        print(f"without {tag}: still reachable: {', '.join(kept) or 'none'}; lost: {', '.join(lost) or 'none'}")
    n_warn = sum(f["severity"] == "warning" for f in r["findings"])
    n_note = len(r["findings"]) - n_warn
    print(f"{n_warn} warning{'s' if n_warn != 1 else ''}, {n_note} note{'s' if n_note != 1 else ''}")


# --- test -----------------------------------------------------------------------------------


def cmd_test(args: argparse.Namespace) -> int:
    from simgame.scenario_tests import Coverage, find_test_files, read_tests, run_test

    files, problems = find_test_files(args.paths)
    if args.random:  # a scenario without a tests file can still get random playthroughs
        problems = [i for i in problems if not _random_only(i.span.file if i.span else "", args)]
    for issue in problems:
        print(issue)
    passed = failed = 0
    broken = len(problems)
    for path in files:
        try:
            tf = read_tests(path)
        except ScenarioError as exc:
            for issue in exc.issues:
                print(issue)
            broken += 1
            continue
        print(f"{path}: {len(tf.tests)} test{'s' if len(tf.tests) != 1 else ''} of {tf.scenario.id}")
        cov = Coverage(tf.scenario)
        for test in tf.tests:
            result = run_test(tf.scenario, test)
            cov.add(result.visited, result.path)
            print(f"  {'PASS' if result.passed else 'FAIL'}  {test.name}")
            for line in result.failures:
                print(f"    {line}")
            passed += result.passed
            failed += not result.passed
        scenes, choices = cov.percent()
        print(
            f"  coverage: scenes {len(cov.scenes)}/{len(tf.scenario.scenes)} ({scenes:.0f}%), "
            f"choices {len(cov.choices)}/{len(cov.all_choices)} ({choices:.0f}%)"
        )
        miss_scenes, miss_choices = cov.missing()
        if miss_scenes:
            print("  scenes no test visits: " + ", ".join(miss_scenes))
        if miss_choices:
            print("  choices no test takes: " + ", ".join(miss_choices))
        if args.random:
            failed += _print_random(tf.scenario, args)
    for raw in args.paths:
        if args.random and _random_only(raw, args):
            failed += _random_report(raw, args)
    print(f"{passed} passed, {failed} failed" + (f", {broken} files with errors" if broken else ""))
    return EXIT_FAILED if failed or broken else EXIT_OK


def _random_only(raw: str, args: argparse.Namespace) -> bool:
    """A scenario named directly that has no tests file: with --random it gets random runs only."""
    from simgame.scenario_tests import SUFFIX, tests_file_for

    path = Path(raw)
    return path.is_file() and not path.name.endswith(SUFFIX) and not tests_file_for(path).exists()


def _random_report(raw: str, args: argparse.Namespace) -> int:
    sc = _load(raw)
    if sc is None:
        return 1
    print(f"{raw}: no tests file; random playthroughs only")
    return _print_random(sc, args)


def _print_random(sc: Scenario, args: argparse.Namespace) -> int:
    """Run and print the random playthroughs; 1 if one failed."""
    from simgame.scenario_tests import random_runs

    ran, problem = random_runs(sc, args.random, first_seed=args.seed)
    if problem is None:
        print(f"  random: {ran} playthroughs from seed {args.seed}: no problems")
        return 0
    print(f"  FAIL  random playthrough {ran} (seed {problem.seed}): {problem.message}")
    if problem.path:
        path = list(problem.path)
        if len(path) > 16:  # a loop: the start and the end of it say enough
            path = [*path[:12], f"... {len(path) - 15} more ...", *path[-3:]]
        print(f"    path ({len(problem.path)} choices): " + " > ".join(path))
    print(f"    replay it: simgame run {sc.path} --policy random --seed {problem.seed}")
    return 1


# --- new ------------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from simgame.scaffold import new_scenario

    try:
        made = new_scenario(args.name, args.output)
    except (ValueError, FileExistsError) as exc:
        print(f"simgame new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {made.scenario}")
    print(f"wrote {made.tests}")
    if made.schema_written:
        print(f"wrote {made.schema} (the JSON Schema your editor checks the scenario against)")
    print("next: edit the TODOs, then run")
    for step in ("validate", "graph", "analyze", "test"):
        print(f"  simgame {step} {made.scenario}")
    return EXIT_OK


# --- import-twine ---------------------------------------------------------------------------


def cmd_import_twine(args: argparse.Namespace) -> int:
    import os

    from simgame.compiler import compile_source
    from simgame.scaffold import find_schema
    from simgame.twine import import_twine

    out: Path | None = args.output
    if out is not None and out.exists() and not args.force:
        print(f"simgame import-twine: {out} already exists (use --force to overwrite)", file=sys.stderr)
        return EXIT_USAGE
    schema = None
    if out is not None and (found := find_schema(out.parent.resolve())) is not None:
        schema = Path(os.path.relpath(found, out.parent.resolve())).as_posix()
    try:
        text, issues = import_twine(args.file, story=args.story, schema=schema)
    except ScenarioError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return EXIT_FAILED
    for issue in issues:
        print(issue, file=sys.stderr)
    try:
        sc = compile_source(text, filename=str(out or "<import>"))
    except ScenarioError as exc:  # a bug in the importer: say so rather than write a broken file
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print("simgame import-twine: the draft does not validate; please report this", file=sys.stderr)
        return EXIT_FAILED
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    out.write_text(text, encoding="utf-8")
    print(
        f"wrote {out}: {len(sc.scenes)} scenes, {sum(len(s.choices) for s in sc.scenes.values())} choices, "
        f"{len(sc.endings)} endings; {len(issues)} things to convert by hand (listed above)"
    )
    print(f"next: fill in the TODOs, then: simgame validate {out}; simgame graph {out}; simgame analyze {out}")
    return EXIT_OK
