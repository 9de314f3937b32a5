"""Fixtures for the game-window tests: a headless app driven by real pygame events."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from simgame.runner import expert_policy
from simgame.ui.pilot import Pilot

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"

StartPilot = Callable[..., Pilot]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.ui)


@pytest.fixture
def start() -> Iterator[StartPilot]:
    """Start an app (several may be started in turn, as after a restart)."""
    pilots: list[Pilot] = []

    def make(**kwargs: object) -> Pilot:
        pilot = Pilot.start(**kwargs)  # type: ignore[arg-type]
        pilots.append(pilot)
        return pilot

    yield make
    pygame.display.quit()


def expert_number(pilot: Pilot) -> str:
    """The number key of the expert's choice in the current scene (else the first available)."""
    session = pilot.app.session
    assert session is not None
    wanted = expert_policy(session).id
    return str(next(v.number for v in session.choices() if v.id == wanted))


def play_to_end(pilot: Pilot, *, policy: str = "expert", limit: int = 200) -> list[str]:
    """Press number keys (and Enter on feedback) until the debrief; returns the screens seen."""
    seen = []
    for _ in range(limit):
        if pilot.screen.name == "debrief":
            return seen
        if pilot.screen.name == "feedback":
            pilot.press("enter")
            seen.append("feedback")
            continue
        assert pilot.screen.name == "scene", pilot.screens
        key = expert_number(pilot) if policy == "expert" else _first_available(pilot)
        pilot.press(key)
        seen.append("scene")
    raise AssertionError(f"no debrief after {limit} key presses; at {pilot.screens}")


def _first_available(pilot: Pilot) -> str:
    session = pilot.app.session
    assert session is not None
    return str(next(v.number for v in session.choices() if v.available))
