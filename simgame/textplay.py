"""The terminal player: plain numbered text, readable by a screen reader and usable with piped input.

It uses no colour, no cursor movement and no box drawing, so that a screen reader reads it
line by line, and it reads whole lines so that `printf '1\n2\n' | simgame play --text ...`
works. Only the session is consulted for rules; this module just words things.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import TextIO

from simgame.scenario import BAND_LABEL, Scenario
from simgame.session import Change, LogEntry, Session

WIDTH = 78

HELP = """Commands: a number chooses; s shows the team's trust and the client's outcomes;
u takes back your last choice (learning mode); r repeats the scene; h shows this help;
q quits."""


def _wrap(text: str, indent: str = "") -> str:
    paras = [p for p in text.strip().split("\n\n")]
    return "\n\n".join(
        textwrap.fill(" ".join(p.split()), WIDTH, initial_indent=indent, subsequent_indent=indent) for p in paras
    )


def describe_change(scenario: Scenario, change: Change) -> str:
    """ "Ms Reyes trust +3, Housing stability -5": a change in words and signed numbers."""
    parts = [f"{scenario.person(k).name} trust {d:+d}" for k, d in change.trust]
    parts += [f"{scenario.meter(k).label} {d:+d}" for k, d in change.meters]
    if change.time:
        unit = scenario.clock.unit if scenario.clock else "unit"
        parts.append(f"{change.time} {unit}{'s' if change.time != 1 else ''} pass")
    return ", ".join(parts)


class TextPlayer:
    """Plays one session over text streams."""

    def __init__(
        self, session: Session, *, out: TextIO, read_line: Callable[[], str | None], learning: bool = True
    ) -> None:
        self.session = session
        self.sc = session.scenario
        self.out = out
        self.read_line = read_line
        self.learning = learning

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def run(self) -> int:
        """Play until the ending or quit; returns a process exit code (0 ended, 3 quit)."""
        self.prebrief()
        shown = 0
        while True:
            shown = self.show_new_entries(shown)
            if self.session.is_over:
                self.debrief()
                return 0
            self.show_scene()
            result = self.ask()
            if result == "quit":
                self.say("You left the scenario before its end.")
                return 3

    def prebrief(self) -> None:
        sc = self.sc
        self.say(f"{sc.title}")
        mode = (
            "learning (feedback after each choice, undo allowed)"
            if self.learning
            else "assessment (feedback at the end)"
        )
        self.say(f"{sc.setting}. About {sc.minutes} minutes. Mode: {mode}.")
        self.say()
        self.say(_wrap(sc.summary))
        self.say()
        self.say("Your role: " + " ".join(sc.role.split()))
        self.say(
            "Jurisdiction: "
            + sc.jurisdiction
            + ("" if "fictional" in sc.jurisdiction.lower() else " (fictional)")
            + "."
        )
        for rule in sc.jurisdiction_rules:
            self.say(_wrap("- " + rule))
        self.say("Learning objectives:")
        for o in sc.objectives:
            self.say(_wrap("- " + o))
        self.say(f"The client: {sc.client.name}. " + " ".join(sc.client.about.split()))
        self.say("The team:")
        for p in sc.team:
            line = f"- {p.name}, {p.profession}."
            if p.does:
                line += " Does: " + "; ".join(p.does) + "."
            if p.cannot:
                line += " Cannot: " + "; ".join(p.cannot) + "."
            self.say(_wrap(line))
        if sc.content_notes:
            self.say("Content notes:")
            for n in sc.content_notes:
                self.say(_wrap("- " + n))
        self.say(_wrap("What is simplified: " + sc.fiction_contract))
        self.say(HELP)
        self.say()

    def show_new_entries(self, shown: int) -> int:
        log = self.session.log
        for entry in log[shown:]:
            self.show_entry(entry)
        return len(log)

    def show_entry(self, entry: LogEntry) -> None:
        if entry.kind == "consequence":
            scene = self.sc.scenes[entry.scene]
            cq = next(c for c in scene.consequences if c.id == entry.target)
            if cq.text:
                self.say(_wrap(cq.text))
            change = describe_change(self.sc, entry.change)
            if change and self.learning:
                self.say(f"(Because of an earlier choice: {change}.)")
            self.say()
        elif entry.kind == "event_fired":
            ev = next(e for e in self.sc.events if e.id == entry.target)
            if ev.text:
                self.say(_wrap(ev.text))
                self.say()

    def show_scene(self) -> None:
        scene = self.session.scene
        self.say("-" * 20)
        if scene.title:
            self.say(scene.title)
        if self.sc.clock:
            c = self.sc.clock
            deadline = f" of {c.deadline}" if c.deadline is not None else ""
            self.say(f"{c.label}: {c.unit} {self.session.clock}{deadline}")
        if scene.text:
            self.say(_wrap(scene.text))
        for line in scene.lines:
            speaker = self._speaker(line.speaker)
            self.say(_wrap(f"{speaker}: {line.text}") if speaker else _wrap(line.text))
        self.say()
        self.say(scene.prompt or ("What do you do?" if len(scene.choices) > 1 else ""))
        for view in self.session.choices():
            if view.available:
                self.say(_wrap(f"{view.number}. {view.choice.text}"))
            else:
                self.say(_wrap(f"{view.number}. (locked) {view.choice.text} - {view.locked_reason}"))

    def _speaker(self, speaker: str) -> str:
        if speaker == "narrator":
            return ""
        if speaker == "you":
            return "You"
        p = self.sc.person(speaker)
        return f"{p.name} ({p.profession})"

    def ask(self) -> str:
        while True:
            self.out.write("> ")
            self.out.flush()
            raw = self.read_line()
            if raw is None:
                self.say()
                self.say("Input ended before the scenario did.")
                return "quit"
            text = raw.strip().lower()
            views = self.session.choices()
            if text in ("q", "quit"):
                return "quit"
            if text in ("h", "help", "?"):
                self.say(HELP)
            elif text in ("s", "status"):
                self.status()
            elif text in ("r", "repeat"):
                self.show_scene()
            elif text in ("u", "undo"):
                if not self.learning:
                    self.say("Undo is off in assessment mode.")
                elif not self.session.can_undo:
                    self.say("There is no choice to take back yet.")
                else:
                    self.session.undo()
                    self.say("You took back your last choice. Try another approach.")
                    return "undo"
            elif text.isdigit() and 1 <= int(text) <= len(views):
                view = views[int(text) - 1]
                if not view.available:
                    self.say(f"That choice is locked: {view.locked_reason}")
                    continue
                entry = self.session.choose(view.id)
                self.feedback(entry)
                return "chose"
            elif text == "" and len(views) == 1 and views[0].available:
                entry = self.session.choose(views[0].id)
                self.feedback(entry)
                return "chose"
            else:
                self.say(f"Type a number from 1 to {len(views)}, or h for help.")

    def feedback(self, entry: LogEntry) -> None:
        scene = self.sc.scenes[entry.scene]
        choice = scene.choice(entry.choice or "")
        self.say()
        if not self.learning or not scene.is_decision:
            return
        if choice.feedback:
            self.say(_wrap("What happened: " + choice.feedback.outcome))
        change = describe_change(self.sc, entry.change)
        if change:
            self.say("Changes: " + change + ".")
        if choice.feedback:
            self.say(_wrap("Why it matters: " + choice.feedback.teaching))
        self.say()

    def status(self) -> None:
        s = self.session
        self.say("Trust:")
        for p in self.sc.people:
            self.say(f"  {p.name} ({p.profession}): {s.trust[p.id]} of 100")
        self.say("Client outcomes:")
        for m in self.sc.meters:
            self.say(f"  {m.label}: {s.meters[m.id]} ({m.min} to {m.max})")

    def debrief(self) -> None:
        s = self.session
        ending = s.ending
        assert ending is not None
        scene = s.scene
        self.say("-" * 20)
        if scene.text:
            self.say(_wrap(scene.text))
        self.say()
        self.say(f"Ending: {ending.title}. For the client this is {BAND_LABEL[ending.band]}.")
        self.say("This is formative feedback for learning, not a grade.")
        self.status()
        self.say()
        self.say("Your decisions beside the expert's:")
        for n, (scene_id, cid) in enumerate(_decisions(s), 1):
            sc = self.sc.scenes[scene_id]
            ch = sc.choice(cid)
            self.say(_wrap(f"{n}. You: {ch.text}"))
            if sc.expert and sc.expert.choice != cid:
                self.say(_wrap(f"   Expert: {sc.choice(sc.expert.choice).text}", "   "))
                self.say(_wrap(f"   Why: {sc.expert.why}", "   "))
            elif sc.expert:
                self.say("   The expert chose the same.")
            if ch.feedback:
                self.say(_wrap(f"   Teaching point: {ch.feedback.teaching}", "   "))
        undone = [e for e in s.log if e.kind == "undone"]
        if undone:
            self.say("You also tried (and took back):")
            for e in undone:
                scene_id, cid = e.abandoned[0].split(".", 1)
                self.say(_wrap(f"- {self.sc.scenes[scene_id].choice(cid).text}"))
        if self.sc.debrief:
            d = self.sc.debrief
            self.say()
            self.say("Debrief questions:")
            for title, qs in (
                ("Reactions", d.reactions),
                ("Description", d.description),
                ("Analysis", d.analysis),
                ("Summary", d.summary),
            ):
                self.say(f"{title}:")
                for q in qs:
                    self.say(_wrap("- " + q))
        if self.sc.resources:
            self.say()
            self.say("Support and resources:")
            for r in self.sc.resources:
                self.say(_wrap(f"- {r.name}: {r.detail}"))


def _decisions(session: Session) -> Iterator[tuple[str, str]]:
    for key in session.path:
        scene_id, cid = key.split(".", 1)
        if session.scenario.scenes[scene_id].is_decision:
            yield scene_id, cid
