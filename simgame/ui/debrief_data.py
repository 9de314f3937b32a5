"""What the debrief shows, computed once from a finished session (no pygame here).

Kept apart from the drawing so the window and the exported report say the same things.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from simgame.scenario import Choice, Scene
from simgame.session import LogEntry, Session


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision on the path taken, beside the expert's."""

    scene: Scene
    chosen: Choice
    expert: Choice | None

    @property
    def matched(self) -> bool:
        return self.expert is not None and self.expert.id == self.chosen.id


def path_entries(session: Session) -> list[LogEntry]:
    """The choice entries of the branch that was kept (undone ones removed)."""
    stack: list[LogEntry] = []
    for e in session.log:
        if e.kind == "choice_made":
            stack.append(e)
        elif e.kind == "undone" and stack:
            stack.pop()
    return stack


def decisions(session: Session) -> list[Decision]:
    out = []
    for e in path_entries(session):
        scene = session.scenario.scenes[e.scene]
        if not scene.is_decision or scene.expert is None:
            continue
        chosen = scene.choice(e.choice or "")
        try:
            expert: Choice | None = scene.choice(scene.expert.choice)
        except KeyError:
            expert = None
        out.append(Decision(scene, chosen, expert))
    return out


def also_tried(session: Session) -> list[Choice]:
    """Choices taken and then taken back with "try another approach"."""
    out = []
    for e in session.log:
        if e.kind == "undone" and e.abandoned:
            scene_id, cid = e.abandoned[0].split(".", 1)
            out.append(session.scenario.scenes[scene_id].choice(cid))
    return out


def trust_series(session: Session) -> dict[str, list[int]]:
    """Each person's trust at the start, after each decision on the kept branch, and at the end."""
    sc = session.scenario
    series: dict[str, list[int]] = {p.id: [p.trust] for p in sc.people}
    for e in path_entries(session):
        if not sc.scenes[e.scene].is_decision:
            continue
        after = dict(e.trust)
        for pid, values in series.items():
            values.append(after.get(pid, values[-1]))
    final = session.trust
    for pid, values in series.items():
        if values[-1] != final.get(pid, values[-1]):
            values.append(final[pid])
    return series


def competency_summary(found: list[Decision]) -> list[tuple[str, int, int]]:
    """(competency, decisions exercising it, decisions where you chose as the expert did)."""
    seen: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in found:
        tags = set(d.expert.tags if d.expert else ()) | set(d.chosen.tags)
        for tag in tags:
            seen[tag][0] += 1
            seen[tag][1] += int(d.matched)
    return sorted((tag.replace("_", " "), n, m) for tag, (n, m) in seen.items())


def report_markdown(session: Session, mode: str) -> str:
    """The debrief as Markdown, for the student's portfolio or their tutor."""
    sc, ending = session.scenario, session.ending
    lines = [f"# {sc.title}: debrief", ""]
    if ending is not None:
        lines += [f"**Ending:** {ending.title}. For the client this is {ending.label}.", ""]
    lines += [
        f"Mode: {mode}. This is formative feedback for learning, not a grade.",
        "",
        "## Outcomes",
        "",
    ]
    for m in sc.meters:
        lines.append(f"- {m.label}: {m.start} → {session.meters[m.id]} (expected {m.expected})")
    lines += ["", "## Trust", ""]
    for p in sc.people:
        lines.append(f"- {p.name}: {' → '.join(map(str, trust_series(session)[p.id]))}")  # per decision
    lines += ["", "## Decisions", ""]
    for n, d in enumerate(decisions(session), 1):
        lines.append(f"{n}. You: {d.chosen.text}")
        if d.matched:
            lines.append("   The expert chose the same.")
        elif d.expert is not None:
            lines.append(f"   Expert: {d.expert.text}")
        if d.scene.expert:
            lines.append(f"   Why: {d.scene.expert.why}")
        if d.chosen.feedback:
            lines.append(f"   Teaching point: {d.chosen.feedback.teaching}")
    tried = also_tried(session)
    if tried:
        lines += ["", "## You also tried", ""] + [f"- {c.text}" for c in tried]
    if sc.debrief:
        lines += ["", "## Debrief questions (PEARLS)", ""]
        for title, qs in pearls(session):
            lines.append(f"**{title}**")
            lines += [f"- {q}" for q in qs]
    return "\n".join(lines) + "\n"


def pearls(session: Session) -> list[tuple[str, tuple[str, ...]]]:
    d = session.scenario.debrief
    if d is None:
        return []
    return [
        (t, qs)
        for t, qs in (
            ("Reactions", d.reactions),
            ("Description", d.description),
            ("Analysis", d.analysis),
            ("Summary", d.summary),
        )
        if qs
    ]
