"""Portraits: the scenario's own image, else the shipped CC0 SVG by convention, else initials.

Shipped portraits live at `assets/portraits/<scenario id>/<person id>.svg` so that scenario
files need not name them. SVGs are rasterised at the size asked for, so they stay crisp at
every text size. A missing or unreadable image never stops the game: a neutral disc with the
person's initials is drawn instead.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Final

import pygame

from simgame.scenario import Person, Scenario
from simgame.ui.theme import Color

log = logging.getLogger(__name__)

PORTRAITS_DIR: Final = Path(__file__).resolve().parents[2] / "assets" / "portraits"


def portrait_path(scenario: Scenario, person: Person) -> Path | None:
    """Where this person's portrait is, or None when there is none to load."""
    if person.portrait is not None and Path(person.portrait).is_file():
        return Path(person.portrait)
    conventional = PORTRAITS_DIR / scenario.id / f"{person.id}.svg"
    return conventional if conventional.is_file() else None


def initials(name: str) -> str:
    """ "Dr. Wei Chen" -> "WC": the first letters of the last two name words, titles skipped."""
    words = [w for w in name.replace(".", " ").split() if w.lower() not in {"dr", "ms", "mr", "mrs", "mx"}]
    return "".join(w[0] for w in words[-2:]).upper() or "?"


@lru_cache(maxsize=256)
def _load(path: Path, size: int) -> pygame.Surface | None:
    try:
        if path.suffix.lower() == ".svg":
            surf = pygame.image.load_sized_svg(path, (size, size))
        else:
            surf = pygame.transform.smoothscale(pygame.image.load(path), (size, size))
    except (pygame.error, OSError, ValueError) as exc:
        log.warning("portrait %s cannot be loaded: %s", path, exc)
        return None
    return surf


def placeholder(label: str, size: int, bg: Color, fg: Color, font_path: Path | None) -> pygame.Surface:
    """A disc with initials: neutral, and readable without colour."""
    surf = pygame.Surface((size, size), pygame.SRCALPHA)
    pygame.draw.circle(surf, bg, (size // 2, size // 2), size // 2)
    font = pygame.font.Font(font_path, max(8, size * 2 // 5))
    text = font.render(label, True, fg)
    surf.blit(text, text.get_rect(center=(size // 2, size // 2)))
    return surf


def portrait(
    scenario: Scenario,
    person: Person | None,
    size: int,
    *,
    bg: Color,
    fg: Color,
    font_path: Path | None,
) -> pygame.Surface:
    """The portrait of `person` (None: the player, "You") at `size` pixels square."""
    if person is not None:
        path = portrait_path(scenario, person)
        if path is not None:
            surf = _load(path, size)
            if surf is not None:
                return surf
        return placeholder(initials(person.name), size, bg, fg, font_path)
    return placeholder("You", size, bg, fg, font_path)
