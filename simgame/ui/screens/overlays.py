"""Overlays over a screen: feedback, history, team, pause, settings, step out, messages.

Each is a page in a centred panel; Esc closes it, and the key bar says what its keys do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pygame

from simgame.session import LogEntry
from simgame.textplay import describe_change
from simgame.ui.page import PageScreen
from simgame.ui.screen import Hint
from simgame.ui.storage import TEXT_SIZES
from simgame.ui.widgets import Ctx, Flow

if TYPE_CHECKING:
    from simgame.ui.app import App


class Overlay(PageScreen):
    overlay = True

    def back(self) -> None:
        self.app.pop()

    def default_action(self) -> None:
        self.back()

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("Tab", "move"),
            Hint("Enter", "select"),
            Hint("Esc", "close", self.back, "key:close"),
        )


class FeedbackOverlay(Overlay):
    """Learning mode: what happened, what changed, and why it matters."""

    name = "feedback"

    def __init__(self, app: App, entry: LogEntry) -> None:
        super().__init__(app)
        self.entry = entry
        scenario = app.session.scenario if app.session else None
        assert scenario is not None
        self.scenario = scenario
        self.choice = scenario.scenes[entry.scene].choice(entry.choice or "")
        self.title = "You chose: " + self.choice.text

    def content(self, flow: Flow) -> None:
        t, ch = self.app.theme, self.choice
        if ch.feedback:
            flow.text("What happened", "small_bold", t.muted, after=2)
            flow.text(ch.feedback.outcome)
        change = describe_change(self.scenario, self.entry.change)
        if change:
            parts = [p.strip() for p in change.split(",")]
            flow.text("What changed", "small_bold", t.muted, after=2)
            for p in parts:
                flow.text(_arrowed(p), "bold", after=2)
            flow.space(6)
        if ch.oversteps:
            flow.text(f"Outside your role: {ch.oversteps}.", "body", t.down)
        if ch.breach:
            flow.text(f"A breach of practice: {ch.breach}.", "body", t.down)
        if ch.feedback:
            flow.text("Why it matters", "small_bold", t.muted, after=2)
            flow.text(ch.feedback.teaching)
        flow.space(4)
        flow.button("Continue", self.back, ident="continue", kind="primary")
        if self.app.session is not None and self.app.session.can_undo:
            flow.button("Try another approach", self.app.undo, ident="undo")

    def on_key(self, event: pygame.event.Event) -> bool:
        if event.key == pygame.K_u:
            self.app.undo()
            return True
        return False

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("Enter", "continue", self.back, "key:continue"),
            Hint("U", "try another approach", self.app.undo, "key:undo", "undo"),
            Hint("Tab", "move"),
            Hint("Esc", "close", self.back, "key:close"),
        )


def _arrowed(part: str) -> str:
    """ "Ms Reyes trust +3" -> "Ms Reyes trust ▲ +3": direction shown by shape as well as sign."""
    for sign, arrow in (("+", "▲"), ("-", "▼")):
        head, sep, num = part.rpartition(" " + sign)
        if sep and num.isdigit():
            return f"{head} {arrow} {sign}{num}"
    return part


class HistoryOverlay(Overlay):
    """Everything said and chosen so far, oldest first."""

    name = "history"
    title = "History"

    def content(self, flow: Flow) -> None:
        s, t = self.app.session, self.app.theme
        if s is None:
            return
        sc = s.scenario
        learning = self.app.mode == "learning"
        for e in s.log:
            scene = sc.scenes[e.scene]
            if e.kind == "choice_made":
                if scene.text:
                    flow.text(scene.text, "italic", t.muted)
                for line in scene.lines:
                    if line.speaker == "narrator":
                        flow.text(line.text, "italic")
                        continue
                    who = "You" if line.speaker == "you" else sc.person(line.speaker).name
                    flow.text(f"{who}: {line.text}", "body")
                flow.text("You: " + scene.choice(e.choice or "").text, "bold")
                change = describe_change(sc, e.change)
                if learning and change:
                    flow.text(change, "small", t.muted)
                flow.space(8)
            elif e.kind == "undone":
                flow.text(f"You took that back ({scene.title or e.scene}).", "small", t.muted)
            elif e.kind == "consequence":
                cq = next(c for c in scene.consequences if c.id == e.target)
                if cq.text:
                    flow.text(cq.text, "italic")
            elif e.kind == "event_fired":
                ev = next(x for x in sc.events if x.id == e.target)
                if ev.text:
                    flow.text(ev.text, "italic")
        if not s.log:
            flow.text("Nothing has happened yet.", "body", t.muted)
        flow.button("Close", self.back, ident="close")

    def layout(self) -> None:
        super().layout()
        view = self.main_view
        if view is not None:
            view.offset = view.max_offset  # the newest at the bottom, in view

    def hints(self) -> Sequence[Hint]:
        return (Hint("↑↓", "scroll"), Hint("Esc", "close", self.back, "key:close"))


class TeamOverlay(Overlay):
    """The team and the outcomes as text, for narrow windows and large text."""

    name = "team"
    title = "The team and the client's outcomes"

    def content(self, flow: Flow) -> None:
        s, t = self.app.session, self.app.theme
        if s is None:
            return
        sc = s.scenario
        for p in sc.people:
            role = "client" if p.is_client else p.profession
            flow.text(f"{p.name}, {role}: trust {s.trust[p.id]} of 100", "body")
        flow.space(8)
        for m in sc.meters:
            flow.text(f"{m.label}: {s.meters[m.id]} (from {m.min} to {m.max})", "body")
        if sc.clock:
            of = f" of {sc.clock.deadline}" if sc.clock.deadline is not None else ""
            flow.text(f"{sc.clock.label}: {sc.clock.unit} {s.clock}{of}", "body", t.muted)
        flow.button("Close", self.back, ident="close")


class PauseOverlay(Overlay):
    name = "pause"
    title = "Paused"

    def content(self, flow: Flow) -> None:
        t = self.app.theme
        flow.text("Your progress is saved after every decision.", "body", t.muted)
        flow.button("Resume", self.back, ident="resume", kind="primary")
        flow.button("Settings", self.app.open_settings, ident="settings")
        flow.button(
            "Step out",
            self.app.step_out,
            ident="step_out",
            extra=[("A calm pause and support resources", "small", t.muted)],
        )
        flow.button("Save and return to the title screen", self.app.go_title, ident="save_title")
        flow.button("Save and quit", self.app.quit, ident="save_quit")


class SettingsOverlay(Overlay):
    """Text size, theme, motion and full screen; each change applies at once and is saved."""

    name = "settings"
    title = "Settings"

    def content(self, flow: Flow) -> None:
        s, t = self.app.settings, self.app.theme
        flow.button(
            f"Text size: {s.text_size} %",
            self.bigger,
            ident="text_size",
            extra=[("Enter or → makes text bigger, ← smaller", "small", t.muted)],
        )
        flow.button(f"High contrast: {'on' if s.high_contrast else 'off'}", self.contrast, ident="contrast")
        flow.button(f"Reduced motion: {'on' if s.reduced_motion else 'off'}", self.motion, ident="motion")
        flow.button(f"Full screen: {'on' if s.fullscreen else 'off'}", self.fullscreen, ident="fullscreen")
        flow.button("Done", self.back, ident="done", kind="primary")

    def _change(self) -> None:
        self.app.apply_settings()

    def bigger(self) -> None:
        self.step_size(1, wrap=True)

    def step_size(self, step: int, *, wrap: bool = False) -> None:
        i = TEXT_SIZES.index(self.app.settings.text_size) + step
        if wrap:
            i %= len(TEXT_SIZES)
        self.app.settings.text_size = TEXT_SIZES[max(0, min(len(TEXT_SIZES) - 1, i))]
        self._change()

    def contrast(self) -> None:
        self.app.settings.high_contrast = not self.app.settings.high_contrast
        self._change()

    def motion(self) -> None:
        self.app.settings.reduced_motion = not self.app.settings.reduced_motion
        self._change()

    def fullscreen(self) -> None:
        self.app.settings.fullscreen = not self.app.settings.fullscreen
        self._change()

    def on_key(self, event: pygame.event.Event) -> bool:
        if (
            self.focused is not None
            and self.focused.ident == "text_size"
            and event.key in (pygame.K_LEFT, pygame.K_RIGHT)
        ):
            self.step_size(1 if event.key == pygame.K_RIGHT else -1)
            return True
        return False


class StepOutOverlay(Overlay):
    """A calm pause: nothing moves, nothing is timed, and the support resources are listed."""

    name = "step_out"
    title = "Take a moment"

    def draw_chrome(self, surf: pygame.Surface, ctx: Ctx) -> None:
        surf.fill(ctx.theme.bg)  # hide the scene entirely: nothing distressing stays in view
        super().draw_chrome(surf, ctx)

    def content(self, flow: Flow) -> None:
        t = self.app.theme
        flow.text(
            "The scenario is paused and nothing is being timed. Breathe out slowly. "
            "Come back when you are ready, or stop here: your progress is saved."
        )
        from simgame.ui.screens.prebrief import PrebriefScreen

        base = self.app.base
        if isinstance(base, PrebriefScreen):
            resources = base.scenario.resources
        elif self.app.session is not None and base.name in ("scene", "debrief"):
            resources = self.app.session.scenario.resources
        else:
            resources = ()
        if resources:
            flow.heading("Support")
            for r in resources:
                flow.text(r.name, "bold", after=2)
                flow.text(r.detail, "body", t.muted)
        else:
            flow.text(
                "If this work brings something up for you, talk to your tutor, your "
                "programme's student support, or someone you trust.",
                "body",
                t.muted,
            )
        flow.button("Back to where I was", self.back, ident="resume", kind="primary")

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("Enter", "back", self.back, "key:resume"),
            Hint("Esc", "back", self.back, "key:close"),
        )


class MessageOverlay(Overlay):
    """A message with a list of details (validation errors, an unreadable save)."""

    def __init__(
        self,
        app: App,
        title: str,
        details: Sequence[str],
        *,
        intro: str = "",
        name: str = "message",
    ) -> None:
        super().__init__(app)
        self.title = title
        self.details = list(details)
        self.intro = intro
        self.name = name

    def content(self, flow: Flow) -> None:
        if self.intro:
            flow.text(self.intro)
        for d in self.details:
            flow.text(d, "small", self.app.theme.text, after=6)
        flow.button("Close", self.back, ident="close", kind="primary")

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("Enter", "close", self.back, "key:ok"),
            Hint("F5", "reload", self.app.hot_reload, "key:reload"),
            Hint("↑↓", "scroll"),
            Hint("Esc", "close", self.back, "key:close"),
        )


KEYS_HELP = (
    ("Tab, Shift+Tab", "move the focus ring over every button, the key bar's too"),
    ("Enter or Space", "activate the focused button"),
    ("1 to 9", "choose; a locked choice says why it is locked"),
    ("H", "history: everything said and chosen"),
    ("T", "the team's trust and the client's outcomes as text"),
    ("U", "try another approach (learning mode)"),
    ("F2 or S", "step out: a calm pause with support resources, from anywhere"),
    ("Esc", "pause, or back, or close"),
    ("↑ ↓ PgUp PgDn Home End", "scroll; the mouse wheel too"),
    ("F5", "reload the scenario file (for authors)"),
    ("F1", "this list"),
)


class HelpOverlay(Overlay):
    """Every key, for players who prefer a list to the key bar."""

    name = "help"
    title = "Keys"

    def content(self, flow: Flow) -> None:
        for key, what in KEYS_HELP:
            flow.text(key, "bold", after=0)
            flow.text(what, "body", self.app.theme.muted, after=8)
        flow.button("Close", self.back, ident="close", kind="primary")
