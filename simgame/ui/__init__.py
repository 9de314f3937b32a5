"""The game window: a pygame front end that draws a session and sends it the player's intents.

This package is the only part of simgame that imports pygame.
"""

from __future__ import annotations

import os
import sys

NO_DISPLAY = (
    "simgame: no screen to open the game window on (no desktop session found).\n"
    "Play the same scenarios in the terminal instead:\n"
    "  simgame play --text tutorial\n"
    "'simgame list' shows them."
)


def has_display(env: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether a window can be shown: always on Windows and macOS; on Linux and the BSDs only
    inside an X11 or Wayland session, or when SDL_VIDEODRIVER names a driver explicitly (the
    tests' dummy driver). Without this, SDL falls back to an invisible window and the game
    seems to hang."""
    env = dict(os.environ) if env is None else env
    if platform.startswith(("win", "darwin")) or env.get("SDL_VIDEODRIVER"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def run_game(scenario: str | None = None) -> int:
    """Open the game window (at the title, or at `scenario`'s prebrief); returns an exit code."""
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from simgame.ui.app import App

    path = None
    if scenario is not None:
        from simgame.cli import resolve_scenario

        path = resolve_scenario(scenario)
    return App(scenario=path).run()


__all__ = ["run_game"]
