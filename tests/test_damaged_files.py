"""A damaged records database or save never stops anyone: it is moved aside (never deleted) and work goes on."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from simgame import records


def test_damaged_database_is_moved_aside_and_a_new_one_started(
    _private_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = records.records_path()
    db.write_bytes(b"this is not a database, it is a student's essay" * 100)
    with caplog.at_level(logging.WARNING, logger="simgame.records"):
        con = records.connect()
    assert records.list_sessions(con) == []
    moved = db.with_name("records.corrupt-1.sqlite")
    assert moved.read_bytes().startswith(b"this is not a database")
    assert f"it was moved to {moved}" in caplog.text
    con.close()
    db.write_bytes(b"\x00" * 4096)  # a second damaged file gets the next free name
    with caplog.at_level(logging.WARNING, logger="simgame.records"):
        records.connect().close()
    assert db.with_name("records.corrupt-2.sqlite").exists() and moved.exists()


def test_cli_says_so_in_plain_words_and_carries_on(_private_home: Path) -> None:
    (records.records_path()).write_text("garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "simgame", "run", str(FIXTURES / "mini.yaml"), "--record", "--policy", "expert"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "simgame: the records database" in proc.stderr and "was moved to" in proc.stderr
    assert "Traceback" not in proc.stderr
    con = records.connect()
    assert len(records.list_sessions(con)) == 1
