"""The prebrief: what the case is, who is on the team, what is simplified, and the mode.

Simulation practice (INACSL) asks for a prebrief before every scenario: objectives, roles,
the fiction contract and content notes, so the student knows what they are walking into.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from simgame.scenario import Person, Scenario
from simgame.ui.page import PageScreen
from simgame.ui.portraits import portrait
from simgame.ui.screen import Hint
from simgame.ui.theme import FONTS_DIR
from simgame.ui.widgets import Block, Button, Flow

if TYPE_CHECKING:
    from simgame.ui.app import App


class PrebriefScreen(PageScreen):
    name = "prebrief"

    def __init__(self, app: App, scenario: Scenario, path: Path) -> None:
        super().__init__(app)
        self.scenario = scenario
        self.path = path
        self.title = scenario.title
        self.subtitle = f"{scenario.setting}. About {scenario.minutes} minutes."

    def face(self, person: Person | None, size: float) -> pygame.Surface:
        t = self.app.theme
        return portrait(
            self.scenario,
            person,
            self.app.fonts.px(size),
            bg=t.chip,
            fg=t.text,
            font_path=FONTS_DIR / "DejaVuSans-Bold.ttf",
        )

    def content(self, flow: Flow) -> None:
        sc, t = self.scenario, self.app.theme
        flow.text(sc.summary)
        if sc.content_notes:
            flow.heading("Content notes")
            flow.bullets(sc.content_notes)
            flow.text("You can step out at any moment with F2 or S.", "small", t.muted)
        flow.heading("Your role")
        flow.text(sc.role)
        flow.heading("Learning objectives")
        flow.bullets(sc.objectives)
        flow.heading("The client")
        client: list[Block] = [(sc.client.name, "bold", t.text), (sc.client.about, "body", t.text)]
        if sc.client.goals:
            client.append(("Wants: " + "; ".join(sc.client.goals), "small", t.muted))
        flow.beside(self.face(sc.client, 72), client)
        flow.heading("The team")
        for p in sc.team:
            blocks: list[Block] = [(p.name, "bold", t.text), (p.profession, "small", t.muted)]
            if p.about:
                blocks.append((p.about, "body", t.text))
            if p.does:
                blocks.append(("Does: " + "; ".join(p.does), "small", t.text))
            if p.cannot:
                blocks.append(("Cannot: " + "; ".join(p.cannot), "small", t.text))
            flow.beside(self.face(p, 72), blocks)
        flow.heading("Where this happens")
        flow.text(sc.jurisdiction + " (fictional).")
        flow.bullets(sc.jurisdiction_rules, "small")
        flow.heading("What is simplified")
        flow.text(sc.fiction_contract)
        flow.heading("Choose how to play")
        flow.button(
            "Learning mode",
            self.learning,
            ident="mode:learning",
            kind="primary",
            extra=[
                (
                    "Feedback after each choice; you may try another approach (undo).",
                    "small",
                    t.accent_text,
                )
            ],
        )
        flow.button(
            "Assessment mode",
            self.assessment,
            ident="mode:assessment",
            extra=[("No feedback and no undo until the debrief.", "small", t.muted)],
        )
        flow.button("Back to the scenarios", self.app.open_library, ident="back")

    def initial_focus(self) -> Button | None:
        for b in self.focusables:
            if b.ident == "mode:learning":
                return b
        return super().initial_focus()

    def learning(self) -> None:
        self.app.start(self.scenario, self.path, "learning")

    def assessment(self) -> None:
        self.app.start(self.scenario, self.path, "assessment")

    def on_key(self, event: pygame.event.Event) -> bool:
        if event.key == pygame.K_l:
            self.learning()
        elif event.key == pygame.K_a:
            self.assessment()
        else:
            return False
        return True

    def reload(self) -> None:
        self.app.open_prebrief(self.path)

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("L", "learning mode", self.learning, "key:learning", "learning"),
            Hint("A", "assessment mode", self.assessment, "key:assessment", "assessment"),
            Hint("Tab", "move"),
            Hint("↑↓", "scroll"),
            Hint("F2", "step out", self.app.step_out, "key:step_out"),
            Hint("Esc", "back", self.app.open_library, "key:back"),
        )

    def back(self) -> None:
        self.app.open_library()
