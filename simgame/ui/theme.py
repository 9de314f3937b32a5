"""Colours, fonts and spacing in one place; high contrast is a separate theme, not a tweak.

Sizes are given at 100 % text and multiplied by the player's text size, so a single number
(`Settings.text_size`) scales type, line height, padding and portraits together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import pygame

FONTS_DIR: Final = Path(__file__).resolve().parents[2] / "assets" / "fonts"
Color = tuple[int, int, int]
Style = Literal["body", "italic", "bold", "small", "small_bold", "heading", "title"]


@dataclass(frozen=True, slots=True)
class Theme:
    """A palette. Every text colour keeps at least 4.5:1 contrast on its background."""

    name: str
    bg: Color
    panel: Color
    card: Color
    border: Color
    text: Color
    muted: Color
    accent: Color
    accent_text: Color
    """Text drawn on an accent-filled background."""
    locked: Color
    focus: Color
    up: Color
    down: Color
    chip: Color
    dim: tuple[int, int, int, int]
    """The veil drawn over a screen beneath an overlay."""


CALM: Final = Theme(
    name="calm",
    bg=(247, 243, 236),
    panel=(239, 233, 223),
    card=(252, 250, 246),
    border=(205, 196, 182),
    text=(38, 50, 62),
    muted=(84, 96, 108),
    accent=(36, 104, 110),
    accent_text=(255, 255, 255),
    locked=(104, 112, 120),
    focus=(196, 98, 16),
    up=(30, 110, 60),
    down=(150, 60, 40),
    chip=(222, 234, 232),
    dim=(38, 50, 62, 150),
)

HIGH_CONTRAST: Final = Theme(
    name="high contrast",
    bg=(0, 0, 0),
    panel=(16, 16, 16),
    card=(0, 0, 0),
    border=(255, 255, 255),
    text=(255, 255, 255),
    muted=(235, 235, 235),
    accent=(255, 230, 0),
    accent_text=(0, 0, 0),
    locked=(200, 200, 200),
    focus=(0, 255, 255),
    up=(120, 255, 120),
    down=(255, 160, 120),
    chip=(40, 40, 0),
    dim=(0, 0, 0, 200),
)

BASE_SIZES: Final[dict[Style, int]] = {
    "body": 22,
    "italic": 22,
    "bold": 22,
    "small": 20,
    "small_bold": 20,
    "heading": 28,
    "title": 44,
}
FILES: Final[dict[Style, str]] = {
    "body": "DejaVuSans.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "small": "DejaVuSans.ttf",
    "small_bold": "DejaVuSans-Bold.ttf",
    "heading": "DejaVuSans-Bold.ttf",
    "title": "DejaVuSans-Bold.ttf",
}


class Fonts:
    """The bundled font at every style for one text scale, with a small render cache.

    The cache holds rendered strings (numbers on meters, key hints) so that frames only
    blit; paragraphs are laid out once per state change by `text.wrap` instead.
    """

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._fonts: dict[Style, pygame.font.Font] = {}
        for style, size in BASE_SIZES.items():
            path = FONTS_DIR / FILES[style]
            self._fonts[style] = pygame.font.Font(path if path.exists() else None, round(size * scale))
        self._cache: dict[tuple[Style, str, Color], pygame.Surface] = {}

    def __getitem__(self, style: Style) -> pygame.font.Font:
        return self._fonts[style]

    def line_height(self, style: Style) -> int:
        """Line spacing of about 1.4 for reading text (screens.md)."""
        return round(self._fonts[style].get_height() * 1.3)

    def px(self, n: float) -> int:
        """A spacing in pixels at this text scale."""
        return max(1, round(n * self.scale))

    def render(self, style: Style, text: str, color: Color) -> pygame.Surface:
        key = (style, text, color)
        surf = self._cache.get(key)
        if surf is None:
            if len(self._cache) > 2000:
                self._cache.clear()
            surf = self._cache[key] = self._fonts[style].render(text, True, color)
        return surf
