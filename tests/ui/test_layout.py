"""Layout at every supported size and text size: nothing overflows its column or overlaps.

These are geometric checks on the laid-out items (content rectangles and the rendered line
surfaces inside them), not pixel comparisons, so they hold for any font rendering.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pygame
import pytest

from simgame.ui.pilot import Pilot
from simgame.ui.screen import Screen
from simgame.ui.widgets import Button, Item, ScrollView, TextItem

from .conftest import MINI, ROOT, StartPilot, play_to_end

SIZES = [(1024, 600), (1280, 720), (1920, 1080)]
TEXT = [100, 200]
BIG_CAST = ROOT / "scenarios" / "school_team.yaml"


def _lines_inside(item: Item, width: int) -> list[str]:
    problems = []
    if item.rect.left < 0 or item.rect.right > width:
        problems.append(f"{type(item).__name__} {item.text[:40]!r} at {item.rect} outside width {width}")
    lines = getattr(item, "lines", [])
    for surf, x, y in lines:
        if x + surf.get_width() > item.rect.width + 1 or y + surf.get_height() > item.rect.height + 2:
            problems.append(f"text of {item.text[:40]!r} overflows its box {item.rect.size}")
    return problems


def _check_view(view: ScrollView) -> list[str]:
    problems = []
    for item in view.items:
        problems += _lines_inside(item, view.viewport.width)
    buttons = [i for i in view.items if isinstance(i, Button)]
    for a, b in itertools.combinations(buttons, 2):
        if a.rect.colliderect(b.rect):
            problems.append(f"buttons {a.ident!r} and {b.ident!r} overlap")
    texts = [i for i in view.items if isinstance(i, TextItem | Button) and i.text]
    for a, b in itertools.combinations(texts, 2):
        if a.rect.colliderect(b.rect):
            problems.append(f"{a.text[:30]!r} overlaps {b.text[:30]!r}")
    return problems


def check_screen(screen: Screen, size: tuple[int, int]) -> list[str]:
    window = pygame.Rect((0, 0), size)
    problems = []
    views = list(screen.views)
    if screen.keybar is not None:
        views.append(screen.keybar)
    for v in views:
        if not window.contains(v.viewport):
            problems.append(f"view {v.viewport} leaves the window {size}")
        problems += _check_view(v)
    for a, b in itertools.combinations(views, 2):
        if a.viewport.colliderect(b.viewport):
            problems.append(f"views {a.viewport} and {b.viewport} overlap")
    panel = getattr(screen, "panel", None)
    if screen.overlay and panel is not None:
        if not window.contains(panel):
            problems.append(f"overlay panel {panel} leaves the window")
        if screen.keybar is not None and panel.colliderect(screen.keybar.viewport):
            problems.append("overlay panel covers the key bar")
    top = getattr(screen, "top_items", [])
    for item in top:
        problems += _lines_inside(item, size[0])
    for a, b in itertools.combinations(top, 2):
        if a.rect.colliderect(b.rect):
            problems.append(f"top bar {a.text!r} overlaps {b.text!r}")
    return [f"{screen.name} at {size}: {p}" for p in problems]


def visit_every_screen(pilot: Pilot, scenario: Path) -> list[str]:
    size = pilot.app.size
    problems: list[str] = []

    def check() -> None:
        problems.extend(check_screen(pilot.screen, size))

    check()  # title
    pilot.app.open_settings()
    pilot.step()
    check()
    pilot.press("escape")
    pilot.app.open_library()
    pilot.step()
    check()
    pilot.app.open_prebrief(scenario)
    pilot.step()
    check()
    pilot.press("l")
    check()  # scene
    for key in ("h", "t", "f2", "escape"):
        pilot.press(key)
        check()
        pilot.press("escape")
    pilot.press("1")
    check()  # feedback
    pilot.press("enter")
    play_to_end(pilot)
    check()  # debrief
    return problems


@pytest.mark.parametrize("text_size", TEXT)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_nothing_overflows_or_overlaps(start: StartPilot, home: Path, size: tuple[int, int], text_size: int) -> None:
    (home / "settings.json").write_text(json.dumps({"text_size": text_size}))
    scenario = BIG_CAST if BIG_CAST.exists() else MINI
    pilot = start(size=size)
    assert pilot.app.size == size and pilot.app.settings.text_size == text_size
    assert visit_every_screen(pilot, scenario) == []


def test_the_checker_catches_an_overflowing_line(start: StartPilot) -> None:
    pilot = start()
    view = pilot.screen.views[0]
    wide = pygame.Surface((view.viewport.width * 2, 10))
    view.items.append(TextItem(pygame.Rect(0, 0, 100, 20), "too wide", [(wide, 0, 0)]))
    assert any("overflows" in p for p in check_screen(pilot.screen, pilot.app.size))


def test_resizing_the_window_lays_the_screen_out_again(start: StartPilot) -> None:
    pilot = start(scenario=MINI)
    pilot.press("l")
    pilot.resize((1024, 600))
    assert pilot.app.size == (1024, 600)
    assert check_screen(pilot.screen, (1024, 600)) == []
    assert max(v.viewport.right for v in pilot.screen.views) <= 1024


def test_body_text_is_at_least_20_px_and_the_column_about_65_characters(start: StartPilot) -> None:
    pilot = start(size=(1920, 1080))
    fonts = pilot.app.fonts
    assert fonts["body"].get_height() >= 20 and fonts["small"].get_height() >= 20
    column = pilot.screen.views[0].viewport.width
    chars = column / (fonts["body"].size("abcdefghijklmnopqrstuvwxyz")[0] / 26)
    assert 55 <= chars <= 80


def test_focus_scrolls_into_view_on_a_long_page(start: StartPilot) -> None:
    pilot = start(size=(1024, 600), scenario=BIG_CAST if BIG_CAST.exists() else MINI)
    view = pilot.screen.views[0]
    assert view.scrollable and view.offset == 0
    pilot.focus_to("mode:assessment")
    focused = pilot.screen.focused
    assert focused is not None
    shown = view.screen_rect(focused)
    assert view.viewport.contains(shown)


def test_enter_with_nothing_focused_brings_the_first_action_into_view(start: StartPilot, home: Path) -> None:
    (home / "settings.json").write_text(json.dumps({"text_size": 200}))
    pilot = start(size=(1024, 600), scenario=MINI)
    assert pilot.screen.focused is None  # the start buttons are far below the prebrief text
    pilot.press("enter")
    focused = pilot.screen.focused
    assert pilot.screens == ["prebrief"] and focused is not None
    assert focused.ident == "mode:learning"
    view = pilot.screen.views[0]
    assert view.viewport.contains(view.screen_rect(focused))


def _tab_round(pilot: Pilot) -> list[str]:
    """Tab once around the screen; every focused button must be fully in view."""
    screen = pilot.screen
    idents = [b.ident for b in screen.focusables]
    seen = []
    for _ in idents:
        pilot.press("tab")
        focused = pilot.screen.focused
        assert focused is not None, f"Tab left nothing focused on {screen.name}"
        view = pilot.screen.view_of(focused)
        assert view is not None
        shown = view.screen_rect(focused)
        assert view.viewport.contains(shown) or shown.height > view.viewport.height, (
            f"{focused.ident} is focused but not in view on {screen.name}"
        )
        seen.append(focused.ident)
    assert sorted(seen) == sorted(idents), screen.name
    return seen


def test_tab_reaches_every_button_on_every_screen_and_shows_it(start: StartPilot, home: Path) -> None:
    (home / "settings.json").write_text(json.dumps({"text_size": 200}))
    pilot = start(size=(1024, 600))
    rounds = {"title": _tab_round(pilot)}
    pilot.app.open_library()
    pilot.step()
    rounds["library"] = _tab_round(pilot)
    pilot.app.open_prebrief(MINI)
    pilot.step()
    rounds["prebrief"] = _tab_round(pilot)
    pilot.press("l")
    rounds["scene"] = _tab_round(pilot)
    for key in ("h", "t", "f1", "f2", "escape"):
        pilot.press(key)
        rounds[pilot.screen.name] = _tab_round(pilot)
        pilot.press("escape")
    pilot.app.open_settings()
    pilot.step()
    rounds["settings"] = _tab_round(pilot)
    pilot.press("escape", "1")
    rounds["feedback"] = _tab_round(pilot)
    pilot.press("escape")
    play_to_end(pilot)
    rounds["debrief"] = _tab_round(pilot)
    assert set(rounds) == {
        "title",
        "library",
        "prebrief",
        "scene",
        "history",
        "team",
        "help",
        "step_out",
        "pause",
        "settings",
        "feedback",
        "debrief",
    }
    assert all(rounds.values())
