"""Learning records: every session written to SQLite as it is played, and read back.

This is an edge module: it reads the wall clock and the environment and touches files,
so the core (session, scoring) stays pure. A front end starts a `Recorder` for its
session and calls `recorder.sync(session)` after each choice or undo (or plays a
`RecordingSession`, which does that itself). Each sync is one committed transaction, so a
crash loses at most the decision in progress.

The database is SQLite in WAL mode with synchronous=NORMAL: a commit survives the process
being killed (the WAL is already written); only a power cut may lose the last commits,
which is the right trade for a training game (about 25 µs a commit instead of 190 µs).
The schema is versioned with `PRAGMA user_version`; `MIGRATIONS[i]` moves a database from
version i to i+1, and a database newer than this code is refused rather than guessed at.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from simgame.scenario import Scenario
from simgame.scoring import score_log
from simgame.session import Change, LogEntry, Session

log = logging.getLogger(__name__)

DB_NAME: Final = "records.sqlite"
HOME_ENV: Final = "SIMGAME_HOME"

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 0 -> 1: sessions and their log entries
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            player TEXT NOT NULL,
            scenario_id TEXT NOT NULL,
            scenario_version TEXT NOT NULL,
            scenario_sha256 TEXT NOT NULL,
            scenario_title TEXT NOT NULL,
            scenario_path TEXT NOT NULL,
            seed INTEGER NOT NULL,
            mode TEXT NOT NULL,
            frontend TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'playing'
                CHECK (status IN ('playing', 'ended', 'quit')),
            started TEXT NOT NULL,
            updated TEXT NOT NULL,
            ended TEXT,
            duration_s REAL NOT NULL DEFAULT 0,
            ending TEXT,
            band TEXT,
            outcome_level REAL,
            outcome_scaled REAL,
            process_score REAL,
            process_band TEXT
        )""",
        "CREATE INDEX sessions_by_scenario ON sessions (scenario_id, started)",
        """CREATE TABLE entries (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            scene TEXT NOT NULL,
            step INTEGER NOT NULL,
            choice TEXT,
            target TEXT,
            change TEXT NOT NULL,
            meters TEXT NOT NULL,
            trust TEXT NOT NULL,
            t REAL,
            abandoned TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (session_id, seq)
        )""",
    ),
    # 1 -> 2: the xAPI outbox, and which endpoint has acknowledged which statement
    (
        """CREATE TABLE xapi_outbox (
            statement_id TEXT PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            body TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE xapi_sent (
            statement_id TEXT NOT NULL REFERENCES xapi_outbox (statement_id) ON DELETE CASCADE,
            endpoint TEXT NOT NULL,
            sent TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            PRIMARY KEY (statement_id, endpoint)
        )""",
    ),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


class RecordsError(Exception):
    """The records database cannot be used (newer schema, unknown session)."""


# --- connection --------------------------------------------------------------------------------


def records_dir(env: dict[str, str] | None = None) -> Path:
    """`$SIMGAME_HOME`, else the platform's user data folder for simgame."""
    env = dict(os.environ) if env is None else env
    home = env.get(HOME_ENV)
    if home:
        return Path(home)
    import platformdirs

    return Path(platformdirs.user_data_dir("simgame"))


def records_path(env: dict[str, str] | None = None) -> Path:
    return records_dir(env) / DB_NAME


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open (creating and migrating as needed) the records database.

    A file that is not a readable SQLite database (damaged, or something else saved under
    its name) is moved aside, never deleted, with a warning naming where it went, and a
    new database is started, so that a damaged file never stops anyone playing.

    Raises:
        RecordsError: the database was written by a newer simgame.
    """
    path = records_path() if path is None else path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open(path)
    except sqlite3.OperationalError:
        raise  # locked, read-only or a full disk: the file itself is fine
    except sqlite3.DatabaseError as exc:
        moved = _move_aside(path)
        log.warning(
            "the records database %s could not be read (%s); it was moved to %s and a new one was started",
            path,
            exc,
            moved,
        )
        return _open(path)


def _move_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL files) to the first free records.corrupt-N name."""
    n = 1
    while (target := path.with_name(f"{path.stem}.corrupt-{n}{path.suffix}")).exists():
        n += 1
    path.rename(target)
    for extra in ("-wal", "-shm"):
        side = path.with_name(path.name + extra)
        if side.exists():
            side.rename(target.with_name(target.name + extra))
    return target


def _open(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    try:
        return _prepare(con)
    except BaseException:
        con.close()
        raise


def _prepare(con: sqlite3.Connection) -> sqlite3.Connection:
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA busy_timeout=5000")
    migrate(con)
    return con


def schema_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


def migrate(con: sqlite3.Connection) -> int:
    """Bring the schema up to `SCHEMA_VERSION`, one transaction per step; returns the version."""
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise RecordsError(
            f"the records database has schema version {version}, newer than this "
            f"simgame reads ({SCHEMA_VERSION}); upgrade simgame to read it"
        )
    while version < SCHEMA_VERSION:
        con.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(con) == version:  # another process may have migrated meanwhile
                for statement in MIGRATIONS[version]:
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {version + 1}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version = schema_version(con)
    return version


# --- recording ---------------------------------------------------------------------------------


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _clean_name(player: str) -> str:
    """The name as typed, minus control characters (a terminal escape in a name would
    redraw the instructor's screen when `simgame sessions` prints it)."""
    name = "".join(ch for ch in player if ch.isprintable()).strip()
    return name or "anonymous"


def _pairs_json(pairs: Sequence[tuple[str, int]]) -> str:
    return json.dumps(dict(pairs), separators=(",", ":"))


def _change_json(c: Change) -> str:
    return json.dumps(
        {
            "meters": dict(c.meters),
            "trust": dict(c.trust),
            "flags_set": list(c.flags_set),
            "flags_cleared": list(c.flags_cleared),
            "time": c.time,
        },
        separators=(",", ":"),
    )


class Recorder:
    """Writes one session's log to the records database as it grows.

    The recorder, not the session, reads the clock: `t` of an entry is the front end's
    own time when it supplied one, else seconds since the recorder started.
    """

    def __init__(
        self,
        con: sqlite3.Connection,
        row_id: int,
        uid: str,
        scenario: Scenario,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.con = con
        self.row_id = row_id
        self.uid = uid
        self.scenario = scenario
        self._clock = clock
        self._now = now
        self._t0 = clock()
        self._written = 0
        self._finished = False

    @classmethod
    def start(
        cls,
        session: Session,
        *,
        player: str,
        mode: str = "learning",
        frontend: str = "text",
        con: sqlite3.Connection | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> Recorder:
        """Create the session's row and write the entries it already has (the opening scene)."""
        con = connect() if con is None else con
        sc = session.scenario
        uid = str(uuid.uuid4())
        stamp = iso(now())
        cur = con.execute(
            "INSERT INTO sessions (uid, player, scenario_id, scenario_version, scenario_sha256,"
            " scenario_title, scenario_path, seed, mode, frontend, started, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uid,
                _clean_name(player),
                sc.id,
                sc.version,
                sc.sha256,
                sc.title,
                str(Path(sc.path).resolve()) if sc.path else "",
                session.seed,
                mode,
                frontend,
                stamp,
                stamp,
            ),
        )
        assert cur.lastrowid is not None
        rec = cls(con, cur.lastrowid, uid, sc, clock=clock, now=now)
        rec.sync(session)
        return rec

    @classmethod
    def resume(
        cls,
        session: Session,
        uid: str,
        *,
        con: sqlite3.Connection | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> Recorder:
        """Carry on recording a session restored from a save (`Session.restore` replays the
        same log, so the entries already written are skipped).

        Raises:
            RecordsError: no session with that uid, or the restored log is shorter than the
                recorded one (the save is older than the records).
        """
        con = connect() if con is None else con
        row = con.execute("SELECT id, duration_s FROM sessions WHERE uid = ?", (uid,)).fetchone()
        if row is None:
            raise RecordsError(f"no recorded session {uid!r} to resume")
        written = con.execute("SELECT COUNT(*) FROM entries WHERE session_id = ?", (row["id"],)).fetchone()[0]
        if written > len(session.log):
            raise RecordsError(
                f"the restored session has {len(session.log)} log entries but "
                f"{written} were recorded; start a new recording instead"
            )
        rec = cls(con, row["id"], uid, session.scenario, clock=clock, now=now)
        rec._t0 -= row["duration_s"]  # time keeps counting from where the session stopped
        rec._written = written
        con.execute("UPDATE sessions SET status = 'playing' WHERE id = ? AND status = 'quit'", (row["id"],))
        return rec

    def sync(self, session: Session) -> int:
        """Commit the log entries written since the last sync; returns how many."""
        log = session.log
        new = log[self._written :]
        if not new:
            return 0
        stamp = iso(self._now())
        elapsed = round(self._clock() - self._t0, 3)
        rows = [
            (
                self.row_id,
                self._written + i,
                e.kind,
                e.scene,
                e.step,
                e.choice,
                e.target,
                _change_json(e.change),
                _pairs_json(e.meters),
                _pairs_json(e.trust),
                e.t if e.t is not None else elapsed,
                json.dumps(list(e.abandoned)),
                stamp,
            )
            for i, e in enumerate(new)
        ]
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            con.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            con.execute("UPDATE sessions SET updated = ?, duration_s = ? WHERE id = ?", (stamp, elapsed, self.row_id))
            if session.is_over:
                self._write_end(session, stamp, elapsed)
            elif any(e.kind == "undone" for e in new):  # an undo after the ending reopens it
                con.execute(
                    "UPDATE sessions SET status = 'playing', ended = NULL, ending = NULL, band = NULL WHERE id = ?",
                    (self.row_id,),
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self._written = len(log)
        return len(new)

    def _write_end(self, session: Session, stamp: str, elapsed: float) -> None:
        ending = session.ending
        assert ending is not None
        score = score_log(session.scenario, session.log)
        self.con.execute(
            "UPDATE sessions SET status = 'ended', ended = ?, ending = ?, band = ?,"
            " outcome_level = ?, outcome_scaled = ?, process_score = ?, process_band = ?"
            " WHERE id = ?",
            (
                stamp,
                session.state,
                ending.band,
                score.outcome.level,
                score.outcome.scaled,
                score.process_score,
                score.process_band,
                self.row_id,
            ),
        )

    def finish(self, session: Session) -> None:
        """Write what is left; a session that did not reach an ending is marked as quit."""
        self.sync(session)
        if not session.is_over and not self._finished:
            self.con.execute(
                "UPDATE sessions SET status = 'quit', updated = ?, duration_s = ? WHERE id = ?",
                (iso(self._now()), round(self._clock() - self._t0, 3), self.row_id),
            )
        self._finished = True


class RecordingSession(Session):
    """A Session that syncs its recorder after every choice and undo.

    It lets a front end that only knows `Session` (the terminal player) record without
    knowing about records; `recorder` is attached after construction.
    """

    recorder: Recorder | None = None

    def choose(self, choice_id: str, *, t: float | None = None) -> LogEntry:
        entry = super().choose(choice_id, t=t)
        if self.recorder is not None:
            self.recorder.sync(self)
        return entry

    def undo(self) -> None:
        super().undo()
        if self.recorder is not None:
            self.recorder.sync(self)


def record_finished(
    session: Session,
    *,
    player: str,
    mode: str = "headless",
    frontend: str = "run",
    con: sqlite3.Connection | None = None,
) -> Recorder:
    """Record a session that has already been played (headless runs)."""
    rec = Recorder.start(session, player=player, mode=mode, frontend=frontend, con=con)
    rec.finish(session)
    return rec


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One recorded session's row, with its number of kept decisions."""

    id: int
    uid: str
    player: str
    scenario_id: str
    scenario_version: str
    scenario_sha256: str
    scenario_title: str
    scenario_path: str
    seed: int
    mode: str
    frontend: str
    status: str
    started: str
    updated: str
    ended: str | None
    duration_s: float
    ending: str | None
    band: str | None
    outcome_level: float | None
    outcome_scaled: float | None
    process_score: float | None
    process_band: str | None
    choices: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionInfo:
        return cls(**{k: row[k] for k in row.keys()})  # noqa: SIM118 - sqlite3.Row


@dataclass(frozen=True, slots=True)
class PlayRecord:
    """A session's metadata and log: what scoring and the reports read, from SQLite or an LRS."""

    info: SessionInfo
    log: tuple[LogEntry, ...]


_SESSION_COLUMNS: Final = (
    "s.*, (SELECT COUNT(*) FROM entries e WHERE e.session_id = s.id AND e.kind = 'choice_made')"
    " - (SELECT COUNT(*) FROM entries e WHERE e.session_id = s.id AND e.kind = 'undone')"
    " AS choices"
)


def list_sessions(
    con: sqlite3.Connection,
    *,
    scenario: str | None = None,
    since: str | None = None,
    player: str | None = None,
    limit: int | None = None,
) -> list[SessionInfo]:
    """Recorded sessions, newest first; `since` is an ISO date or date-time (UTC)."""
    where, args = [], []
    if scenario:
        where.append("s.scenario_id = ?")
        args.append(scenario)
    if since:
        where.append("s.started >= ?")
        args.append(since)
    if player:
        where.append("s.player = ?")
        args.append(player)
    sql = f"SELECT {_SESSION_COLUMNS} FROM sessions s"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY s.started DESC, s.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [SessionInfo.from_row(r) for r in con.execute(sql, args)]


def find_session(con: sqlite3.Connection, ref: str) -> SessionInfo:
    """A session by number (`12`), uid or uid prefix (at least 4 characters), or `last`.

    Raises:
        RecordsError: no session, or an ambiguous prefix.
    """
    if ref == "last":
        rows = list_sessions(con, limit=1)
        if not rows:
            raise RecordsError("no sessions have been recorded yet; play with --record first")
        return rows[0]
    found = []
    if ref.isdigit():
        found = con.execute(f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (int(ref),)).fetchall()
    if not found and len(ref) >= 4:  # a uid prefix may be all digits too
        found = con.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.uid LIKE ?",
            (ref.replace("%", "").replace("_", "") + "%",),
        ).fetchall()
    if not found:
        raise RecordsError(f"no recorded session {ref!r}; 'simgame sessions' lists them")
    if len(found) > 1:
        raise RecordsError(f"{ref!r} matches {len(found)} sessions; give more of the id")
    return SessionInfo.from_row(found[0])


def _entry(row: sqlite3.Row) -> LogEntry:
    change = json.loads(row["change"])
    return LogEntry(
        kind=row["kind"],
        scene=row["scene"],
        step=row["step"],
        choice=row["choice"],
        target=row["target"],
        change=Change(
            tuple(change["meters"].items()),
            tuple(change["trust"].items()),
            tuple(change["flags_set"]),
            tuple(change["flags_cleared"]),
            change["time"],
        ),
        meters=tuple(json.loads(row["meters"]).items()),
        trust=tuple(json.loads(row["trust"]).items()),
        t=row["t"],
        abandoned=tuple(json.loads(row["abandoned"])),
    )


def read_log(con: sqlite3.Connection, session_id: int) -> tuple[LogEntry, ...]:
    """A recorded session's log, as the session wrote it."""
    rows = con.execute("SELECT * FROM entries WHERE session_id = ? ORDER BY seq", (session_id,))
    return tuple(_entry(r) for r in rows)


def entry_times(con: sqlite3.Connection, session_id: int) -> list[str]:
    """The wall-clock time (ISO, UTC) each entry was committed, by seq."""
    rows = con.execute("SELECT at FROM entries WHERE session_id = ? ORDER BY seq", (session_id,))
    return [r[0] for r in rows]


def read_records(con: sqlite3.Connection, infos: Sequence[SessionInfo]) -> Iterator[PlayRecord]:
    """The logs of many sessions, read in one query (the class report reads hundreds)."""
    by_id: dict[int, list[LogEntry]] = {i.id: [] for i in infos}
    if by_id:
        ids = ",".join(str(int(i)) for i in by_id)
        rows = con.execute(f"SELECT * FROM entries WHERE session_id IN ({ids}) ORDER BY session_id, seq")
        for r in rows:
            by_id[r["session_id"]].append(_entry(r))
    for info in infos:
        yield PlayRecord(info, tuple(by_id[info.id]))


def integrity_ok(con: sqlite3.Connection) -> bool:
    return [tuple(r) for r in con.execute("PRAGMA integrity_check")] == [("ok",)]


def as_dict(info: SessionInfo) -> dict[str, Any]:
    return {k: getattr(info, k) for k in info.__dataclass_fields__}
