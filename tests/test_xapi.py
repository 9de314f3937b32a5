"""xAPI: statements, the outbox, and a real LRS (Ralph) on loopback: send, query back, compare."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from simgame import load_scenario
from simgame.cli import main
from simgame.records import (
    Recorder,
    RecordingSession,
    connect,
    entry_times,
    find_session,
    list_sessions,
    read_log,
    read_records,
)
from simgame.report import Play, build_class_report
from simgame.scenario import Scenario
from simgame.xapi import (
    LRS,
    VERB_ANSWERED,
    VERB_COMPLETED,
    VERB_TOOK_BACK,
    LRSError,
    build_statements,
    enqueue,
    ext,
    fetch_plays,
    pending,
    scenario_iri,
    send_pending,
    statement_id,
)

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
PASSWORD = "not-a-real-secret-7f3a"


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return load_scenario(MINI)


def _record(mini: Scenario, player: str, choices: list[str], *, undo_first: str | None = None) -> int:
    con = connect()
    session = RecordingSession(mini)
    rec = session.recorder = Recorder.start(session, player=player, con=con)
    if undo_first:
        session.choose(undo_first)
        session.undo()
    for c in choices:
        session.choose(c)
    con.close()
    return rec.row_id


# --- statements ------------------------------------------------------------------------------


def test_statements_per_choice_undo_and_completion_with_stable_unique_ids(home: Path, mini: Scenario) -> None:
    row = _record(mini, "Ana", ["ask", "refer", "good"], undo_first="promise")
    con = connect()
    info = find_session(con, str(row))
    log = read_log(con, info.id)
    first = build_statements(info, log, entry_times(con, info.id), mini)
    again = build_statements(info, log, entry_times(con, info.id), mini)
    assert first == again
    verbs = [s["verb"]["id"] for s in first]
    assert verbs == [
        VERB_ANSWERED["id"],
        VERB_TOOK_BACK["id"],
        VERB_ANSWERED["id"],
        VERB_ANSWERED["id"],
        VERB_ANSWERED["id"],
        VERB_COMPLETED["id"],
    ]
    ids = [s["id"] for s in first]
    assert len(set(ids)) == len(ids)  # the undone and the kept choice share step 1, not an id
    assert first[0]["result"]["extensions"][ext("step")] == first[2]["result"]["extensions"][ext("step")] == 1
    ask = first[2]
    assert ask["result"]["response"] == "ask" and ask["result"]["success"] is True
    assert ask["result"]["extensions"][ext("meters-change")] == {"autonomy": 10}
    assert ask["result"]["extensions"][ext("trust-change")] == {"mara": 5}
    assert ask["result"]["extensions"][ext("trust")] == {"mara": 55, "chen": 50, "okafor": 40}
    assert ask["context"]["registration"] == info.uid
    assert ask["actor"]["account"]["name"] == "Ana"
    done = first[-1]
    assert done["result"]["score"] == {"scaled": 0.6667, "raw": 0.6667, "min": -2, "max": 2}
    assert done["result"]["completion"] is True
    assert done["object"]["id"] == scenario_iri("mini")
    assert done["result"]["duration"].startswith("PT")
    assert statement_id(info.uid, 0) == first[0]["id"]


def test_enqueue_is_idempotent_and_adds_only_new_entries(home: Path, mini: Scenario) -> None:
    con = connect()
    session = RecordingSession(mini)
    session.recorder = Recorder.start(session, player="Ana", con=con)
    session.choose("ask")
    assert enqueue(con) == 1
    assert enqueue(con) == 0
    session.choose("refer")
    session.choose("good")
    assert enqueue(con) == 3  # two choices and the completion
    assert len(pending(con, "http://lrs.invalid/xAPI/")) == 4


def test_an_unreachable_lrs_keeps_statements_queued_and_never_stores_the_password(home: Path, mini: Scenario) -> None:
    _record(mini, "Ana", ["ask", "refer", "good"])
    con = connect()
    enqueue(con)
    port = _free_port()  # nothing listens here
    lrs = LRS(f"http://127.0.0.1:{port}/xAPI/", "trainer", PASSWORD, timeout=2)
    waits: list[float] = []
    result = send_pending(con, lrs, retries=2, sleep=waits.append)
    assert (result.sent, result.pending) == (0, 4)
    assert result.error is not None and "cannot connect" in result.error
    assert waits == [0.5, 1.0]  # retried with back-off, then gave up
    assert [tuple(r) for r in con.execute("SELECT attempts FROM xapi_sent")] == [(1,)] * 4
    assert PASSWORD not in repr(lrs)
    con.close()
    for f in (home).iterdir():
        assert PASSWORD.encode() not in f.read_bytes(), f


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(LRSError, match="not in the endpoint URL"):
        LRS("http://trainer:pw@127.0.0.1:1/xAPI/", "trainer", "pw")


# --- a real LRS ------------------------------------------------------------------------------

_LAUNCHER = """\
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

# Ralph 5.1's file backend writes with CREATE, so only its first write succeeds; APPEND
# lets every POST add to the same file (tech notes section 6.2).
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Ralph LRS (file backend) on a free loopback port; yields its xAPI endpoint."""
    if importlib.util.find_spec("ralph") is None or importlib.util.find_spec("requests") is None:
        pytest.skip("Ralph is not installed: pip install 'ralph-malph[cli,lrs]' requests")
    import bcrypt

    root = tmp_path_factory.mktemp("ralph")
    (root / "app").mkdir()
    (root / "data").mkdir()
    # what `ralph auth -u trainer -s all -M mailto:trainer@example.com -w` writes, without the
    # seven-second CLI start-up
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    (root / "app" / "auth.json").write_text(
        json.dumps(
            [
                {
                    "agent": {"mbox": "mailto:trainer@example.com", "objectType": "Agent"},
                    "scopes": ["all"],
                    "hash": hashed,
                    "username": "trainer",
                }
            ]
        )
    )
    (root / "launch.py").write_text(_LAUNCHER)
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(root / "app"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(root / "data"),
    }
    port = _free_port()
    log = (root / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(root / "launch.py"), str(port)], env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/__heartbeat__", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("Ralph did not start:\n" + (root / "server.log").read_text()[-2000:])
            time.sleep(0.2)
        yield f"{base}/xAPI/"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _lrs(endpoint: str) -> LRS:
    return LRS(endpoint, "trainer", PASSWORD)


def _mine(statements: list[dict[str, object]], uids: set[str]) -> list[dict[str, object]]:
    """Only this test's statements (the module's LRS is shared between tests)."""
    return [s for s in statements if (s.get("context") or {}).get("registration") in uids]  # type: ignore[union-attr]


@pytest.mark.slow
def test_statements_reach_ralph_and_come_back_unchanged(home: Path, mini: Scenario, ralph: str) -> None:
    _record(mini, "Ana", ["ask", "refer", "good"], undo_first="advise")
    _record(mini, "Ben", ["promise", "wait", "go"])
    con = connect()
    enqueue(con, scenarios=lambda _id: mini)
    ours = [body for _, body in pending(con, ralph)]
    result = send_pending(con, _lrs(ralph))
    assert (result.sent, result.pending, result.error) == (len(ours), 0, None)
    uids = {i.uid for i in list_sessions(con)}
    back = {s["id"]: s for s in _mine(list(_lrs(ralph).query()), uids)}
    assert set(back) == {s["id"] for s in ours}
    for s in ours:
        got = back[s["id"]]
        for key in ("actor", "verb", "object", "result", "context"):
            assert got[key] == s[key], (s["id"], key)
        assert "stored" in got  # the LRS's own field: it really went through Ralph


@pytest.mark.slow
def test_sending_again_or_after_a_lost_acknowledgement_never_duplicates(home: Path, mini: Scenario, ralph: str) -> None:
    _record(mini, "Cai", ["ask", "refer", "good"])
    con = connect()
    enqueue(con)
    uids = {i.uid for i in list_sessions(con)}
    lrs = _lrs(ralph)
    # the statements reach the LRS, but the process dies before marking them sent
    lrs.post([body for _, body in pending(con, ralph)])
    assert len(pending(con, ralph)) == 4
    assert send_pending(con, lrs).sent == 4  # sent again: the LRS drops the copies
    assert send_pending(con, lrs).sent == 0  # nothing left to send
    assert len(_mine(list(lrs.query()), uids)) == 4


@pytest.mark.slow
def test_wrong_password_is_an_error_and_keeps_the_queue(home: Path, mini: Scenario, ralph: str) -> None:
    _record(mini, "Dee", ["ask"])
    con = connect()
    enqueue(con)
    result = send_pending(con, LRS(ralph, "trainer", "wrong"), sleep=lambda _s: None)
    assert result.sent == 0 and result.pending == 1 and "401" in (result.error or "")


@pytest.mark.slow
def test_class_report_from_the_lrs_matches_the_local_one(
    home: Path,
    mini: Scenario,
    ralph: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = [["ask", "refer", "good"]] * 20 + [["promise", "refer", "other"]] * 6 + [["advise", "wait", "go"]] * 4
    for i, p in enumerate(paths):
        _record(mini, f"Student {i}", p, undo_first="promise" if i % 5 == 0 else None)
    monkeypatch.setenv("SIMGAME_TEST_LRS_PASSWORD", PASSWORD)
    auth = ["--user", "trainer", "--password-env", "SIMGAME_TEST_LRS_PASSWORD"]
    assert main(["xapi", "send", "--endpoint", ralph, *auth]) == 0
    out = capsys.readouterr()
    # 30 sessions x (3 choices + completion), and 6 x (a choice + its undo)
    assert "sent 132;" in out.out and PASSWORD not in out.out + out.err
    assert main(["xapi", "send", "--endpoint", ralph, *auth]) == 0
    assert "sent 0; pending 0" in capsys.readouterr().out

    con = connect()
    uids = {i.uid for i in list_sessions(con)}
    fetched = [p for p in fetch_plays(_lrs(ralph), "mini") if p.info.uid in uids]
    assert len(fetched) == 30  # more than one page: Ralph pages at 100 statements
    local = build_class_report(
        mini, [Play(r.info.player, r.info.started, r.log) for r in read_records(con, list_sessions(con))]
    )
    remote = build_class_report(mini, [Play(p.info.player, p.info.started, p.log) for p in fetched])
    for key in ("decisions", "endings", "departures", "sessions", "ended"):
        assert remote[key] == local[key], key
    assert remote["outcomes"]["meters"] == local["outcomes"]["meters"]
    intro = remote["decisions"][0]
    assert {o["choice"]: o["tried"] for o in intro["options"]}["promise"] == 6

    target = tmp_path / "class.html"
    # the LRS knows the scenario's id, not where its file is: a shipped id resolves by itself
    assert (
        main(
            [
                "class-report",
                "--lrs",
                ralph,
                "--scenario",
                "mini",
                *auth,
                "--scenario-file",
                str(MINI),
                "-o",
                str(target),
            ]
        )
        == 0
    )
    assert "the class split here" in target.read_text(encoding="utf-8")


def test_xapi_send_needs_the_password_variable(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "xapi",
                "send",
                "--endpoint",
                "http://127.0.0.1:1/xAPI/",
                "--user",
                "u",
                "--password-env",
                "SIMGAME_UNSET_VARIABLE_FOR_TEST",
            ]
        )
        == 2
    )
    assert "SIMGAME_UNSET_VARIABLE_FOR_TEST" in capsys.readouterr().err


def test_export_xapi_writes_the_statements(home: Path, mini: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    _record(mini, "Eve", ["ask", "refer", "good"])
    assert main(["export", "--format", "xapi"]) == 0
    statements = json.loads(capsys.readouterr().out)
    assert [s["verb"]["display"]["en-US"] for s in statements] == ["answered", "answered", "answered", "completed"]


def test_a_configured_lrs_receives_statements_as_sessions_are_recorded(
    home: Path, ralph: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIMGAME_TEST_LRS_PASSWORD", PASSWORD)
    auth = ["--user", "trainer", "--password-env", "SIMGAME_TEST_LRS_PASSWORD"]
    assert main(["xapi", "configure", "--endpoint", ralph, *auth]) == 0
    assert PASSWORD not in (home / "lrs.json").read_text()
    assert main(["run", str(MINI), "--policy", "expert", "--record", "--player", "Kim"]) == 0
    assert f"simgame: sent 4 statements to {ralph}" in capsys.readouterr().err
    con = connect()
    [info] = list_sessions(con)
    assert len(_mine(list(_lrs(ralph).query()), {info.uid})) == 4  # 3 decisions and the completion
    assert pending(con, ralph) == []
    assert main(["xapi", "configure", "--off"]) == 0
    assert not (home / "lrs.json").exists()
    assert main(["run", str(MINI), "--policy", "expert", "--record"]) == 0
    assert "sent" not in capsys.readouterr().err


def test_sending_as_you_go_with_the_lrs_down_keeps_the_statements_queued(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SIMGAME_TEST_LRS_PASSWORD", PASSWORD)
    down = f"http://127.0.0.1:{_free_port()}/xAPI/"
    assert (
        main(
            [
                "xapi",
                "configure",
                "--endpoint",
                down,
                "--user",
                "trainer",
                "--password-env",
                "SIMGAME_TEST_LRS_PASSWORD",
            ]
        )
        == 0
    )
    assert main(["run", str(MINI), "--policy", "expert", "--record"]) == 0
    err = capsys.readouterr().err
    assert "statements stay queued" in err and "Traceback" not in err
    assert len(pending(connect(), down)) == 4
