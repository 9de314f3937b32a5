"""The scene: the story and choices at the left; the team and the client's outcomes at the right.

Text is laid out once per state change (`build`); frames only blit it and draw the meters,
whose values slide to their new numbers after a decision (under 300 ms, or at once with
reduced motion). Every change is shown as a number and an arrow, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import pygame

from simgame.scenario import Person
from simgame.session import LogEntry
from simgame.textplay import describe_change
from simgame.ui.portraits import portrait
from simgame.ui.screen import Hint, Screen
from simgame.ui.text import ellipsize
from simgame.ui.theme import FONTS_DIR
from simgame.ui.widgets import Action, Block, Button, Ctx, Drawing, Flow, TextItem

if TYPE_CHECKING:
    from simgame.ui.app import App

Paint = Callable[[pygame.Surface, pygame.Rect, Ctx], None]
SLIDE: Final = 0.28
"""Seconds a meter takes to slide to its new value."""
FADE: Final = 2.0
"""Seconds the "+3" beside a meter stays bright before it fades to the plain arrow."""
NUMBER_KEYS: Final = {getattr(pygame, f"K_{n}"): n for n in range(1, 10)} | {
    getattr(pygame, f"K_KP{n}"): n for n in range(1, 10)
}


@dataclass(slots=True)
class Anim:
    """One meter's displayed value on its way from `start` to `end`."""

    start: float
    end: float
    delta: int = 0
    age: float = 0.0

    def value(self, reduced: bool) -> float:
        if reduced or self.age >= SLIDE:
            return self.end
        k = self.age / SLIDE
        return self.start + (self.end - self.start) * (1 - (1 - k) ** 3)

    @property
    def moving(self) -> bool:
        return self.age < FADE and self.delta != 0


class SceneScreen(Screen):
    name = "scene"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        assert app.session is not None
        self.session = app.session
        self.sc = app.session.scenario
        self.anims: dict[str, Anim] = {}
        for pid, v in self.session.trust.items():
            self.anims[f"trust:{pid}"] = Anim(v, v)
        for mid, v in self.session.meters.items():
            self.anims[f"meter:{mid}"] = Anim(v, v)
        self.toast = ""
        self.toast_left = 0.0
        self.top_items: list[TextItem] = []
        self.top_rect = pygame.Rect(0, 0, 0, 0)
        self.side_rect = pygame.Rect(0, 0, 0, 0)
        self.stacked = False
        self._status_line = ""
        self._toast_lines: list[tuple[pygame.Surface, int, int]] = []

    @property
    def learning(self) -> bool:
        return self.app.mode == "learning"

    # --- state changes -----------------------------------------------------------------

    def advance(self, entry: LogEntry) -> None:
        """After a choice: start the meters sliding to their new values; lay out the new scene."""
        self.session = self.app.session or self.session
        values = {f"trust:{k}": v for k, v in self.session.trust.items()}
        values |= {f"meter:{k}": v for k, v in self.session.meters.items()}
        reduced = self.app.settings.reduced_motion
        for key, new in values.items():
            old = self.anims.get(key)
            shown = old.value(reduced) if old else new
            if old is None or round(shown) != new or old.end != new:
                self.anims[key] = Anim(shown, new, int(new - (old.end if old else new)))
            else:
                self.anims[key] = Anim(new, new)
        self._focus_ident = ""
        self.build()

    def choose_number(self, n: int) -> None:
        for view in self.session.choices():
            if view.number == n:
                if view.available:
                    self.app.choose(view.id)
                else:
                    self.say(f"Locked: {view.locked_reason}")
                return

    def say(self, text: str) -> None:
        self.toast, self.toast_left = text, 4.0
        self.build()

    def refused(self, button: Button) -> None:
        for view in self.session.choices():
            if button.ident == f"choice:{view.id}" and not view.available:
                self.say(f"Locked: {view.locked_reason}")

    # --- layout ------------------------------------------------------------------------

    def layout(self) -> None:
        """Side panel beside the story when the story keeps ~40 characters a line; else stacked."""
        fonts = self.app.fonts
        w, h = self.app.size
        top_h = self._layout_top(w)
        bottom = h - self.keybar_height
        margin = fonts.px(16)
        char = fonts["body"].size("abcdefghijklmnopqrstuvwxyz")[0] / 26
        side_w = min(max(fonts.px(240), min(round(w * 0.32), fonts.px(420))), round(w * 0.45))
        self.stacked = w - side_w - 2 * margin < char * 40
        if self.stacked:
            side_w = 0
        self.side_rect = pygame.Rect(w - side_w, top_h, side_w, bottom - top_h)
        left_w = w - side_w - 2 * margin
        col_w = min(left_w, round(char * 70))
        toast_h = self._toast_height(col_w)
        reading = pygame.Rect(
            margin + (left_w - col_w) // 2,
            top_h + fonts.px(8),
            col_w,
            bottom - top_h - fonts.px(8) - toast_h,
        )
        flow = self.column(reading)
        if self.stacked and self._status_line:
            flow.text(self._status_line, "small", self.app.theme.muted, after=6)
        self._story(flow)
        if self.stacked:
            flow.space(16)
            self._team_panel(flow)
        self.add_view(reading, flow)
        if not self.stacked:
            panel = self.side_rect.inflate(-fonts.px(12), -fonts.px(12))
            side = self.column(panel)
            self._team_panel(side)
            self.add_view(panel, side)

    def _toast_height(self, width: int) -> int:
        if not self.toast:
            return 0
        lines = Flow(self.app.fonts, self.app.theme, width).lines(self.toast, "body", self.app.theme.text, width)
        self._toast_lines = lines[0]
        return lines[1] + self.app.fonts.px(16)

    def _layout_top(self, w: int) -> int:
        """One row: the title, and the clock and mode at the right when they fit (else they
        move to the top of the story column)."""
        fonts, t = self.app.chrome_fonts, self.app.theme
        pad = fonts.px(10)
        right = f"{self._clock_text()}    {'Learning' if self.learning else 'Assessment'} mode".strip()
        right_s = fonts.render("small", right, t.text)
        room = w - right_s.get_width() - 3 * pad
        lh = fonts.line_height("bold")
        items: list[TextItem] = []
        self._status_line = ""
        if room >= w * 0.3:
            items.append(
                TextItem(
                    pygame.Rect(
                        w - pad - right_s.get_width(),
                        pad + (lh - fonts.line_height("small")) // 2,
                        right_s.get_width(),
                        lh,
                    ),
                    right,
                    [(right_s, 0, 0)],
                )
            )
        else:
            room = w - 2 * pad
            self._status_line = right
        title = fonts["bold"].render(ellipsize(fonts["bold"], self.sc.title, room), True, t.text)
        items.append(TextItem(pygame.Rect(pad, pad, room, lh), self.sc.title, [(title, 0, 0)]))
        self.top_items = items
        self.top_rect = pygame.Rect(0, 0, w, lh + 2 * pad)
        return self.top_rect.height

    def _clock_text(self) -> str:
        c = self.sc.clock
        if c is None:
            return ""
        of = f" of {c.deadline}" if c.deadline is not None else ""
        return f"{c.label}: {c.unit} {self.session.clock}{of}"

    def face(self, person: Person | None, size: float) -> pygame.Surface:
        t = self.app.theme
        return portrait(
            self.sc,
            person,
            self.app.fonts.px(size),
            bg=t.chip,
            fg=t.text,
            font_path=FONTS_DIR / "DejaVuSans-Bold.ttf",
        )

    def _story(self, flow: Flow) -> None:
        t, s = self.app.theme, self.session
        scene = s.scene
        for text in self._meanwhile():
            flow.text(text, "italic", t.muted)
        if scene.title:
            flow.text(scene.title, "heading", after=6)
        if scene.text:
            flow.text(scene.text, "italic")
        for line in scene.lines:
            if line.speaker == "narrator":
                flow.text(line.text, "italic")
                continue
            person = None if line.speaker == "you" else self.sc.person(line.speaker)
            who = "You, " + _short_role(self.sc.role) if person is None else f"{person.name}, {person.profession}"
            flow.beside(self.face(person, 56), [(who, "small_bold", t.muted), (line.text, "body", t.text)])
        views = s.choices()
        if len(views) > 1 or scene.prompt:
            flow.text(scene.prompt or "What do you do?", "bold", after=10)
        for v in views:
            extra: list[Block] = []
            if self.learning and v.choice.tags:
                extra.append(
                    (
                        "  ".join(f"[{tag.replace('_', ' ')}]" for tag in v.choice.tags),
                        "small",
                        t.accent,
                    )
                )
            if not v.available:
                extra.append((f"Locked: {v.locked_reason}", "small", t.locked))
            flow.button(
                v.choice.text,
                self._chooser(v.id),
                ident=f"choice:{v.id}",
                kind="choice",
                number=v.number,
                enabled=v.available,
                extra=extra,
                after=8,
            )
        if self.learning and s.can_undo:
            flow.space(6)
            flow.button(
                "Try another approach (take back your last choice)",
                self.app.undo,
                ident="undo",
                style="small",
            )

    def _chooser(self, choice_id: str) -> Action:
        def choose() -> None:
            self.app.choose(choice_id)

        return choose

    def _meanwhile(self) -> list[str]:
        """Texts of consequences and events that came with the last decision."""
        out = []
        log = self.session.log
        i = len(log) - 1
        while i >= 0 and log[i].kind in ("consequence", "event_fired"):
            i -= 1
        for e in log[i + 1 :]:
            text = None
            if e.kind == "consequence":
                cq = next(c for c in self.sc.scenes[e.scene].consequences if c.id == e.target)
                text = cq.text
            else:
                text = next(ev for ev in self.sc.events if ev.id == e.target).text
            change = describe_change(self.sc, e.change)
            if self.learning and change:
                why = "because of an earlier choice: " if e.kind == "consequence" else ""
                text = f"{text or ''} ({why}{change})"
            if text:
                out.append(text.strip())
        return out

    def _team_panel(self, flow: Flow) -> None:
        t = self.app.theme
        bar_h = self.app.fonts.line_height("small")
        flow.text("THE TEAM", "small_bold", t.muted, after=6)
        for p in self.sc.people:
            self._person_row(flow, p)
        flow.space(6)
        flow.text("CLIENT OUTCOMES", "small_bold", t.muted, after=6)
        for m in self.sc.meters:
            flow.text(m.label, "small", t.text, after=2)
            flow.drawing(bar_h, self._meter_painter(f"meter:{m.id}", m.min, m.max), after=12)

    def _person_row(self, flow: Flow, p: Person) -> None:
        """Portrait at the left; name and role on one line (two if they do not fit), and the
        trust meter under them: two lines a person, so a cast of nine fits at 1280x720."""
        fonts, t = self.app.fonts, self.app.theme
        lh = fonts.line_height("small")
        size = 2 * lh - fonts.px(4)
        gap = fonts.px(10)
        inner = flow.width - size - gap
        face = portrait(self.sc, p, size, bg=t.chip, fg=t.text, font_path=FONTS_DIR / "DejaVuSans-Bold.ttf")
        role = "client" if p.is_client else p.profession
        bold, small = fonts["small_bold"], fonts["small"]
        name_s = bold.render(ellipsize(bold, p.name, inner), True, t.text)
        lines = [(face, 0, 0), (name_s, size + gap, 0)]
        room = inner - name_s.get_width() - fonts.px(8)
        if small.size(role)[0] <= room:
            lines.append((small.render(role, True, t.muted), size + gap + name_s.get_width() + fonts.px(8), 0))
            text_h = lh
        else:
            lines.append((small.render(ellipsize(small, role, inner), True, t.muted), size + gap, lh))
            text_h = 2 * lh
        height = max(size, text_h + lh)
        flow.items.append(TextItem(pygame.Rect(flow.x, flow.y, flow.width, height), f"{p.name} {role}", lines))
        bar = pygame.Rect(flow.x + size + gap, flow.y + text_h, inner, lh)
        flow.items.append(Drawing(bar, "", self._meter_painter(f"trust:{p.id}", 0, 100)))
        flow.y += height + fonts.px(10)

    def _meter_painter(self, key: str, lo: int, hi: int) -> Paint:
        def paint(surf: pygame.Surface, r: pygame.Rect, ctx: Ctx) -> None:
            anim = self.anims.get(key)
            if anim is None:
                return
            draw_meter(surf, r, ctx, anim, lo, hi, self.app.settings.reduced_motion)

        return paint

    # --- events and frames -------------------------------------------------------------

    def on_key(self, event: pygame.event.Event) -> bool:
        key = event.key
        if key in NUMBER_KEYS:
            self.choose_number(NUMBER_KEYS[key])
        elif key == pygame.K_h:
            self.open_history()
        elif key == pygame.K_u:
            if self.learning and self.session.can_undo:
                self.app.undo()
            elif not self.learning:
                self.say("Undo is off in assessment mode.")
        elif key == pygame.K_t:
            self.open_team()
        else:
            return False
        return True

    def open_history(self) -> None:
        from simgame.ui.screens.overlays import HistoryOverlay

        self.app.push(HistoryOverlay(self.app))

    def open_team(self) -> None:
        from simgame.ui.screens.overlays import TeamOverlay

        self.app.push(TeamOverlay(self.app))

    def pause(self) -> None:
        from simgame.ui.screens.overlays import PauseOverlay

        self.app.push(PauseOverlay(self.app))

    def back(self) -> None:
        self.pause()

    def hints(self) -> Sequence[Hint]:
        n = len(self.session.choices())
        out = [
            Hint(f"1–{n}" if n > 1 else "1", "choose"),
            Hint("Tab", "move"),
            Hint("H", "history", self.open_history, "key:history"),
            Hint("T", "team", self.open_team, "key:team"),
        ]
        if self.learning:
            out.append(Hint("U", "try another approach", self.app.undo, "key:undo", "undo"))
        out += [
            Hint("F2", "step out", self.app.step_out, "key:step_out"),
            Hint("F1", "keys", self.app.show_help, "key:help"),
            Hint("Esc", "pause", self.pause, "key:pause"),
        ]
        return out

    def update(self, dt: float) -> None:
        for a in self.anims.values():
            a.age += dt
        if self.toast_left > 0:
            self.toast_left -= dt
            if self.toast_left <= 0:
                self.toast = ""
                self.build()

    @property
    def animating(self) -> bool:
        return any(a.age < SLIDE and a.start != a.end for a in self.anims.values())

    def draw_chrome(self, surf: pygame.Surface, ctx: Ctx) -> None:
        t, fonts = ctx.theme, ctx.fonts
        surf.fill(t.bg)
        pygame.draw.rect(surf, t.panel, self.top_rect)
        pygame.draw.line(surf, t.border, self.top_rect.bottomleft, self.top_rect.bottomright, max(1, fonts.px(1)))
        for item in self.top_items:
            item.draw(surf, 0, 0, ctx)
        if not self.stacked:
            pygame.draw.rect(surf, t.panel, self.side_rect)
            pygame.draw.line(
                surf,
                t.border,
                self.side_rect.topleft,
                self.side_rect.bottomleft,
                max(1, fonts.px(1)),
            )

    def draw(self, surf: pygame.Surface) -> None:
        super().draw(surf)
        if self.toast and self.views:
            ctx = self.ctx()
            view = self.views[0]
            v = view.viewport
            pad = ctx.fonts.px(8)
            top = view.more.bottom if view.more is not None else v.bottom
            box = pygame.Rect(v.x, top + pad // 2, v.width, self._toast_height(v.width) - pad)
            pygame.draw.rect(surf, ctx.theme.chip, box, border_radius=pad)
            for s, x, y in self._toast_lines:
                surf.blit(s, (box.x + pad + x, box.y + pad // 2 + y))


def draw_meter(
    surf: pygame.Surface,
    r: pygame.Rect,
    ctx: Ctx,
    anim: Anim,
    lo: int,
    hi: int,
    reduced: bool,
) -> None:
    """A bar with its number and, after a change, an arrow and the signed amount."""
    t, fonts = ctx.theme, ctx.fonts
    value = anim.value(reduced)
    number = fonts.render("small_bold", f"{round(value)}", t.text)
    change = ""
    if anim.delta:
        change = f"{'▲' if anim.delta > 0 else '▼'}{abs(anim.delta)}"
    change_s = fonts.render("small_bold", change, t.up if anim.delta > 0 else t.down) if change else None
    tail = fonts["small_bold"].size("100 ▲10")[0] + fonts.px(8)
    bar = pygame.Rect(r.x, r.y + r.height // 4, max(fonts.px(30), r.width - tail), r.height // 2)
    pygame.draw.rect(surf, t.card, bar, border_radius=bar.height // 2)
    frac = 0.0 if hi == lo else max(0.0, min(1.0, (value - lo) / (hi - lo)))
    fill = bar.copy()
    fill.width = round(bar.width * frac)
    if fill.width:
        pygame.draw.rect(surf, t.accent, fill, border_radius=bar.height // 2)
    pygame.draw.rect(surf, t.border, bar, width=max(1, fonts.px(1)), border_radius=bar.height // 2)
    x = bar.right + fonts.px(8)
    surf.blit(number, (x, r.y + (r.height - number.get_height()) // 2))
    if change_s is not None:
        if anim.age > FADE or reduced:  # settled: still readable, just quieter
            change_s = change_s.copy()
            change_s.set_alpha(190)
        x += number.get_width() + fonts.px(6)
        surf.blit(change_s, (x, r.y + (r.height - change_s.get_height()) // 2))


def _short_role(role: str) -> str:
    """ "You are the social worker at ..." -> "the social worker at ..." (first clause only)."""
    first = role.strip().split(".")[0]
    for prefix in ("You are ", "you are "):
        if first.startswith(prefix):
            first = first[len(prefix) :]
    return first[:60]
