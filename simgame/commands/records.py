"""The learning-records commands: sessions, report, class-report, export, xapi send.

Printing and files live here; the data comes from `simgame.records` (SQLite), the scoring
and report modules (pure) and `simgame.xapi` (the LRS). Credentials for an LRS are read
from the environment variable the user names, and never printed or stored.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from simgame.compiler import load_scenario
from simgame.errors import ScenarioError
from simgame.records import (
    PlayRecord,
    RecordsError,
    SessionInfo,
    as_dict,
    connect,
    find_session,
    list_sessions,
    read_log,
    read_records,
    records_path,
)
from simgame.report import Play, build_class_report, build_report
from simgame.report_render import (
    class_to_html,
    class_to_markdown,
    to_html,
    to_json,
    to_markdown,
)
from simgame.scenario import Scenario
from simgame.scoring import score_log

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the records commands to the `simgame` parser."""
    s = sub.add_parser("sessions", help="the recorded sessions, newest first")
    s.add_argument("--scenario", metavar="ID", help="only this scenario")
    s.add_argument("--limit", type=int, default=50, help="how many to show (default 50; 0: all)")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_sessions)

    r = sub.add_parser("report", help="the debrief of one recorded session (HTML, JSON or Markdown)")
    r.add_argument("session", nargs="?", help="session number or id (see 'simgame sessions')")
    r.add_argument("--last", action="store_true", help="the most recent session")
    r.add_argument(
        "-o",
        "--output",
        help="file to write ('-' for stdout; default: simgame-report-N.html for HTML, stdout otherwise)",
    )
    r.add_argument("--format", choices=("html", "json", "md"), default="html")
    r.add_argument("--scenario-file", type=Path, help="the scenario file, if it has moved")
    r.set_defaults(func=cmd_report)

    c = sub.add_parser("class-report", help="what the class chose at each decision point")
    c.add_argument("--scenario", metavar="ID", help="the scenario (default: the most recent one)")
    c.add_argument("--scenario-file", type=Path, help="the scenario file, if not shipped")
    c.add_argument("--since", type=_date, help="only sessions started on or after this date")
    c.add_argument(
        "-o",
        "--output",
        help="file to write ('-' for stdout; default: simgame-class-ID.html for HTML, stdout otherwise)",
    )
    c.add_argument("--format", choices=("html", "json", "md"), default="html")
    c.add_argument("--names", action="store_true", help="show learners' names (default: anonymous)")
    c.add_argument(
        "--lrs", metavar="URL", help="read the statements from this xAPI endpoint instead of the local records"
    )
    _auth_args(c, required=False)
    c.set_defaults(func=cmd_class_report)

    e = sub.add_parser("export", help="recorded sessions as CSV (gradebooks) or xAPI statements")
    e.add_argument("--format", choices=("csv", "xapi"), required=True)
    e.add_argument("-o", "--output", help="file to write (default: stdout)")
    e.add_argument("--scenario", metavar="ID", help="only this scenario")
    e.add_argument("--since", type=_date, help="only sessions started on or after this date")
    e.set_defaults(func=cmd_export)

    x = sub.add_parser("xapi", help="send recorded statements to a Learning Record Store")
    xs = x.add_subparsers(dest="xapi_command", metavar="COMMAND", required=True)
    send = xs.add_parser("send", help="send the statements the endpoint has not acknowledged")
    send.add_argument(
        "--endpoint", required=True, metavar="URL", help="the LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/"
    )
    _auth_args(send, required=True)
    send.add_argument("--batch", type=int, default=50, help="statements per request")
    send.set_defaults(func=cmd_xapi_send)
    conf = xs.add_parser("configure", help="send statements as the game goes (window, --record runs)")
    conf.add_argument("--endpoint", metavar="URL", help="the LRS's xAPI endpoint")
    _auth_args(conf, required=False)
    conf.add_argument("--off", action="store_true", help="stop sending as you go")
    conf.set_defaults(func=cmd_xapi_configure)


def _auth_args(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--user", required=required, metavar="NAME", help="the LRS user (Basic auth)")
    p.add_argument(
        "--password-env",
        required=required,
        metavar="VAR",
        help="the environment variable holding the password (never a flag, so it "
        "stays out of shell history and process lists)",
    )


def _date(text: str) -> str:
    """An ISO date or date-time, normalised to the records' UTC ISO form for comparison."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-09-01") from None


def _records(fn: Callable[[argparse.Namespace, sqlite3.Connection], int]) -> Callable[[argparse.Namespace], int]:
    """Run a command with the records database open, and close it afterwards."""

    @functools.wraps(fn)
    def run(args: argparse.Namespace) -> int:
        try:
            con = connect()
        except RecordsError as exc:
            _err(str(exc))
            return EXIT_FAILED
        with closing(con):
            return fn(args, con)

    return run


def _err(message: str) -> None:
    print(f"simgame: {message}", file=sys.stderr)


# --- helpers -----------------------------------------------------------------------------------


def _scenario_for(info: SessionInfo, override: Path | None = None) -> Scenario | None:
    """The scenario a session played: the given file, the recorded path, or a shipped one."""
    from simgame.cli import resolve_scenario

    candidates = [override] if override else []
    if info.scenario_path:
        candidates.append(Path(info.scenario_path))
    candidates.append(resolve_scenario(info.scenario_id))
    for path in candidates:
        if path is not None and path.exists():
            try:
                sc = load_scenario(path)
            except ScenarioError as exc:
                _err(f"{path}: cannot be read ({len(exc.issues)} problems; run simgame validate)")
                continue
            if sc.id == info.scenario_id:
                return sc
    _err(f"cannot find scenario {info.scenario_id!r}; give its file with --scenario-file")
    return None


def _write(text: str, output: str | None, default: str | None) -> None:
    target = output or default
    if target is None or target == "-":
        sys.stdout.write(text)
        return
    Path(target).write_text(text, encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)


# --- commands ----------------------------------------------------------------------------------


@_records
def cmd_sessions(args: argparse.Namespace, con: sqlite3.Connection) -> int:
    rows = list_sessions(con, scenario=args.scenario, limit=args.limit or None)
    if args.json:
        print(json.dumps([as_dict(r) for r in rows], indent=2, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print(f"no sessions recorded yet in {records_path()}; play with --record")
        return EXIT_OK
    print(f"{'#':>4}  {'started (UTC)':<19}  {'player':<16}  {'scenario':<16}  {'status':<7}  {'choices':>7}  ending")
    for r in rows:
        ending = f"{r.ending} ({r.band})" if r.ending else "-"
        print(
            f"{r.id:>4}  {r.started[:19].replace('T', ' '):<19}  {r.player[:16]:<16}  "
            f"{r.scenario_id[:16]:<16}  {r.status:<7}  {r.choices:>7}  {ending}"
        )
    return EXIT_OK


@_records
def cmd_report(args: argparse.Namespace, con: sqlite3.Connection) -> int:
    if bool(args.session) == bool(args.last):
        _err("report: name one session, or use --last")
        return EXIT_USAGE
    try:
        info = find_session(con, "last" if args.last else args.session)
    except RecordsError as exc:
        _err(str(exc))
        return EXIT_FAILED
    sc = _scenario_for(info, args.scenario_file)
    if sc is None:
        return EXIT_FAILED
    report = build_report(sc, read_log(con, info.id), session=as_dict(info))
    if args.format == "json":
        _write(to_json(report), args.output, None)
    elif args.format == "md":
        _write(to_markdown(report), args.output, None)
    else:
        _write(to_html(report), args.output, f"simgame-report-{info.id}.html")
    return EXIT_OK


def _class_plays(args: argparse.Namespace, con: sqlite3.Connection) -> tuple[Scenario, list[Play]] | None:
    if args.lrs:
        return _class_plays_from_lrs(args)
    scenario_id = args.scenario
    if scenario_id is None:
        latest = list_sessions(con, limit=1)
        if not latest:
            _err(f"no sessions recorded yet in {records_path()}")
            return None
        scenario_id = latest[0].scenario_id
    infos = list_sessions(con, scenario=scenario_id, since=args.since)
    if not infos:
        _err(f"no recorded sessions of {scenario_id!r}" + (f" since {args.since}" if args.since else ""))
        return None
    sc = _scenario_for(infos[0], args.scenario_file)
    if sc is None:
        return None
    records = list(read_records(con, infos))
    return sc, [_play(r) for r in records]


def _play(r: PlayRecord) -> Play:
    return Play(r.info.player, r.info.started, r.log, r.info.uid)


def _class_plays_from_lrs(args: argparse.Namespace) -> tuple[Scenario, list[Play]] | None:
    from simgame.xapi import LRSError, fetch_plays

    if not args.scenario:
        _err("class-report --lrs: name the scenario with --scenario ID")
        return None
    lrs = _lrs(args.lrs, args.user, args.password_env)
    if lrs is None:
        return None
    try:
        records = fetch_plays(lrs, args.scenario, since=args.since)
    except LRSError as exc:
        _err(str(exc))
        return None
    if not records:
        _err(f"the LRS has no statements for scenario {args.scenario!r}")
        return None
    sc = _scenario_for(records[0].info, args.scenario_file)
    if sc is None:
        return None
    return sc, [_play(r) for r in records]


@_records
def cmd_class_report(args: argparse.Namespace, con: sqlite3.Connection) -> int:
    got = _class_plays(args, con)
    if got is None:
        return EXIT_FAILED
    sc, plays = got
    filters = {"since": args.since, "source": args.lrs or "local records"}
    report = build_class_report(sc, plays, names=args.names, filters=filters)
    if args.format == "json":
        _write(to_json(report), args.output, None)
    elif args.format == "md":
        _write(class_to_markdown(report), args.output, None)
    else:
        _write(class_to_html(report), args.output, f"simgame-class-{sc.id}.html")
    return EXIT_OK


CSV_COLUMNS: Final = (
    "session",
    "session_uid",
    "player",
    "scenario",
    "scenario_version",
    "started",
    "status",
    "duration_s",
    "choices",
    "expert_matches",
    "decision_points",
    "ending",
    "ending_band",
    "ending_level",
    "outcome_level",
    "outcome_scaled",
    "process_band",
    "process_score",
    "breaches",
)


def _csv_cell(value: object) -> object:
    """Neutralise spreadsheet formulas: a name like '=HYPERLINK(...)' stays text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_rows(con: sqlite3.Connection, infos: Sequence[SessionInfo]) -> list[dict[str, object]]:
    """One gradebook row per session; expert matches and breaches come from rescoring."""
    from simgame.scenario import BAND_LEVEL

    scenarios: dict[str, Scenario | None] = {}
    rows = []
    for rec in read_records(con, infos):
        info = rec.info
        if info.scenario_id not in scenarios:
            scenarios[info.scenario_id] = _scenario_for(info)
        sc = scenarios[info.scenario_id]
        score = score_log(sc, rec.log) if sc is not None else None
        rows.append(
            {
                "session": info.id,
                "session_uid": info.uid,
                "player": info.player,
                "scenario": info.scenario_id,
                "scenario_version": info.scenario_version,
                "started": info.started,
                "status": info.status,
                "duration_s": info.duration_s,
                "choices": info.choices,
                "expert_matches": score.expert_matches if score else "",
                "decision_points": score.decision_points if score else "",
                "ending": info.ending or "",
                "ending_band": info.band or "",
                "ending_level": BAND_LEVEL[info.band] if info.band else "",
                "outcome_level": info.outcome_level if info.outcome_level is not None else "",
                "outcome_scaled": info.outcome_scaled if info.outcome_scaled is not None else "",
                "process_band": info.process_band or "",
                "process_score": info.process_score if info.process_score is not None else "",
                "breaches": len(score.breaches) if score else "",
            }
        )
    return rows


@_records
def cmd_export(args: argparse.Namespace, con: sqlite3.Connection) -> int:
    infos = list_sessions(con, scenario=args.scenario, since=args.since)
    if args.format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        for row in csv_rows(con, list(reversed(infos))):
            w.writerow({k: _csv_cell(v) for k, v in row.items()})
        _write(buf.getvalue(), args.output, None)
        return EXIT_OK
    from simgame.records import entry_times
    from simgame.xapi import build_statements

    statements: list[dict[str, Any]] = []
    scenarios: dict[str, Scenario | None] = {}
    for info in reversed(infos):
        if info.scenario_id not in scenarios:
            scenarios[info.scenario_id] = _scenario_for(info)
        statements += build_statements(
            info, read_log(con, info.id), entry_times(con, info.id), scenarios[info.scenario_id]
        )
    _write(json.dumps(statements, indent=1, ensure_ascii=False) + "\n", args.output, None)
    return EXIT_OK


def _lrs(endpoint: str, user: str | None, password_env: str | None) -> Any:
    from simgame.xapi import LRS, LRSError

    if not user or not password_env:
        _err("the LRS needs --user NAME and --password-env VAR")
        return None
    password = os.environ.get(password_env)
    if password is None:
        _err(f"the environment variable {password_env} (named by --password-env) is not set")
        return None
    try:
        return LRS(endpoint, user, password)
    except LRSError as exc:
        _err(str(exc))
        return None


@_records
def cmd_xapi_send(args: argparse.Namespace, con: sqlite3.Connection) -> int:
    from simgame.xapi import enqueue, send_pending

    lrs = _lrs(args.endpoint, args.user, args.password_env)
    if lrs is None:
        return EXIT_USAGE
    cache: dict[str, Scenario | None] = {}

    def scenario(scenario_id: str) -> Scenario | None:
        if scenario_id not in cache:
            info = next((i for i in list_sessions(con, scenario=scenario_id, limit=1)), None)
            cache[scenario_id] = _scenario_for(info) if info else None
        return cache[scenario_id]

    queued = enqueue(con, scenarios=scenario)
    result = send_pending(con, lrs, batch=max(1, args.batch))
    print(f"queued {queued} new statements; sent {result.sent}; pending {result.pending}")
    if result.error:
        _err(f"stopped: {result.error}; the rest stay queued and will be sent next time")
        return EXIT_FAILED
    return EXIT_OK


def cmd_xapi_configure(args: argparse.Namespace) -> int:
    """Remember (or forget) the LRS to send to as the game goes; never the password itself."""
    from simgame.records import records_dir
    from simgame.xapi import LiveConfig, write_live_config

    folder = records_dir()
    if args.off:
        write_live_config(folder, None)
        print("sending as you go is off; recorded statements stay queued for 'simgame xapi send'")
        return EXIT_OK
    if not (args.endpoint and args.user and args.password_env):
        _err("give --endpoint URL --user NAME --password-env VAR, or --off")
        return EXIT_USAGE
    if _lrs(args.endpoint, args.user, args.password_env) is None:
        return EXIT_USAGE
    write_live_config(folder, LiveConfig(args.endpoint, args.user, args.password_env))
    print(
        f"statements will be sent to {args.endpoint} as sessions are recorded; the password is read "
        f"from ${args.password_env} each time and is not stored"
    )
    return EXIT_OK
