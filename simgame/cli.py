"""The `simgame` command line: validate, run, play, list, schema. The only module that prints."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from simgame import __version__
from simgame.compiler import load_scenario
from simgame.errors import Issue, ScenarioError, Span, did_you_mean
from simgame.runner import PolicyError, aggregate, parse_policy, play_out, summarize
from simgame.scenario import BAND_LABEL, Scenario
from simgame.session import Session

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
"""The shipped scenarios, beside the package in a source checkout."""

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `simgame` console script."""
    logging.basicConfig(level=logging.WARNING, format="simgame: %(message)s")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _play_window(None)
    try:
        result: int = args.func(args)
    except BrokenPipeError:  # e.g. `simgame run ... | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    return result


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="simgame",
        description="Training simulations of interprofessional collaboration for social work.",
        epilog="Run 'simgame COMMAND --help' for a command's options. With no command, the game window opens.",
    )
    p.add_argument("--version", action="version", version=f"simgame {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser("validate", help="check scenario files; problems print as file:line:col")
    v.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("run", help="headless playthroughs with a policy")
    r.add_argument("scenario", help="a scenario file, or the id of a shipped scenario")
    r.add_argument("--policy", default="random", help="first, random, expert or choices:ID,ID,...")
    r.add_argument("--seed", type=int, default=0, help="random seed (run i uses seed + i)")
    r.add_argument("--runs", type=_positive, default=1, help="number of playthroughs")
    r.add_argument("--json", action="store_true", help="machine-readable output")
    _add_record_flags(r)
    r.set_defaults(func=cmd_run)

    pl = sub.add_parser("play", help="play a scenario: the game window, or --text in the terminal")
    pl.add_argument("scenario", nargs="?", help="a scenario file, or the id of a shipped scenario")
    pl.add_argument("--text", action="store_true", help="play in the terminal (screen-reader friendly)")
    pl.add_argument(
        "--mode",
        choices=("learning", "assessment"),
        default="learning",
        help="learning: feedback after each choice and undo; assessment: feedback at the end",
    )
    pl.add_argument("--seed", type=int, default=0)
    _add_record_flags(pl)
    pl.set_defaults(func=cmd_play)

    ls = sub.add_parser("list", help="the shipped scenarios")
    ls.add_argument("paths", nargs="*", metavar="PATH", help="folders to list (default: shipped)")
    ls.set_defaults(func=cmd_list)

    sc = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    sc.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    sc.set_defaults(func=cmd_schema)

    from simgame.commands import register_all

    register_all(sub)
    return p


def _add_record_flags(p: argparse.ArgumentParser) -> None:
    """--record and --player, shared by run and play (see simgame.records)."""
    p.add_argument(
        "--record",
        action="store_true",
        help="record the session for 'simgame report' (in $SIMGAME_HOME or the user data folder)",
    )
    p.add_argument(
        "--player",
        metavar="NAME",
        default=None,
        help="the name or pseudonym to record (default: $SIMGAME_PLAYER or anonymous)",
    )


def _player(args: argparse.Namespace) -> str:
    import os

    return str(args.player or os.environ.get("SIMGAME_PLAYER") or "anonymous")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# --- helpers --------------------------------------------------------------------------------


def scenario_files(paths: Sequence[str | Path]) -> Iterator[Path]:
    """Scenario files named directly, or found (sorted) in the folders given."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.yaml") if not p.name.endswith(".tests.yaml"))
        else:
            yield path


def resolve_scenario(name: str) -> Path:
    """A path as given, or a shipped scenario's file from its id ("tutorial")."""
    path = Path(name)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in name:
        return path
    return SCENARIOS_DIR / f"{name}.yaml"


def load_named(name: str, *, then: str = "cannot be played until the errors above are fixed") -> Scenario | None:
    """Load a scenario named by path or shipped id, printing its problems (or why the name
    names nothing) for the person at the terminal; None when it cannot be used."""
    path = resolve_scenario(name)
    if not path.exists() and not Path(name).exists() and path.parent == SCENARIOS_DIR:
        ids = [p.stem for p in scenario_files([SCENARIOS_DIR])]
        hint = did_you_mean(name, ids)
        print(
            f"simgame: no scenario {name!r}: it is neither a file nor a shipped scenario "
            f"({', '.join(ids)}){'; ' + hint if hint else ''}",
            file=sys.stderr,
        )
        return None
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for issue in exc.issues:
            print(issue)
        print(f"{path}: {then}", file=sys.stderr)
        return None


_load = load_named


# --- commands -------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    files = list(scenario_files(args.paths))
    results: list[tuple[Path, bool, tuple[Issue, ...]]] = []
    for path in files:
        try:
            sc = load_scenario(path)
            results.append((path, True, sc.warnings))
        except ScenarioError as exc:
            results.append((path, False, exc.issues))
    if not files:
        results.append(
            (
                Path(args.paths[0]),
                False,
                (Issue("error", "no scenario files (*.yaml) here", Span(args.paths[0], 1, 1)),),
            )
        )
    bad = sum(not ok for _, ok, _ in results)
    if args.json:
        print(
            json.dumps(
                {
                    "valid": bad == 0,
                    "files": [
                        {"path": str(p), "valid": ok, "issues": [i.to_json() for i in issues]}
                        for p, ok, issues in results
                    ],
                },
                indent=2,
            )
        )
        return EXIT_INVALID if bad else EXIT_OK
    n_err = n_warn = 0
    for _, _, issues in results:
        for issue in issues:
            print(issue)
            n_err += issue.severity == "error"
            n_warn += issue.severity == "warning"
    total = len(results)
    if bad:
        print(f"{_plural(n_err, 'error')} in {bad} of {_plural(total, 'file')}; {_plural(n_warn, 'warning')}")
    else:
        print(f"{_plural(total, 'file')} valid; {_plural(n_warn, 'warning')}")
    return EXIT_INVALID if bad else EXIT_OK


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def cmd_run(args: argparse.Namespace) -> int:
    try:
        policy_text = args.policy
        parse_policy(policy_text)
    except PolicyError as exc:
        print(f"simgame run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sc = _load(args.scenario)
    if sc is None:
        return EXIT_INVALID
    summaries = []
    for i in range(args.runs):
        try:
            session = play_out(sc, parse_policy(policy_text), seed=args.seed + i)
        except PolicyError as exc:
            print(f"simgame run: {exc}", file=sys.stderr)
            return EXIT_USAGE
        summaries.append(summarize(session))
        if args.record and not _record_run(session, args, policy_text):
            return EXIT_FAILED
    if args.record:
        _send_live()
    if args.runs == 1:
        one = summaries[0]
        if args.json:
            print(json.dumps({"policy": policy_text, **one.to_json()}, indent=2))
        else:
            _print_run(sc, one.to_json(), policy_text)
        return EXIT_OK
    agg = {"policy": policy_text, **aggregate(summaries)}
    if args.json:
        print(json.dumps(agg, indent=2))
    else:
        _print_aggregate(sc, agg)
    return EXIT_OK


def _print_run(sc: Scenario, r: dict[str, Any], policy: str) -> None:
    print(f"{sc.title} ({sc.id} {sc.version}), policy {policy}, seed {r['seed']}")
    if r["ended"]:
        print(f"ending: {r['ending']}: {r['title']} ({r['band']}: {BAND_LABEL[r['band']]})")
    else:
        print("ending: none (the run stopped before an ending)")
    print("meters: " + ", ".join(f"{sc.meter(k).label} {v}" for k, v in r["meters"].items()))
    print("trust: " + ", ".join(f"{sc.person(k).name} {v}" for k, v in r["trust"].items()))
    if sc.clock:
        print(f"clock: {r['clock']} {sc.clock.unit}s")
    print("competencies: " + (", ".join(f"{k} {v}" for k, v in r["competencies"].items()) or "none"))
    print(f"expert choices: {r['expert_matches']} of {r['decisions']} decisions")
    print(f"path ({r['steps']} choices): " + " > ".join(r["path"]))


def _print_aggregate(sc: Scenario, a: dict[str, Any]) -> None:
    print(f"{sc.title} ({sc.id} {sc.version}), policy {a['policy']}, {a['runs']} runs from seed {a['first_seed']}")
    print("endings:")
    for k, v in a["endings"].items():
        band = sc.scenes[k].ending.band if k in sc.scenes and sc.scenes[k].ending else "-"  # type: ignore[union-attr]
        print(f"  {k:<30} {band:<12} {v:>6}  {100 * v / a['runs']:5.1f}%")
    if a["not_ended"]:
        print(f"  runs that did not end: {a['not_ended']} (stuck: {a['stuck']})")
    s = a["steps"]
    print(f"choices per run: min {s['min']}, mean {s['mean']}, max {s['max']}")
    print("meters (min / mean / max):")
    for k, v in a["meters"].items():
        print(f"  {sc.meter(k).label:<30} {v['min']:>5} {v['mean']:>8} {v['max']:>5}")
    print("trust (min / mean / max):")
    for k, v in a["trust"].items():
        print(f"  {sc.person(k).name:<30} {v['min']:>5} {v['mean']:>8} {v['max']:>5}")


def cmd_play(args: argparse.Namespace) -> int:
    if not args.text:
        return _play_window(args.scenario)
    if args.scenario is None:
        print(
            "simgame play --text: name a scenario, e.g. 'simgame play --text tutorial'. 'simgame list' shows them.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    sc = _load(args.scenario)
    if sc is None:
        return EXIT_INVALID
    from simgame.textplay import TextPlayer

    def read_line() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    if not args.record:
        player = TextPlayer(
            Session(sc, seed=args.seed), out=sys.stdout, read_line=read_line, learning=args.mode == "learning"
        )
        return player.run()
    from simgame.records import Recorder, RecordingSession, RecordsError

    session = RecordingSession(sc, seed=args.seed)
    try:
        session.recorder = recorder = Recorder.start(session, player=_player(args), mode=args.mode, frontend="text")
    except (RecordsError, sqlite3.Error, OSError) as exc:
        print(f"simgame: cannot record this session: {exc}", file=sys.stderr)
        return EXIT_FAILED
    player = TextPlayer(session, out=sys.stdout, read_line=read_line, learning=args.mode == "learning")
    try:
        return player.run()
    finally:
        recorder.finish(session)
        _send_live()


def _record_run(session: Session, args: argparse.Namespace, policy: str) -> bool:
    from simgame.records import RecordsError, record_finished

    try:
        record_finished(session, player=_player(args), mode="headless", frontend=f"run:{policy}")
    except (RecordsError, sqlite3.Error, OSError) as exc:
        print(f"simgame: cannot record this session: {exc}", file=sys.stderr)
        return False
    return True


def _send_live() -> None:
    """If an LRS is configured (simgame xapi configure), send what was just recorded."""
    from simgame.xapi import LiveSender

    sender = LiveSender.from_config()
    if sender is None:
        return
    sender.kick()
    result = sender.wait(15.0)
    if result is None or result.error:
        why = result.error if result else "no answer in time"
        print(
            f"simgame: statements stay queued for {sender.lrs.endpoint} ({why}); 'simgame xapi send' will try again",
            file=sys.stderr,
        )
    else:
        print(f"simgame: sent {result.sent} statements to {sender.lrs.endpoint}", file=sys.stderr)


def _play_window(scenario: str | None) -> int:
    try:
        from simgame.ui import run_game
    except ImportError:
        print(
            "The game window is not part of this version yet. Play in the terminal instead:\n"
            "  simgame play --text tutorial\n"
            "'simgame list' shows the scenarios.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return run_game(scenario)


def cmd_list(args: argparse.Namespace) -> int:
    folders = args.paths or [SCENARIOS_DIR]
    rows = []
    for path in scenario_files(folders):
        try:
            sc = load_scenario(path)
            rows.append((sc.id, sc.title, f"{sc.minutes} min", str(path)))
        except ScenarioError as exc:
            rows.append((path.stem, f"(invalid: {len(exc.errors)} errors; run simgame validate)", "", str(path)))
    if not rows:
        print("no scenarios found")
        return EXIT_OK
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    for r in rows:
        print(f"{r[0]:<{w0}}  {r[1]:<{w1}}  {r[2]:>7}  {r[3]}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from simgame.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK
