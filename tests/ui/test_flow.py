"""Title screen to debrief with the keyboard: every shipped scenario, both modes, and restarts."""

from __future__ import annotations

import json
from pathlib import Path

import pygame
import pytest

from simgame.cli import SCENARIOS_DIR, scenario_files
from simgame.compiler import load_scenario
from simgame.errors import ScenarioError
from simgame.runner import expert_policy, play_out

from .conftest import MINI, StartPilot, expert_number, play_to_end


def _valid_shipped() -> list[Path]:
    out = []
    for path in scenario_files([SCENARIOS_DIR]):
        try:
            load_scenario(path)
        except ScenarioError:
            continue
        out.append(path)
    return out


SHIPPED = _valid_shipped()


def test_there_are_shipped_scenarios_to_play() -> None:
    assert SHIPPED, "no valid scenario in scenarios/: the flow tests below would test nothing"


@pytest.mark.parametrize("mode", ["learning", "assessment"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_keyboard_only_from_title_to_debrief(start: StartPilot, path: Path, mode: str) -> None:
    pilot = start()
    assert pilot.screens == ["title"]
    pilot.focus_to("menu:scenarios")
    pilot.press("enter")
    assert pilot.screens == ["library"]
    scenario = load_scenario(path)
    pilot.focus_to(f"card:{scenario.id}")
    pilot.press("enter")
    assert pilot.screens == ["prebrief"]
    pilot.focus_to(f"mode:{mode}")
    pilot.press("space")
    assert pilot.app.mode == mode
    seen = play_to_end(pilot)
    assert pilot.screens == ["debrief"]
    session = pilot.app.session
    assert session is not None and session.is_over
    assert session.path == play_out(scenario, expert_policy).path
    assert ("feedback" in seen) == (mode == "learning")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_pressing_1_every_time_reaches_the_debrief(start: StartPilot, path: Path) -> None:
    pilot = start(scenario=path)
    pilot.press("a")
    play_to_end(pilot, policy="first")
    assert pilot.screens == ["debrief"]


def test_quit_mid_scenario_then_continue_after_a_restart(start: StartPilot, home: Path) -> None:
    pilot = start(scenario=MINI)
    pilot.press("a", "1")
    session = pilot.app.session
    assert session is not None and session.state == "lawyer"
    path_before = session.path
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    pilot.step()
    assert not pilot.app.running
    saved = json.loads((home / "autosave.json").read_text())
    assert saved["mode"] == "assessment"

    again = start()
    assert again.screens == ["title"]
    assert again.screen.focused is not None and again.screen.focused.ident == "menu:continue"
    again.press("enter")
    assert again.screens == ["scene"]
    resumed = again.app.session
    assert resumed is not None
    assert (resumed.state, resumed.path, again.app.mode) == ("lawyer", path_before, "assessment")


def test_save_and_return_to_title_from_pause_then_continue(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "1", "enter")
    pilot.press("escape")
    assert pilot.screens == ["scene", "pause"]
    pilot.focus_to("save_title")
    pilot.press("enter")
    assert pilot.screens == ["title"]
    pilot.press("enter")  # Continue has the focus
    assert pilot.screens == ["scene"] and pilot.app.session is not None
    assert pilot.app.session.state == "lawyer"


def test_mouse_clicks_work_too(start: StartPilot) -> None:
    pilot = start()
    pilot.click_button("menu:settings")
    assert pilot.screens == ["title", "settings"]
    pilot.click_button("done")
    pilot.click_button("menu:scenarios")
    assert pilot.screens == ["library"]
    pilot = start(scenario=MINI)
    pilot.click_button("mode:learning")
    pilot.click_button("choice:advise")
    assert pilot.screens == ["scene", "feedback"]
    pilot.click_button("continue")
    assert pilot.app.session is not None and pilot.app.session.state == "lawyer"


def test_expert_number_helper_follows_the_expert(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l")
    assert expert_number(pilot) == "1"  # "ask" is the expert's choice and the first
