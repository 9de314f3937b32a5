"""The window records every decision in the learning records, and a resumed game continues its record."""

from __future__ import annotations

import json
from pathlib import Path

import pygame
import pytest

from simgame import records

from .conftest import MINI, StartPilot, play_to_end


def test_window_records_each_decision_as_it_happens(
    start: StartPilot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIMGAME_PLAYER", "Robin")
    pilot = start(scenario=MINI)
    pilot.press("a", "1")
    con = records.connect()
    [info] = records.list_sessions(con)
    assert (info.player, info.scenario_id, info.mode, info.frontend, info.status) == (
        "Robin",
        "mini",
        "assessment",
        "window",
        "playing",
    )
    kinds = [e.kind for e in records.read_log(con, info.id)]
    assert kinds.count("choice_made") == 1
    play_to_end(pilot)
    [info] = records.list_sessions(con)
    assert info.status == "ended" and info.ending is not None


def test_resume_after_a_restart_continues_the_same_record(start: StartPilot, home: Path) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "1", "enter")
    uid = json.loads((home / "autosave.json").read_text())["record_uid"]
    assert uid
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    pilot.step()

    again = start()
    again.press("enter")  # Continue
    assert again.screens == ["scene"]
    play_to_end(again)
    con = records.connect()
    [info] = records.list_sessions(con)  # one record, not two
    assert info.uid == uid and info.status == "ended"
    assert [e.kind for e in records.read_log(con, info.id)].count("choice_made") == 3


def test_with_an_lrs_configured_the_window_sends_as_it_goes_and_an_outage_costs_nothing(
    start: StartPilot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from simgame import xapi

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here: the LRS is "down"
    endpoint = f"http://127.0.0.1:{port}/xAPI/"
    monkeypatch.setenv("LRS_PW", "secret")
    xapi.write_live_config(home, xapi.LiveConfig(endpoint, "trainer", "LRS_PW"))
    pilot = start(scenario=MINI)
    assert pilot.app.sender is not None
    pilot.press("l")
    play_to_end(pilot)
    result = pilot.app.sender.wait(10)
    assert result is not None and result.error is not None and "cannot connect" in result.error
    assert len(xapi.pending(records.connect(), endpoint)) == 4  # queued for later, nothing lost
