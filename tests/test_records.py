"""Records: SQLite schema and migrations, recording as it happens, crash safety, the CLI flags."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from simgame import load_scenario
from simgame.cli import main
from simgame.records import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Recorder,
    RecordingSession,
    RecordsError,
    connect,
    find_session,
    integrity_ok,
    list_sessions,
    read_log,
    record_finished,
    records_dir,
    records_path,
)
from simgame.scenario import Scenario
from simgame.scoring import score_log, score_session
from simgame.session import Session, play

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


@pytest.fixture
def con(home: Path) -> Iterator[sqlite3.Connection]:
    c = connect()
    yield c
    c.close()


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return load_scenario(MINI)


class FakeClock:
    """Seconds that advance only when told, for exact durations."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _now() -> datetime:
    return datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


# --- location and schema ---------------------------------------------------------------------


def test_simgame_home_decides_where_the_database_lives(home: Path) -> None:
    assert records_path() == home / "records.sqlite"
    connect().close()
    assert (home / "records.sqlite").exists()


def test_without_simgame_home_the_platform_data_folder_is_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert records_dir({}) == tmp_path / "xdg" / "simgame"


def test_connection_uses_wal_normal_sync_foreign_keys_and_the_current_schema(
        con: sqlite3.Connection) -> None:
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA synchronous").fetchone()[0] == 1   # NORMAL
    assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2


def test_a_version_1_database_is_migrated_keeping_its_sessions(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(home / "records.sqlite")
    for statement in MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("INSERT INTO sessions (uid, player, scenario_id, scenario_version, scenario_sha256,"
                " scenario_title, scenario_path, seed, mode, frontend, started, updated) VALUES"
                " ('u-1', 'Ana', 'mini', '1', 'abc', 'Mini', '', 0, 'learning', 'text',"
                " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    c = connect()
    assert c.execute("PRAGMA user_version").fetchone()[0] == 2
    assert [s.player for s in list_sessions(c)] == ["Ana"]
    assert c.execute("SELECT COUNT(*) FROM xapi_outbox").fetchone()[0] == 0


def test_a_database_from_a_newer_simgame_is_refused(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(home / "records.sqlite")
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(RecordsError, match="newer"):
        connect()


# --- recording -------------------------------------------------------------------------------


def test_each_decision_is_committed_as_it_happens(con: sqlite3.Connection, home: Path,
                                                  mini: Scenario) -> None:
    clock = FakeClock()
    session = RecordingSession(mini, seed=3)
    session.recorder = Recorder.start(session, player="Ana", mode="learning", con=con,
                                      clock=clock, now=_now)
    reader = sqlite3.connect(home / "records.sqlite")   # a second process's view

    def committed() -> list[tuple[str, str | None, float]]:
        return reader.execute("SELECT kind, choice, t FROM entries ORDER BY seq").fetchall()

    clock.now += 4.5
    session.choose("promise")
    assert committed() == [("choice_made", "promise", 4.5), ("consequence", None, 4.5)]
    clock.now += 2
    session.undo()
    assert committed()[-1] == ("undone", "promise", 6.5)
    session.choose("ask")
    session.choose("refer")
    clock.now += 10
    session.choose("good")
    row = reader.execute("SELECT status, ending, band, duration_s, started, player, seed,"
                         " scenario_sha256, process_band FROM sessions").fetchone()
    assert row == ("ended", "good_end", "much_better", 16.5, "2026-09-01T10:00:00.000Z", "Ana", 3,
                   mini.sha256, "mastery")
    reader.close()


def test_a_recorded_log_reads_back_and_scores_like_the_live_session(
        con: sqlite3.Connection, mini: Scenario) -> None:
    session = RecordingSession(mini)
    session.recorder = Recorder.start(session, player="Ana", con=con)
    session.choose("advise")
    session.undo()
    session.choose("promise")
    session.choose("wait")
    session.choose("go")
    info = find_session(con, "last")
    log = read_log(con, info.id)
    assert [(e.kind, e.scene, e.choice, e.target, e.change, e.meters, e.trust, e.abandoned)
            for e in log] == [(e.kind, e.scene, e.choice, e.target, e.change, e.meters, e.trust,
                               e.abandoned) for e in session.log]
    assert score_log(mini, log).competencies == score_session(session).competencies
    assert info.choices == 3 and info.status == "ended" and info.band == "worse"


def test_quitting_before_the_end_is_recorded_as_quit(con: sqlite3.Connection,
                                                     mini: Scenario) -> None:
    session = RecordingSession(mini)
    rec = Recorder.start(session, player="Ana", con=con)
    session.recorder = rec
    session.choose("ask")
    rec.finish(session)
    info = find_session(con, str(rec.row_id))
    assert (info.status, info.ending, info.choices) == ("quit", None, 1)


def test_a_restored_session_resumes_its_recording(con: sqlite3.Connection,
                                                 mini: Scenario) -> None:
    clock = FakeClock()
    first = RecordingSession(mini)
    first.recorder = rec = Recorder.start(first, player="Ana", con=con, clock=clock)
    first.choose("ask")
    clock.now += 30
    rec.finish(first)   # the window closed; the game saved a snapshot
    restored = RecordingSession.restore(mini, first.snapshot())
    restored.recorder = Recorder.resume(restored, rec.uid, con=con, clock=clock)
    clock.now += 5
    restored.choose("refer")
    restored.choose("good")
    info = find_session(con, rec.uid)
    assert (info.status, info.choices, info.duration_s) == ("ended", 3, 35.0)
    assert [e.choice for e in read_log(con, info.id) if e.kind == "choice_made"] == [
        "ask", "refer", "good"]
    with pytest.raises(RecordsError, match="no recorded session"):
        Recorder.resume(restored, "nope", con=con)


def test_sessions_are_listed_newest_first_and_found_by_number_or_uid(
        con: sqlite3.Connection, mini: Scenario) -> None:
    stamps = iter([datetime(2026, 9, d, tzinfo=UTC) for d in (1, 3, 2)])
    recs = []
    for name in ("first", "third", "second"):
        s = play(mini, ["ask", "refer", "good"])
        when = next(stamps)
        recs.append(Recorder.start(s, player=name, con=con, now=lambda w=when: w))
    assert [s.player for s in list_sessions(con)] == ["third", "second", "first"]
    assert [s.player for s in list_sessions(con, since="2026-09-02")] == ["third", "second"]
    assert find_session(con, "last").player == "third"
    assert find_session(con, recs[0].uid[:8]).player == "first"
    assert find_session(con, str(recs[2].row_id)).player == "second"
    with pytest.raises(RecordsError, match="no recorded session"):
        find_session(con, "999")


def test_no_sessions_yet_is_a_clear_error(con: sqlite3.Connection) -> None:
    with pytest.raises(RecordsError, match="no sessions have been recorded"):
        find_session(con, "last")


# --- crash safety ----------------------------------------------------------------------------

_KILLED = """
import os, signal, sys
from simgame import load_scenario
from simgame.records import Recorder, RecordingSession
sc = load_scenario(sys.argv[1])
session = RecordingSession(sc, seed=0)
session.recorder = Recorder.start(session, player="crash test")
session.choose("promise")
session.undo()
session.choose("ask")
session.choose("refer")
print("recorded", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_a_session_killed_mid_scenario_leaves_every_earlier_decision(home: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", _KILLED, str(MINI)], capture_output=True,
                          text=True, env={**os.environ, "SIMGAME_HOME": str(home)}, timeout=60)
    assert proc.returncode == -9, proc.stderr
    assert "recorded" in proc.stdout
    assert (home / "records.sqlite-wal").exists()   # the kill left the WAL un-checkpointed
    c = connect()
    assert integrity_ok(c)
    info = find_session(c, "last")
    assert (info.status, info.player, info.choices) == ("playing", "crash test", 2)
    log = read_log(c, info.id)
    assert [(e.kind, e.choice) for e in log if e.kind != "consequence"] == [
        ("choice_made", "promise"), ("undone", "promise"), ("choice_made", "ask"),
        ("choice_made", "refer")]


# --- the command line ------------------------------------------------------------------------


def test_run_record_stores_each_headless_run(home: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(MINI), "--policy", "expert", "--runs", "3", "--record",
                 "--player", "bot"]) == 0
    c = connect()
    rows = list_sessions(c)
    assert [(r.player, r.mode, r.status, r.ending) for r in rows] == [
        ("bot", "headless", "ended", "good_end")] * 3
    assert {r.seed for r in rows} == {0, 1, 2}
    capsys.readouterr()
    assert main(["sessions"]) == 0
    out = capsys.readouterr().out
    assert out.count("bot") == 3 and "good_end (much_better)" in out


def test_run_without_record_records_nothing(home: Path) -> None:
    assert main(["run", str(MINI), "--policy", "expert"]) == 0
    assert list_sessions(connect()) == []


def test_text_play_with_record(home: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    # promise, take it back, ask, refer, then the one-choice end scene
    monkeypatch.setattr(sys, "stdin", io.StringIO("2\nu\n1\n1\n\n"))
    assert main(["play", "--text", str(MINI), "--record", "--player", "Zoë"]) == 0
    capsys.readouterr()
    info = find_session(connect(), "last")
    assert (info.player, info.frontend, info.mode, info.status, info.choices) == (
        "Zoë", "text", "learning", "ended", 3)
    kinds = [e.kind for e in read_log(connect(), info.id)]
    assert kinds.count("undone") == 1


def test_text_play_quit_is_recorded_as_quit(home: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\nq\n"))
    assert main(["play", "--text", str(MINI), "--record"]) == 3
    capsys.readouterr()
    info = find_session(connect(), "last")
    assert (info.player, info.status, info.choices) == ("anonymous", "quit", 1)


def test_player_names_lose_control_characters(con: sqlite3.Connection, mini: Scenario) -> None:
    rec = Recorder.start(Session(mini), player="Zoë\x1b[2J\n", con=con)
    assert find_session(con, rec.uid).player == "Zoë[2J"
    assert find_session(con, Recorder.start(Session(mini), player=" \t", con=con).uid
                        ).player == "anonymous"


def test_record_finished_stores_a_played_session(con: sqlite3.Connection, mini: Scenario) -> None:
    s = Session(mini)
    s.choose("ask")
    rec = record_finished(s, player="x", con=con)
    assert find_session(con, rec.uid).status == "quit"


def test_the_core_does_not_read_the_clock() -> None:
    """scoring, report and report_render stay pure: the clock is read in records only."""
    root = Path(__file__).parent.parent / "simgame"
    for name in ("scoring.py", "report.py", "report_render.py"):
        text = (root / name).read_text(encoding="utf-8")
        for banned in ("import time", "datetime.now", "import os", "open(", "sqlite3"):
            assert banned not in text, f"{name} uses {banned!r}"
