"""The debrief: the ending and its band, outcomes, trust over time, competencies, every
decision beside the expert's, what was tried and taken back, and the PEARLS questions.

One scrolling page; the same content can be exported as Markdown (`debrief_data`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

import pygame

from simgame.ui import storage
from simgame.ui.debrief_data import (
    Decision,
    also_tried,
    competency_summary,
    decisions,
    pearls,
    report_markdown,
    trust_series,
)
from simgame.ui.page import PageScreen
from simgame.ui.screen import Hint
from simgame.ui.theme import Color
from simgame.ui.widgets import Ctx, Flow

Paint = Callable[[pygame.Surface, pygame.Rect, Ctx], None]

if TYPE_CHECKING:
    from simgame.ui.app import App

MARKERS: Final = ("●", "■", "▲", "◆", "▼", "★")


class DebriefScreen(PageScreen):
    name = "debrief"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        assert app.session is not None and app.session.ending is not None
        self.session = app.session
        ending = app.session.ending
        self.title = ending.title
        self.subtitle = f"For the client, this ending is {ending.label}."
        self.exported = ""

    def series_colors(self) -> list[Color]:
        if self.app.settings.high_contrast:
            return [
                (255, 255, 255),
                (255, 230, 0),
                (0, 255, 255),
                (255, 140, 255),
                (140, 255, 140),
                (255, 170, 90),
            ]
        return [
            (36, 104, 110),
            (150, 90, 30),
            (90, 70, 140),
            (60, 110, 40),
            (140, 50, 80),
            (70, 80, 90),
        ]

    def content(self, flow: Flow) -> None:
        s, t, sc = self.session, self.app.theme, self.session.scenario
        if s.scene.text:
            flow.text(s.scene.text, "italic")
        flow.text(
            f"You played in {self.app.mode} mode. This is feedback for learning, not a grade.",
            "small",
            t.muted,
        )
        if self.exported:
            flow.text(self.exported, "small", t.accent)
        found = decisions(s)
        self._went_well(flow, found)
        flow.heading("The client's outcomes")
        for m in sc.meters:
            end = s.meters[m.id]
            arrow = "▲" if end > m.start else ("▼" if end < m.start else "=")
            flow.text(
                f"{m.label}: {m.start} → {end} {arrow}   (expected about {m.expected}, range {m.min} to {m.max})",
                "body",
                after=4,
            )
        flow.heading("Trust over time")
        series = trust_series(s)
        colors = self.series_colors()
        flow.drawing(self.app.fonts.px(170), self._chart(series, colors), after=8)
        for i, p in enumerate(sc.people):
            values = series[p.id]
            start, end = values[0], values[-1]
            change = f"▲{end - start}" if end > start else (f"▼{start - end}" if end < start else "=")
            flow.text(
                f"{MARKERS[i % len(MARKERS)]} {p.name}: {start} → {end} {change}  "
                f"(lowest {min(values)}, highest {max(values)})",
                "small",
                colors[i % len(colors)] if not self.app.settings.high_contrast else t.text,
                after=2,
            )
        comps = competency_summary(found)
        if comps:
            flow.heading("Competencies")
            for name, n, matched in comps:
                flow.text(
                    f"{name}: you chose as the expert did in {matched} of {n} decision{'s' if n != 1 else ''}",
                    "body",
                    after=4,
                )
        flow.heading("Your decisions beside the expert's")
        for n, d in enumerate(found, 1):
            flow.text(f"{n}. You: {d.chosen.text}", "bold", after=2)
            if d.matched:
                flow.text("The expert chose the same.", "body", t.up, after=2)
            elif d.expert is not None:
                flow.text(f"Expert: {d.expert.text}", "body", after=2)
            if d.scene.expert:
                flow.text(f"Why: {d.scene.expert.why}", "body", t.muted, after=2)
            if d.chosen.oversteps:
                flow.text(f"Outside your role: {d.chosen.oversteps}.", "small", t.down, after=2)
            if d.chosen.breach:
                flow.text(f"A breach of practice: {d.chosen.breach}.", "small", t.down, after=2)
            if d.chosen.feedback:
                flow.text(f"Teaching point: {d.chosen.feedback.teaching}", "body", after=12)
        if not found:
            flow.text("No decisions were recorded.", "body", t.muted)
        tried = also_tried(s)
        if tried:
            flow.heading("You also tried")
            flow.bullets([c.text for c in tried])
        qs = pearls(s)
        if qs:
            flow.heading("Questions to talk through (PEARLS)")
            for title, items in qs:
                flow.text(title, "bold", after=2)
                flow.bullets(items)
        if sc.resources:
            flow.heading("Support")
            for r in sc.resources:
                flow.text(f"{r.name}: {r.detail}", "small")
        flow.space(8)
        flow.button("Export this debrief as a report", self.export, ident="export")
        flow.button("Back to the title screen", self.app.go_title, ident="title", kind="primary")

    def _went_well(self, flow: Flow, found: list[Decision]) -> None:
        """The two lists a debrief starts from: what to keep doing, and what to change."""
        t = self.app.theme
        kept = [d.chosen.text for d in found if d.matched]
        change = [
            d.chosen.feedback.teaching if d.chosen.feedback else d.scene.expert.why
            for d in found
            if not d.matched and d.scene.expert is not None
        ]
        flow.heading("What went well")
        if kept:
            flow.bullets(kept[:4])
        else:
            flow.text("None of your decisions matched the expert's this time.", "body", t.muted)
        flow.heading("What to change")
        if change:
            flow.bullets(change[:4])
        else:
            flow.text("Nothing: every decision matched the expert's.", "body", t.muted)

    def _chart(self, series: dict[str, list[int]], colors: list[Color]) -> Paint:
        people = self.session.scenario.people

        def paint(surf: pygame.Surface, r: pygame.Rect, ctx: Ctx) -> None:
            t, fonts = ctx.theme, ctx.fonts
            label_w = fonts["small"].size("100")[0] + fonts.px(8)
            area = pygame.Rect(
                r.x + label_w,
                r.y + fonts.px(6),
                r.width - label_w - fonts.px(12),
                r.height - fonts.px(12),
            )
            pygame.draw.rect(surf, t.card, area)
            for v in (0, 50, 100):
                y = area.bottom - area.height * v // 100
                pygame.draw.line(surf, t.border, (area.x, y), (area.right, y))
                s = fonts.render("small", str(v), t.muted)
                surf.blit(s, (r.x, y - s.get_height() // 2))
            n = max(len(v) for v in series.values()) - 1
            for i, p in enumerate(people):
                values = series[p.id]
                pts = [
                    (area.x + (area.width * k // max(1, n)), area.bottom - area.height * v // 100)
                    for k, v in enumerate(values)
                ]
                color = colors[i % len(colors)]
                if len(pts) > 1:
                    pygame.draw.lines(surf, color, False, pts, max(2, fonts.px(2)))
                for pt in pts:
                    _marker(surf, i, pt, fonts.px(5), color)

        return paint

    def export(self) -> None:
        folder = storage.data_dir() / "reports"
        folder.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = folder / f"{self.session.scenario.id}-{stamp}.md"
        storage.atomic_write_text(path, report_markdown(self.session, self.app.mode))
        self.exported = f"Saved the report to {path}"
        self.build()

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("↑↓", "scroll"),
            Hint("Tab", "move"),
            Hint("E", "export", self.export, "key:export"),
            Hint("F2", "step out", self.app.step_out, "key:step_out"),
            Hint("Esc", "menu", self.pause, "key:pause"),
        )

    def on_key(self, event: pygame.event.Event) -> bool:
        if event.key == pygame.K_e:
            self.export()
            return True
        return False

    def pause(self) -> None:
        from simgame.ui.screens.overlays import PauseOverlay

        self.app.push(PauseOverlay(self.app))

    def back(self) -> None:
        self.pause()


def _marker(surf: pygame.Surface, i: int, c: tuple[int, int], r: int, color: Color) -> None:
    """Each person's points have their own shape, so the chart does not rely on colour."""
    x, y = c
    shape = i % len(MARKERS)
    if shape == 0:
        pygame.draw.circle(surf, color, c, r)
    elif shape == 1:
        pygame.draw.rect(surf, color, (x - r, y - r, 2 * r, 2 * r))
    elif shape == 2:
        pygame.draw.polygon(surf, color, [(x, y - r), (x + r, y + r), (x - r, y + r)])
    elif shape == 3:
        pygame.draw.polygon(surf, color, [(x, y - r), (x + r, y), (x, y + r), (x - r, y)])
    elif shape == 4:
        pygame.draw.polygon(surf, color, [(x - r, y - r), (x + r, y - r), (x, y + r)])
    else:
        pygame.draw.circle(surf, color, c, r, max(1, r // 2))
