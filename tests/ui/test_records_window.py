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
