"""End to end in a real X window: start `simgame` on a private Xvfb display, drive it with
xdotool keys, and save a screenshot of every screen at each size and at 200 % text.

The window is found by its class (`SDL_VIDEO_X11_WMCLASS`), since xdotool cannot match SDL
window names. The app writes which screen it shows to `SIMGAME_STATUS_FILE`; the test polls
that instead of sleeping blindly. Screenshots go to `screenshots/` (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from simgame.compiler import load_scenario
from simgame.errors import ScenarioError
from simgame.runner import expert_policy
from simgame.session import Session

from .conftest import MINI, ROOT

TOOLS = ("Xvfb", "xdotool", "import")
MISSING = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"needs {', '.join(MISSING)}: apt-get install -y xvfb xdotool imagemagick x11-utils",
    ),
]
SHOTS = ROOT / "screenshots"
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
CONFIGS = [
    ((1280, 720), 100, False),
    ((1024, 600), 100, False),
    ((1920, 1080), 100, False),
    ((1280, 720), 200, False),
    ((1024, 600), 200, False),
    ((1280, 720), 100, True),
]


@dataclass
class Display:
    number: int
    proc: subprocess.Popen[bytes]

    @property
    def name(self) -> str:
        return f":{self.number}"


@pytest.fixture
def xvfb(request: pytest.FixtureRequest) -> Iterator[Callable[[tuple[int, int]], Display]]:
    started: list[Display] = []

    def start(size: tuple[int, int]) -> Display:
        r, w = os.pipe()
        proc = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(w),
                "-screen",
                "0",
                f"{size[0]}x{size[1]}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(w,),
            stderr=subprocess.DEVNULL,
        )
        os.close(w)
        with os.fdopen(r) as f:
            number = int(f.readline().strip())
        display = Display(number, proc)
        started.append(display)
        return display

    yield start
    for d in started:
        d.proc.terminate()
        d.proc.wait(timeout=10)


class Game:
    """One `simgame` process on a display, with key presses and status polling."""

    def __init__(self, display: Display, home: Path, size: tuple[int, int], args: list[str]) -> None:
        self.display = display
        self.status_file = home / "status.json"
        self.status_file.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SDL_")}
        env |= {
            "DISPLAY": display.name,
            "SDL_VIDEODRIVER": "x11",
            "SDL_AUDIODRIVER": "dummy",
            "SDL_VIDEO_X11_WMCLASS": "simgame",
            "SIMGAME_HOME": str(home),
            "SIMGAME_WINDOW": f"{size[0]}x{size[1]}",
            "SIMGAME_STATUS_FILE": str(self.status_file),
        }
        self.env = env
        self.log = (home / "app.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simgame", *args],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        found = self.xdo("search", "--sync", "--class", "simgame", timeout=20)
        self.window = found.split()[0]
        self.xdo("mousemove", "5", "5")
        self.wait(lambda s: bool(s.get("screens")))

    def xdo(self, *args: str, timeout: float = 10) -> str:
        out = subprocess.run(
            ["xdotool", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
        return out.stdout

    def status(self) -> dict[str, Any]:
        try:
            data = json.loads(self.status_file.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def wait(self, ok: Callable[[dict[str, Any]], bool], what: str = "", timeout: float = 15) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            s = self.status()
            if s and ok(s):
                return s
            if self.proc.poll() is not None:
                raise AssertionError(f"simgame exited with {self.proc.returncode} waiting for {what}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; status is {self.status()}")

    def key(self, name: str, until: Callable[[dict[str, Any]], bool] | None = None, what: str = "") -> None:
        before = self.status()
        self.xdo("key", name)
        self.wait(until or (lambda s: s != before), what or f"a change after {name}")

    def screens(self) -> list[str]:
        return list(self.status().get("screens", []))

    def tab_to(self, ident: str) -> None:
        for _ in range(60):
            if self.status().get("focus") == ident:
                return
            self.key("Tab")
        raise AssertionError(f"Tab never reached {ident}")

    def shot(self, folder: Path, name: str) -> Path:
        time.sleep(0.1)  # the status is written after the flip; let X settle
        path = folder / f"{name}.png"
        subprocess.run(["import", "-window", "root", str(path)], env=self.env, check=True, timeout=20)
        return path

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.log.close()


def _top(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: bool(s.get("screens")) and s["screens"][-1] == name


def _expert_key(session: Session) -> tuple[str, str]:
    choice = expert_policy(session)
    number = next(v.number for v in session.choices() if v.id == choice.id)
    return str(number), choice.id


@pytest.mark.parametrize(
    ("size", "text", "contrast"),
    CONFIGS,
    ids=[f"{s[0]}x{s[1]}-{t}{'-hc' if c else ''}" for s, t, c in CONFIGS],
)
def test_every_screen_in_a_real_window(
    xvfb: Callable[[tuple[int, int]], Display],
    tmp_path: Path,
    size: tuple[int, int],
    text: int,
    contrast: bool,
) -> None:
    home = tmp_path / "home"
    (home / "scenarios").mkdir(parents=True)
    try:
        scenario = load_scenario(TUTORIAL)
    except ScenarioError:  # the tutorial is being edited: play the fixture from the user folder
        shutil.copy(MINI, home / "scenarios" / "mini.yaml")
        scenario = load_scenario(MINI)
    (home / "scenarios" / "draft.yaml").write_text("id: draft\ntitle: [unfinished\n")
    (home / "settings.json").write_text(json.dumps({"text_size": text, "high_contrast": contrast}))
    folder = SHOTS / f"{size[0]}x{size[1]}-{text}{'-hc' if contrast else ''}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    game = Game(xvfb(size), home, size, [])
    try:
        assert game.status()["size"] == list(size)
        game.shot(folder, "01-title")
        game.tab_to("menu:scenarios")
        game.key("Return", _top("library"))
        game.shot(folder, "02-library")
        game.tab_to("card:draft")
        game.key("Return", _top("message"))
        game.shot(folder, "03-invalid-scenario")
        game.key("Escape", _top("library"))
        game.tab_to(f"card:{scenario.id}")
        game.key("Return", _top("prebrief"))
        game.shot(folder, "04-prebrief")
        game.key("l", _top("scene"))
        game.shot(folder, "05-scene")
        session = Session(scenario)
        while True:  # to the first decision, and its feedback
            key, cid = _expert_key(session)
            entry = session.choose(cid)
            game.key(key, lambda s: s.get("scene") == session.state, "the next scene")
            if scenario.scenes[entry.scene].is_decision:
                assert game.screens()[-1] == "feedback"
                game.shot(folder, "06-feedback")
                game.key("Return", _top("scene"))
                break
        game.shot(folder, "07-scene-after-a-decision")
        for key_name, screen, name in (
            ("h", "history", "08-history"),
            ("t", "team", "09-team"),
            ("F2", "step_out", "10-step-out"),
            ("Escape", "pause", "11-pause"),
        ):
            game.key(key_name, _top(screen))
            game.shot(folder, name)
            if screen != "pause":
                game.key("Escape", _top("scene"))
        game.tab_to("settings")
        game.key("Return", _top("settings"))
        game.shot(folder, "12-settings")
        game.key("Escape", _top("pause"))
        game.key("Escape", _top("scene"))
        game.key("F1", _top("help"))
        game.shot(folder, "12b-keys-help")
        game.key("Escape", _top("scene"))
        while not session.is_over:
            if game.screens()[-1] == "feedback":
                game.key("Return", _top("scene"))
            key, cid = _expert_key(session)
            session.choose(cid)
            game.key(key, lambda s: s.get("scene") == session.state, "the next scene")
        if game.screens()[-1] == "feedback":
            game.key("Return", _top("debrief"))
        assert game.screens() == ["debrief"]
        game.shot(folder, "13-debrief")
        game.key("End", lambda s: True)
        game.shot(folder, "14-debrief-end")
        game.key("Escape", _top("pause"))
        game.tab_to("save_quit")
        game.xdo("key", "Return")
        assert game.proc.wait(timeout=10) == 0
    finally:
        game.close()
    assert len(list(folder.glob("*.png"))) >= 12


def test_quit_mid_scenario_and_resume_in_a_real_window(
    xvfb: Callable[[tuple[int, int]], Display], tmp_path: Path
) -> None:
    size = (1280, 720)
    display = xvfb(size)
    home = tmp_path / "home"
    home.mkdir()
    copy = tmp_path / "mini.yaml"
    good = MINI.read_text()
    copy.write_text(good)
    game = Game(display, home, size, ["play", str(copy)])
    try:
        game.wait(_top("prebrief"), "the prebrief")
        game.key("l", _top("scene"))
        game.key("1", _top("feedback"))
        game.key("Return", _top("scene"))
        assert game.status()["scene"] == "lawyer"
        copy.write_text(good.replace("next: end_check", "next: nowhere", 1))
        game.key("F5", _top("reload_error"))
        game.shot(SHOTS, "hot-reload-error")
        copy.write_text(good)
        game.key("F5", _top("scene"))
        assert game.status()["scene"] == "lawyer"
        game.key("Escape", _top("pause"))
        game.tab_to("save_quit")
        game.xdo("key", "Return")
        assert game.proc.wait(timeout=10) == 0
    finally:
        game.close()
    again = Game(display, home, size, [])
    try:
        assert again.status()["focus"] == "menu:continue"
        again.key("Return", _top("scene"))
        assert again.status()["scene"] == "lawyer"
        again.shot(SHOTS, "resumed-after-restart")
    finally:
        again.close()
