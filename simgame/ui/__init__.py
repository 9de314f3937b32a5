"""The game window: a pygame front end that draws a session and sends it the player's intents.

This package is the only part of simgame that imports pygame.
"""

from __future__ import annotations

import os


def run_game(scenario: str | None = None) -> int:
    """Open the game window (at the title, or at `scenario`'s prebrief); returns an exit code."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from simgame.ui.app import App

    path = None
    if scenario is not None:
        from simgame.cli import resolve_scenario

        path = resolve_scenario(scenario)
    return App(scenario=path).run()


__all__ = ["run_game"]
