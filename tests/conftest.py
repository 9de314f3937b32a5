"""Shared fixtures: headless SDL, a private data folder, and small scenarios."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = ROOT / "scenarios"

MINIMAL = dedent(
    """\
    format: 1
    id: t
    title: T
    summary: S
    setting: X
    minutes: 1
    version: "1"
    authors: [me]
    jurisdiction: {name: Columbia}
    role: R
    objectives: [O]
    fiction_contract: F
    client: {id: mara, name: Mara, about: A, goals: [G]}
    team:
      - {id: chen, name: Chen, profession: MD}
    meters:
      - {id: housing, label: Housing, start: 50}
    start: a
    scenes:
      - id: a
        choices:
          - {id: go, text: Go, next: b}
      - id: b
        ending: {band: better, title: Done}
    """
)
"""The smallest valid scenario; tests change one thing and expect one exact message."""


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own SIMGAME_HOME, so no test touches a real user's saves or records."""
    home = tmp_path_factory.mktemp("simgame_home")
    monkeypatch.setenv("SIMGAME_HOME", str(home))
    yield home


@pytest.fixture
def home(_private_home: Path) -> Path:
    """This test's private SIMGAME_HOME (saves, settings, records)."""
    return _private_home


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return FIXTURES / "mini.yaml"
