"""The game loop: events -> intents -> session; draw only the view; time only animates.

`App.frame(dt)` is one iteration (events, animation, drawing), so the real loop in
`run` and the test driver in `pilot.py` run exactly the same code. Game rules live in the
session; this class only routes the player's intents to it, autosaves after every
decision, and keeps the stack of screens (a full screen, with overlays above it).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Literal

import pygame

from simgame import records, xapi
from simgame.compiler import load_scenario
from simgame.errors import ScenarioError
from simgame.scenario import Scenario
from simgame.session import LogEntry, Session
from simgame.ui import storage
from simgame.ui.screen import Screen
from simgame.ui.theme import CALM, HIGH_CONTRAST, Fonts, Theme

log = logging.getLogger(__name__)

Mode = Literal["learning", "assessment"]
DEFAULT_SIZE = (1280, 720)
CHROME_MAX_SCALE = 1.5
"""The key bar and top bar grow with the text size only to 150 %, so that at 200 % in a
small window the reading text keeps most of the screen (their labels stay >= 30 px)."""


class App:
    """One game window. Construct, then call `run()`, or step it with `frame(dt)` in tests."""

    def __init__(self, *, size: tuple[int, int] | None = None, scenario: str | Path | None = None) -> None:
        pygame.display.init()
        pygame.font.init()
        self.home = storage.data_dir()
        storage.clean_temp_files(self.home)
        self.settings = storage.Settings.load(self.home)
        self.windowed_size = size or _size_from_env() or DEFAULT_SIZE
        self.surface = self._set_mode()
        pygame.display.set_caption("simgame")
        pygame.key.stop_text_input()  # keys are commands here; no IME pop-ups, no TEXTINPUT
        self.fonts = Fonts(self.settings.scale)
        self.chrome_fonts = Fonts(min(self.settings.scale, CHROME_MAX_SCALE))
        self.running = True
        self.frames = 0
        self.play_time = 0.0
        self.stack: list[Screen] = []
        self.session: Session | None = None
        self.recorder: records.Recorder | None = None
        self.sender = xapi.LiveSender.from_config(self.home)
        """Sends statements to an LRS as the game goes, when one is configured."""
        self.scenario_path: Path | None = None
        self.mode: Mode = "learning"
        self.notice = ""
        """A message for the title screen (e.g. a save that could not be read)."""
        self.saved: storage.SaveGame | None = None
        self.save_error = ""
        self._status_file = os.environ.get("SIMGAME_STATUS_FILE")
        self._last_status = ""
        self._read_autosave()
        from simgame.ui.screens.title import TitleScreen

        self.set_screen(TitleScreen(self))
        if scenario is not None:
            self.open_prebrief(Path(scenario))

    # --- window and settings -----------------------------------------------------------

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    @property
    def theme(self) -> Theme:
        return HIGH_CONTRAST if self.settings.high_contrast else CALM

    def _set_mode(self) -> pygame.Surface:
        if self.settings.fullscreen:
            return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        return pygame.display.set_mode(self.windowed_size, pygame.RESIZABLE)

    def apply_settings(self) -> None:
        """Persist the settings and re-lay out every screen for them."""
        self.settings.save(self.home)
        fullscreen_now = bool(self.surface.get_flags() & pygame.FULLSCREEN)
        if fullscreen_now != self.settings.fullscreen:
            self.surface = self._set_mode()
        if self.fonts.scale != self.settings.scale:
            self.fonts = Fonts(self.settings.scale)
            self.chrome_fonts = Fonts(min(self.settings.scale, CHROME_MAX_SCALE))
        self.rebuild()

    def rebuild(self) -> None:
        for screen in self.stack:
            screen.build()

    # --- the screen stack --------------------------------------------------------------

    @property
    def top(self) -> Screen:
        return self.stack[-1]

    @property
    def base(self) -> Screen:
        """The full screen under any overlays."""
        for screen in reversed(self.stack):
            if not screen.overlay:
                return screen
        return self.stack[0]

    def set_screen(self, screen: Screen) -> None:
        self.stack = [screen]
        screen.build()

    def push(self, screen: Screen) -> None:
        self.stack.append(screen)
        screen.build()

    def pop(self) -> None:
        if len(self.stack) > 1:
            self.stack.pop()

    def close_overlays(self) -> None:
        while self.top.overlay and len(self.stack) > 1:
            self.stack.pop()

    def has(self, name: str) -> bool:
        return any(s.name == name for s in self.stack)

    # --- the loop ----------------------------------------------------------------------

    def run(self) -> int:
        self.settle()
        clock = pygame.time.Clock()
        while self.running:
            self.frame(clock.tick(60) / 1000)
        self._stop_recording()
        if self.sender is not None:
            self.sender.kick()
            self.sender.wait(5.0)
        pygame.quit()
        return 0

    @staticmethod
    def settle() -> None:
        """Move everything loaded so far out of the garbage collector's passes: the
        scenario, fonts and portraits live all game, and scanning them caused 10-30 ms frames."""
        gc.collect()
        gc.freeze()

    def frame(self, dt: float) -> None:
        """One iteration: handle the queued events, animate by `dt`, draw, flip."""
        for event in pygame.event.get():
            self.dispatch(event)
            if not self.running:
                return
        self.play_time += dt
        for screen in self.stack:
            screen.update(dt)
        self.draw()
        pygame.display.flip()
        self.frames += 1
        self._write_status()

    def draw(self) -> None:
        start = self.stack.index(self.base)
        for screen in self.stack[start:]:
            if screen.overlay:
                veil = pygame.Surface(self.size, pygame.SRCALPHA)
                veil.fill(self.theme.dim)
                self.surface.blit(veil, (0, 0))
            screen.draw(self.surface)

    def dispatch(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            self._resized(event)
        elif event.type == pygame.KEYDOWN and self._global_key(event):
            return
        elif event.type in (
            pygame.KEYDOWN,
            pygame.MOUSEBUTTONDOWN,
            pygame.MOUSEMOTION,
            pygame.MOUSEWHEEL,
        ):
            self.top.handle(event)

    def _resized(self, event: pygame.event.Event) -> None:
        want = getattr(event, "size", None) or (event.x, event.y)
        self.surface = pygame.display.get_surface() or self.surface
        if not self.settings.fullscreen:
            self.windowed_size = want
            if self.surface.get_size() != tuple(want):  # a posted resize (tests) or an old SDL
                self.surface = pygame.display.set_mode(want, pygame.RESIZABLE)
        self.rebuild()

    def _global_key(self, event: pygame.event.Event) -> bool:
        """Keys that work on every screen: help (F1), step out (F2 or S), hot reload (F5)."""
        if event.key in (pygame.K_F2, pygame.K_s) and not self.has("step_out"):
            self.step_out()
            return True
        if event.key == pygame.K_F5:
            self.hot_reload()
            return True
        if event.key == pygame.K_F1 and not self.has("help"):
            self.show_help()
            return True
        return False

    def _write_status(self) -> None:
        """For the end-to-end test: which screen is showing, written only when it changes."""
        if not self._status_file:
            return
        status = json.dumps(
            {
                "screens": [s.name for s in self.stack],
                "scene": self.session.state if self.session else None,
                "focus": self.top.focused.ident if self.top.focused else None,
                "size": list(self.size),
                "text_size": self.settings.text_size,
            }
        )
        if status != self._last_status:
            self._last_status = status
            storage.atomic_write_text(Path(self._status_file), status)

    # --- navigation --------------------------------------------------------------------

    def open_library(self) -> None:
        from simgame.ui.screens.library import LibraryScreen

        self.set_screen(LibraryScreen(self))

    def go_title(self) -> None:
        from simgame.ui.screens.title import TitleScreen

        self._read_autosave()
        self.set_screen(TitleScreen(self))

    def open_prebrief(self, path: Path) -> None:
        from simgame.ui.screens.overlays import MessageOverlay
        from simgame.ui.screens.prebrief import PrebriefScreen

        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            self.push(
                MessageOverlay(
                    self,
                    f"{path.name} cannot be played yet",
                    [str(i) for i in exc.issues],
                    intro="Fix these problems (or run simgame validate), then press F5.",
                )
            )
            return
        self.set_screen(PrebriefScreen(self, scenario, path))

    def step_out(self) -> None:
        from simgame.ui.screens.overlays import StepOutOverlay

        self.push(StepOutOverlay(self))

    def show_help(self) -> None:
        from simgame.ui.screens.overlays import HelpOverlay

        self.push(HelpOverlay(self))

    def open_settings(self) -> None:
        from simgame.ui.screens.overlays import SettingsOverlay

        self.push(SettingsOverlay(self))

    def quit(self) -> None:
        self.running = False

    # --- playing -----------------------------------------------------------------------

    def start(self, scenario: Scenario, path: Path, mode: Mode) -> None:
        self.session = Session(scenario, seed=0)
        self.scenario_path = path
        self.mode = mode
        self._start_recording()
        self.autosave()
        self.show_session()

    def show_session(self) -> None:
        from simgame.ui.screens.debrief import DebriefScreen
        from simgame.ui.screens.scene import SceneScreen

        assert self.session is not None
        self.set_screen(DebriefScreen(self) if self.session.is_over else SceneScreen(self))

    def choose(self, choice_id: str) -> LogEntry:
        """Take a choice, autosave, and show what follows (feedback in learning mode)."""
        assert self.session is not None
        before = self.session.scene
        entry = self.session.choose(choice_id, t=round(self.play_time, 3))
        self._record()
        saved = self.autosave()
        self.after_choice(entry, before.is_decision)
        if not saved:
            self._save_failed()
        return entry

    def after_choice(self, entry: LogEntry, decision: bool) -> None:
        from simgame.ui.screens.overlays import FeedbackOverlay
        from simgame.ui.screens.scene import SceneScreen

        assert self.session is not None
        screen = self.base
        if isinstance(screen, SceneScreen) and not self.session.is_over:
            screen.advance(entry)
        else:
            self.show_session()
        if self.mode == "learning" and decision:
            self.push(FeedbackOverlay(self, entry))

    def undo(self) -> None:
        """Try another approach (undo): learning mode only."""
        if self.session is None or self.mode != "learning" or not self.session.can_undo:
            return
        self.session.undo()
        self._record()
        saved = self.autosave()
        self.close_overlays()
        self.show_session()
        if not saved:
            self._save_failed()

    def autosave(self) -> bool:
        """Write the autosave atomically; False (and the previous save kept) if it failed."""
        if self.session is None or self.scenario_path is None:
            return True
        save = storage.SaveGame(
            str(self.scenario_path.resolve()),
            self.mode,
            self.session.snapshot(),
            self.session.scenario.title,
            self.recorder.uid if self.recorder is not None else "",
        )
        try:
            storage.write_autosave(self.home, save)
        except OSError as exc:
            log.warning("autosave failed: %s", exc)
            self.save_error = exc.strerror or str(exc)
            return False
        self.saved = save
        return True

    # --- learning records: never allowed to stop the game ------------------------------------

    def _start_recording(self) -> None:
        """Record this playthrough (learning records); a records problem is logged, not shown."""
        self._stop_recording()
        assert self.session is not None
        player = os.environ.get("SIMGAME_PLAYER", "").strip() or "Player"
        try:
            self.recorder = records.Recorder.start(self.session, player=player, mode=self.mode, frontend="window")
        except (records.RecordsError, OSError, sqlite3.Error) as exc:
            log.warning("learning records are off for this session: %s", exc)
            self.recorder = None

    def _resume_recording(self, uid: str) -> None:
        """Carry on the recorded session a save or a hot reload continues; else start anew."""
        assert self.session is not None
        if uid:
            try:
                self.recorder = records.Recorder.resume(self.session, uid)
                self._record()
                return
            except (records.RecordsError, OSError, sqlite3.Error) as exc:
                log.warning("starting a new record: %s", exc)
        self._start_recording()

    def _record(self) -> None:
        if self.recorder is None or self.session is None:
            return
        try:
            self.recorder.sync(self.session)
        except (records.RecordsError, OSError, sqlite3.Error) as exc:
            log.warning("could not record the last decision: %s", exc)
            return
        if self.sender is not None:
            self.sender.kick()

    def _stop_recording(self) -> None:
        if self.recorder is not None and self.session is not None:
            try:
                self.recorder.finish(self.session)
            except (records.RecordsError, OSError, sqlite3.Error) as exc:
                log.warning("could not close the record: %s", exc)
        self.recorder = None

    def _save_failed(self) -> None:
        from simgame.ui.screens.overlays import MessageOverlay

        self.push(
            MessageOverlay(
                self,
                "Your progress could not be saved",
                [self.save_error, f"Folder: {self.home}"],
                intro="You can keep playing; the last good save is kept and the game will try "
                "again after your next decision.",
                name="save_error",
            )
        )

    def _read_autosave(self) -> None:
        try:
            self.saved = storage.read_autosave(self.home)
        except storage.CorruptSave as exc:
            self.saved = None
            self.notice = str(exc).capitalize() + ". You can start again from Scenarios."

    def continue_game(self) -> None:
        """Resume the autosave exactly where it was."""
        save = self.saved
        if save is None:
            return
        path = Path(save.scenario_path)
        try:
            scenario = load_scenario(path)
            session = Session.restore(scenario, save.snapshot, lenient=True)
        except (ScenarioError, ValueError) as exc:
            reason = "; ".join(map(str, exc.issues[:1])) if isinstance(exc, ScenarioError) else str(exc)
            moved = storage.discard_unreadable(self.home, reason)
            self.saved = None
            self.notice = str(moved).capitalize() + "."
            self.go_title()
            return
        self.session = session
        self.scenario_path = path
        self.mode = "assessment" if save.mode == "assessment" else "learning"
        self._resume_recording(save.record_uid)
        self.show_session()

    def hot_reload(self) -> None:
        """F5: re-read the scenario file and keep the session where the edit allows."""
        from simgame.ui.screens.overlays import MessageOverlay

        self.close_overlays()
        if self.session is None or self.scenario_path is None:
            self.base.reload()  # the library rescans; the prebrief re-reads its file
            return
        try:
            scenario = load_scenario(self.scenario_path)
        except ScenarioError as exc:
            self.push(
                MessageOverlay(
                    self,
                    "The scenario has errors",
                    [str(i) for i in exc.issues],
                    intro="Your session is unchanged. Fix the file and press F5 again.",
                    name="reload_error",
                )
            )
            return
        snapshot = self.session.snapshot()
        try:
            self.session = Session.restore(scenario, snapshot, lenient=True)
        except ValueError as exc:
            self.push(MessageOverlay(self, "The session cannot be kept", [str(exc)], name="reload_error"))
            return
        self._resume_recording(self.recorder.uid if self.recorder is not None else "")
        self.autosave()
        self.show_session()


def _size_from_env() -> tuple[int, int] | None:
    """`SIMGAME_WINDOW=1024x600` sets the first window size (screenshots, small laptops)."""
    raw = os.environ.get("SIMGAME_WINDOW", "")
    try:
        w, h = (int(n) for n in raw.lower().split("x"))
    except ValueError:
        return None
    return (w, h)
