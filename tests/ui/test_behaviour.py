"""Undo, settings, saves, hot reload, locked choices and the overlays, driven by real events."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from simgame.ui import storage
from simgame.ui.pilot import Pilot

from .conftest import MINI, StartPilot, play_to_end


def test_undo_in_learning_mode_returns_to_the_scene_and_is_remembered(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "3")  # "advise": oversteps
    assert pilot.screens == ["scene", "feedback"]
    pilot.press("u")
    session = pilot.app.session
    assert session is not None
    assert pilot.screens == ["scene"] and session.state == "intro" and not session.can_undo
    play_to_end(pilot)
    debrief = pilot.screen
    assert debrief.name == "debrief"
    texts = _all_text(pilot)
    assert "You also tried" in texts and "Tell her the letter is invalid." in texts


def test_no_undo_and_no_feedback_in_assessment_mode(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("a", "3")
    assert pilot.screens == ["scene"]
    pilot.press("u")
    session = pilot.app.session
    assert session is not None and session.state == "lawyer"
    assert "undo" not in [b.ident for b in pilot.screen.focusables]
    assert "key:undo" not in [b.ident for b in pilot.screen.focusables]


def test_a_locked_choice_is_shown_greyed_with_its_reason_and_refused(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "3", "enter")  # okafor trust 40 -> 30: the referral locks
    refer = pilot.screen.button("choice:refer")
    assert not refer.enabled
    pilot.press("1")
    session = pilot.app.session
    assert session is not None and session.state == "lawyer"
    assert "no longer returns your calls" in getattr(pilot.screen, "toast", "")


def test_settings_apply_at_once_and_persist_across_restarts(start: StartPilot, home: Path) -> None:
    pilot = start()
    pilot.focus_to("menu:settings")
    pilot.press("enter")
    pilot.focus_to("text_size")
    pilot.press("right", "right")
    assert pilot.app.fonts.scale == 1.5
    pilot.focus_to("contrast")
    pilot.press("enter")
    pilot.focus_to("motion")
    pilot.press("space")
    assert pilot.app.theme.name == "high contrast"
    saved = json.loads((home / "settings.json").read_text())
    assert saved == {
        "text_size": 150,
        "high_contrast": True,
        "reduced_motion": True,
        "fullscreen": False,
    }
    again = start()
    assert again.app.settings.text_size == 150 and again.app.fonts.scale == 1.5
    assert again.app.theme.name == "high contrast" and again.app.settings.reduced_motion


def test_fullscreen_setting_toggles_the_window_mode(start: StartPilot) -> None:
    pilot = start()
    pilot.app.open_settings()
    pilot.focus_to("fullscreen")
    pilot.press("enter")
    assert pilot.app.settings.fullscreen
    pilot.press("enter")
    assert not pilot.app.settings.fullscreen
    assert pilot.app.size == (1280, 720)


def test_a_corrupt_save_is_moved_aside_and_the_game_still_starts(start: StartPilot, home: Path) -> None:
    (home / "autosave.json").write_text('{"format": 1, "snapsh', encoding="utf-8")
    pilot = start()
    assert pilot.screens == ["title"]
    assert "could not be read" in pilot.app.notice
    assert not (home / "autosave.json").exists()
    assert (home / "autosave.corrupt-1.json").read_text() == '{"format": 1, "snapsh'
    assert "menu:continue" not in [b.ident for b in pilot.screen.focusables]


def test_a_save_whose_scenario_changed_is_moved_aside_on_continue(
    start: StartPilot, home: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "mini.yaml"
    shutil.copy(MINI, copy)
    pilot = start(scenario=copy)
    pilot.press("a", "1")
    copy.write_text(copy.read_text().replace("id: mini", "id: other"), encoding="utf-8")
    again = start()
    again.press("enter")
    assert again.screens == ["title"] and "could not be read" in again.app.notice
    assert (home / "autosave.corrupt-1.json").exists()


def test_autosave_is_atomic_and_stray_temp_files_are_cleaned(
    start: StartPilot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / ".tmp-leftover").write_text("half a save")
    pilot = start(scenario=MINI)
    assert not (home / ".tmp-leftover").exists()
    pilot.press("l")
    before = (home / "autosave.json").read_text()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    pilot.press("1")
    assert pilot.screens[-1] == "save_error"
    assert (home / "autosave.json").read_text() == before
    assert not list(home.glob(".tmp-*"))
    monkeypatch.undo()
    pilot.press("escape", "escape", "1")
    saved = json.loads((home / "autosave.json").read_text())
    assert saved["snapshot"]["actions"] == ["intro.ask", "lawyer.refer"]


def test_hot_reload_shows_errors_in_an_overlay_then_keeps_the_session(start: StartPilot, tmp_path: Path) -> None:
    copy = tmp_path / "mini.yaml"
    good = MINI.read_text()
    copy.write_text(good)
    pilot = start(scenario=copy)
    pilot.press("l", "1", "enter")
    session = pilot.app.session
    assert session is not None and session.state == "lawyer"
    copy.write_text(good.replace("next: end_check", "next: nowhere", 1))
    pilot.press("f5")
    assert pilot.screens == ["scene", "reload_error"]
    assert any("nowhere" in line for line in getattr(pilot.screen, "details", []))
    assert pilot.app.session is session
    copy.write_text(good.replace("Ms Okafor can see her.", "Ms Okafor can see her today."))
    pilot.press("f5")
    assert pilot.screens == ["scene"]
    reloaded = pilot.app.session
    assert reloaded is not None and reloaded is not session
    assert reloaded.state == "lawyer" and reloaded.path == ("intro.ask",)
    assert "Ms Okafor can see her today." in _all_text(pilot)


def test_step_out_is_one_key_away_everywhere(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("f2")
    assert pilot.screens == ["prebrief", "step_out"]
    pilot.press("escape", "l", "s")
    assert pilot.screens == ["scene", "step_out"]
    assert "Your local resources" in _all_text(pilot)
    pilot.press("enter")
    assert pilot.screens == ["scene"]
    pilot.press("escape")
    pilot.focus_to("step_out")
    pilot.press("enter")
    assert pilot.screens == ["scene", "pause", "step_out"]


def test_history_lists_what_was_said_and_chosen(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "1", "enter", "h")
    assert pilot.screens == ["scene", "history"]
    text = _all_text(pilot)
    assert "What do I do?" in text and "You: Ask what she wants." in text
    pilot.press("escape")
    assert pilot.screens == ["scene"]


def test_debrief_shows_the_expert_and_pearls_and_exports(start: StartPilot, home: Path) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l")
    play_to_end(pilot, policy="first")
    text = _all_text(pilot)
    assert "The expert chose the same." in text and "Trust over time" in text
    assert "What went well" in text and "What to change" in text
    pilot.press("e")
    reports = list((home / "reports").glob("mini-*.md"))
    assert len(reports) == 1 and "# Mini: the rent letter: debrief" in reports[0].read_text()


def test_library_shows_user_scenarios_and_invalid_files_as_cards(start: StartPilot, home: Path) -> None:
    user = storage.user_scenarios_dir()
    shutil.copy(MINI, user / "mini.yaml")
    (user / "broken.yaml").write_text("id: [unclosed\n")
    pilot = start()
    pilot.focus_to("menu:scenarios")
    pilot.press("enter")
    assert "card:mini" in [b.ident for b in pilot.screen.focusables]
    broken = pilot.screen.button("card:broken")
    assert not broken.enabled and "invalid: run simgame validate" in broken.label
    pilot.focus_to("card:broken")
    pilot.press("enter")
    assert pilot.screens == ["library", "message"]


def test_tab_and_shift_tab_visit_every_action_on_the_title_screen(start: StartPilot) -> None:
    pilot = start()
    idents = [b.ident for b in pilot.screen.focusables]
    forward = []
    for _ in idents:
        pilot.press("tab")
        assert pilot.screen.focused is not None
        forward.append(pilot.screen.focused.ident)
    assert sorted(forward) == sorted(idents)
    pilot.press("tab", shift=True)
    assert pilot.screen.focused is not None and pilot.screen.focused.ident == forward[-2]


def _all_text(pilot: Pilot) -> str:
    """Every word laid out on the top screen (to assert on wording, not on pixels)."""
    return " ".join(item.text for view in pilot.screen.views for item in view.items)


def _trust_shown(pilot: Pilot, person: str) -> float:
    from simgame.ui.screens.scene import SceneScreen

    scene = pilot.app.base
    assert isinstance(scene, SceneScreen)
    anim = scene.anims[f"trust:{person}"]
    return anim.value(pilot.app.settings.reduced_motion)


def test_a_trust_change_slides_then_settles_with_its_arrow(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "1")  # mara +5: 50 -> 55
    pilot.step(3)  # about 50 ms into the slide (each press is one frame too)
    mid = _trust_shown(pilot, "mara")
    assert 50 < mid < 55
    pilot.step(30)
    assert _trust_shown(pilot, "mara") == 55
    from simgame.ui.screens.scene import SceneScreen

    scene = pilot.app.base
    assert isinstance(scene, SceneScreen) and scene.anims["trust:mara"].delta == 5


def test_reduced_motion_shows_the_new_value_at_once(start: StartPilot, home: Path) -> None:
    (home / "settings.json").write_text(json.dumps({"reduced_motion": True}))
    pilot = start(scenario=MINI)
    pilot.press("l", "1")
    assert _trust_shown(pilot, "mara") == 55


def test_esc_pauses_and_resume_returns(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "escape")
    assert pilot.screens == ["scene", "pause"]
    assert pilot.screen.focused is not None and pilot.screen.focused.ident == "resume"
    pilot.press("enter")
    assert pilot.screens == ["scene"]


def test_quit_from_the_title_ends_the_loop(start: StartPilot) -> None:
    pilot = start()
    pilot.focus_to("menu:quit")
    pilot.press("enter")
    assert not pilot.app.running


def test_f1_lists_every_key(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l", "f1")
    assert pilot.screens == ["scene", "help"]
    text = _all_text(pilot)
    for key in ("Tab, Shift+Tab", "1 to 9", "F2 or S", "F5", "Esc"):
        assert key in text
    pilot.press("enter")
    assert pilot.screens == ["scene"]


def test_the_debrief_ends_with_the_scenarios_pearls_questions(start: StartPilot) -> None:
    from simgame.compiler import load_scenario

    from .conftest import ROOT

    path = ROOT / "scenarios" / "tutorial.yaml"
    scenario = load_scenario(path)
    assert scenario.debrief is not None and scenario.debrief.reactions
    pilot = start(scenario=path)
    pilot.press("a")
    play_to_end(pilot)
    text = _all_text(pilot)
    assert "Questions to talk through (PEARLS)" in text
    assert scenario.debrief.reactions[0] in text


def test_narrator_and_you_lines_show_in_the_scene_and_the_history(start: StartPilot, tmp_path: Path) -> None:
    text = MINI.read_text().replace(
        '      - {speaker: mara, text: "What do I do?"}',
        '      - {speaker: narrator, text: "Rain on the window."}\n'
        '      - {speaker: you, text: "Tell me about the letter."}\n'
        '      - {speaker: mara, text: "What do I do?"}',
    )
    assert "Rain on the window." in text
    path = tmp_path / "lines.yaml"
    path.write_text(text)
    pilot = start(scenario=path)
    pilot.press("l")
    shown = _all_text(pilot)
    assert "Rain on the window." in shown and "You, the social worker" in shown
    pilot.press("1", "enter", "h")
    history = _all_text(pilot)
    assert "Rain on the window." in history and "You: Tell me about the letter." in history
