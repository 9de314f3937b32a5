"""A driver for the game window in the style of Textual's Pilot: real pygame events, fixed frames.

Tests and the benchmark post genuine KEYDOWN and MOUSEBUTTON events to pygame's queue and
step `App.frame` with a fixed `dt`, so they exercise exactly the code a player does.
"""

from __future__ import annotations

from pathlib import Path

import pygame

from simgame.ui.app import App
from simgame.ui.screen import Screen

FRAME = 1 / 60

KEYS = {
    "tab": pygame.K_TAB,
    "enter": pygame.K_RETURN,
    "space": pygame.K_SPACE,
    "escape": pygame.K_ESCAPE,
    "up": pygame.K_UP,
    "down": pygame.K_DOWN,
    "left": pygame.K_LEFT,
    "right": pygame.K_RIGHT,
    "pageup": pygame.K_PAGEUP,
    "pagedown": pygame.K_PAGEDOWN,
    "home": pygame.K_HOME,
    "end": pygame.K_END,
    "f1": pygame.K_F1,
    "f2": pygame.K_F2,
    "f5": pygame.K_F5,
}


class Pilot:
    """Drives one `App`."""

    def __init__(self, app: App, *, dt: float = FRAME) -> None:
        self.app = app
        self.dt = dt
        pygame.event.clear()
        self.step()

    @classmethod
    def start(cls, *, size: tuple[int, int] = (1280, 720), scenario: str | Path | None = None) -> Pilot:
        return cls(App(size=size, scenario=scenario))

    @property
    def screen(self) -> Screen:
        return self.app.top

    @property
    def screens(self) -> list[str]:
        return [s.name for s in self.app.stack]

    def step(self, frames: int = 1) -> None:
        for _ in range(frames):
            self.app.frame(self.dt)

    def press(self, *keys: str, shift: bool = False) -> None:
        """Press keys by name: "tab", "enter", "1", "h", "f5", ... one frame each."""
        for name in keys:
            key = KEYS.get(name) or pygame.key.key_code(name)
            mod = pygame.KMOD_SHIFT if shift else pygame.KMOD_NONE
            char = name if len(name) == 1 else ""
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=char, scancode=0))
            pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode=char, scancode=0))
            self.step()

    def click(self, pos: tuple[int, int], button: int = 1) -> None:
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))
        self.step()

    def click_button(self, ident: str) -> None:
        """Click the centre of a button (scrolling it into view first, as a player would)."""
        b = self.screen.button(ident)
        view = self.screen.view_of(b)
        assert view is not None
        view.ensure_visible(b.rect)
        self.click(view.screen_rect(b).center)

    def focus_to(self, ident: str, *, limit: int = 200) -> None:
        """Press Tab until `ident` has the focus (fails if the Tab order never reaches it)."""
        for _ in range(limit):
            f = self.screen.focused
            if f is not None and f.ident == ident:
                return
            self.press("tab")
        raise AssertionError(f"Tab never reached {ident!r} on {self.screen.name}")

    def resize(self, size: tuple[int, int]) -> None:
        pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1]))
        self.step()
