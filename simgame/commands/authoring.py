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

from simgame.compiler import load_scenario
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

    a = sub.add_parser("analyze", help="explore every reachable state; report unreachable, stuck "
                       "and dominated parts, outcome ranges")
    a.add_argument("scenario", help="a scenario file")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.add_argument("--strict", action="store_true", help="exit 1 when there are warnings (for CI)")
    a.add_argument("--without-tag", action="append", default=[], metavar="TAG",
                   help="also check which endings stay reachable when no choice with TAG is taken "
                   "(repeatable)")
    a.add_argument("--max-states", type=_positive, default=None, metavar="N",
                   help="stop after N distinct states (default 200000)")
    a.set_defaults(func=cmd_analyze)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _load(path: str) -> Scenario | None:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for issue in exc.issues:
            print(issue)
        print(f"{path}: fix the errors above first (simgame validate {path})", file=sys.stderr)
        return None


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
    done = subprocess.run(["dot", f"-T{args.format}"], input=dot.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode != 0:
        print(f"simgame graph: Graphviz failed: {done.stderr.decode(errors='replace').strip()}",
              file=sys.stderr)
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
    return ", ".join(f"{name(k)} {v['min']}" + (f"..{v['max']}" if v["max"] != v["min"] else "")
                     for k, v in table.items())


def _print_analysis(sc: Scenario, r: dict[str, Any], findings: list[str]) -> None:
    for line in findings:
        print(line)
    cover = "complete" if r["complete"] else f"STOPPED at the cap of {r['max_states']}"
    print(f"{sc.title} ({sc.id} {sc.version}): {r['states']} states, {r['transitions']} transitions "
          f"explored ({cover})")
    print(f"scenes reached: {r['scenes']['reached']} of {r['scenes']['total']}; "
          f"choices ever available: {r['choices']['enabled']} of {r['choices']['total']}")
    print("endings:")
    for sid, e in r["endings"].items():
        if not e["reached"]:
            print(f"  {sid} ({e['band']}): never reached")
            continue
        print(f"  {sid} ({e['band']}): {e['states']} end states")
        if e["meters"]:
            print(f"    meters: {_range(e['meters'], lambda k: sc.meter(k).label)}")
        print(f"    trust:  {_range(e['trust'], lambda k: sc.person(k).name)}")
    for which in ("best", "worst"):
        o = r[which]
        if o:
            print(f"{which} outcome: {o['ending']} ({o['band']}, weighted meters {o['score']:g}): "
                  + (" > ".join(o["path"]) or "(the start)"))
    for tag, endings in r["without_tags"].items():
        lost = [k for k, ok in endings.items() if not ok and r["endings"][k]["reached"]]
        kept = [k for k, ok in endings.items() if ok]
        print(f"without {tag}: still reachable: {', '.join(kept) or 'none'}; "
              f"lost: {', '.join(lost) or 'none'}")
    n_warn = sum(f["severity"] == "warning" for f in r["findings"])
    n_note = len(r["findings"]) - n_warn
    print(f"{n_warn} warning{'s' if n_warn != 1 else ''}, {n_note} note{'s' if n_note != 1 else ''}")
