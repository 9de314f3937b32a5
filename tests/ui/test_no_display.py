"""Without a screen, `simgame` says how to play in the terminal instead of opening an invisible window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from simgame.ui import has_display

ROOT = Path(__file__).resolve().parents[2]


def test_has_display_rules() -> None:
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({"SDL_VIDEODRIVER": "dummy"}, "linux")
    assert has_display({}, "win32") and has_display({}, "darwin")


def test_simgame_without_a_display_points_to_the_terminal_player() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    proc = subprocess.run(
        [sys.executable, "-m", "simgame"], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    assert proc.returncode == 2
    assert "simgame play --text tutorial" in proc.stderr and "Traceback" not in proc.stderr
