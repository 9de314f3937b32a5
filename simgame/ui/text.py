"""Word wrapping with the bundled font, so that no line is ever wider than its column."""

from __future__ import annotations

import pygame


def wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    """Split `text` into lines no wider than `width` pixels; paragraphs (blank lines) are kept.

    A single word wider than the column is broken by characters, so even a long URL in a
    resource list cannot overflow at 200 % text.
    """
    lines: list[str] = []
    for para in text.strip().split("\n\n"):
        words = para.split()
        if not words:
            continue
        if lines:
            lines.append("")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if font.size(candidate)[0] <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while font.size(line)[0] > width and len(line) > 1:
                cut = _fit(font, line, width)
                lines.append(line[:cut])
                line = line[cut:]
        if line:
            lines.append(line)
    return lines


def _fit(font: pygame.font.Font, word: str, width: int) -> int:
    """How many leading characters of `word` fit in `width` (at least one)."""
    n = 1
    while n < len(word) and font.size(word[: n + 1])[0] <= width:
        n += 1
    return n


def ellipsize(font: pygame.font.Font, text: str, width: int) -> str:
    """`text`, shortened with an ellipsis to fit one line of `width` pixels."""
    if font.size(text)[0] <= width:
        return text
    while text and font.size(text + "…")[0] > width:
        text = text[:-1]
    return text + "…"
