"""The scenario library: a card per scenario file, shipped and the trainer's own.

A file that does not compile is still listed, as a card saying so, because a trainer who
drops a half-written file into the folder should see it rather than wonder where it went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from simgame.cli import SCENARIOS_DIR, scenario_files
from simgame.compiler import load_scenario
from simgame.errors import ScenarioError
from simgame.scenario import Scenario
from simgame.ui import storage
from simgame.ui.page import PageScreen
from simgame.ui.screen import Hint
from simgame.ui.widgets import Action, Block, Button, Flow

if TYPE_CHECKING:
    from simgame.ui.app import App


@dataclass(frozen=True, slots=True)
class Card:
    """One library entry: a compiled scenario, or the first problem of an invalid file."""

    path: Path
    scenario: Scenario | None
    problem: str = ""
    user: bool = False


def competencies(scenario: Scenario) -> list[str]:
    """The competency tags the scenario's choices exercise, in a readable form."""
    tags = sorted({t for sc in scenario.scenes.values() for ch in sc.choices for t in ch.tags})
    return [t.replace("_", " ") for t in tags]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


_CACHE: dict[tuple[Path, int, int], Card] = {}
"""Cards by (path, mtime, size): reopening the library recompiles only files that changed."""


def scan(folders: Sequence[tuple[Path, bool]]) -> list[Card]:
    cards = []
    for folder, user in folders:
        if not folder.is_dir():
            continue
        for path in scenario_files([folder]):
            try:
                st = path.stat()
            except OSError:
                continue
            key = (path.resolve(), st.st_mtime_ns, st.st_size)
            card = _CACHE.get(key)
            if card is None:
                card = _CACHE[key] = _card(path, user)
            cards.append(card)
    return cards


def _card(path: Path, user: bool) -> Card:
    try:
        return Card(path, load_scenario(path), user=user)
    except ScenarioError as exc:
        first = exc.errors[0] if exc.errors else (exc.issues[0] if exc.issues else None)
        return Card(path, None, str(first.message) if first else "", user)


def library_folders() -> list[tuple[Path, bool]]:
    return [(SCENARIOS_DIR, False), (storage.user_scenarios_dir(), True)]


class LibraryScreen(PageScreen):
    name = "library"
    title = "Scenarios"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.cards = scan(library_folders())
        self.subtitle = f"{len(self.cards)} found. Choose one to read its prebrief."

    def content(self, flow: Flow) -> None:
        t = self.app.theme
        if not self.cards:
            flow.text(
                "No scenarios were found. Put scenario files (.yaml) in the folder above, then press F5.",
                "body",
                t.muted,
            )
        for card in self.cards:
            sc = card.scenario
            if sc is None:
                flow.button(
                    f"{card.path.name} (invalid: run simgame validate)",
                    None,
                    ident=f"card:{card.path.stem}",
                    enabled=False,
                    extra=[(card.problem, "small", t.locked)],
                )
                continue
            extra: list[Block] = [
                (
                    f"{sc.setting}. About {sc.minutes} minutes." + ("  (your folder)" if card.user else ""),
                    "small",
                    t.muted,
                )
            ]
            comps = competencies(sc)
            if comps:
                extra.append(("Competencies: " + ", ".join(comps), "small", t.muted))
            if sc.content_notes:
                extra.append(
                    (
                        "Content notes: " + " ".join(_sentence(n) for n in sc.content_notes),
                        "small",
                        t.muted,
                    )
                )
            flow.button(
                sc.title,
                self._opener(card.path),
                ident=f"card:{sc.id}",
                style="bold",
                extra=extra,
                kind="card",
            )

        flow.space(8)
        flow.text(
            f"Your own scenario files go in {storage.user_scenarios_dir()} (F5 rescans).",
            "small",
            t.muted,
        )

    def _opener(self, path: Path) -> Action:
        def open_() -> None:
            self.app.open_prebrief(path)

        return open_

    def refused(self, button: Button) -> None:
        from simgame.ui.screens.overlays import MessageOverlay

        for card in self.cards:
            if card.scenario is None and button.ident == f"card:{card.path.stem}":
                try:
                    load_scenario(card.path)
                except ScenarioError as exc:
                    self.app.push(
                        MessageOverlay(self.app, f"{card.path.name} is not valid", [str(i) for i in exc.issues])
                    )

    def hints(self) -> Sequence[Hint]:
        return (
            Hint("Tab", "move"),
            Hint("Enter", "open"),
            Hint("F5", "rescan", self.app.hot_reload, "key:reload"),
            Hint("F2", "step out", self.app.step_out, "key:step_out"),
            Hint("Esc", "back", self.app.go_title, "key:back"),
        )

    def back(self) -> None:
        self.app.go_title()

    def reload(self) -> None:
        self.app.open_library()
