"""Shipped assets: an open font with its licence, and a CC0 portrait for every person."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from simgame.cli import SCENARIOS_DIR, scenario_files
from simgame.compiler import load_scenario
from simgame.errors import ScenarioError
from simgame.scenario import Person, Scenario
from simgame.ui.portraits import PORTRAITS_DIR, initials, portrait, portrait_path
from simgame.ui.theme import FILES, FONTS_DIR, Fonts

from .conftest import MINI


def _scenarios() -> list[Scenario]:
    out = []
    for path in [*scenario_files([SCENARIOS_DIR]), MINI]:
        try:
            out.append(load_scenario(path))
        except ScenarioError:
            continue
    return out


def test_the_bundled_font_family_and_its_licence_are_shipped() -> None:
    for name in set(FILES.values()):
        assert (FONTS_DIR / name).is_file(), name
    licence = (FONTS_DIR / "LICENSE").read_text()
    assert "Bitstream" in licence and "Permission is hereby granted" in licence


def test_fonts_load_from_the_bundle_not_the_system() -> None:
    pygame.font.init()
    fonts = Fonts(1.0)
    assert fonts["body"].name == "DejaVu Sans"
    assert fonts["italic"].style_name == "Oblique" and fonts["bold"].style_name == "Bold"


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: s.id)
def test_every_person_has_a_cc0_portrait_that_loads_as_svg(scenario: Scenario) -> None:
    pygame.display.init()
    for person in scenario.people:
        path = portrait_path(scenario, person)
        assert path is not None, f"no portrait for {scenario.id}/{person.id}: run assets/portraits/generate.mjs"
        assert "publicdomain/zero/1.0" in path.read_text()
        surf = pygame.image.load_sized_svg(path, (64, 64))
        assert surf.get_size() == (64, 64)


def test_portrait_licence_note_is_shipped() -> None:
    text = (PORTRAITS_DIR / "LICENSE.md").read_text()
    assert "CC0" in text and "DiceBear" in text


def test_a_missing_portrait_falls_back_to_initials() -> None:
    pygame.display.init()
    pygame.font.init()
    scenario = load_scenario(MINI)
    ghost = Person("ghost", "Dr. Ada Nobody", "Nurse", "", (), (), 50, Path("/nowhere.svg"))
    assert portrait_path(scenario, ghost) is None
    surf = portrait(scenario, ghost, 48, bg=(200, 200, 200), fg=(0, 0, 0), font_path=None)
    assert surf.get_size() == (48, 48)
    assert initials("Dr. Ada Nobody") == "AN" and initials("Mara") == "M"
