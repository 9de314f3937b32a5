"""Crash safety: a process killed with SIGKILL while it writes saves and records, 200 times.

Each round forks a child that keeps writing the autosave (atomically) and recording
decisions, kills it at a random moment, then checks what a restart would find: the
autosave is a whole, readable save (the previous one or the new one, never half of one),
the records database passes integrity_check with every committed decision readable, and
the temp files a killed write leaves are cleaned up at the next start.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import FIXTURES

from simgame import Session, load_scenario, records
from simgame.runner import random_policy
from simgame.ui import storage

ROUNDS = 200


def _child(home: Path, round_no: int) -> None:  # pragma: no cover - runs in the forked child
    try:
        sc = load_scenario(FIXTURES / "mini.yaml")
        con = records.connect(home / "records.sqlite")
        while True:
            session = Session(sc, seed=round_no)
            rec = records.Recorder.start(session, player=f"p{round_no}", con=con)
            while not session.is_over:
                session.choose(random_policy(session).id)
                rec.sync(session)
                save = storage.SaveGame(str(FIXTURES / "mini.yaml"), "learning", session.snapshot(), "Mini" * 200)
                storage.write_autosave(home, save)
    finally:
        os._exit(0)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_kill_minus_9_during_autosave_and_record_writes(_private_home: Path) -> None:
    home = _private_home
    rng = random.Random(9)
    sc = load_scenario(FIXTURES / "mini.yaml")
    kills_mid_write = 0
    for round_no in range(ROUNDS):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            _child(home, round_no)
        time.sleep(rng.uniform(0.002, 0.04))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

        leftovers = [p for p in home.iterdir() if p.name.startswith(".tmp-")]
        kills_mid_write += bool(leftovers)
        cleaned = storage.clean_temp_files(home)  # what the game does at start
        assert sorted(cleaned) == sorted(leftovers)
        assert not [p for p in home.iterdir() if p.name.startswith(".tmp-")]

        save = storage.read_autosave(home)  # raises CorruptSave on a half-written file
        if save is not None:
            restored = Session.restore(sc, save.snapshot)  # replays every saved decision
            assert list(restored.path) == save.snapshot["actions"]  # the child never undoes

        con = sqlite3.connect(home / "records.sqlite")
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        rcon = records.connect(home / "records.sqlite")
        for info in records.list_sessions(rcon):
            log = records.read_log(rcon, info.id)
            assert [e.step for e in log if e.kind == "choice_made"] == list(
                range(1, 1 + sum(e.kind == "choice_made" for e in log))
            )
        rcon.close()
    # the loop is only a test of crash safety if some kills landed in the middle of a write
    assert kills_mid_write > 0
